import { describe, expect, test } from "vitest";
import { AC, IF, IOPL, NT, VM } from "../cpu/eflags.js";
import { CS, DS, ES, ESP, FS, GS, SS } from "../cpu/registers.js";
import { GP, NP, SS_VEC, TS } from "../cpu/vectors.js";
import {
  CODE_AT,
  codeAccess,
  dataAccess,
  ESP0,
  ESP1,
  exec,
  gateDesc,
  gdtHi,
  type ProtMachine,
  protMachine,
  pushAll,
  SEL,
  segDesc,
  setGdt,
  STACK,
  TSS_BASE,
} from "../protection/system.test-helper.js";

const le16 = (v: number) => [v & 0xff, (v >> 8) & 0xff];
const le32 = (v: number) => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff];
/** JMP ptr16:32 */
const jmpf = (sel: number, off: number) => [0xea, ...le32(off), ...le16(sel)];
/** CALL ptr16:32 */
const callf = (sel: number, off: number) => [0x9a, ...le32(off), ...le16(sel)];
const TARGET = 0x5000;
const GATE = 0x40;

function stackWord(m: ProtMachine, k: number): number {
  return m.memory.read32(((m.cpu.segBase[SS]! + m.cpu.regs[ESP]!) >>> 0) + 4 * k);
}

/** Machine state that a faulting instruction must leave alone. */
function snapshot(m: ProtMachine) {
  const c = m.cpu;
  return { cs: c.segSel[CS], ss: c.segSel[SS], ds: c.segSel[DS], esp: c.regs[ESP], eip: c.eip, cpl: c.cpl, fl: c.getEflags() };
}

function expectFault(m: ProtMachine, vector: number, code: number): void {
  expect(m.faults).toEqual([{ vector, code }]);
}

describe("far JMP", () => {
  test("jmpf to a same-privilege code segment → CS:EIP loaded with RPL = CPL, accessed bit set", () => {
    const m = protMachine(1);
    setGdt(m, 0x48, segDesc(0, 0xfffff, codeAccess(1)));
    exec(m, jmpf(0x48, TARGET)); // jmp 0x48:0x5000 (RPL 0 is replaced by CPL 1)
    expect(m.faults).toEqual([]);
    expect(m.cpu.segSel[CS]).toBe(0x49);
    expect(m.cpu.eip).toBe(TARGET);
    expect(gdtHi(m, 0x48) & 0x100).toBe(0x100);
  });

  test("jmpf to a non-conforming segment of another DPL → #GP(selector)", () => {
    const m = protMachine(3);
    const before = snapshot(m);
    exec(m, jmpf(SEL.code0, TARGET)); // jmp 0x08:0x5000 from ring 3
    expectFault(m, GP, SEL.code0);
    expect(snapshot(m)).toEqual(before);
  });

  test("jmpf with RPL > CPL to a non-conforming segment → #GP(selector)", () => {
    const m = protMachine(1);
    exec(m, jmpf(0x1b, TARGET)); // jmp 0x1b:… (RPL 3 at CPL 1)
    expectFault(m, GP, 0x18);
  });

  test("jmpf to a more privileged conforming segment → #GP; to a less privileged one → CPL kept", () => {
    const m = protMachine(1);
    setGdt(m, 0x48, segDesc(0, 0xfffff, codeAccess(0, true)));
    exec(m, jmpf(0x48, TARGET));
    expect(m.cpu.segSel[CS]).toBe(0x49);
    expect(m.cpu.cpl).toBe(1);
    const n = protMachine(0);
    setGdt(n, 0x48, segDesc(0, 0xfffff, codeAccess(1, true)));
    exec(n, jmpf(0x48, TARGET));
    expectFault(n, GP, 0x48);
  });

  test("jmpf to a not-present segment → #NP(selector)", () => {
    const m = protMachine(0);
    setGdt(m, 0x48, segDesc(0, 0xfffff, codeAccess(0) & 0x7f));
    exec(m, jmpf(0x48, TARGET));
    expectFault(m, NP, 0x48);
  });

  test("jmpf to the null selector → #GP(0); beyond the GDT limit → #GP(selector)", () => {
    const m = protMachine(0);
    exec(m, jmpf(0x03, TARGET));
    expectFault(m, GP, 0);
    const n = protMachine(0);
    exec(n, jmpf(0x100, TARGET));
    expectFault(n, GP, 0x100);
  });

  test("jmpf to a data segment → #GP(selector)", () => {
    const m = protMachine(0);
    exec(m, jmpf(SEL.data0, TARGET));
    expectFault(m, GP, SEL.data0);
  });

  test("jmpf past the code-segment limit → #GP(0)", () => {
    const m = protMachine(0);
    setGdt(m, 0x48, segDesc(0, 0x4fff, codeAccess(0), 0x4)); // byte-granular, limit 0x4fff
    exec(m, jmpf(0x48, 0x5000));
    expectFault(m, GP, 0);
  });

  test("jmpf to a TSS or a task gate → #GP(selector): task switching is not emulated", () => {
    const m = protMachine(0);
    exec(m, jmpf(SEL.tss, 0));
    expectFault(m, GP, SEL.tss);
    const n = protMachine(0);
    setGdt(n, GATE, gateDesc(SEL.tss, 0, 0x85));
    exec(n, jmpf(GATE, 0));
    expectFault(n, GP, GATE);
  });

  test("jmp m16:32 (FF /5) reads offset then selector", () => {
    const m = protMachine(0);
    m.memory.write32(0x8000, TARGET);
    m.memory.write16(0x8004, SEL.code0);
    exec(m, [0xff, 0x2d, ...le32(0x8000)]); // jmp far [0x8000]
    expect(m.cpu.eip).toBe(TARGET);
    expect(m.cpu.segSel[CS]).toBe(SEL.code0);
  });

  test("jmp through a call gate to a same-privilege segment → gate's CS:EIP, no stack change", () => {
    const m = protMachine(1);
    setGdt(m, GATE, gateDesc(SEL.code1, 0x12345, 0xec)); // 32-bit call gate, DPL 3
    exec(m, jmpf(GATE, 0xdead));
    expect(m.faults).toEqual([]);
    expect(m.cpu.segSel[CS]).toBe(SEL.code1);
    expect(m.cpu.eip).toBe(0x12345);
    expect(m.cpu.regs[ESP]).toBe(STACK);
  });

  test("jmp through a call gate to a more privileged non-conforming segment → #GP(code selector)", () => {
    const m = protMachine(3);
    setGdt(m, GATE, gateDesc(SEL.code0, 0x12345, 0xec));
    exec(m, jmpf(GATE, 0));
    expectFault(m, GP, SEL.code0);
  });
});

describe("real-address mode", () => {
  test("jmpf with CR0.PE = 0 loads CS with base = selector × 16, no descriptor read", () => {
    const m = protMachine(0);
    m.control.cr0 &= ~1;
    exec(m, jmpf(0x1234, 0x10));
    expect(m.faults).toEqual([]);
    expect([m.cpu.segSel[CS], m.cpu.segBase[CS], m.cpu.eip]).toEqual([0x1234, 0x12340, 0x10]);
  });
});

describe("far CALL", () => {
  test("callf (32-bit) pushes CS and EIP as dwords", () => {
    const m = protMachine(3);
    exec(m, callf(SEL.code3, TARGET));
    expect(m.cpu.eip).toBe(TARGET);
    expect(m.cpu.regs[ESP]).toBe(STACK - 8);
    expect(stackWord(m, 0)).toBe(CODE_AT + 7);
    expect(stackWord(m, 1)).toBe(SEL.code3);
  });

  test("callf with a 16-bit operand size pushes words and truncates the offset", () => {
    const m = protMachine(0);
    exec(m, [0x66, 0x9a, ...le16(0x6000), ...le16(SEL.code0)]); // call word 0x08:0x6000
    expect(m.cpu.eip).toBe(0x6000);
    expect(m.cpu.regs[ESP]).toBe(STACK - 4);
    expect(m.memory.read16(STACK - 4)).toBe(CODE_AT + 6);
    expect(m.memory.read16(STACK - 2)).toBe(SEL.code0);
  });

  test("callf with no room on the stack → #SS(0), nothing changed", () => {
    const m = protMachine(0);
    setGdt(m, 0x48, segDesc(0, 0x1000, dataAccess(0), 0x4)); // stack limit 0x1000
    m.cpu.setSegmentCache(SS, 0x48, 0, 0x1000, 0x93 | (1 << 10) | (1 << 16));
    m.cpu.regs[ESP] = 0x1003 + 4;
    const before = snapshot(m);
    exec(m, callf(SEL.code0, TARGET));
    expectFault(m, SS_VEC, 0);
    expect(snapshot(m)).toEqual(before);
  });

  test("call m16:32 (FF /3)", () => {
    const m = protMachine(0);
    m.memory.write32(0x8000, TARGET);
    m.memory.write16(0x8004, SEL.code0);
    exec(m, [0xff, 0x1d, ...le32(0x8000)]); // call far [0x8000]
    expect(m.cpu.eip).toBe(TARGET);
    expect(stackWord(m, 0)).toBe(CODE_AT + 6);
  });

  test("call through a gate from ring 3 to ring 0: TSS stack, two parameters copied, frame SS/ESP/params/CS/EIP", () => {
    const m = protMachine(3);
    setGdt(m, GATE, gateDesc(SEL.code0, 0x7000, 0xec, 2)); // 32-bit call gate, DPL 3, 2 params
    pushAll(m, 0xbbbb, 0xaaaa); // p1 then p0: p0 at ESP
    const oldEsp = m.cpu.regs[ESP]!;
    exec(m, callf(GATE | 3, 0));
    expect(m.faults).toEqual([]);
    expect(m.cpu.cpl).toBe(0);
    expect(m.cpu.segSel[CS]).toBe(SEL.code0);
    expect(m.cpu.segSel[SS]).toBe(SEL.data0);
    expect(m.cpu.eip).toBe(0x7000);
    expect(m.cpu.regs[ESP]).toBe(ESP0 - 24);
    const frame = [0, 1, 2, 3, 4, 5].map((k) => stackWord(m, k));
    expect(frame).toEqual([CODE_AT + 7, SEL.code3, 0xaaaa, 0xbbbb, oldEsp, SEL.data3]);
    expect(gdtHi(m, SEL.data0) & 0x100).toBe(0x100);
  });

  test("call through a gate from ring 1 (the Guest kernel) to ring 0 uses SS0:ESP0", () => {
    const m = protMachine(1);
    setGdt(m, GATE, gateDesc(SEL.code0, 0x7000, 0xac)); // DPL 1
    exec(m, callf(GATE | 1, 0));
    expect(m.cpu.cpl).toBe(0);
    expect(m.cpu.regs[ESP]).toBe(ESP0 - 16);
    expect([0, 1, 2, 3].map((k) => stackWord(m, k))).toEqual([CODE_AT + 7, SEL.code1, STACK, SEL.data1]);
  });

  test("call through a 16-bit gate pushes words and copies word parameters", () => {
    const m = protMachine(3);
    setGdt(m, GATE, gateDesc(SEL.code0, 0x7000, 0xe4, 1)); // 16-bit call gate, 1 param
    m.cpu.push16(0x1234);
    exec(m, callf(GATE, 0));
    expect(m.cpu.regs[ESP]).toBe(ESP0 - 10);
    const base = ESP0 - 10;
    expect([0, 2, 4, 6, 8].map((k) => m.memory.read16(base + k))).toEqual([
      (CODE_AT + 7) & 0xffff,
      SEL.code3,
      0x1234,
      (STACK - 2) & 0xffff,
      SEL.data3,
    ]);
  });

  test("call through a gate to a same-privilege segment stays on the current stack", () => {
    const m = protMachine(0);
    setGdt(m, GATE, gateDesc(SEL.code0, 0x7000, 0x8c, 3));
    exec(m, callf(GATE, 0));
    expect(m.cpu.regs[ESP]).toBe(STACK - 8);
    expect(m.cpu.eip).toBe(0x7000);
  });

  test("call gate with DPL < CPL → #GP(gate selector)", () => {
    const m = protMachine(3);
    setGdt(m, GATE, gateDesc(SEL.code0, 0x7000, 0x8c));
    exec(m, callf(GATE, 0));
    expectFault(m, GP, GATE);
  });

  test("call gate with DPL < RPL → #GP(gate selector)", () => {
    const m = protMachine(1);
    setGdt(m, GATE, gateDesc(SEL.code0, 0x7000, 0xac));
    exec(m, callf(GATE | 3, 0));
    expectFault(m, GP, GATE);
  });

  test("call gate not present → #NP(gate selector)", () => {
    const m = protMachine(3);
    setGdt(m, GATE, gateDesc(SEL.code0, 0x7000, 0x6c));
    exec(m, callf(GATE, 0));
    expectFault(m, NP, GATE);
  });

  test("call gate naming a null CS → #GP(0); a data segment → #GP(its selector); a less privileged CS → #GP", () => {
    const m = protMachine(3);
    setGdt(m, GATE, gateDesc(0, 0x7000, 0xec));
    exec(m, callf(GATE, 0));
    expectFault(m, GP, 0);
    const n = protMachine(3);
    setGdt(n, GATE, gateDesc(SEL.data0, 0x7000, 0xec));
    exec(n, callf(GATE, 0));
    expectFault(n, GP, SEL.data0);
    const o = protMachine(1);
    setGdt(o, GATE, gateDesc(SEL.code3, 0x7000, 0xec));
    exec(o, callf(GATE, 0));
    expectFault(o, GP, SEL.code3 & 0xfffc);
  });

  test("call gate to a not-present code segment → #NP(code selector)", () => {
    const m = protMachine(3);
    setGdt(m, 0x48, segDesc(0, 0xfffff, codeAccess(0) & 0x7f));
    setGdt(m, GATE, gateDesc(0x48, 0x7000, 0xec));
    exec(m, callf(GATE, 0));
    expectFault(m, NP, 0x48);
  });

  test("inward call with a null SS0 in the TSS → #TS(0)", () => {
    const m = protMachine(3);
    m.memory.write32(TSS_BASE + 8, 0);
    setGdt(m, GATE, gateDesc(SEL.code0, 0x7000, 0xec));
    const before = snapshot(m);
    exec(m, callf(GATE, 0));
    expectFault(m, TS, 0);
    expect(snapshot(m)).toEqual(before);
  });

  test("inward call with SS0 of the wrong privilege → #TS(SS selector)", () => {
    const m = protMachine(3);
    m.memory.write32(TSS_BASE + 8, SEL.data1);
    setGdt(m, GATE, gateDesc(SEL.code0, 0x7000, 0xec));
    exec(m, callf(GATE, 0));
    expectFault(m, TS, SEL.data1 & 0xfffc);
  });

  test("inward call with SS0 not present → #SS(SS selector)", () => {
    const m = protMachine(3);
    setGdt(m, 0x48, segDesc(0, 0xfffff, dataAccess(0) & 0x7f));
    m.memory.write32(TSS_BASE + 8, 0x48);
    setGdt(m, GATE, gateDesc(SEL.code0, 0x7000, 0xec));
    exec(m, callf(GATE, 0));
    expectFault(m, SS_VEC, 0x48);
  });

  test("inward call whose new stack cannot hold the frame → #SS(SS selector)", () => {
    const m = protMachine(3);
    setGdt(m, 0x48, segDesc(0, 0x100, dataAccess(0), 0x4)); // byte-granular expand-up, limit 0x100
    m.memory.write32(TSS_BASE + 8, 0x48);
    m.memory.write32(TSS_BASE + 4, 0x0c); // room for 12 bytes, the frame needs 16
    setGdt(m, GATE, gateDesc(SEL.code0, 0x7000, 0xec));
    exec(m, callf(GATE, 0));
    expectFault(m, SS_VEC, 0x48);
  });

  test("inward call with a TSS too short for ESP0 → #TS(TSS selector)", () => {
    const m = protMachine(3);
    m.cpu.trLimit = 0x08;
    setGdt(m, GATE, gateDesc(SEL.code0, 0x7000, 0xec));
    exec(m, callf(GATE, 0));
    expectFault(m, TS, SEL.tss);
  });
});

describe("far RET", () => {
  test("retf to the same privilege pops EIP and CS", () => {
    const m = protMachine(1);
    pushAll(m, SEL.code1, 0x4321);
    exec(m, [0xcb]); // retf
    expect(m.cpu.eip).toBe(0x4321);
    expect(m.cpu.segSel[CS]).toBe(SEL.code1);
    expect(m.cpu.regs[ESP]).toBe(STACK);
  });

  test("retf imm16 releases parameters", () => {
    const m = protMachine(0);
    pushAll(m, 0x1, 0x2, SEL.code0, 0x4321);
    exec(m, [0xca, ...le16(8)]); // retf 8
    expect(m.cpu.regs[ESP]).toBe(STACK);
    expect(m.cpu.eip).toBe(0x4321);
  });

  test("retf to an outer level: SS:ESP popped, CPL 3, ring-0 data segments nulled", () => {
    const m = protMachine(0);
    m.cpu.setSegmentCache(FS, SEL.data3, 0, -1, 0x93 | (3 << 5) | (1 << 10) | (1 << 16));
    pushAll(m, SEL.data3, 0x9000, 0x11, 0x22, SEL.code3, 0x4321);
    exec(m, [0xca, ...le16(8)]); // retf 8
    expect(m.faults).toEqual([]);
    expect(m.cpu.cpl).toBe(3);
    expect(m.cpu.segSel[CS]).toBe(SEL.code3);
    expect(m.cpu.segSel[SS]).toBe(SEL.data3);
    expect(m.cpu.regs[ESP]).toBe(0x9008);
    expect(m.cpu.eip).toBe(0x4321);
    expect(m.cpu.segSel[DS]).toBe(0);
    expect(m.cpu.segSel[ES]).toBe(0);
    expect(m.cpu.segSel[GS]).toBe(0);
    expect(m.cpu.segSel[FS]).toBe(SEL.data3);
  });

  test("retf to a more privileged CS (RPL < CPL) → #GP(selector)", () => {
    const m = protMachine(3);
    pushAll(m, SEL.code0, 0x4321);
    exec(m, [0xcb]);
    expectFault(m, GP, SEL.code0);
  });

  test("retf to an outer level with SS of the wrong DPL → #GP(SS selector), nothing changed", () => {
    const m = protMachine(0);
    pushAll(m, SEL.data1 | 3, 0x9000, SEL.code3, 0x4321);
    const before = snapshot(m);
    exec(m, [0xcb]);
    expectFault(m, GP, SEL.data1 & 0xfffc);
    expect(snapshot(m)).toEqual(before);
  });

  test("retf to an outer level with SS not present → #SS(SS selector)", () => {
    const m = protMachine(0);
    setGdt(m, 0x48, segDesc(0, 0xfffff, dataAccess(3) & 0x7f));
    pushAll(m, 0x4b, 0x9000, SEL.code3, 0x4321);
    exec(m, [0xcb]);
    expectFault(m, SS_VEC, 0x48);
  });

  test("call gate ring 3 → 0, then retf 8 back: parameters released on both stacks", () => {
    const m = protMachine(3);
    setGdt(m, GATE, gateDesc(SEL.code0, 0x7000, 0xec, 2));
    pushAll(m, 0xbbbb, 0xaaaa);
    exec(m, callf(GATE, 0));
    exec(m, [0xca, ...le16(8)], 1); // retf 8 at 0x7000
    expect(m.faults).toEqual([]);
    expect(m.cpu.cpl).toBe(3);
    expect(m.cpu.eip).toBe(CODE_AT + 7);
    expect(m.cpu.regs[ESP]).toBe(STACK);
    expect(m.cpu.segSel[SS]).toBe(SEL.data3);
  });
});

describe("IRET", () => {
  test("iret from ring 0 to ring 1 (entering the Guest): CPL 1, SS:ESP, IF and IOPL loaded", () => {
    const m = protMachine(0);
    pushAll(m, SEL.data1, ESP1, IF | (1 << 12) | 2, SEL.code1, 0x4000);
    exec(m, [0xcf]); // iret
    expect(m.faults).toEqual([]);
    expect(m.cpu.cpl).toBe(1);
    expect(m.cpu.segSel[CS]).toBe(SEL.code1);
    expect(m.cpu.segSel[SS]).toBe(SEL.data1);
    expect(m.cpu.regs[ESP]).toBe(ESP1);
    expect(m.cpu.eip).toBe(0x4000);
    expect(m.cpu.getEflags() & (IF | IOPL)).toBe(IF | (1 << 12));
    expect(m.cpu.segSel[DS]).toBe(0); // DPL-0 data nulled at CPL 1
  });

  test("iret at CPL 1 with IOPL 0 keeps IF and IOPL as they were", () => {
    const m = protMachine(1);
    m.cpu.setEflags(2);
    pushAll(m, IF | IOPL | AC | 2, SEL.code1, 0x4000);
    exec(m, [0xcf]);
    expect(m.cpu.getEflags() & (IF | IOPL)).toBe(0);
    expect(m.cpu.getEflags() & AC).toBe(AC);
    expect(m.cpu.regs[ESP]).toBe(STACK);
  });

  test("iret at CPL 1 with IOPL 1 may change IF but not IOPL", () => {
    const m = protMachine(1);
    m.cpu.setEflags(2 | (1 << 12));
    pushAll(m, IF | 2, SEL.code1, 0x4000);
    exec(m, [0xcf]);
    expect(m.cpu.getEflags() & (IF | IOPL)).toBe(IF | (1 << 12));
  });

  test("iretw (16-bit) pops words and leaves the upper EFLAGS alone", () => {
    const m = protMachine(0);
    m.cpu.setEflags(2 | AC);
    m.cpu.push16(0x0202);
    m.cpu.push16(SEL.code0);
    m.cpu.push16(0x1234);
    exec(m, [0x66, 0xcf]);
    expect(m.cpu.eip).toBe(0x1234);
    expect(m.cpu.regs[ESP]).toBe(STACK);
    expect(m.cpu.getEflags()).toBe(0x202 | AC);
  });

  test("iret to ring 3 nulls DS/ES/FS/GS that hold ring-0 data, keeps ring-3 ones", () => {
    const m = protMachine(0);
    m.cpu.setSegmentCache(GS, SEL.data3, 0, -1, 0x93 | (3 << 5) | (1 << 10) | (1 << 16));
    pushAll(m, SEL.data3, 0x9000, 0x202, SEL.code3, 0x4000);
    exec(m, [0xcf]);
    expect(m.cpu.cpl).toBe(3);
    expect([m.cpu.segSel[DS], m.cpu.segSel[ES], m.cpu.segSel[FS], m.cpu.segSel[GS]]).toEqual([0, 0, 0, SEL.data3]);
  });

  test("iret with NT set → #GP(0): task return is not emulated", () => {
    const m = protMachine(0);
    m.cpu.setEflags(2 | NT);
    pushAll(m, 0x202, SEL.code0, 0x4000);
    exec(m, [0xcf]);
    expectFault(m, GP, 0);
  });

  test("iret with NT set takes the task-return path before touching the stack → #GP(0), not #SS", () => {
    const m = protMachine(0);
    m.cpu.setEflags(2 | NT);
    m.cpu.setSegmentCache(SS, SEL.data0, 0, 0x1000, 0x93 | (1 << 10) | (1 << 16));
    m.cpu.regs[ESP] = 0xffc;
    exec(m, [0xcf]);
    expectFault(m, GP, 0);
  });

  test("iret at CPL 0 with VM in the image → #GP(0): virtual-8086 mode is not emulated", () => {
    const m = protMachine(0);
    pushAll(m, 0, 0, 0, 0, SEL.data3, 0x9000, VM | 2, SEL.code3, 0x4000);
    const before = snapshot(m);
    exec(m, [0xcf]);
    expectFault(m, GP, 0);
    expect(snapshot(m)).toEqual(before);
  });

  test("iret at CPL 3 ignores VM in the image", () => {
    const m = protMachine(3);
    pushAll(m, VM | 2, SEL.code3, 0x4000);
    exec(m, [0xcf]);
    expect(m.faults).toEqual([]);
    expect(m.cpu.getEflags() & VM).toBe(0);
  });

  test("iret to an outer level whose SS RPL differs from CS RPL → #GP(SS selector)", () => {
    const m = protMachine(0);
    pushAll(m, SEL.data1, ESP1, 0x202, SEL.code3, 0x4000);
    const before = snapshot(m);
    exec(m, [0xcf]);
    expectFault(m, GP, SEL.data1 & 0xfffc);
    expect(snapshot(m)).toEqual(before);
  });

  test("iret with a null return SS → #GP(0)", () => {
    const m = protMachine(0);
    pushAll(m, 0, ESP1, 0x202, SEL.code1, 0x4000);
    exec(m, [0xcf]);
    expectFault(m, GP, 0);
  });

  test("iret to a not-present CS → #NP(selector)", () => {
    const m = protMachine(0);
    setGdt(m, 0x48, segDesc(0, 0xfffff, codeAccess(0) & 0x7f));
    pushAll(m, 0x202, 0x48, 0x4000);
    exec(m, [0xcf]);
    expectFault(m, NP, 0x48);
  });

  test("iret past the CS limit → #GP(0)", () => {
    const m = protMachine(0);
    setGdt(m, 0x48, segDesc(0, 0x3fff, codeAccess(0), 0x4));
    pushAll(m, 0x202, 0x48, 0x4000);
    exec(m, [0xcf]);
    expectFault(m, GP, 0);
  });

  test("iret with the frame beyond the stack limit → #SS(0)", () => {
    const m = protMachine(0);
    m.cpu.setSegmentCache(SS, SEL.data0, 0, 0x1000, 0x93 | (1 << 10) | (1 << 16));
    m.cpu.regs[ESP] = 0xff8;
    exec(m, [0xcf]);
    expectFault(m, SS_VEC, 0);
  });
});
