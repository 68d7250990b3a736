/**
 * Test helper for x87 byte vectors: memory-operand encodings with an
 * absolute disp32 address, and a runner over `runBytes` that catches #NM/#UD.
 */
import type { Cpu } from "../cpu/cpu.js";
import { DATA_BASE, runBytes, type TestMachine } from "../testing/run-bytes.js";

/** `op /reg [addr]` with ModRM mod=00 rm=101 (disp32). */
export function mem(op: number, reg: number, addr: number = DATA_BASE): number[] {
  return [op, 0x05 | (reg << 3), addr & 0xff, (addr >>> 8) & 0xff, (addr >>> 16) & 0xff, addr >>> 24];
}

/** A fault caught by {@link run}. */
export interface Caught {
  readonly vector: number;
  readonly eip: number;
}

/** Run `bytes` with `setup`; #UD and #NM are recorded and stop the run. */
export function run(bytes: readonly number[], setup?: (m: TestMachine) => void): TestMachine & { caught: Caught[] } {
  const caught: Caught[] = [];
  const r = runBytes(bytes, {
    setup: (m) => {
      for (const v of [6, 7]) {
        m.cpu.faults.claim(v, (cpu: Cpu, vector: number) => {
          caught.push({ vector, eip: cpu.eip });
          cpu.exit = { kind: "stopped" };
          return true;
        });
      }
      setup?.(m);
    },
  });
  return { ...r, caught };
}

/** Write a double at `addr`. */
export function putF64(m: TestMachine, addr: number, v: number): void {
  const b = new Uint8Array(new Float64Array([v]).buffer);
  m.memory.load(addr, b);
}

/** Read a double at `addr`. */
export function getF64(m: TestMachine, addr: number): number {
  return new Float64Array(m.memory.u8.slice(addr, addr + 8).buffer)[0]!;
}

/** Bytes at `addr` as hex, most significant first (for 80-bit and 64-bit images). */
export function hexBytes(m: TestMachine, addr: number, n: number): string {
  return Array.from(m.memory.u8.slice(addr, addr + n))
    .reverse()
    .map((x) => x.toString(16).padStart(2, "0"))
    .join("");
}
