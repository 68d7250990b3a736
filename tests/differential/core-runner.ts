/**
 * Runs a test program on x86-core the way qemu-user runs it: flat 32-bit segments at CPL 3,
 * the ELF loaded at its linked addresses (linear = physical through FlatTranslator), and the
 * two system calls the harness makes — write(1, …) and exit — emulated by claiming vector
 * 0x80 on the fault bus.
 *
 * Unlike a process, the run survives exceptions: every exception vector is claimed, the
 * fault is recorded against the case it happened in, and execution resumes at the next
 * case's set-up (label cN_s). So one unimplemented or faulting instruction costs only the
 * cases that contain it, and the report names it.
 */
import { ControlRegisters, Cpu, EAX, EBX, ECX, EDX, ESP, FlatTranslator, PhysicalMemory, PortBus } from "@littleguest/x86-core";
import { elfSymbols, loadElf } from "./elf-loader.js";

/** RAM for one program: the batch sits at 4 MiB and needs well under 4 MiB. */
const RAM_BYTES = 16 << 20;
/** Unused by the program (it sets %esp itself) but valid, like the stack qemu-user provides. */
const INITIAL_STACK = 0x00f00000;
/** Instruction budget: a batch of 500 cases retires ~30k instructions. */
const BUDGET = 20_000_000;
/** Flat ring-3 selectors (GDT index 3 code, 4 data, RPL 3), as Linux uses. */
const USER_CS = 0x1b;
const USER_DS = 0x23;
/** EFLAGS.IF (bit 9). */
const EFLAGS_IF = 0x200;
/** Exception vectors a user program can raise (0–31); 0x80 is the system call. */
const EXCEPTION_VECTORS = 32;
const SYSCALL_VECTOR = 0x80;
const VECTOR_NAMES = ["#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "?15", "#MF", "#AC", "#MC", "#XM"];

/** An exception x86-core raised inside a case (QEMU raised none: its run exited 0). */
export interface CaseFault {
  readonly caseIndex: number;
  readonly vector: number;
  readonly errorCode: number;
  readonly eip: number;
  /** Up to 15 bytes at eip, hex. */
  readonly bytes: string;
  /** "#UD (vector 6) at 0x401234 [0f 0b …]". */
  readonly text: string;
}

/** What the program printed and how it ended. */
export interface CoreRun {
  readonly output: Uint8Array;
  /** Why the run ended, e.g. "exit(0)" or "shutdown: triple fault … in case 17". */
  readonly ending: string;
  readonly faults: readonly CaseFault[];
  readonly instructions: number;
}

/** Loads and runs one program of `cases` cases to its exit(); never throws for guest behaviour. */
export function runOnCore(image: Uint8Array, cases: number): CoreRun {
  const memory = new PhysicalMemory(RAM_BYTES);
  const control = new ControlRegisters();
  const cpu = new Cpu({ memory, control, translator: new FlatTranslator(memory), ports: new PortBus() });
  cpu.loadFlatSegments({ cpl: 3, codeSelector: USER_CS, dataSelector: USER_DS });
  // A Linux process runs with IF=1 (qemu-user shows EFLAGS 0x202 at _start); PUSHF images
  // carry the bit, so the machine must match the environment, not just the instructions.
  cpu.setEflags(cpu.getEflags() | EFLAGS_IF);
  cpu.regs[ESP] = INITIAL_STACK;
  cpu.eip = loadElf(image, memory);
  const symbols = elfSymbols(image);
  const starts: number[] = [];
  for (let i = 0; i < cases; i++) starts.push(symbol(symbols, `c${i}_s`));
  const allDone = symbol(symbols, "all_done");
  /** Case whose code contains `eip`, or -1 outside them. */
  const caseAt = (eip: number): number => {
    let lo = 0;
    let hi = starts.length - 1;
    if (eip < starts[0]! || eip >= allDone) return -1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= eip) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const chunks: Uint8Array[] = [];
  const faults: CaseFault[] = [];
  let exitCode: number | null = null;
  let bad = "";
  cpu.faults.claim(SYSCALL_VECTOR, (c) => {
    const nr = c.regs[EAX]!;
    if (nr === 4 && c.regs[EBX] === 1) {
      const start = c.regs[ECX]! >>> 0;
      const length = c.regs[EDX]! >>> 0;
      chunks.push(memory.u8.slice(start, start + length));
      c.regs[EAX] = length;
    } else if (nr === 1) {
      exitCode = c.regs[EBX]!;
      c.stop();
    } else {
      bad = `unexpected system call ${nr}`;
      c.stop();
    }
    return true;
  });
  for (let v = 0; v < EXCEPTION_VECTORS; v++) {
    cpu.faults.claim(v, (c, vector, errorCode) => {
      // After exit() nothing should run; should a stop() from a claim handler ever take
      // effect late (x86-core's first build let the `hlt` after exit run and #GP), the
      // exception belongs to no case.
      if (exitCode !== null) {
        c.stop();
        return true;
      }
      const eip = c.eip >>> 0;
      const n = caseAt(eip);
      const bytes = Array.from(memory.u8.subarray(eip, eip + 15), (b) => b.toString(16).padStart(2, "0")).join(" ");
      const text = `${VECTOR_NAMES[vector] ?? `vector ${vector}`} (vector ${vector}, error code ${errorCode}) at 0x${eip.toString(16)} [${bytes}]`;
      faults.push({ caseIndex: n, vector, errorCode, eip, bytes, text });
      if (n < 0) {
        bad = `exception outside the cases: ${text}`;
        c.stop();
      } else {
        c.eip = n + 1 < starts.length ? starts[n + 1]! : allDone;
      }
      return true;
    });
  }
  const exit = cpu.run(BUDGET);
  let ending: string;
  if (bad) ending = bad;
  else if (exit.kind === "stopped" && exitCode !== null) ending = `exit(${exitCode})`;
  else {
    const eip = cpu.eip >>> 0;
    ending = `${exit.kind}${"reason" in exit ? `: ${exit.reason}` : ""} at eip 0x${eip.toString(16)} in case ${caseAt(eip)}`;
  }
  const size = chunks.reduce((n, c) => n + c.length, 0);
  const output = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    output.set(c, at);
    at += c.length;
  }
  return { output, ending, faults, instructions: cpu.instructions };
}

function symbol(symbols: Map<string, number>, name: string): number {
  const v = symbols.get(name);
  if (v === undefined) throw new Error(`core-runner: the program has no symbol ${name}`);
  return v;
}
