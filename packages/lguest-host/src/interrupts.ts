/**
 * Virtual interrupts: 32 IRQ lines the Host raises and delivers into the Guest.
 *
 * Reference: lguest-abi.md §4.4 — interrupt_pending (none before LGUEST_INIT; pending and not
 * blocked, first bit and whether more remain), try_deliver_interrupt (a halted Guest wakes
 * with IF on; with irq_enabled 0 set irq_pending and wait; deliver through IDT entry 32 + irq
 * if present; at noirq_iret reuse the frame; refresh lguest_data.time; clear irq_pending when
 * nothing more waits).
 */
import { FIRST_EXTERNAL_VECTOR, LGUEST_DATA, LGUEST_IRQS, X86_EFLAGS_IF } from "./abi/lguest-data.js";
import { idtPresent } from "./idt.js";
import type { LgCpu } from "./lguest.js";
import { setGuestInterrupt } from "./traps.js";

/** The first deliverable IRQ (LGUEST_IRQS for none) and whether others wait behind it. */
export interface PendingIrq {
  irq: number;
  more: boolean;
}
const NONE: PendingIrq = { irq: LGUEST_IRQS, more: false };

/** interrupt_pending. */
export function interruptPending(cpu: LgCpu): PendingIrq {
  if (cpu.lguestData === 0 || cpu.irqsPending === 0) return NONE;
  const blocked = cpu.mem.read32(cpu.lguestData + LGUEST_DATA.blockedInterrupts);
  const pending = (cpu.irqsPending & ~blocked) >>> 0;
  if (pending === 0) return NONE;
  const irq = 31 - Math.clz32(pending & -pending);
  return { irq, more: pending >>> (irq + 1) !== 0 };
}

/*H:540 The Guest turns interrupts off by writing 0 into lguest_data.irq_enabled: no
 * hypercall, no trap, just a store. So before injecting, the Host reads that word; if
 * interrupts are off it only sets irq_pending, which the Guest checks when it turns them back
 * on, and asks for them with SEND_INTERRUPTS. One moment is special: the Guest's own iret,
 * which restores irq_enabled from the frame one instruction before the real iret. An
 * interrupt injected exactly there would push a new frame over a half-finished return, so
 * the Host instead reuses the frame that is already on the stack. :*/

/** try_deliver_interrupt. */
export function tryDeliverInterrupt(cpu: LgCpu, irq: number, more: boolean): void {
  const data = cpu.lguestData;
  if (cpu.halted) {
    cpu.mem.write32(data + LGUEST_DATA.irqEnabled, X86_EFLAGS_IF);
    cpu.halted = false;
  } else if ((cpu.mem.read32(data + LGUEST_DATA.irqEnabled) & X86_EFLAGS_IF) === 0) {
    cpu.mem.write32(data + LGUEST_DATA.irqPending, X86_EFLAGS_IF);
    return;
  }
  const v = FIRST_EXTERNAL_VECTOR + irq;
  const lo = cpu.guestIdt[v * 2]!;
  const hi = cpu.guestIdt[v * 2 + 1]!;
  if (idtPresent(hi)) {
    if (cpu.observer !== null) cpu.observer.irqDelivered?.(irq, cpu.reg("eip") >>> 0);
    cpu.irqsPending &= ~(1 << irq);
    setGuestInterrupt(cpu, lo, hi, false, cpu.noirqIret === 0 || cpu.reg("eip") >>> 0 !== cpu.noirqIret >>> 0);
    cpu.counters.interruptsDelivered++;
  }
  writeTimestamp(cpu);
  if (!more) cpu.mem.write32(data + LGUEST_DATA.irqPending, 0);
}

/** Write the wall clock into lguest_data.time. */
export function writeTimestamp(cpu: LgCpu): void {
  const ns = cpu.clock.now();
  const sec = Math.floor(ns / 1e9);
  cpu.mem.write32(cpu.lguestData + LGUEST_DATA.timeSec, cpu.clock.epochSeconds + sec);
  cpu.mem.write32(cpu.lguestData + LGUEST_DATA.timeNsec, ns - sec * 1e9);
}
