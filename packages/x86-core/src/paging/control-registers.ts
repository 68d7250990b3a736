/**
 * Control registers and the paging-related MSR (EFER), as one small record.
 *
 * Reference: SDM Vol. 3A §2.5 (CR0–CR4), §4.1.1 (paging modes), §2.2.1 (EFER).
 * The CPU owns this record; a {@link Translator} reads it on every page walk.
 */

/** CR0 bits. */
export const CR0_PE = 1 << 0;
/** CR0.MP: WAIT/FWAIT honour TS. */
export const CR0_MP = 1 << 1;
/** CR0.EM: x87 instructions raise #NM (software emulates the FPU). */
export const CR0_EM = 1 << 2;
/** CR0.TS: task switched; x87 use raises #NM (lazy FPU switching). */
export const CR0_TS = 1 << 3;
/** CR0.ET: extension type, hard-wired to 1 on a 686. */
export const CR0_ET = 1 << 4;
/** CR0.NE: native x87 error reporting. */
export const CR0_NE = 1 << 5;
/** CR0.WP: supervisor writes honour read-only pages. */
export const CR0_WP = 1 << 16;
/** CR0.AM: alignment mask. */
export const CR0_AM = 1 << 18;
/** CR0.NW: not write-through (cache control, no effect here). */
export const CR0_NW = 1 << 29;
/** CR0.CD: cache disable (no effect here). */
export const CR0_CD = 1 << 30;
/** CR0.PG: paging enabled. */
export const CR0_PG = 1 << 31;

/** CR4.VME (not supported; reserved here). */
export const CR4_VME = 1 << 0;
/** CR4.PVI (not supported). */
export const CR4_PVI = 1 << 1;
/** CR4.TSD: RDTSC is privileged. */
export const CR4_TSD = 1 << 2;
/** CR4.DE: debugging extensions. */
export const CR4_DE = 1 << 3;
/** CR4.PSE: 4 MiB pages in 2-level paging. */
export const CR4_PSE = 1 << 4;
/** CR4.PAE: physical address extension (3-level paging, 64-bit entries). */
export const CR4_PAE = 1 << 5;
/** CR4.MCE: machine-check enable. */
export const CR4_MCE = 1 << 6;
/** CR4.PGE: global pages survive CR3 reloads. */
export const CR4_PGE = 1 << 7;
/** CR4.PCE: RDPMC allowed at any CPL. */
export const CR4_PCE = 1 << 8;
/** CR4.OSFXSR. */
export const CR4_OSFXSR = 1 << 9;

/** EFER.NXE: execute-disable bit honoured in PAE entries. */
export const EFER_NXE = 1 << 11;

/**
 * The processor's control state that paging depends on.
 *
 * Invariant: values are stored as int32 (use `>>> 0` to read them unsigned).
 * After changing `cr0`, `cr3`, `cr4` or `efer`, the owner must tell the
 * translator (`flush`) — the record itself has no behaviour.
 */
export class ControlRegisters {
  /** CR0; starts with ET set, as a 686 resets. */
  cr0 = CR0_ET;
  /** CR2: the linear address of the last page fault. */
  cr2 = 0;
  /** CR3: page-directory base (PDPT base under PAE) plus PWT/PCD. */
  cr3 = 0;
  /** CR4. */
  cr4 = 0;
  /** IA32_EFER (MSR 0xC0000080); only NXE matters on a 32-bit CPU. */
  efer = 0;
}
