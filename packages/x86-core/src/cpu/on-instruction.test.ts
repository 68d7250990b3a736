import { describe, expect, it } from "vitest";
import { CODE_BASE, makeMachine } from "../testing/run-bytes.js";
import { EAX, ECX } from "./registers.js";

// A loop that runs through the chained fast paths (mov, dec, jnz) and ends in hlt.
//   b9 03 00 00 00   mov  $3,%ecx
//   40               inc  %eax          <- loop
//   49               dec  %ecx
//   75 fc            jne  loop
//   f4               hlt
const LOOP = [0xb9, 0x03, 0x00, 0x00, 0x00, 0x40, 0x49, 0x75, 0xfc, 0xf4];

describe("Cpu.onInstruction", () => {
  it("is called once before each instruction with EIP at it, in execution order, and changes no result", () => {
    const seen: number[] = [];
    const m = makeMachine();
    m.memory.load(CODE_BASE, new Uint8Array(LOOP));
    m.cpu.onInstruction = (cpu, eip) => {
      expect(cpu.eip).toBe(eip);
      seen.push(eip - CODE_BASE);
    };
    const exit = m.cpu.run(1000);
    expect(exit).toEqual({ kind: "halt", interruptible: false });
    expect(seen).toEqual([0, 5, 6, 7, 5, 6, 7, 5, 6, 7, 9]);
    expect(m.cpu.instructions).toBe(seen.length);
    expect([m.cpu.regs[EAX], m.cpu.regs[ECX]]).toEqual([3, 0]);
  });

  it("keeps the budget exact, and the next run without an observer chains again", () => {
    const m = makeMachine();
    m.memory.load(CODE_BASE, new Uint8Array(LOOP));
    let calls = 0;
    m.cpu.onInstruction = () => {
      calls++;
    };
    expect(m.cpu.run(4).kind).toBe("budget");
    // mov, inc, dec, jne: the jump has gone back to the loop.
    expect([calls, m.cpu.instructions, m.cpu.eip - CODE_BASE]).toEqual([4, 4, 5]);
    m.cpu.onInstruction = null;
    expect(m.cpu.run(1000).kind).toBe("halt");
    expect(calls).toBe(4);
    expect(m.cpu.instructions).toBe(11);
  });

  it("returning true stops run before that instruction: not executed, not counted, and run goes on from it", () => {
    const m = makeMachine();
    m.memory.load(CODE_BASE, new Uint8Array(LOOP));
    // Stop the first time the loop reaches `dec %ecx` (offset 6).
    let armed = true;
    m.cpu.onInstruction = (_cpu, eip) => {
      if (armed && eip === CODE_BASE + 6) {
        armed = false;
        return true;
      }
      return false;
    };
    expect(m.cpu.run(1000)).toEqual({ kind: "stopped" });
    // mov and inc retired; dec has not run: ecx is still 3.
    expect([m.cpu.eip - CODE_BASE, m.cpu.instructions, m.cpu.regs[EAX], m.cpu.regs[ECX]]).toEqual([6, 2, 1, 3]);
    expect(m.cpu.run(1000)).toEqual({ kind: "halt", interruptible: false });
    expect([m.cpu.instructions, m.cpu.regs[EAX], m.cpu.regs[ECX]]).toEqual([11, 3, 0]);
  });
});
