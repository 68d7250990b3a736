/**
 * A Guest (`Lguest`) with its one vCPU, and the Host's run loop for it.
 *
 * Reference: lguest-abi.md §7.1 (run_guest, in order), §7.2 (what each trap number means to
 * the Host), §7.3 (kill_guest: the first reason wins, everything carries on until the loop
 * notices), §8.1 (LHREQ_INITIALIZE: the registers a Guest starts with; LHREQ_IRQ; read()
 * results), §3.4 (TS and SYSENTER around the switch).
 */
import type { HostPageAllocator } from "@littleguest/mmu";
import {
  KERNEL_CS_SEL,
  KERNEL_DS_SEL,
  LGUEST_TRAP_ENTRY,
  PAGE_SIZE,
  REGS,
  REGS_OFFSET,
  type RegsField,
  type Switcher,
  SWITCHER_ROUTE_BASE,
  type SwitcherGuest,
} from "@littleguest/switcher";
import { ControlRegisters, CR0_ET, CR0_PE, CR0_PG, CR0_TS, CR0_WP, Cpu, type CpuExit, type HandlerExit, type PhysicalMemory } from "@littleguest/x86-core";
import { LGUEST_IRQS, SYSCALL_VECTOR } from "./abi/lguest-data.js";
import { GuestMemory, hex } from "./guest-memory.js";
import type { HostMmu, HostMmuFactory } from "./host-mmu.js";
import { doHypercalls } from "./hypercalls.js";
import { copyTraps } from "./idt.js";
import { interruptPending, tryDeliverInterrupt } from "./interrupts.js";
import { initialGuestGdt } from "./segments.js";
import { deliverTrap, emulateInsn } from "./traps.js";
import { VirtualClock, type GuestClock } from "./clock.js";
import { createHostCounters, type HostCounters } from "./counters.js";
import type { HostObserver } from "./observer.js";

/** Guest instructions run between looks at the clock and the Launcher (a Host timer tick). */
export const DEFAULT_SLICE = 1_000_000;
/**
 * The vector the Host's own "timer" arrives on while the Guest runs: it kicks the Guest out
 * through the Switcher when a slice is over, as a Host timer interrupt does on real hardware
 * (LOCAL_TIMER_VECTOR on i386 Linux).
 */
export const HOST_TIMER_VECTOR = 0xef;

/** What the Launcher gave LHREQ_INITIALIZE. */
export interface GuestSetup {
  /** Host-physical address of Guest-physical 0 (page aligned; the Launcher owns that RAM). */
  readonly memBase: number;
  /** Guest RAM in pages. */
  readonly pfnLimit: number;
  /** Guest-physical entry point (the Guest starts there with paging in linear_pages mode). */
  readonly start: number;
  /** The MMU strategy (lguest's `shadow` unless the Launcher chooses another). */
  readonly mmu: HostMmuFactory;
  /** Seed for the strategy's random choices (default 1). */
  readonly seed?: number;
  /** Time inside the Guest (default: virtual, derived from retired instructions). */
  readonly clock?: GuestClock;
  /** Guest instructions per run slice (default {@link DEFAULT_SLICE}). */
  readonly slice?: number;
}

/** What {@link LgCpu.run} returns, like read() on /dev/lguest. */
export type RunEvent =
  /** The Guest sent NOTIFY with this Guest-physical address (a virtqueue kick). */
  | { readonly kind: "notify"; readonly address: number }
  /** The Guest is dead: SHUTDOWN, or the Host killed it. `restart` is a RESTART shutdown. */
  | { readonly kind: "dead"; readonly reason: string; readonly restart: boolean }
  /** The Guest is halted with nothing to deliver; `wakeAtNs` is its timer (null: none armed). */
  | { readonly kind: "idle"; readonly wakeAtNs: number | null }
  /** The instruction budget of this call ran out. */
  | { readonly kind: "budget" }
  /**
   * {@link LgCpu.requestStop} was called, or {@link LgCpu.step} ran its instruction: the Guest
   * is out of the CPU with every register in its regs page; `run` goes on from there.
   */
  | { readonly kind: "stopped" };

/** The Host's side of one Guest: what lguest keeps in `struct lguest` and `struct lg_cpu`. */
export class LgCpu implements SwitcherGuest {
  // ---- struct lguest
  /** Host-physical address of Guest-physical 0. */
  readonly memBase: number;
  /** Guest RAM in pages. */
  readonly pfnLimit: number;
  /** Guest-physical address of `struct lguest_data`, 0 until LGUEST_INIT. */
  lguestData = 0;
  /** PAGE_OFFSET, from lguest_data at LGUEST_INIT. */
  kernelAddress = 0;
  /** The Guest's single `iret` that no interrupt may interrupt. */
  noirqIret = 0;
  /** Why the Guest died, or null while it lives. */
  dead: string | null = null;
  /** Whether the death was a RESTART shutdown. */
  restart = false;

  // ---- struct lg_cpu
  /** The emulated processor the Guest runs on. */
  readonly cpu: Cpu;
  /** The MMU strategy (shadow paging). */
  readonly mmu: HostMmu;
  /** Host-physical address of this vCPU's regs page. */
  readonly regsPage: number;
  /** Guest kernel stack for traps from user mode: esp1, ss1, and its size in pages. */
  esp1 = 0;
  ss1 = 0;
  stackPages = 0;
  /** The Guest's wanted CR0.TS. */
  ts = 0;
  /** The Guest is in HALT. */
  halted = false;
  /** Virtual IRQs raised and not yet delivered (bit n = IRQ n). */
  irqsPending = 0;
  /** CHANGED_* since the last entry. */
  changed = 0;
  /** Host CPU whose Switcher pages this vCPU used last (-1 none). */
  lastHostCpu = -1;
  /** A hypercall waits (the Guest's registers are its arguments). */
  hcallPending = false;
  /** Host cursor in the async ring. */
  nextHcall = 0;
  /** A NOTIFY address waiting for the Launcher, or -1. */
  pendingNotify = -1;
  /** Absolute expiry of the Guest's clock event in ns, or -1. */
  timerExpiry = -1;
  /** CR2 of the last page fault, read the moment the Guest left. */
  lastPageFault = 0;
  /** The Guest's IDT (256 entries as stored by LOAD_IDT_ENTRY). */
  readonly guestIdt = new Int32Array(512);
  /** The IDT image the CPU uses, rebuilt from `guestIdt` when it changes. */
  readonly idt = new Int32Array(512);
  /** The Guest's GDT, fixed up. */
  readonly gdt = initialGuestGdt();
  /** Guest-physical memory access with lguest's checks. */
  readonly mem: GuestMemory;
  /** Time inside the Guest. */
  readonly clock: GuestClock;
  /** What the Host did for this Guest. */
  readonly counters: HostCounters = createHostCounters();
  /** Devtools' view of what the Host does (null: nobody watches). */
  observer: HostObserver | null = null;

  private readonly memory: PhysicalMemory;
  private readonly allocator: HostPageAllocator;
  private readonly switcher: Switcher;
  private readonly slice: number;
  private readonly detach: () => void;
  private closed = false;
  /** The run loop returns `stopped` at its next look. */
  private stopRequested = false;
  /** The CPU is running the Switcher or the Guest (a stop must cut the slice short). */
  private inCpu = false;
  /** {@link LgCpu.step} is running: enter the Guest for one instruction. */
  private stepping = false;

  /** @internal Use {@link LguestHost.initialize}. */
  constructor(memory: PhysicalMemory, allocator: HostPageAllocator, switcher: Switcher, setup: GuestSetup) {
    this.memory = memory;
    this.allocator = allocator;
    this.switcher = switcher;
    this.memBase = setup.memBase;
    this.pfnLimit = setup.pfnLimit;
    this.slice = setup.slice ?? DEFAULT_SLICE;
    this.mem = new GuestMemory(memory, setup.memBase, setup.pfnLimit, (r) => this.kill(r));
    const control = new ControlRegisters();
    control.cr0 = CR0_PE | CR0_ET | CR0_PG | CR0_WP;
    this.mmu = setup.mmu({
      memory,
      control,
      allocator,
      guest: { memBase: setup.memBase, pfnLimit: setup.pfnLimit, kernelAddress: 0 },
      killGuest: (r) => this.kill(r),
      seed: setup.seed ?? 1,
    });
    this.cpu = new Cpu({ memory, control, translator: this.mmu.translator });
    this.clock = setup.clock ?? new VirtualClock(this.cpu);
    this.detach = switcher.attach(this.cpu);
    this.regsPage = allocator.alloc("lguest: regs page") * PAGE_SIZE;
    for (const [f, v] of [
      ["cs", KERNEL_CS_SEL],
      ["ds", KERNEL_DS_SEL],
      ["es", KERNEL_DS_SEL],
      ["ss", KERNEL_DS_SEL],
      ["eflags", 0x202],
      ["eip", setup.start],
    ] as const)
      this.setReg(f, v);
    copyTraps(this.guestIdt, this.idt);
  }

  /** A field of the Guest's `struct lguest_regs`, read from its regs page (no copy exists). */
  reg(field: RegsField): number {
    return this.memory.read32(this.regsPage + REGS_OFFSET + REGS[field]);
  }

  /** Set a field of the Guest's `struct lguest_regs`. */
  setReg(field: RegsField, value: number): void {
    this.memory.write32(this.regsPage + REGS_OFFSET + REGS[field], value);
  }

  /** SwitcherGuest: the shadow directory to run on. */
  shadowPgdir(): number {
    return this.mmu.currentShadowPgdir();
  }

  /** SwitcherGuest: map the Switcher into that directory. */
  mapSwitcher(ptePage: number): void {
    this.mmu.mapSwitcher(ptePage);
  }

  /** Raise virtual IRQ `irq` (LHREQ_IRQ). @returns false when it is out of range. */
  irq(irq: number): boolean {
    if (!Number.isInteger(irq) || irq < 0 || irq >= LGUEST_IRQS) return false;
    this.irqsPending |= 1 << irq;
    this.observer?.irqRaised?.(irq);
    return true;
  }

  /*H:100 kill_guest in lguest is not an exception and not a return code: it writes down why,
   * if nobody has yet, and everyone carries on as if nothing happened. Deep inside a page-table
   * walk or a hypercall there is no good way to unwind, and no need to: the run loop checks
   * for death at the top of every iteration and stops there. The first reason is kept because
   * it is the cause; later ones are usually its consequences. :*/

  /** Kill the Guest: the first reason wins; callers carry on; the run loop stops at its next check. */
  kill(reason: string): void {
    if (this.dead === null) this.dead = reason;
  }

  /*H:110 The run loop is the Launcher's read() on /dev/lguest. It finishes a hypercall the
   * Guest left behind (draining the async ring first), hands a NOTIFY to the Launcher, delivers
   * a virtual interrupt if one can be, sleeps while the Guest is halted, and otherwise enters
   * the Guest through the Switcher for one slice and looks at why it came back. Time stands
   * still while the Host works: by default the Guest's clock is the number of instructions it
   * retired, so the same Guest with the same inputs does the same thing every run. :*/

  /**
   * Run the Guest until something needs the Launcher (read() on /dev/lguest).
   * @param options.budget - stop after about this many Guest instructions (default: no limit).
   * @param options.hostCpu - which host CPU's Switcher pages to use (default 0).
   */
  run(options: { budget?: number; hostCpu?: number } = {}): RunEvent {
    const hostCpu = options.hostCpu ?? 0;
    const stopAt = options.budget === undefined ? Number.POSITIVE_INFINITY : this.cpu.instructions + options.budget;
    for (;;) {
      if (this.dead !== null) return this.death();
      if (this.hcallPending) doHypercalls(this);
      if (this.pendingNotify >= 0) {
        const address = this.pendingNotify;
        this.pendingNotify = -1;
        return { kind: "notify", address };
      }
      if (this.stopRequested) {
        this.stopRequested = false;
        return STOPPED;
      }
      this.fireTimer();
      const pending = interruptPending(this);
      if (pending.irq < LGUEST_IRQS) tryDeliverInterrupt(this, pending.irq, pending.more);
      if (this.dead !== null) return this.death();
      if (this.halted) {
        if (this.timerExpiry < 0) return { kind: "idle", wakeAtNs: null };
        if (!this.clock.skipTo(this.timerExpiry)) return { kind: "idle", wakeAtNs: this.timerExpiry };
        continue;
      }
      if (this.cpu.instructions >= stopAt) return { kind: "budget" };
      this.runGuestOnce(hostCpu, Math.min(this.slice, stopAt - this.cpu.instructions, this.instructionsToTimer()));
      if (this.dead === null) this.handleTrap();
    }
  }

  /*H:140 A debugger needs two more things of the run loop: to stop a running Guest, and to
   * run it for exactly one of its own instructions. Both end the same way a slice does: the
   * Guest is sent out through the Switcher by a Host interrupt, so when `run` returns
   * `stopped` every register is in the regs page and nothing is half done. A stop that lands
   * while the CPU is still in the Switcher's entry code lets that code finish first; the
   * Guest never runs in ring 0, so ring 0 is how the Host tells the two apart. A step that
   * takes a page fault the shadow pager hides has retired nothing, so it goes on until the
   * instruction does, as it would on a machine without a Host in between. :*/

  /**
   * Ask the run loop to return `stopped` as soon as it can: after the current Guest
   * instruction if the Guest is running (call it from a breakpoint or a watch), else at the
   * loop's next look. Safe to call from an observer or a fault-bus claim.
   */
  requestStop(): void {
    this.stopRequested = true;
    if (this.inCpu) this.cpu.stop();
  }

  /**
   * Run exactly one Guest instruction (or the first instruction of an interrupt handler the
   * Host delivers on the way in), finishing any hypercall it made. @returns `stopped` after the
   * instruction, or what `run` would have returned instead (`notify`, `idle`, `dead`).
   */
  step(options: { hostCpu?: number } = {}): RunEvent {
    this.stepping = true;
    try {
      return this.run({ hostCpu: options.hostCpu });
    } finally {
      this.stepping = false;
      this.stopRequested = false;
    }
  }

  /** The registers the Launcher may read (LHREQ_GETREG). */
  getReg(field: RegsField): number {
    return this.reg(field) >>> 0;
  }

  /** Set a register (LHREQ_SETREG: general registers, eip and esp only). @returns false if not allowed. */
  setRegFromLauncher(field: RegsField, value: number): boolean {
    if (!["eax", "ebx", "ecx", "edx", "esi", "edi", "ebp", "eip", "esp"].includes(field)) return false;
    this.setReg(field, value);
    return true;
  }

  /** close() on /dev/lguest: release every shadow page and the regs page. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.kill("closed by the Launcher");
    this.mmu.guestDeath();
    this.detach();
    this.allocator.put(this.regsPage / PAGE_SIZE);
  }

  // ---------------------------------------------------------------- internals

  private death(): RunEvent {
    this.observer?.dying?.(this.dead ?? "");
    this.mmu.guestDeath();
    return { kind: "dead", reason: this.dead ?? "", restart: this.restart };
  }

  /** Instructions until the Guest's timer fires (at least 1; Infinity when none is armed). */
  private instructionsToTimer(): number {
    if (this.timerExpiry < 0) return Number.POSITIVE_INFINITY;
    return Math.max(1, this.clock.instructionsUntil(this.timerExpiry));
  }

  private fireTimer(): void {
    if (this.timerExpiry >= 0 && this.clock.now() >= this.timerExpiry) {
      this.timerExpiry = -1;
      this.irq(0);
    }
  }

  /*H:120 One trip into the Guest. The Switcher sets the stage and the CPU runs its entry code
   * into the Guest. When the slice is used up the Host does what a Host timer interrupt does
   * on hardware: it raises an interrupt, which the Guest cannot mask (its real IF is always
   * on), so it leaves through the Switcher like any other trap, with its registers safe in the
   * regs page. Everything else that stops the CPU on the way is a Host bug or a Guest beyond
   * saving, and the Guest dies of it. :*/
  private runGuestOnce(hostCpu: number, budget: number): void {
    const cpu = this.cpu;
    this.switcher.enterGuest(hostCpu, this, cpu);
    if (this.ts) cpu.control.cr0 |= CR0_TS;
    else cpu.control.cr0 &= ~CR0_TS;
    this.inCpu = true;
    const exit = this.runSlice(budget);
    this.inCpu = false;
    if (exit === null) return;
    const out = this.switcher.exitToHost(hostCpu, this, cpu, exit.vector);
    if (out.trapnum === 14) this.lastPageFault = cpu.control.cr2 >>> 0;
    this.counters.exits[Math.min(out.trapnum, 256)]!++;
    this.observer?.exit?.(out.trapnum, out.errcode, this.reg("eip") >>> 0, this.lastPageFault);
  }

  /**
   * Run the entered Guest for `budget` instructions (one when stepping) and make sure it
   * leaves through the Switcher. @returns the Switcher exit, or null when the Guest was killed.
   */
  private runSlice(budget: number): HandlerExit | null {
    const cpu = this.cpu;
    let exit: CpuExit;
    if (this.stepping) {
      exit = this.throughSwitcher();
      if (exit.kind === "budget") exit = cpu.run(1);
      this.stopRequested = true;
    } else {
      exit = cpu.run(Math.max(1, budget));
      if (exit.kind === "stopped") {
        this.stopRequested = true;
        exit = this.throughSwitcher();
      }
    }
    // Out of budget or stopped (a breakpoint, requestStop): a Host interrupt sends it out.
    for (let kicks = 0; exit.kind === "budget" || exit.kind === "stopped"; kicks++) {
      if (exit.kind === "stopped") this.stopRequested = true;
      if (kicks === 0) cpu.requestInterrupt(HOST_TIMER_VECTOR);
      if (kicks > 1000) {
        this.kill("Guest did not leave after a Host timer interrupt");
        return null;
      }
      exit = cpu.run(64);
    }
    cpu.irqVector = -1;
    if (exit.kind !== "handler" || exit.id - SWITCHER_ROUTE_BASE !== exit.vector) {
      const why = exit.kind === "shutdown" ? exit.reason : exit.kind;
      this.kill(`unexpected exit from the Guest: ${why}`);
      return null;
    }
    return exit;
  }

  /**
   * Finish the Switcher's entry code one instruction at a time, stopping as the Guest's first
   * instruction is next (`budget`) or when something else ends the run.
   */
  private throughSwitcher(): CpuExit {
    const cpu = this.cpu;
    for (let n = 0; n < 1000; n++) {
      if (cpu.cpl !== 0) return BUDGET;
      const e = cpu.run(1);
      if (e.kind !== "budget" && e.kind !== "stopped") return e;
    }
    return { kind: "shutdown", reason: "the Switcher's entry code did not reach the Guest" };
  }

  /** lguest_arch_handle_trap. */
  private handleTrap(): void {
    const trapnum = this.reg("trapnum");
    switch (trapnum) {
      case 13:
        if (this.reg("errcode") === 0 && emulateInsn(this)) return;
        break;
      case 14: {
        const fixed = this.mmu.pageFault(this.lastPageFault, this.reg("errcode")) === "fixed";
        const outcome = fixed ? "hidden" : this.dead !== null ? "killed" : "reflected";
        this.observer?.pageFault?.(this.lastPageFault, this.reg("errcode") >>> 0, this.reg("eip") >>> 0, outcome);
        // A hidden fault retired nothing: a single step goes on until the instruction does.
        if (fixed && this.stepping) this.stopRequested = false;
        if (fixed) return;
        // A fault that killed the Guest (the Switcher's pages, a bad entry) is not reflected.
        if (this.dead !== null) return;
        if (this.lguestData !== 0) this.mem.write32(this.lguestData + 8, this.lastPageFault);
        break;
      }
      case 7:
        if (!this.ts) return;
        break;
      case LGUEST_TRAP_ENTRY:
        this.hcallPending = true;
        return;
      default:
        // A Host interrupt kicked the Guest out: nothing to do but run it again.
        if (trapnum >= 32 && trapnum < 256 && trapnum !== SYSCALL_VECTOR) return;
    }
    if (trapnum !== 14) this.observer?.trapReflected?.(trapnum, this.reg("errcode") >>> 0, this.reg("eip") >>> 0);
    if (!deliverTrap(this, trapnum)) {
      const extra = trapnum === 14 ? this.lastPageFault : this.reg("errcode");
      this.kill(`unhandled trap ${trapnum} at ${hex(this.reg("eip"))} (${hex(extra)})`);
    }
  }
}

const STOPPED: RunEvent = Object.freeze({ kind: "stopped" });
const BUDGET: CpuExit = Object.freeze({ kind: "budget" });

/** Re-export for the Host's user: the fields of `struct lguest_regs`. */
export type { RegsField };
