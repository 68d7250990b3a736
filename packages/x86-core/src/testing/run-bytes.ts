/**
 * Test helper: run a few instruction bytes on a fresh flat machine.
 *
 * Used by instruction tests (byte vectors). Code is placed at CODE_BASE,
 * a data page at DATA_BASE, the stack grows down from STACK_TOP; all
 * segments are flat 32-bit at the given CPL, paging is off.
 */
import { Cpu } from "../cpu/cpu.js";
import type { CpuExit } from "../cpu/exit.js";
import { ESP } from "../cpu/registers.js";
import { PhysicalMemory } from "../memory/physical-memory.js";
import { ControlRegisters } from "../paging/control-registers.js";
import { FlatTranslator } from "../paging/flat-translator.js";

/** Where test code is loaded. */
export const CODE_BASE = 0x1000;
/** A scratch data page. */
export const DATA_BASE = 0x8000;
/** Initial ESP. */
export const STACK_TOP = 0x20000;

/** A flat test machine. */
export interface TestMachine {
  readonly cpu: Cpu;
  readonly memory: PhysicalMemory;
  readonly control: ControlRegisters;
}

/** Make a flat machine with 1 MiB of RAM at `cpl` (default 0). */
export function makeMachine(cpl = 0, ramBytes = 1 << 20): TestMachine {
  const memory = new PhysicalMemory(ramBytes);
  const control = new ControlRegisters();
  const cpu = new Cpu({ memory, control, translator: new FlatTranslator(memory) });
  cpu.loadFlatSegments({ cpl, codeSelector: 0x08, dataSelector: 0x10 });
  cpu.regs[ESP] = STACK_TOP;
  cpu.eip = CODE_BASE;
  return { cpu, memory, control };
}

/** Options of {@link runBytes}. */
export interface RunOptions {
  /** Set up registers/flags/memory before running. */
  readonly setup?: (m: TestMachine) => void;
  /** Instructions to execute (default: the number needed to reach the end of the bytes, max 1000). */
  readonly steps?: number;
  /** Privilege level (default 0). */
  readonly cpl?: number;
}

/**
 * Load `bytes` at CODE_BASE followed by HLT and run until the HLT (or `steps`).
 * @returns the machine and the exit.
 */
export function runBytes(bytes: readonly number[], options: RunOptions = {}): TestMachine & { exit: CpuExit } {
  const m = makeMachine(options.cpl ?? 0);
  m.memory.load(CODE_BASE, new Uint8Array([...bytes, 0xf4]));
  options.setup?.(m);
  const exit = m.cpu.run(options.steps ?? 1000);
  return { ...m, exit };
}
