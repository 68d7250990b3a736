/**
 * The CPU's view of address translation: a consumer-side interface.
 *
 * Reference: SDM Vol. 3A §4 (paging), §4.10 (TLBs). The CPU never walks
 * page tables itself: it reads a software TLB that the translator owns and,
 * on a miss, asks the translator to walk. Paging being off is the
 * translator's business too (it then maps linear = physical).
 *
 * TLB entry encoding (one Int32 per 4 KiB linear page, index = linear >>> 12):
 * bits 31..12 hold the physical page base, bits 5..0 the permissions already
 * checked for that page. 0 means "not cached". A translator only installs an
 * entry for a page inside RAM, and only grants a write bit once the Dirty bit
 * of the guest entry is set, so that the first write always walks.
 */

/** Supervisor (CPL 0–2) may read. Also the "valid" bit: an entry without it is ignored. */
export const TLB_SUP_READ = 1 << 0;
/** CPL 3 may read. */
export const TLB_USER_READ = 1 << 1;
/** Supervisor may write (Dirty already set; CR0.WP already applied). */
export const TLB_SUP_WRITE = 1 << 2;
/** CPL 3 may write (Dirty already set). */
export const TLB_USER_WRITE = 1 << 3;
/** Supervisor may fetch instructions. */
export const TLB_SUP_EXEC = 1 << 4;
/** CPL 3 may fetch instructions. */
export const TLB_USER_EXEC = 1 << 5;
/** All permission bits at once (identity mappings with paging off). */
export const TLB_ALL = 0x3f;
/** Mask that extracts the physical page base from an entry. */
export const TLB_FRAME_MASK = ~0xfff;
/** Entries in a full 32-bit linear TLB (one per 4 KiB page). */
export const TLB_ENTRIES = 1 << 20;

/** What an access wants to do; the #PF error code's W/R and I/D bits follow from it. */
export const enum Access {
  /** Data read. */
  Read = 0,
  /** Data write. */
  Write = 1,
  /** Instruction fetch. */
  Exec = 2,
}

/** The #PF error-code bits (SDM Vol. 3A §4.7). */
export const PF_P = 1 << 0;
/** Fault was caused by a write. */
export const PF_W = 1 << 1;
/** Fault happened at CPL 3. */
export const PF_U = 1 << 2;
/** A reserved bit was set in a paging-structure entry. */
export const PF_RSVD = 1 << 3;
/** Fault was caused by an instruction fetch (only reported with PAE+NXE). */
export const PF_I = 1 << 4;

/**
 * Translates linear addresses for the CPU. Implemented by `@littleguest/mmu`
 * (hardware paging, and the MMU strategies built on it) and by
 * {@link FlatTranslator} for machines that never enable paging.
 */
export interface Translator {
  /** The software TLB the CPU's fast path reads; {@link TLB_ENTRIES} entries. */
  readonly tlb: Int32Array;
  /**
   * Walk for `linear` on a TLB miss or permission miss, setting Accessed/Dirty
   * bits as hardware would, and install a TLB entry when the page is cacheable.
   *
   * @param user - true for a CPL 3 access (implicit supervisor accesses such as
   *   descriptor-table reads pass false).
   * @returns the physical address, or -1 when the access faults; then
   *   {@link Translator.faultCode} holds the #PF error code. Never throws.
   */
  translate(linear: number, access: Access, user: boolean): number;
  /** #PF error code of the last failed {@link Translator.translate}. */
  faultCode: number;
  /**
   * Drop cached translations: all but global ones (a CR3 load), or every one
   * (`includeGlobal`, after CR0/CR4 changes or when paging is toggled).
   */
  flush(includeGlobal: boolean): void;
  /** Drop any cached translation of one linear page (INVLPG). */
  invlpg(linear: number): void;
  /**
   * Stop (`on` = true) or resume granting TLB write permission for a physical
   * page. The CPU watches pages it has decoded instructions from, so that a
   * write to them takes the slow path and invalidates the decoded copy.
   */
  watchWrites(physPage: number, on: boolean): void;
}
