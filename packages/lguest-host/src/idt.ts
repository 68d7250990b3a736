/**
 * The Guest's IDT and the per-CPU IDT the CPU really uses while the Guest runs.
 *
 * Reference: lguest-abi.md §4.2 (which vectors may be delivered directly: below 32 or the
 * system-call vector, never 7, 13, 14 or 0x1F, and only trap gates), §4.6 (LOAD_IDT_ENTRY:
 * vectors 2, 8, 15 and 0x1F ignored; ≥ 256 kills; type must be 0xE or 0xF, else "bad IDT
 * type"; stored with the selector forced to the Guest kernel's code segment and the high
 * dword masked to offset, P, DPL and type).
 */
import {
  GATE_INTERRUPT,
  GATE_TRAP,
  gateDescriptor,
  IDT_ENTRIES,
  KERNEL_CS_SEL,
  LGUEST_CS,
  LGUEST_TRAP_ENTRY,
  stubAddress,
} from "@littleguest/switcher";
import { FIRST_EXTERNAL_VECTOR, SYSCALL_VECTOR } from "./abi/lguest-data.js";

/** Whether a stored IDT entry is present. */
export function idtPresent(hi: number): boolean {
  return (hi & 0x8000) !== 0;
}

/** The gate type of an IDT entry (0xE interrupt, 0xF trap). */
export function idtType(hi: number): number {
  return (hi >>> 8) & 0xf;
}

/** What LOAD_IDT_ENTRY made of an entry. */
export type IdtLoad = "ignored" | "stored" | "bad-type" | "bad-vector";

/*H:500 The Guest may point its IDT anywhere it likes, within rules. It cannot touch the
 * vectors the Host needs for itself (the hypercall vector, NMI, double fault, and the
 * reserved 15), and it may only ask for interrupt or trap gates: a task gate would let it
 * switch to a TSS of its choosing. Whatever selector it names, the Host puts its kernel code
 * segment there, so every Guest handler runs in ring 1. :*/

/** LOAD_IDT_ENTRY: validate and store Guest IDT entry `vector` into `idt` (512 dwords). */
export function loadIdtEntry(idt: Int32Array, vector: number, lo: number, hi: number): IdtLoad {
  if (vector === 2 || vector === 8 || vector === 15 || vector === LGUEST_TRAP_ENTRY) return "ignored";
  if (vector < 0 || vector >= IDT_ENTRIES) return "bad-vector";
  if (!idtPresent(hi)) {
    idt[vector * 2] = 0;
    idt[vector * 2 + 1] = 0;
    return "stored";
  }
  const type = idtType(hi);
  if (type !== GATE_INTERRUPT && type !== GATE_TRAP) return "bad-type";
  idt[vector * 2] = (KERNEL_CS_SEL << 16) | (lo & 0xffff);
  idt[vector * 2 + 1] = hi & 0xffffef00;
  return "stored";
}

/** Whether vector `v` can go straight to the Guest (lguest's direct_trap). */
export function directTrap(v: number): boolean {
  if (v >= FIRST_EXTERNAL_VECTOR && v !== SYSCALL_VECTOR) return false;
  return v !== 13 && v !== 14 && v !== 7 && v !== LGUEST_TRAP_ENTRY;
}

/*H:510 Most traps can skip the Host altogether. If the Guest's handler for, say, a divide
 * error is a trap gate, the Host copies it into the IDT the CPU uses, and the CPU delivers it
 * straight to the Guest's ring-1 handler on the Guest's kernel stack. That is why that stack
 * must always be mapped: nobody could fix a fault there. The exceptions are the ones the Host
 * must see: #GP (it emulates port I/O), #PF (shadow paging), #NM (lazy FPU), the hypercall,
 * and every interrupt gate, because the Guest cannot really turn interrupts off in ring 1, so
 * the Host must do it in `lguest_data` on its behalf. Those go to the Switcher's stubs, with
 * the Guest's DPL copied in so that, say, `int3` from user mode still works. The system-call
 * gate is the big win: when the Guest makes it a trap gate, system calls never leave the
 * Guest. :*/

/**
 * copy_traps: the 256-entry IDT image (512 dwords) the CPU uses while the Guest runs, from the
 * Guest's IDT.
 */
export function copyTraps(guestIdt: Int32Array, out: Int32Array): void {
  for (let v = 0; v < IDT_ENTRIES; v++) {
    const lo = guestIdt[v * 2]!;
    const hi = guestIdt[v * 2 + 1]!;
    if (directTrap(v) && idtPresent(hi) && idtType(hi) === GATE_TRAP) {
      out[v * 2] = lo;
      out[v * 2 + 1] = hi;
      continue;
    }
    let dpl = 0;
    if (v === LGUEST_TRAP_ENTRY) dpl = 1;
    else if (directTrap(v)) dpl = (hi >>> 13) & 3;
    const g = gateDescriptor(LGUEST_CS, stubAddress(v), GATE_INTERRUPT, dpl);
    out[v * 2] = g.lo;
    out[v * 2 + 1] = g.hi;
  }
}
