/**
 * Reading and writing the Guest's own page tables, which live in Guest-physical memory.
 *
 * Reference: lguest-abi.md §6.2 (lguest_address_ok, lgread zero-fills and kills "bad read
 * address", lgwrite kills "bad write address"; guest_pa walks the Guest's tables and kills
 * "Bad address"). Entries are 32-bit, 2-level, non-PAE (SDM Vol. 3A §4.3): directory index =
 * linear bits 31:22, table index = bits 21:12, frame = bits 31:12 of each entry.
 * The bound is the 4.x one (end of the access ≤ pfn_limit · 4096), which does not refuse
 * the last word of Guest RAM as the 3.x `(addr + len) / PAGE_SIZE < pfn_limit` test did.
 */
import type { PhysicalMemory } from "@littleguest/x86-core";
import { PTE_FRAME, PTE_P } from "@littleguest/mmu";

/** `0x…` lowercase hex of an unsigned 32-bit value, as lguest's `%#lx` prints non-zero values. */
export function hex(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}

/**
 * A bounds-checked window on Guest RAM: Guest-physical address → Host memory at memBase.
 *
 * Invariant: never touches Host memory outside [memBase, memBase + pfnLimit · 4096), whatever
 * address a Guest value produced. Failed reads return 0 (a not-present entry), so callers
 * treat a bad address like an absent mapping once the Guest has been killed.
 */
export class GuestRam {
  /** Bytes of Guest RAM (pfn_limit pages). */
  readonly limitBytes: number;

  /**
   * @param memory - the Host's RAM.
   * @param memBase - Host-physical byte address of Guest-physical 0 (page aligned).
   * @param pfnLimit - Guest RAM size in pages.
   * @param kill - the Guest's kill switch (first reason wins at the caller).
   */
  constructor(
    private readonly memory: PhysicalMemory,
    private readonly memBase: number,
    readonly pfnLimit: number,
    private readonly kill: (reason: string) => void,
  ) {
    this.limitBytes = pfnLimit * 4096;
  }

  /** True when the `len` bytes at Guest-physical `gpa` all lie inside Guest RAM. */
  inside(gpa: number, len: number): boolean {
    return gpa >= 0 && gpa + len <= this.limitBytes;
  }

  /** lgread of one 32-bit word: the value, or 0 after killing "bad read address …". */
  read32(gpa: number): number {
    if (!this.inside(gpa, 4)) {
      this.kill(`bad read address ${hex(gpa)} len 4`);
      return 0;
    }
    return this.memory.read32(this.memBase + gpa);
  }

  /** Like {@link GuestRam.read32} but silent: 0 outside Guest RAM. */
  peek32(gpa: number): number {
    return this.inside(gpa, 4) ? this.memory.read32(this.memBase + gpa) : 0;
  }

  /** lgwrite of one 32-bit word; kills "bad write address …" instead of writing outside. */
  write32(gpa: number, value: number): void {
    if (!this.inside(gpa, 4)) {
      this.kill(`bad write address ${hex(gpa)} len 4`);
      return;
    }
    this.memory.write32(this.memBase + gpa, value);
  }
}

/** Guest-physical address of the directory entry for `vaddr` in the directory at `gpgdir`. */
export function gpgdAddr(gpgdir: number, vaddr: number): number {
  return gpgdir + (vaddr >>> 22) * 4;
}

/** Guest-physical address of the table entry for `vaddr` under directory entry `gpgd`. */
export function gpteAddr(gpgd: number, vaddr: number): number {
  return ((gpgd & PTE_FRAME) >>> 0) + ((vaddr >>> 12) & 0x3ff) * 4;
}

/**
 * Walk the Guest's tables at `gpgdir` for `vaddr` without killing anybody.
 * @returns the Guest-physical address, or -1 when a level is not present or outside RAM.
 * Like lguest's guest_pa, it ignores access rights and treats every directory entry as
 * pointing at a table (PSE directories are refused elsewhere, when they are shadowed).
 */
export function walkGuestQuiet(ram: GuestRam, gpgdir: number, vaddr: number): number {
  const pdeAt = gpgdAddr(gpgdir, vaddr);
  if (!ram.inside(pdeAt, 4)) return -1;
  const pde = ram.peek32(pdeAt);
  if ((pde & PTE_P) === 0) return -1;
  const pteAt = gpteAddr(pde, vaddr);
  if (!ram.inside(pteAt, 4)) return -1;
  const pte = ram.peek32(pteAt);
  if ((pte & PTE_P) === 0) return -1;
  return ((pte & PTE_FRAME) >>> 0) + (vaddr & 0xfff);
}
