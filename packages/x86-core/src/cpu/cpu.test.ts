import { describe, expect, it } from "vitest";
import { EventKind } from "../bus/fault-bus.js";
import { CODE_BASE, DATA_BASE, makeMachine, runBytes, type TestMachine } from "../testing/run-bytes.js";
import { AF, CF, IF, OF, PF, SF, ZF } from "./eflags.js";
import { CS, EAX, EBX, ECX, ESP, SS } from "./registers.js";
import { GP, UD } from "./vectors.js";

// A protected-mode world built in memory: GDT, TSS, IDT (SDM Vol. 3A §3.4.5, §6.11, §7.2.1).
const GDT = 0x2000;
const IDT = 0x3000;
const TSS = 0x4000;
const KSTACK = 0x9000;
const HANDLER = 0x5000;
const SEL_KCODE = 0x08;
const SEL_KDATA = 0x10;
const SEL_UCODE = 0x1b;
const SEL_UDATA = 0x23;
const SEL_TSS = 0x28;

function descriptor(base: number, limit: number, access: number, flags: number): [number, number] {
  const lo = ((base & 0xffff) << 16) | (limit & 0xffff);
  const hi = (base & 0xff000000) | ((flags & 0xf) << 20) | (limit & 0xf0000) | (access << 8) | ((base >>> 16) & 0xff);
  return [lo | 0, hi | 0];
}

function gate(selector: number, offset: number, type: number, dpl: number): [number, number] {
  return [((selector << 16) | (offset & 0xffff)) | 0, ((offset & 0xffff0000) | 0x8000 | (dpl << 13) | (type << 8)) | 0];
}

function world(m: TestMachine, gateDpl = 0): void {
  const { cpu, memory } = m;
  const entries = [
    [0, 0],
    descriptor(0, 0xfffff, 0x9a, 0xc),
    descriptor(0, 0xfffff, 0x92, 0xc),
    descriptor(0, 0xfffff, 0xfa, 0xc),
    descriptor(0, 0xfffff, 0xf2, 0xc),
    descriptor(TSS, 0x67, 0x89, 0),
  ];
  entries.forEach(([lo, hi], k) => {
    memory.write32(GDT + k * 8, lo!);
    memory.write32(GDT + k * 8 + 4, hi!);
  });
  memory.write32(TSS + 4, KSTACK);
  memory.write32(TSS + 8, SEL_KDATA);
  for (let v = 0; v < 256; v++) {
    const [lo, hi] = gate(SEL_KCODE, HANDLER + v * 16, 0xe, v === 0x80 ? 3 : gateDpl);
    memory.write32(IDT + v * 8, lo);
    memory.write32(IDT + v * 8 + 4, hi);
    memory.write8(HANDLER + v * 16, 0xf4); // hlt
  }
  cpu.gdtBase = GDT;
  cpu.gdtLimit = entries.length * 8 - 1;
  cpu.idtBase = IDT;
  cpu.idtLimit = 256 * 8 - 1;
  cpu.trSel = SEL_TSS;
  cpu.trBase = TSS;
  cpu.trLimit = 0x67;
  cpu.trAttr = 0x8b | (1 << 16);
}

function userMachine(code: number[]): TestMachine {
  const m = makeMachine(3);
  world(m);
  m.cpu.loadFlatSegments({ cpl: 3, codeSelector: SEL_UCODE, dataSelector: SEL_UDATA });
  m.memory.load(CODE_BASE, new Uint8Array(code));
  m.cpu.regs[ESP] = 0x7000;
  return m;
}

describe("lazy flags (SDM Vol. 1 Appendix A)", () => {
  it("add eax, ebx with 0x7fffffff + 1 → OF SF AF PF set, CF ZF clear", () => {
    // 01 d8: add eax, ebx
    const { cpu } = runBytes([0x01, 0xd8], {
      setup: ({ cpu }) => {
        cpu.regs[EAX] = 0x7fffffff;
        cpu.regs[EBX] = 1;
      },
    });
    expect(cpu.regs[EAX]! >>> 0).toBe(0x80000000);
    expect(cpu.getEflags() & (OF | SF | ZF | AF | PF | CF)).toBe(OF | SF | AF | PF);
  });

  it("sub al, 1 from 0 → CF SF AF PF set (0xff has even parity)", () => {
    // 2c 01: sub al, 1
    const { cpu } = runBytes([0x2c, 0x01]);
    expect(cpu.regs[EAX]! & 0xff).toBe(0xff);
    expect(cpu.getEflags() & (OF | SF | ZF | AF | PF | CF)).toBe(CF | SF | AF | PF);
  });

  it("stc; adc ax, 0xffff → CF ZF AF PF set, result 0", () => {
    // f9: stc; 66 83 d0 ff: adc ax, -1
    const { cpu } = runBytes([0xf9, 0x66, 0x83, 0xd0, 0xff], { setup: ({ cpu }) => void (cpu.regs[EAX] = 0x12340000) });
    expect(cpu.regs[EAX]! >>> 0).toBe(0x12340000);
    expect(cpu.getEflags() & (OF | SF | ZF | AF | PF | CF)).toBe(CF | ZF | AF | PF);
  });

  it("inc keeps CF from a previous lazy sub", () => {
    // 39 d8: cmp eax, ebx (0 - 1 borrows) ; 40: inc eax
    const { cpu } = runBytes([0x39, 0xd8, 0x40], { setup: ({ cpu }) => void (cpu.regs[EBX] = 1) });
    expect(cpu.regs[EAX]).toBe(1);
    expect(cpu.getEflags() & CF).toBe(CF);
    expect(cpu.getEflags() & ZF).toBe(0);
  });

  it("dec from 0x80000000 → OF set, CF untouched", () => {
    // f8: clc ; 48: dec eax
    const { cpu } = runBytes([0xf8, 0x48], { setup: ({ cpu }) => void (cpu.regs[EAX] = 0x80000000 | 0) });
    expect(cpu.regs[EAX]).toBe(0x7fffffff);
    expect(cpu.getEflags() & (OF | CF)).toBe(OF);
  });
});

describe("interpreter loop", () => {
  it("counted loop retires the exact number of instructions", () => {
    // b9 0a 00 00 00: mov ecx, 10 ; 01 c8: add eax, ecx ; 49: dec ecx ; 75 fb: jnz -5
    const { cpu, exit } = runBytes([0xb9, 10, 0, 0, 0, 0x01, 0xc8, 0x49, 0x75, 0xfb], { steps: 10_000 });
    expect(exit).toEqual({ kind: "halt", interruptible: false });
    expect(cpu.regs[EAX]).toBe(55);
    expect(cpu.instructions).toBe(1 + 3 * 10 + 1);
  });

  it("a budget exit resumes exactly where it stopped", () => {
    const m = makeMachine();
    m.memory.load(CODE_BASE, new Uint8Array([0xb9, 10, 0, 0, 0, 0x01, 0xc8, 0x49, 0x75, 0xfb, 0xf4]));
    let exit = m.cpu.run(7);
    expect(exit.kind).toBe("budget");
    expect(m.cpu.instructions).toBe(7);
    while (exit.kind === "budget") exit = m.cpu.run(3);
    expect(m.cpu.regs[EAX]).toBe(55);
  });

  it("self-modifying code: a store into decoded code is seen by the next execution", () => {
    // loop twice over: mov eax, imm32 (at CODE_BASE) ; then patch its immediate and jump back
    // b8 01 00 00 00       mov eax, 1
    // 83 fb 01             cmp ebx, 1
    // 74 11                je done (the hlt after the jmp)
    // bb 01 00 00 00       mov ebx, 1
    // c7 05 01 10 00 00 07 00 00 00   mov dword [0x1001], 7
    // eb e5? computed below: jmp CODE_BASE
    const code = [0xb8, 1, 0, 0, 0, 0x83, 0xfb, 0x01, 0x74, 0x11, 0xbb, 1, 0, 0, 0, 0xc7, 0x05, 0x01, 0x10, 0, 0, 7, 0, 0, 0];
    const jmpAt = code.length;
    code.push(0xeb, (-(jmpAt + 2)) & 0xff);
    const { cpu } = runBytes(code, { steps: 100 });
    expect(cpu.regs[EAX]).toBe(7);
    expect(cpu.eip).toBe(CODE_BASE + code.length + 1);
  });

  it("an undefined opcode raises #UD at its own address", () => {
    // 90: nop ; 0f ff: undefined
    const seen: number[] = [];
    const m = makeMachine();
    m.memory.load(CODE_BASE, new Uint8Array([0x90, 0x0f, 0xff]));
    m.cpu.faults.claim(UD, (c) => {
      seen.push(c.eip);
      c.stop();
      return true;
    });
    expect(m.cpu.run(10).kind).toBe("stopped");
    expect(seen).toEqual([CODE_BASE + 1]);
  });
});

describe("event delivery (SDM Vol. 3A §6.12)", () => {
  it("#UD at CPL 3 switches to the TSS ring-0 stack and pushes SS, ESP, EFLAGS, CS, EIP", () => {
    const m = userMachine([0x90, 0x0f, 0xff]);
    m.cpu.setEflags(m.cpu.getEflags() | IF);
    const exit = m.cpu.run(10);
    expect(exit).toEqual({ kind: "halt", interruptible: false });
    const { cpu, memory } = m;
    expect(cpu.cpl).toBe(0);
    expect(cpu.segSel[CS]).toBe(SEL_KCODE);
    expect(cpu.segSel[SS]).toBe(SEL_KDATA);
    expect(cpu.regs[ESP]).toBe(KSTACK - 20);
    expect(memory.read32(KSTACK - 20)).toBe(CODE_BASE + 1); // EIP of the faulting instruction
    expect(memory.read32(KSTACK - 16)).toBe(SEL_UCODE);
    expect(memory.read32(KSTACK - 12) & IF).toBe(IF);
    expect(memory.read32(KSTACK - 8)).toBe(0x7000);
    expect(memory.read32(KSTACK - 4)).toBe(SEL_UDATA);
    expect(cpu.flags & IF).toBe(0); // interrupt gate
    expect(cpu.eip).toBe(HANDLER + UD * 16 + 1);
  });

  it("INT n through a DPL-0 gate from CPL 3 → #GP(n*8+2) with the error code pushed", () => {
    // cd 40: int 0x40
    const m = userMachine([0xcd, 0x40]);
    m.cpu.run(10);
    expect(m.cpu.eip).toBe(HANDLER + GP * 16 + 1);
    expect(m.cpu.regs[ESP]).toBe(KSTACK - 24);
    expect(m.memory.read32(KSTACK - 24)).toBe(0x40 * 8 + 2);
    expect(m.memory.read32(KSTACK - 20)).toBe(CODE_BASE);
  });

  it("INT 0x80 through a DPL-3 gate pushes the address after the instruction", () => {
    const m = userMachine([0xcd, 0x80]);
    m.cpu.run(10);
    expect(m.cpu.eip).toBe(HANDLER + 0x80 * 16 + 1);
    expect(m.memory.read32(KSTACK - 20)).toBe(CODE_BASE + 2);
  });

  it("a route turns delivery into a handler exit after the hardware part", () => {
    const m = userMachine([0xcd, 0x80]);
    m.cpu.faults.routeTo(HANDLER + 0x80 * 16, 42);
    const exit = m.cpu.run(10);
    expect(exit).toEqual({ kind: "handler", id: 42, vector: 0x80 });
    expect(m.cpu.cpl).toBe(0);
    expect(m.cpu.regs[ESP]).toBe(KSTACK - 20);
  });

  it("observers see each delivery with its kind", () => {
    const m = userMachine([0xcd, 0x80]);
    const seen: [number, EventKind][] = [];
    m.cpu.faults.observe((v, _c, _h, kind) => seen.push([v, kind]));
    m.cpu.run(10);
    expect(seen).toEqual([[0x80, EventKind.Software]]);
  });

  it("no usable IDT: #UD → #GP → #DF → triple fault ends in a shutdown exit", () => {
    const m = userMachine([0x0f, 0xff]);
    m.cpu.idtLimit = 0;
    const exit = m.cpu.run(10);
    expect(exit.kind).toBe("shutdown");
  });

  it("an external interrupt wakes HLT when IF=1 and is delivered through its gate", () => {
    const m = makeMachine();
    world(m);
    m.cpu.loadFlatSegments({ cpl: 0, codeSelector: SEL_KCODE, dataSelector: SEL_KDATA });
    m.memory.load(CODE_BASE, new Uint8Array([0xfb, 0xf4])); // sti ; hlt
    m.cpu.regs[ESP] = 0x7000;
    expect(m.cpu.run(10)).toEqual({ kind: "halt", interruptible: true });
    m.cpu.requestInterrupt(0x20);
    m.cpu.run(10);
    expect(m.cpu.eip).toBe(HANDLER + 0x20 * 16 + 1);
    expect(m.memory.read32(0x7000 - 12)).toBe(CODE_BASE + 2);
  });
});

describe("memory operands", () => {
  it("mov [DATA_BASE], ecx then reads back through a different width", () => {
    // 89 0d <addr>: mov [addr], ecx ; 66 8b 05 <addr+2>: mov ax, [addr+2]
    const a = DATA_BASE;
    const { cpu } = runBytes([0x89, 0x0d, a & 0xff, (a >> 8) & 0xff, 0, 0, 0x66, 0x8b, 0x05, (a + 2) & 0xff, ((a + 2) >> 8) & 0xff, 0, 0], {
      setup: ({ cpu }) => void (cpu.regs[ECX] = 0xdeadbeef | 0),
    });
    expect(cpu.regs[EAX]! & 0xffff).toBe(0xdead);
  });
});
