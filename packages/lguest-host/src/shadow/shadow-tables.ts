/**
 * The shadow page tables themselves: Host pages the hardware walks, and the page references
 * their entries hold.
 *
 * Reference: lguest-abi.md §6.2–6.4 (gpte_to_spte strips _PAGE_GLOBAL and takes a page
 * reference; release_pte drops it when PRESENT; release_pgd releases a whole PTE page, frees
 * it and zeroes the slot), SDM Vol. 3A §4.3 (2-level entries: P bit 0, R/W bit 1, U/S bit 2,
 * A bit 5, D bit 6, PS/PAT bit 7, G bit 8, frame bits 31:12). The Host runs without PGE, so
 * no shadow entry is ever global and a CR3-style flush drops every shadow translation.
 */
import { type HostPageAllocator, type MutableMmuCounters, PTE_FRAME, PTE_G, PTE_P, PTE_RW } from "@littleguest/mmu";
import type { PhysicalMemory } from "@littleguest/x86-core";

/** Entries in one 2-level directory or table page. */
export const ENTRIES_PER_PAGE = 1024;
/** Flag bits of a 2-level entry (everything below the frame). */
export const ENTRY_FLAGS = 0xfff;

/**
 * Shadow-table bookkeeping over Host memory: install and release shadow PTEs, release whole
 * shadow PTE pages, and count what happened.
 *
 * Invariants: a PRESENT shadow PTE holds exactly one allocator reference on the Host page it
 * maps; a PRESENT shadow PGD entry below the Switcher slot points at a shadow PTE page this
 * object allocated; nothing here ever writes outside shadow pages the caller names.
 */
export class ShadowTables {
  private readonly i32: Int32Array;
  private readonly firstPage: number;
  private readonly endPage: number;

  /**
   * @param memory - the Host's RAM (shadow pages and Guest RAM both live there).
   * @param allocator - hands out shadow pages and counts references on Guest pages.
   * @param memBasePage - Host page number backing Guest-physical page 0.
   * @param counters - where fills and zaps are counted.
   * @param kill - the Guest's kill switch.
   */
  constructor(
    memory: PhysicalMemory,
    private readonly allocator: HostPageAllocator,
    private readonly memBasePage: number,
    private readonly counters: MutableMmuCounters,
    private readonly kill: (reason: string) => void,
  ) {
    this.i32 = memory.i32;
    this.firstPage = allocator.firstPage;
    this.endPage = allocator.firstPage + allocator.count;
  }

  /** The entry at Host-physical byte address `addr` (4-byte aligned, inside a shadow page). */
  read(addr: number): number {
    return this.i32[addr >>> 2]!;
  }

  /** Overwrite the entry at Host-physical byte address `addr`. */
  write(addr: number, value: number): void {
    this.i32[addr >>> 2] = value;
  }

  /** A fresh zeroed shadow page (directory or table), or -1 when the Host is out of pages. */
  allocPage(tag: string): number {
    return this.allocator.alloc(tag);
  }

  /** Give back a shadow page this object allocated (its entries must be released already). */
  freePage(page: number): void {
    this.allocator.put(page);
  }

  /**
   * release_pte: drop the page reference of the shadow PTE at `addr` if it is present, and
   * zero the entry so that it can never be released twice.
   */
  releasePte(addr: number): void {
    const i = addr >>> 2;
    const spte = this.i32[i]!;
    if ((spte & PTE_P) !== 0) {
      this.allocator.put(spte >>> 12);
      this.counters.shadowZaps++;
    }
    this.i32[i] = 0;
  }

  /**
   * Install the shadow PTE at `addr` for Guest PTE `gpte` (already checked: frame below
   * pfn_limit, no PSE): Host frame = memBase page + Guest frame, Global stripped, and R/W
   * kept only when `writable` (write-protect-until-dirty). Precondition: the slot is empty.
   * @returns false when the backing Host page cannot be referenced; the Guest is then killed
   *   and the slot stays empty.
   */
  installPte(addr: number, gpte: number, writable: boolean): boolean {
    const hostPage = this.memBasePage + (gpte >>> 12);
    if (hostPage < this.firstPage || hostPage >= this.endPage || this.allocator.refCount(hostPage) === 0) {
      this.kill(`failed to get page ${gpte >>> 12}`);
      return false;
    }
    this.allocator.get(hostPage);
    let flags = gpte & ENTRY_FLAGS & ~PTE_G;
    if (!writable) flags &= ~PTE_RW;
    this.i32[addr >>> 2] = hostPage * 4096 + flags;
    this.counters.shadowFills++;
    return true;
  }

  /**
   * release_pgd: if shadow directory entry `index` of the directory page `pgdirPage` is
   * present, release every PTE in its table, free the table and zero the entry.
   */
  releasePgd(pgdirPage: number, index: number): void {
    const at = pgdirPage * 1024 + index;
    const spgd = this.i32[at]!;
    if ((spgd & PTE_P) === 0) return;
    const ptePage = (spgd & PTE_FRAME) >>> 12;
    const base = ptePage * 4096;
    for (let i = 0; i < ENTRIES_PER_PAGE; i++) {
      if (this.i32[ptePage * 1024 + i] !== 0) this.releasePte(base + i * 4);
    }
    this.allocator.put(ptePage);
    this.i32[at] = 0;
  }

  /** Release shadow directory entries [0, end) of `pgdirPage` (end is clamped to the page). */
  releaseRange(pgdirPage: number, end: number): void {
    const n = Math.min(end, ENTRIES_PER_PAGE);
    for (let i = 0; i < n; i++) this.releasePgd(pgdirPage, i);
  }
}
