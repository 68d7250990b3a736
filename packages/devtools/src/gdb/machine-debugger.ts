/**
 * The machinery both GDB targets share: breakpoints (an `int3` written into the program, or an
 * address compared before each instruction), write watchpoints (the watched bytes compared
 * before each instruction), stepping over an inserted breakpoint, and memory access by
 * virtual address that hides the inserted `int3`s. What differs between a bare CPU and an
 * lguest Guest (where registers live, how an address is translated, how the machine runs) comes
 * in as a {@link DebugMachine}.
 *
 * Reference: SDM Vol. 3B §17.2 (debug registers: up to four instruction or data breakpoints;
 * a data breakpoint is a trap, reported after the instruction that wrote) and §17.3.1.1
 * (instruction breakpoints are faults, reported before the instruction); Vol. 2A INT3 (0xCC,
 * EIP after the one-byte instruction).
 */
import { CS, type Cpu, type PhysicalMemory } from "@littleguest/x86-core";
import type { BreakpointType, GdbStop, GdbTarget } from "./target.js";

/** How a machine's own run loop ended when it came back to the debugger. */
export type DriverStop =
  /** Stopped on request (a breakpoint, a watchpoint, an interrupt): it can go on. */
  | { readonly kind: "stopped" }
  /** The machine ended with an exit status. */
  | { readonly kind: "exited"; readonly status: number }
  /** The machine died (`reason` for people). */
  | { readonly kind: "terminated"; readonly reason: string };

/**
 * The machine's run loop as the debugger uses it; the Launcher provides it, because only it
 * knows the devices that must be served while the machine runs.
 */
export interface MachineDriver {
  /** Run until a stop is requested or the machine ends. Yields to the event loop between slices. */
  run(): Promise<DriverStop>;
  /** Execute exactly one instruction of the program. */
  step(): DriverStop;
  /** Make a running {@link MachineDriver.run} return `stopped` soon (safe at any time). */
  stop(): void;
}

/** What a {@link MachineDebugger} needs of one kind of machine. */
export interface DebugMachine {
  /** The CPU the program runs on (observers and the int3 claim go there). */
  readonly cpu: Cpu;
  /** The RAM that {@link DebugMachine.physical} addresses. */
  readonly memory: PhysicalMemory;
  /** Where virtual `address` is in {@link DebugMachine.memory} now, or -1 (no side effects: no A/D bits, no TLB fill). */
  physical(address: number): number;
  /** The 16 general registers in GDB order. */
  readRegisters(out: Uint32Array): void;
  /** Set one; false when not allowed. */
  writeRegister(index: number, value: number): boolean;
  /** Whether the instruction the CPU is about to run is the debugged program's (not the Host's Switcher). */
  isProgram(cpu: Cpu): boolean;
  /** Ask the run loop to stop after the current instruction (from a fault claim). */
  stopSoon(): void;
  /** The program's EIP while stopped. */
  eip(): number;
  /** The run loop. */
  readonly driver: MachineDriver;
}

/** The INT3 opcode. */
const INT3 = 0xcc;
/** Longest write watchpoint accepted (GDB asks for the size of the watched expression). */
const MAX_WATCH_BYTES = 16;

/** One inserted software breakpoint: where its byte is in RAM and what it replaced. */
interface SoftBreakpoint {
  readonly pa: number;
  orig: number;
}

/** One write watchpoint and the bytes last seen there (-1: not mapped). */
interface Watch {
  readonly address: number;
  readonly length: number;
  readonly last: Int16Array;
}

/*D:320 Two ways to stop at an address, and the stub uses both. GDB's own way, the software
 * breakpoint, writes an `int3` over the first byte of the instruction; the CPU keeps running
 * its linked, decoded chains at full speed, and only the breakpoint itself costs anything:
 * a claim on vector 3 of the fault bus recognises the address, puts EIP back on the
 * instruction and stops. The other way is to compare EIP before every instruction, which
 * needs the CPU's per-instruction observer and so takes the CPU off its fast path for as
 * long as it is set. That is what hardware breakpoints are for (they cost nothing on a real
 * CPU, here they cost speed instead), and it is also the fallback when GDB asks for a
 * software breakpoint where nothing is mapped yet: a kernel's virtual addresses do not exist
 * while it still runs on the Host's linear_pages identity mapping, and a breakpoint in `start_kernel`
 * set at the entry point must still be hit. :*/

/**
 * A {@link GdbTarget} over any {@link DebugMachine}. Costs nothing while it has no breakpoints:
 * the int3 claim runs only when an int3 executes, and the per-instruction observer is set only
 * while a hardware breakpoint, a pending software one or a watchpoint exists.
 */
export class MachineDebugger implements GdbTarget {
  private readonly m: DebugMachine;
  private readonly soft = new Map<number, SoftBreakpoint>();
  /** Addresses compared before each instruction: hardware breakpoints and software ones not yet mapped. */
  private hard: number[] = [];
  private pendingSoft: number[] = [];
  private watches: Watch[] = [];
  /** Why the program stopped, set by the claim or the observer. */
  private hit: GdbStop | null = null;
  private interrupted = false;
  /** The address not to break on for the first program instruction of a resume (the one it resumes at). */
  private skip = -1;
  private readonly disposeClaim: () => void;
  private observing = false;
  private previousObserver: Cpu["onInstruction"] = null;

  constructor(machine: DebugMachine) {
    this.m = machine;
    this.disposeClaim = machine.cpu.faults.claim(3, (cpu) => this.onInt3(cpu));
  }

  /** Remove every breakpoint and the int3 claim: the machine is as it was before. */
  dispose(): void {
    this.clearBreakpoints();
    this.disposeClaim();
  }

  /** {@inheritDoc GdbTarget.readRegisters} */
  readRegisters(out: Uint32Array): void {
    this.m.readRegisters(out);
  }

  /** {@inheritDoc GdbTarget.writeRegister} */
  writeRegister(index: number, value: number): boolean {
    return this.m.writeRegister(index, value);
  }

  /** {@inheritDoc GdbTarget.readMemory} */
  readMemory(address: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    const mem = this.m.memory;
    let n = 0;
    while (n < length) {
      const va = (address + n) >>> 0;
      const pa = this.m.physical(va);
      if (pa < 0) break;
      const bp = this.soft.get(va);
      out[n] = bp !== undefined ? bp.orig : mem.read8(pa);
      n++;
    }
    return out.subarray(0, n);
  }

  /** {@inheritDoc GdbTarget.writeMemory} */
  writeMemory(address: number, data: Uint8Array): boolean {
    const pas = new Array<number>(data.length);
    for (let k = 0; k < data.length; k++) {
      const pa = this.m.physical((address + k) >>> 0);
      if (pa < 0) return false;
      pas[k] = pa;
    }
    for (let k = 0; k < data.length; k++) {
      const bp = this.soft.get((address + k) >>> 0);
      // Under an inserted breakpoint the new byte is what the breakpoint will put back.
      if (bp !== undefined) bp.orig = data[k]!;
      else this.m.memory.write8(pas[k]!, data[k]!);
      this.m.cpu.invalidateCode(pas[k]!);
    }
    // GDB's own writes are not the program's: watches start again from what is there now.
    for (const w of this.watches) this.sample(w);
    return true;
  }

  /** Z0 writes an int3 (or compares the address until it is mapped), Z1 compares EIP, Z2 compares 1–16 bytes before each instruction; Z3/Z4 are unsupported (null). */
  setBreakpoint(type: BreakpointType, address: number, length: number, insert: boolean): boolean | null {
    const a = address >>> 0;
    switch (type) {
      case 0:
        return insert ? this.insertSoft(a) : this.removeSoft(a);
      case 1:
        this.hard = insert ? add(this.hard, a) : this.hard.filter((x) => x !== a);
        this.updateObserver();
        return true;
      case 2:
        if (insert) {
          if (length < 1 || length > MAX_WATCH_BYTES) return false;
          const w: Watch = { address: a, length, last: new Int16Array(length) };
          this.sample(w);
          this.watches = [...this.watches, w];
        } else this.watches = this.watches.filter((w) => w.address !== a || w.length !== length);
        this.updateObserver();
        return true;
      default:
        // Read and access watchpoints would need every load watched, not just compared after.
        return null;
    }
  }

  /** {@inheritDoc GdbTarget.clearBreakpoints} */
  clearBreakpoints(): void {
    for (const a of [...this.soft.keys()]) this.removeSoft(a);
    this.hard = [];
    this.pendingSoft = [];
    this.watches = [];
    this.updateObserver();
  }

  /** {@inheritDoc GdbTarget.interrupt} */
  interrupt(): void {
    this.interrupted = true;
    this.m.driver.stop();
  }

  /** {@inheritDoc GdbTarget.step} */
  async step(): Promise<GdbStop> {
    this.hit = null;
    this.interrupted = false;
    return this.finish(this.stepOver(), true);
  }

  /** {@inheritDoc GdbTarget.resume} */
  async resume(): Promise<GdbStop> {
    this.hit = null;
    this.interrupted = false;
    // Leave an inserted breakpoint under EIP by one step first, as a CPU's RF flag does.
    if (this.soft.has(this.m.eip() >>> 0)) {
      const first = this.stepOver();
      if (first.kind !== "stopped" || this.hit !== null || this.interrupted) return this.finish(first, false);
    } else this.skip = this.m.eip() >>> 0;
    const r = await this.m.driver.run();
    return this.finish(r, false);
  }

  /*D:370 Resuming from a breakpoint must run the instruction under it, not stop on it again.
   * x86 has the RF flag for that; the stub has two equivalents. An inserted int3 under EIP is
   * put back to the original byte for one step and written again after it, and a compared
   * address is skipped for the first instruction of a resume. GDB does its own step-over for
   * breakpoints it knows it is sitting on, but a `c` straight after a `Z0` at the current EIP,
   * or a client less careful than GDB, must not find the machine stuck in place. :*/

  /** One instruction with any breakpoint under EIP taken out for it. */
  private stepOver(): DriverStop {
    const at = this.m.eip() >>> 0;
    const bp = this.soft.get(at);
    if (bp !== undefined) this.poke(bp.pa, bp.orig);
    this.skip = at;
    try {
      return this.m.driver.step();
    } finally {
      if (bp !== undefined && this.soft.get(at) === bp) this.poke(bp.pa, INT3);
      this.skip = -1;
    }
  }

  private finish(r: DriverStop, stepping: boolean): GdbStop {
    this.skip = -1;
    if (r.kind === "exited") return { kind: "exited", status: r.status };
    if (r.kind === "terminated") return { kind: "terminated", signal: 9, reason: r.reason };
    const hit = this.hit;
    this.hit = null;
    if (hit !== null) return hit;
    if (this.interrupted) {
      this.interrupted = false;
      return { kind: "interrupted" };
    }
    return stepping ? { kind: "step" } : { kind: "interrupted" };
  }

  private insertSoft(a: number): boolean {
    if (this.soft.has(a) || this.pendingSoft.includes(a)) return true;
    const pa = this.m.physical(a);
    if (pa < 0) {
      this.pendingSoft = [...this.pendingSoft, a];
      this.updateObserver();
      return true;
    }
    this.soft.set(a, { pa, orig: this.m.memory.read8(pa) });
    this.poke(pa, INT3);
    return true;
  }

  private removeSoft(a: number): boolean {
    if (this.pendingSoft.includes(a)) {
      this.pendingSoft = this.pendingSoft.filter((x) => x !== a);
      this.updateObserver();
      return true;
    }
    const bp = this.soft.get(a);
    if (bp === undefined) return true;
    this.soft.delete(a);
    this.poke(bp.pa, bp.orig);
    return true;
  }

  private poke(pa: number, byte: number): void {
    this.m.memory.write8(pa, byte);
    this.m.cpu.invalidateCode(pa);
  }

  /** The fault-bus claim on vector 3: ours if EIP is just past one of our int3s. */
  private onInt3(cpu: Cpu): boolean {
    if (this.soft.size === 0 || !this.m.isProgram(cpu)) return false;
    const at = (cpu.segBase[CS]! + cpu.eip - 1) >>> 0;
    const bp = this.soft.get(at);
    if (bp === undefined || this.m.memory.read8(bp.pa) !== INT3) return false;
    cpu.eip = (cpu.eip - 1) | 0;
    this.hit = SW_HIT;
    this.m.stopSoon();
    return true;
  }

  /*D:330 A write watchpoint on x86 is a trap: the CPU finishes the instruction that wrote and
   * stops before the next one, with the debug status register saying which watch fired. The
   * stub gets the same result without watching stores at all. Before each instruction it
   * compares the watched bytes with what they were before the previous one; a difference
   * means the previous instruction (or the Host, or a device, in between) wrote them, and the
   * CPU stops right there, before the next instruction runs. GDB then reads the new value and
   * prints it beside the old one it kept. A store of the same value goes unnoticed, which a
   * real debug register would catch; GDB's own software watchpoints have the same blind spot. :*/

  private updateObserver(): void {
    const want = this.hard.length + this.pendingSoft.length + this.watches.length > 0;
    const cpu = this.m.cpu;
    if (want === this.observing) return;
    this.observing = want;
    if (want) {
      const prev = cpu.onInstruction;
      this.previousObserver = prev;
      cpu.onInstruction = prev === null ? (c, eip) => this.check(c, eip) : (c, eip) => prev(c, eip) === true || this.check(c, eip);
    } else {
      cpu.onInstruction = this.previousObserver;
      this.previousObserver = null;
    }
  }

  /** Before each instruction while observing: @returns true to stop before it. */
  private check(cpu: Cpu, eip: number): boolean {
    if (!this.m.isProgram(cpu)) return false;
    // After STI or MOV SS an interrupt cannot be taken, and a stopped Guest leaves on one.
    if (cpu.shadow) return false;
    const lin = (cpu.segBase[CS]! + eip) >>> 0;
    const skip = this.skip;
    this.skip = -1;
    const ws = this.watches;
    for (let i = 0; i < ws.length; i++) {
      const w = ws[i]!;
      if (this.changed(w)) {
        this.hit = { kind: "watch", address: w.address };
        return true;
      }
    }
    if (lin === skip) return false;
    const hard = this.hard;
    for (let i = 0; i < hard.length; i++) {
      if (hard[i] === lin) {
        this.hit = HW_HIT;
        return true;
      }
    }
    const pending = this.pendingSoft;
    for (let i = 0; i < pending.length; i++) {
      if (pending[i] === lin) {
        this.hit = SW_HIT;
        return true;
      }
    }
    return false;
  }

  private sample(w: Watch): void {
    for (let k = 0; k < w.length; k++) {
      const pa = this.m.physical((w.address + k) >>> 0);
      w.last[k] = pa < 0 ? -1 : this.m.memory.read8(pa);
    }
  }

  private changed(w: Watch): boolean {
    let changed = false;
    for (let k = 0; k < w.length; k++) {
      const pa = this.m.physical((w.address + k) >>> 0);
      const now = pa < 0 ? -1 : this.m.memory.read8(pa);
      if (now !== w.last[k]) {
        w.last[k] = now;
        changed = true;
      }
    }
    return changed;
  }
}

const SW_HIT: GdbStop = Object.freeze({ kind: "breakpoint", type: "sw" });
const HW_HIT: GdbStop = Object.freeze({ kind: "breakpoint", type: "hw" });

function add(list: number[], a: number): number[] {
  return list.includes(a) ? list : [...list, a];
}
