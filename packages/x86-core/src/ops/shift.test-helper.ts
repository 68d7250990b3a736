/**
 * Test helper for the shift, muldiv, bit, bcd and atomic families: run one
 * instruction from given registers and flags, and report the registers, the
 * arithmetic flags and the exception it raised (if any).
 */
import type { Cpu } from "../cpu/cpu.js";
import { ARITH_FLAGS } from "../cpu/eflags.js";
import type { PhysicalMemory } from "../memory/physical-memory.js";
import { runBytes } from "../testing/run-bytes.js";

/** Initial state: registers by name (EAX..EDI), EFLAGS, and bytes to place in memory. */
export interface Start {
  readonly eax?: number;
  readonly ecx?: number;
  readonly edx?: number;
  readonly ebx?: number;
  readonly esi?: number;
  readonly edi?: number;
  readonly flags?: number;
  readonly mem?: readonly (readonly [number, readonly number[]])[];
}

/** What one instruction left behind. */
export interface Outcome {
  readonly cpu: Cpu;
  readonly memory: PhysicalMemory;
  /** EAX..EDI as unsigned numbers. */
  readonly r: readonly number[];
  /** The six arithmetic flags. */
  readonly flags: number;
  /** Vector of the exception raised, or -1. */
  readonly fault: number;
}

const NAMES = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"] as const;

/** Execute `bytes` (one instruction) from `start`; exceptions are caught on the fault bus. */
export function exec(bytes: readonly number[], start: Start = {}): Outcome {
  let fault = -1;
  const m = runBytes(bytes, {
    steps: 1,
    setup: ({ cpu, memory }) => {
      NAMES.forEach((n, k) => {
        const v = (start as Record<string, number | undefined>)[n];
        if (v !== undefined) cpu.regs[k] = v;
      });
      cpu.setEflags(start.flags ?? 2);
      for (const [addr, data] of start.mem ?? []) memory.load(addr, new Uint8Array(data));
      for (let v = 0; v < 32; v++) {
        cpu.faults.claim(v, (c, vec) => {
          fault = vec;
          c.stop();
          return true;
        });
      }
    },
  });
  const r = Array.from(m.cpu.regs, (x) => x >>> 0);
  return { cpu: m.cpu, memory: m.memory, r, flags: m.cpu.getEflags() & ARITH_FLAGS, fault };
}

/** Flag bits by letter, for readable expectations: flagBits("CZ") = CF|ZF. */
export function flagBits(s: string): number {
  const bit: Record<string, number> = { C: 1, P: 4, A: 16, Z: 64, S: 128, O: 2048 };
  let f = 0;
  for (const ch of s) f |= bit[ch] ?? 0;
  return f;
}

/**
 * A vector recorded under qemu-i386 7.2 (register forms only):
 * bytes, EAX ECX EDX EBX and flags before, EAX ECX EDX EBX and flags after.
 */
export type QemuVector = readonly [
  readonly number[],
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
];

/** Run a QEMU vector; returns [got, want] as comparable hex strings. */
export function replay(v: QemuVector): [string, string] {
  const [bytes, eax, ecx, edx, ebx, flags, ...want] = v;
  const o = exec(bytes, { eax, ecx, edx, ebx, flags });
  const hex = (xs: readonly number[]) => xs.map((x) => (x >>> 0).toString(16)).join(" ");
  const got = [o.r[0]!, o.r[1]!, o.r[2]!, o.r[3]!, o.flags];
  return [o.fault >= 0 ? `#${o.fault}` : hex(got), hex(want)];
}
