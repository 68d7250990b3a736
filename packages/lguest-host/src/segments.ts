/**
 * The Guest's GDT: what the Guest may put in it and how the Host fixes it up.
 *
 * Reference: lguest-abi.md §5 — 32 entries; TSS, LGUEST_CS, LGUEST_DS and DOUBLEFAULT_TSS
 * belong to the Host; every Guest entry gets DPL 0 → 1 and the Accessed bit (the CPU could
 * not write it into the read-only GDT page); LOAD_GDT_ENTRY beyond 32 entries kills
 * ("too many gdt entries"); LOAD_TLS copies three descriptors into entries 6–8.
 */
import {
  GDT_ENTRIES,
  GDT_ENTRY_KERNEL_CS,
  GDT_ENTRY_KERNEL_DS,
  GDT_ENTRY_TLS_ENTRIES,
  GDT_ENTRY_TLS_MIN,
  GUEST_PL,
  isHostGdtEntry,
  segmentDescriptor,
} from "@littleguest/switcher";

/** High-dword bits of a descriptor's DPL. */
const DPL_MASK = 0x6000;
/** High-dword bit of the Accessed flag (type bit 0). */
const ACCESSED = 0x100;

/*H:400 A Guest kernel believes it runs in ring 0 and writes GDT entries with DPL 0; lguest
 * runs it in ring 1, where a DPL-0 segment cannot be loaded. So the Host quietly turns every
 * DPL 0 into DPL 1 as the entry arrives. It also sets the Accessed bit itself: the CPU sets
 * that bit on first use by writing the descriptor, and the GDT the CPU uses lives in the
 * Switcher's read-only page, where that write would fault. The Host checks nothing else. A
 * nonsense descriptor only hurts when the Switcher loads it on the way in, which faults inside
 * the Switcher and ends the Guest. :*/

/** The fix-up every Guest-supplied entry gets; Host-owned indices are left alone. */
export function fixupGdtEntry(gdt: Int32Array, index: number): void {
  if (isHostGdtEntry(index)) return;
  let hi = gdt[index * 2 + 1]!;
  if ((hi & DPL_MASK) === 0) hi |= GUEST_PL << 13;
  gdt[index * 2 + 1] = hi | ACCESSED;
}

/** The GDT a vCPU starts with: flat 4 GiB kernel code and data at DPL 1 (lguest's setup_guest_gdt). */
export function initialGuestGdt(): Int32Array {
  const gdt = new Int32Array(GDT_ENTRIES * 2);
  const code = segmentDescriptor(0, 0xfffff, 0x9a | (GUEST_PL << 5), 0xc);
  const data = segmentDescriptor(0, 0xfffff, 0x92 | (GUEST_PL << 5), 0xc);
  gdt.set([code.lo, code.hi], GDT_ENTRY_KERNEL_CS * 2);
  gdt.set([data.lo, data.hi], GDT_ENTRY_KERNEL_DS * 2);
  fixupGdtEntry(gdt, GDT_ENTRY_KERNEL_CS);
  fixupGdtEntry(gdt, GDT_ENTRY_KERNEL_DS);
  return gdt;
}

/** Store and fix up entry `index`. @returns false when the index is out of range (kill). */
export function loadGdtEntry(gdt: Int32Array, index: number, lo: number, hi: number): boolean {
  if (index < 0 || index >= GDT_ENTRIES) return false;
  gdt[index * 2] = lo;
  gdt[index * 2 + 1] = hi;
  fixupGdtEntry(gdt, index);
  return true;
}

/** Store the three TLS descriptors (six dwords) and fix them up. */
export function loadTls(gdt: Int32Array, tls: readonly number[]): void {
  for (let k = 0; k < GDT_ENTRY_TLS_ENTRIES; k++) {
    gdt[(GDT_ENTRY_TLS_MIN + k) * 2] = tls[k * 2]!;
    gdt[(GDT_ENTRY_TLS_MIN + k) * 2 + 1] = tls[k * 2 + 1]!;
    fixupGdtEntry(gdt, GDT_ENTRY_TLS_MIN + k);
  }
}
