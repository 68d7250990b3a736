import { describe, expect, it } from "vitest";
import { CODE_BASE, makeMachine } from "../testing/run-bytes.js";
import { EAX } from "./registers.js";

//   b8 01 00 00 00   mov  $1,%eax
//   f4               hlt
const MOV_HLT = [0xb8, 0x01, 0x00, 0x00, 0x00, 0xf4];

describe("Cpu.invalidateCode", () => {
  it("after bytes change behind the CPU's back, the next run decodes them afresh", () => {
    const m = makeMachine();
    m.memory.load(CODE_BASE, new Uint8Array(MOV_HLT));
    expect(m.cpu.run(10).kind).toBe("halt");
    expect(m.cpu.regs[EAX]).toBe(1);
    // A debugger patches the immediate directly in RAM (no CPU write, so no self-modifying-code check).
    m.memory.write8(CODE_BASE + 1, 7);
    m.cpu.invalidateCode(CODE_BASE + 1);
    m.cpu.eip = CODE_BASE;
    m.cpu.halted = false;
    expect(m.cpu.run(10).kind).toBe("halt");
    expect(m.cpu.regs[EAX]).toBe(7);
  });

  it("ignores an address outside RAM", () => {
    const m = makeMachine();
    expect(() => m.cpu.invalidateCode(m.memory.size + 4096)).not.toThrow();
    expect(() => m.cpu.invalidateCode(-1)).not.toThrow();
  });
});
