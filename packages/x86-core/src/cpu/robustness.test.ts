/**
 * Program input never crashes the embedder: random bytes executed at CPL 0 and
 * CPL 3, with random register contents and a random IDT/GDT base, always end in
 * a typed exit from `run` — never a JavaScript exception, never a hang.
 */
import { describe, expect, it } from "vitest";
import { CODE_BASE, makeMachine } from "../testing/run-bytes.js";
import { ESP } from "./registers.js";

/** xorshift32: a fixed seed makes every run the same. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

const KINDS = new Set(["budget", "halt", "shutdown", "stopped", "handler", "io"]);

describe("random code never throws out of run()", () => {
  for (const cpl of [0, 3]) {
    it(`600 random 64-byte programs at CPL ${cpl} → typed exits only`, () => {
      const next = rng(0xc0ffee + cpl);
      const seen = new Set<string>();
      for (let k = 0; k < 600; k++) {
        const m = makeMachine(cpl, 1 << 20);
        const code = new Uint8Array(64);
        for (let b = 0; b < code.length; b++) code[b] = next() & 0xff;
        m.memory.load(CODE_BASE, code);
        for (let r = 0; r < 8; r++) m.cpu.regs[r] = next() & (k % 2 ? 0xfffff : -1);
        m.cpu.regs[ESP] = 0x10000 + (next() & 0xfff0);
        m.cpu.idtBase = next() & 0xfffff;
        m.cpu.idtLimit = next() & 0x7ff;
        m.cpu.gdtBase = next() & 0xfffff;
        m.cpu.gdtLimit = next() & 0xffff;
        const exit = m.cpu.run(500);
        seen.add(exit.kind);
        expect(KINDS.has(exit.kind)).toBe(true);
      }
      // Random code mostly faults its way into a shutdown; some of it runs out of budget.
      expect(seen.has("shutdown")).toBe(true);
    }, 60_000);
  }
});
