/**
 * Walking the Guest's own page tables, which live in Guest-physical memory (read through the
 * Host's bounds-checked {@link GuestMemory}).
 *
 * Reference: lguest-abi.md §6.2 (lguest_address_ok, lgread zero-fills and kills "bad read
 * address", lgwrite kills "bad write address"; guest_pa walks the Guest's tables and kills
 * "Bad address"). Entries are 32-bit, 2-level, non-PAE (SDM Vol. 3A §4.3): directory index =
 * linear bits 31:22, table index = bits 21:12, frame = bits 31:12 of each entry.
 * The bound is the 4.x one (end of the access ≤ pfn_limit · 4096), which does not refuse
 * the last word of Guest RAM as the 3.x `(addr + len) / PAGE_SIZE < pfn_limit` test did.
 */
import { PTE_FRAME, PTE_P } from "@littleguest/mmu";
import type { GuestMemory } from "../guest-memory.js";

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
export function walkGuestQuiet(ram: GuestMemory, gpgdir: number, vaddr: number): number {
  const pde = ram.peek32(gpgdAddr(gpgdir, vaddr));
  if ((pde & PTE_P) === 0) return -1;
  const pte = ram.peek32(gpteAddr(pde, vaddr));
  if ((pte & PTE_P) === 0) return -1;
  return ((pte & PTE_FRAME) >>> 0) + (vaddr & 0xfff);
}
