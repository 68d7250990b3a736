import { describe, expect, test } from "vitest";
import { IF } from "../cpu/eflags.js";
import { CS, DS, EAX, EBX, ES, ESP, FS, GS, SS } from "../cpu/registers.js";
import { GP, NP, SS_VEC, UD } from "../cpu/vectors.js";
import { CODE_AT, dataAccess, exec, protMachine, SEL, segDesc, setGdt, STACK } from "../protection/system.test-helper.js";

const le32 = (v: number) => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff];

describe("MOV Sreg", () => {
  test("mov ds,ax loads the descriptor's base and limit", () => {
    const m = protMachine(0);
    setGdt(m, 0x48, segDesc(0x123000, 0xfff, dataAccess(0), 0x4));
    m.cpu.regs[EAX] = 0xffff0048;
    exec(m, [0x8e, 0xd8]); // mov ds,ax
    expect(m.faults).toEqual([]);
    expect(m.cpu.segSel[DS]).toBe(0x48);
    expect(m.cpu.segBase[DS]).toBe(0x123000);
    expect(m.cpu.segLimit[DS]).toBe(0xfff);
  });

  test("mov ds to a ring-0 data segment at CPL 3 → #GP(selector)", () => {
    const m = protMachine(3);
    m.cpu.regs[EAX] = SEL.data0;
    exec(m, [0x8e, 0xd8]);
    expect(m.faults).toEqual([{ vector: GP, code: SEL.data0 }]);
    expect(m.cpu.segSel[DS]).toBe(SEL.data3);
  });

  test("mov ds to a not-present segment → #NP(selector); mov ss → #SS(selector)", () => {
    const m = protMachine(0);
    setGdt(m, 0x48, segDesc(0, 0xfffff, dataAccess(0) & 0x7f));
    m.cpu.regs[EAX] = 0x48;
    exec(m, [0x8e, 0xd8]);
    expect(m.faults).toEqual([{ vector: NP, code: 0x48 }]);
    const n = protMachine(0);
    setGdt(n, 0x48, segDesc(0, 0xfffff, dataAccess(0) & 0x7f));
    n.cpu.regs[EAX] = 0x48;
    exec(n, [0x8e, 0xd0]); // mov ss,ax
    expect(n.faults).toEqual([{ vector: SS_VEC, code: 0x48 }]);
  });

  test("mov cs,ax → #UD; Sreg encodings 6 and 7 → #UD", () => {
    const m = protMachine(0);
    exec(m, [0x8e, 0xc8]); // mov cs,ax
    expect(m.faults).toEqual([{ vector: UD, code: 0 }]);
    const n = protMachine(0);
    exec(n, [0x8e, 0xf0]); // mov (sreg 6),ax
    expect(n.faults).toEqual([{ vector: UD, code: 0 }]);
  });

  test("mov ss holds a pending interrupt until after the next instruction", () => {
    const m = protMachine(0);
    m.cpu.setEflags(IF | 2);
    m.cpu.regs[EAX] = SEL.data0;
    m.cpu.irqVector = 0x30; // pending, but nothing has asked the loop to look yet
    m.cpu.brk = 0;
    exec(m, [0x8e, 0xd0, 0x90], 2); // mov ss,ax ; nop
    expect(m.events).toEqual([{ vector: 0x30, eip: CODE_AT + 3 }]);
  });

  test("mov eax,ds zero-extends; mov ax,ds keeps the upper half; the memory form writes 16 bits", () => {
    const m = protMachine(0);
    m.cpu.regs[EAX] = -1;
    exec(m, [0x8c, 0xd8]); // mov eax,ds
    expect(m.cpu.regs[EAX]).toBe(SEL.data0);
    m.cpu.regs[EAX] = -1;
    exec(m, [0x66, 0x8c, 0xd8]); // mov ax,ds
    expect(m.cpu.regs[EAX]).toBe((0xffff0000 | SEL.data0) | 0);
    m.memory.write32(0x8000, -1);
    exec(m, [0x8c, 0x1d, ...le32(0x8000)]); // mov [0x8000],ds
    expect(m.memory.read32(0x8000)).toBe((0xffff0000 | SEL.data0) | 0);
  });
});

describe("PUSH/POP Sreg", () => {
  test("push ds (32-bit) moves ESP by 4 and writes the zero-extended selector", () => {
    const m = protMachine(3);
    m.memory.write32(STACK - 4, -1);
    exec(m, [0x1e]); // push ds
    expect(m.cpu.regs[ESP]).toBe(STACK - 4);
    expect(m.memory.read32(STACK - 4)).toBe(SEL.data3);
  });

  test("push cs with a 16-bit operand size moves ESP by 2", () => {
    const m = protMachine(0);
    exec(m, [0x66, 0x0e]); // push cs (o16)
    expect(m.cpu.regs[ESP]).toBe(STACK - 2);
    expect(m.memory.read16(STACK - 2)).toBe(SEL.code0);
  });

  test("pop es loads ES and releases 4 bytes", () => {
    const m = protMachine(1);
    m.cpu.push32(0);
    exec(m, [0x07]); // pop es (null selector)
    expect(m.cpu.segSel[ES]).toBe(0);
    expect(m.cpu.regs[ESP]).toBe(STACK);
  });

  test("pop ds with a bad selector → #GP(selector), ESP unchanged", () => {
    const m = protMachine(1);
    m.cpu.push32(SEL.data0);
    exec(m, [0x1f]); // pop ds
    expect(m.faults).toEqual([{ vector: GP, code: SEL.data0 }]);
    expect(m.cpu.regs[ESP]).toBe(STACK - 4);
    expect(m.cpu.segSel[DS]).toBe(SEL.data1);
  });

  test("pop ss with the null selector → #GP(0)", () => {
    const m = protMachine(0);
    m.cpu.push32(0);
    exec(m, [0x17]); // pop ss
    expect(m.faults).toEqual([{ vector: GP, code: 0 }]);
  });

  test("push fs / pop gs (0F A0, 0F A9)", () => {
    const m = protMachine(0);
    m.cpu.setSegmentCache(FS, 0, 0, 0, 0);
    exec(m, [0x0f, 0xa0]); // push fs
    expect(m.memory.read32(STACK - 4)).toBe(0);
    exec(m, [0x0f, 0xa9]); // pop gs
    expect(m.cpu.segSel[GS]).toBe(0);
    expect(m.cpu.regs[ESP]).toBe(STACK);
  });
});

describe("LDS/LES/LSS/LFS/LGS", () => {
  test("lds ebx,[m] loads DS and EBX", () => {
    const m = protMachine(0);
    m.memory.write32(0x8000, 0x12345678);
    m.memory.write16(0x8004, SEL.data0);
    exec(m, [0xc5, 0x1d, ...le32(0x8000)]); // lds ebx,[0x8000]
    expect(m.cpu.regs[EBX]).toBe(0x12345678);
    expect(m.cpu.segSel[DS]).toBe(SEL.data0);
  });

  test("lss esp,[m] switches stacks in one instruction", () => {
    const m = protMachine(1);
    m.memory.write32(0x8000, 0x7777);
    m.memory.write16(0x8004, SEL.data1);
    exec(m, [0x0f, 0xb2, 0x25, ...le32(0x8000)]); // lss esp,[0x8000]
    expect(m.cpu.regs[ESP]).toBe(0x7777);
    expect(m.cpu.segSel[SS]).toBe(SEL.data1);
  });

  test("lfs with a bad selector → #GP(selector), register unchanged", () => {
    const m = protMachine(3);
    m.memory.write32(0x8000, 0x7777);
    m.memory.write16(0x8004, SEL.data0);
    m.cpu.regs[EBX] = 5;
    exec(m, [0x0f, 0xb4, 0x1d, ...le32(0x8000)]); // lfs ebx,[0x8000]
    expect(m.faults).toEqual([{ vector: GP, code: SEL.data0 }]);
    expect(m.cpu.regs[EBX]).toBe(5);
  });

  test("les with a register operand → #UD", () => {
    const m = protMachine(0);
    exec(m, [0xc4, 0xc3]);
    expect(m.faults).toEqual([{ vector: UD, code: 0 }]);
    expect(m.cpu.segSel[CS]).toBe(SEL.code0);
  });
});
