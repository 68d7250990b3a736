import { describe, expect, it } from "vitest";
import type { Cpu } from "../cpu/cpu.js";
import { EAX } from "../cpu/registers.js";
import { CR0_EM, CR0_MP, CR0_TS } from "../paging/control-registers.js";
import { CODE_BASE, DATA_BASE, runBytes, type TestMachine } from "../testing/run-bytes.js";

interface Caught {
  vector: number;
  eip: number;
  hasCode: boolean;
}

function catchNmUd(m: TestMachine, into: Caught[]): void {
  for (const v of [6, 7]) {
    m.cpu.faults.claim(v, (cpu: Cpu, vector: number) => {
      into.push({ vector, eip: cpu.eip, hasCode: cpu.excHasCode });
      cpu.exit = { kind: "stopped" };
      return true;
    });
  }
}

const FNSTSW_M = [0xdd, 0x3d, ...[DATA_BASE & 0xff, (DATA_BASE >> 8) & 0xff, 0, 0]]; // fnstsw [DATA_BASE]
const MOV_EAX_1 = [0xb8, 1, 0, 0, 0]; // mov eax, 1

describe("x87 escapes without an FPU", () => {
  it("EM=0, TS=0: fninit; fnstsw [m] (DB E3; DD 3D m32) → nothing answers: memory keeps 0xFFFF, the next instruction runs", () => {
    const caught: Caught[] = [];
    const { memory, cpu, exit } = runBytes([0xdb, 0xe3, ...FNSTSW_M, ...MOV_EAX_1], {
      setup: (m) => {
        catchNmUd(m, caught);
        m.memory.write16(DATA_BASE, 0xffff);
      },
    });
    expect(caught).toEqual([]);
    expect(exit.kind).toBe("halt");
    expect(memory.read16(DATA_BASE)).toBe(0xffff);
    expect(cpu.regs[EAX]).toBe(1);
  });

  it("fld qword [esp+0x100] (DD 84 24 00 01 00 00) → ModRM, SIB and disp32 are skipped: the following MOV executes", () => {
    const { cpu, exit } = runBytes([0xdd, 0x84, 0x24, 0x00, 0x01, 0x00, 0x00, ...MOV_EAX_1]);
    expect(exit.kind).toBe("halt");
    expect(cpu.regs[EAX]).toBe(1);
    expect(cpu.eip).toBe(CODE_BASE + 7 + 5 + 1);
  });

  it("CR0.EM=1: fld1 (D9 E8) → #NM (7) at the instruction, no error code", () => {
    const caught: Caught[] = [];
    runBytes([0x90, 0xd9, 0xe8], {
      setup: (m) => {
        catchNmUd(m, caught);
        m.control.cr0 |= CR0_EM;
      },
    });
    expect(caught[0]).toEqual({ vector: 7, eip: CODE_BASE + 1, hasCode: false });
  });

  it("CR0.TS=1: fnstsw [m] → #NM, memory untouched", () => {
    const caught: Caught[] = [];
    const { memory } = runBytes(FNSTSW_M, {
      setup: (m) => {
        catchNmUd(m, caught);
        m.control.cr0 |= CR0_TS;
        m.memory.write16(DATA_BASE, 0x1234);
      },
    });
    expect(caught[0]?.vector).toBe(7);
    expect(memory.read16(DATA_BASE)).toBe(0x1234);
  });

  it("fwait (9B) with TS=1, MP=0 → no fault", () => {
    const caught: Caught[] = [];
    const { exit } = runBytes([0x9b], {
      setup: (m) => {
        catchNmUd(m, caught);
        m.control.cr0 |= CR0_TS;
      },
    });
    expect(caught).toEqual([]);
    expect(exit.kind).toBe("halt");
  });

  it("fwait with MP=1 and TS=1 → #NM", () => {
    const caught: Caught[] = [];
    runBytes([0x9b], {
      setup: (m) => {
        catchNmUd(m, caught);
        m.control.cr0 |= CR0_TS | CR0_MP;
      },
    });
    expect(caught[0]).toEqual({ vector: 7, eip: CODE_BASE, hasCode: false });
  });

  it("fwait with EM=1 alone (MP=0, TS=0) → no fault (WAIT ignores EM)", () => {
    const caught: Caught[] = [];
    runBytes([0x9b], {
      setup: (m) => {
        catchNmUd(m, caught);
        m.control.cr0 |= CR0_EM;
      },
    });
    expect(caught).toEqual([]);
  });
});
