/**
 * A GDB target for a bare IA-32 CPU (the `lguest bare` machine, or any `Cpu` with its RAM):
 * registers straight from the CPU, memory through the CPU's page tables walked without side
 * effects.
 *
 * Reference: SDM Vol. 3A §4.3 (32-bit paging, 4 MiB pages with CR4.PSE), §4.4 (PAE paging,
 * 2 MiB pages), §2.3 (EFLAGS); GDB's i386 register order (target.ts).
 */
import { CS, type Cpu, type CpuExit, DS, ES, FS, GS, SS } from "@littleguest/x86-core";
import { type DebugMachine, type DriverStop, type MachineDriver, MachineDebugger } from "./machine-debugger.js";

/** GDB registers 10–15 (cs ss ds es fs gs) as indices of the CPU's segment arrays. */
const SEGMENT_ORDER = [CS, SS, DS, ES, FS, GS];
/** EFLAGS bits a debugger may change: CF PF AF ZF SF DF OF and IF. */
const WRITABLE_FLAGS = 0x0ed5;
const CR0_PG = 0x80000000;
const CR4_PSE = 0x10;
const CR4_PAE = 0x20;

/*D:360 A debugger must not change what it looks at. Asking the CPU's own translator where an
 * address goes would set Accessed bits in the page tables, fill the TLB and count walks and
 * misses, so a run with GDB attached would differ from the same run without it, and the
 * statistics a benchmark prints would count the debugger's reads. The stub walks the tables
 * itself, reading only, and an address the tables do not map is GDB's "Cannot access memory",
 * never a page fault delivered to the program. :*/

/**
 * Where `linear` is in the CPU's RAM through its current page tables, or -1 when it is not
 * mapped or beyond RAM. Reads the tables only: no Accessed bits, no TLB fill, no fault.
 */
export function walkLinear(cpu: Cpu, linear: number): number {
  const mem = cpu.memory;
  const size = mem.size;
  const va = linear >>> 0;
  const c = cpu.control;
  const read32 = (pa: number) => (pa >= 0 && pa + 4 <= size ? mem.read32(pa) : 0);
  let pa: number;
  if ((c.cr0 & CR0_PG) === 0) pa = va;
  else if ((c.cr4 & CR4_PAE) !== 0) {
    const pdpte = read32(((c.cr3 >>> 0) & ~0x1f) + (va >>> 30) * 8);
    if ((pdpte & 1) === 0 || read32(((c.cr3 >>> 0) & ~0x1f) + (va >>> 30) * 8 + 4) !== 0) return -1;
    const pdeAt = ((pdpte & ~0xfff) >>> 0) + ((va >>> 21) & 0x1ff) * 8;
    const pde = read32(pdeAt);
    if ((pde & 1) === 0 || read32(pdeAt + 4) & 0x7fffffff) return -1;
    if ((pde & 0x80) !== 0) pa = ((pde & 0xffe00000) >>> 0) + (va & 0x1fffff);
    else {
      const pteAt = ((pde & ~0xfff) >>> 0) + ((va >>> 12) & 0x1ff) * 8;
      const pte = read32(pteAt);
      if ((pte & 1) === 0 || read32(pteAt + 4) & 0x7fffffff) return -1;
      pa = ((pte & ~0xfff) >>> 0) + (va & 0xfff);
    }
  } else {
    const pde = read32(((c.cr3 >>> 0) & ~0xfff) + (va >>> 22) * 4);
    if ((pde & 1) === 0) return -1;
    if ((pde & 0x80) !== 0 && (c.cr4 & CR4_PSE) !== 0) pa = ((pde & 0xffc00000) >>> 0) + (va & 0x3fffff);
    else {
      const pte = read32(((pde & ~0xfff) >>> 0) + ((va >>> 12) & 0x3ff) * 4);
      if ((pte & 1) === 0) return -1;
      pa = ((pte & ~0xfff) >>> 0) + (va & 0xfff);
    }
  }
  return pa < size ? pa : -1;
}

/** Options of {@link cpuDriver}. */
export interface CpuDriverOptions {
  /** Instructions per `run` slice between yields (default 1,000,000). */
  readonly slice?: number;
  /** How to let the event loop in between slices (default: a zero timeout). */
  readonly yieldToHost?: () => Promise<void>;
}

/**
 * A run loop for a bare `Cpu` with nothing else to serve: `halt` and `shutdown` end the
 * machine, `stopped` is a stop. Machines with devices (the Launcher's) provide their own.
 */
export function cpuDriver(cpu: Cpu, options: CpuDriverOptions = {}): MachineDriver {
  const slice = options.slice ?? 1_000_000;
  const yieldToHost = options.yieldToHost ?? (() => new Promise<void>((r) => setTimeout(r, 0)));
  const classify = (e: CpuExit): DriverStop | null => {
    switch (e.kind) {
      case "budget":
        return null;
      case "stopped":
        return { kind: "stopped" };
      case "halt":
        return { kind: "terminated", reason: e.interruptible ? "halted waiting for an interrupt" : "halted with interrupts off" };
      case "shutdown":
        return { kind: "terminated", reason: e.reason };
      default:
        return { kind: "terminated", reason: `the CPU returned a "${e.kind}" exit` };
    }
  };
  return {
    async run() {
      for (;;) {
        const r = classify(cpu.run(slice));
        if (r !== null) return r;
        await yieldToHost();
      }
    },
    step() {
      return classify(cpu.run(1)) ?? { kind: "stopped" };
    },
    stop() {
      cpu.stop();
    },
  };
}

/** A GDB target for a bare `cpu` driven by `driver` (e.g. {@link cpuDriver}). */
export function createCpuTarget(cpu: Cpu, driver: MachineDriver): MachineDebugger {
  const machine: DebugMachine = {
    cpu,
    memory: cpu.memory,
    driver,
    physical: (address) => walkLinear(cpu, address),
    readRegisters(out) {
      for (let i = 0; i < 8; i++) out[i] = cpu.regs[i]! >>> 0;
      out[8] = cpu.eip >>> 0;
      out[9] = cpu.getEflags() >>> 0;
      for (let i = 0; i < 6; i++) out[10 + i] = cpu.segSel[SEGMENT_ORDER[i]!]! & 0xffff;
    },
    writeRegister(index, value) {
      if (index < 8) cpu.regs[index] = value | 0;
      else if (index === 8) cpu.eip = value | 0;
      else if (index === 9) {
        if (((value ^ cpu.getEflags()) & ~WRITABLE_FLAGS) !== 0) return false;
        cpu.setEflags(value | 0);
      } else if (index < 16) {
        // A selector alone is not a segment: loading one needs its descriptor, which a debugger does not do.
        return (value & 0xffff) === (cpu.segSel[SEGMENT_ORDER[index - 10]!]! & 0xffff);
      } else return false;
      return true;
    },
    isProgram: () => true,
    stopSoon: () => cpu.stop(),
    eip: () => (cpu.segBase[CS]! + cpu.eip) >>> 0,
  };
  return new MachineDebugger(machine);
}
