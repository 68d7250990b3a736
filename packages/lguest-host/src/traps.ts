/**
 * Reflecting traps into the Guest, and the instructions the Host emulates for it.
 *
 * Reference: lguest-abi.md §4.3 (deliver_trap, push_guest_interrupt_stack: stack switch from
 * user mode to esp1/ss1, EFLAGS with IF from lguest_data.irq_enabled, error code for 8,
 * 10–14, 17; then cs = __KERNEL_CS|1, TF/VM/RF/NT cleared, irq_enabled = 0 for interrupt
 * gates), §7.2 (#GP with error code 0 at CPL 1: in/out read all-ones and are skipped, cli is
 * skipped).
 */
import { GUEST_PL, KERNEL_CS_SEL, vectorHasErrorCode } from "@littleguest/switcher";
import { LGUEST_DATA, X86_EFLAGS_IF } from "./abi/lguest-data.js";
import { idtPresent, idtType } from "./idt.js";
import type { LgCpu } from "./lguest.js";

const TF = 0x100;
const NT = 0x4000;
const RF = 0x10000;
const VM = 0x20000;

/*H:520 Reflecting a trap means doing by hand what the CPU would have done had the Guest's own
 * IDT been live: push a frame and jump to the handler. If the Guest was in user mode, the
 * frame goes on its kernel stack (the esp1 it gave SET_STACK) and starts with the old ss and
 * esp; otherwise it goes where the kernel already is. The EFLAGS in the frame carry the
 * virtual interrupt flag from lguest_data, not the real one (which is always on). The stack
 * address is translated once through the Guest's page tables and the frame written through
 * Guest-physical memory: the Host never trusts the Guest's shadow to be there. :*/

/**
 * Push a trap/interrupt frame for the handler described by IDT entry (lo, hi) and point the
 * Guest at it (lguest's set_guest_interrupt). `push` false reuses the frame already on the
 * stack (an interrupt arriving at the Guest's noirq iret).
 */
export function setGuestInterrupt(cpu: LgCpu, lo: number, hi: number, hasErr: boolean, push = true): void {
  if (push) {
    let virtstack: number;
    let ss: number;
    let gstack: number;
    if ((cpu.reg("ss") & 3) !== GUEST_PL) {
      virtstack = cpu.esp1;
      ss = cpu.ss1;
      gstack = cpu.mmu.guestPa(virtstack);
      if (gstack < 0) return;
      const origstack = gstack;
      gstack = pushGuestStack(cpu, gstack, cpu.reg("ss"));
      gstack = pushGuestStack(cpu, gstack, cpu.reg("esp"));
      gstack = pushFrame(cpu, gstack, hasErr);
      cpu.setReg("esp", (virtstack + (gstack - origstack)) | 0);
    } else {
      virtstack = cpu.reg("esp");
      ss = cpu.reg("ss");
      gstack = cpu.mmu.guestPa(virtstack);
      if (gstack < 0) return;
      const origstack = gstack;
      gstack = pushFrame(cpu, gstack, hasErr);
      cpu.setReg("esp", (virtstack + (gstack - origstack)) | 0);
    }
    cpu.setReg("ss", ss);
  }
  cpu.setReg("cs", KERNEL_CS_SEL);
  cpu.setReg("eip", ((hi & 0xffff0000) | (lo & 0xffff)) >>> 0);
  cpu.setReg("eflags", cpu.reg("eflags") & ~(TF | VM | RF | NT));
  if (idtType(hi) === 0xe && cpu.lguestData !== 0) cpu.mem.write32(cpu.lguestData + LGUEST_DATA.irqEnabled, 0);
}

function pushFrame(cpu: LgCpu, gstack: number, hasErr: boolean): number {
  let eflags = cpu.reg("eflags");
  if (cpu.lguestData !== 0) {
    const irqEnabled = cpu.mem.read32(cpu.lguestData + LGUEST_DATA.irqEnabled);
    if ((irqEnabled & X86_EFLAGS_IF) === 0) eflags &= ~X86_EFLAGS_IF;
  }
  let s = pushGuestStack(cpu, gstack, eflags);
  s = pushGuestStack(cpu, s, cpu.reg("cs"));
  s = pushGuestStack(cpu, s, cpu.reg("eip"));
  if (hasErr) s = pushGuestStack(cpu, s, cpu.reg("errcode"));
  return s;
}

function pushGuestStack(cpu: LgCpu, gstack: number, value: number): number {
  const at = gstack - 4;
  cpu.mem.write32(at, value);
  return at;
}

/** deliver_trap: reflect trap `num` to the Guest. @returns false when it has no handler (the caller kills). */
export function deliverTrap(cpu: LgCpu, num: number): boolean {
  if (num < 0 || num >= 256) return false;
  const lo = cpu.guestIdt[num * 2]!;
  const hi = cpu.guestIdt[num * 2 + 1]!;
  if (!idtPresent(hi)) return false;
  setGuestInterrupt(cpu, lo, hi, vectorHasErrorCode(num));
  cpu.counters.reflectedTraps++;
  return true;
}

/*H:530 A Guest kernel in ring 1 cannot touch I/O ports: every in and out is a #GP. Linux
 * probes a few legacy ports at boot anyway, so the Host answers the way an empty ISA bus
 * does: reads return all ones, writes vanish, and the instruction is skipped. It looks only
 * at the kernel's own instructions, never at user mode's, and only at the handful of opcodes
 * it knows; anything else is a real #GP and goes back to the Guest. :*/

/** emulate_insn: skip an in/out (reads give all ones) or cli at CPL 1. @returns true if handled. */
export function emulateInsn(cpu: LgCpu): boolean {
  const eip = cpu.reg("eip");
  const physaddr = cpu.mmu.guestPa(eip);
  if (physaddr < 0) return false;
  if ((cpu.reg("cs") & 3) !== GUEST_PL) return false;
  let insn = cpu.mem.read8(physaddr);
  if (insn === 0xfa) {
    cpu.setReg("eip", eip + 1);
    cpu.counters.emulatedInstructions++;
    return true;
  }
  let len = 0;
  let small = false;
  if (insn === 0x66) {
    small = true;
    len = 1;
    insn = cpu.mem.read8(physaddr + 1);
  }
  let isIn = false;
  switch (insn & 0xfe) {
    case 0xe4:
      len += 2;
      isIn = true;
      break;
    case 0xec:
      len += 1;
      isIn = true;
      break;
    case 0xe6:
      len += 2;
      break;
    case 0xee:
      len += 1;
      break;
    default:
      return false;
  }
  if (isIn) {
    const eax = cpu.reg("eax");
    if ((insn & 1) === 0) cpu.setReg("eax", eax | 0xff);
    else cpu.setReg("eax", small ? eax | 0xffff : -1);
  }
  cpu.setReg("eip", eip + len);
  cpu.counters.emulatedInstructions++;
  return true;
}
