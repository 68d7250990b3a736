/**
 * x86-core and mmu together: what a program sees when the CPU's accesses go
 * through the paging unit (SDM Vol. 3A §4.7 page-fault delivery, §4.8 A/D
 * bits, §4.10.4 INVLPG and CR3 loads, §4.10.2.4 global pages).
 */
import { PagingUnit } from "@littleguest/mmu";
import { ControlRegisters, Cpu, CR0_PG, CR0_WP, CR4_PGE, EAX, EBX, ESP, PF_VEC, PhysicalMemory } from "@littleguest/x86-core";
import { describe, expect, it } from "vitest";

const PD = 0x10000;
const PT = 0x11000;
const CODE = 0x1000;
const P = 1;
const RW = 2;
const US = 4;
const A = 0x20;
const D = 0x40;
const G = 0x100;

interface World {
  cpu: Cpu;
  memory: PhysicalMemory;
  control: ControlRegisters;
  faults: { cr2: number; code: number; eip: number }[];
}

/** Identity-map the first 4 MiB with one page table, paging on, CPL 0, #PF claimed on the fault bus. */
function world(code: number[], pteFlags: (page: number) => number = () => P | RW): World {
  const memory = new PhysicalMemory(8 << 20);
  const control = new ControlRegisters();
  const cpu = new Cpu({ memory, control, translator: new PagingUnit(memory, control) });
  cpu.loadFlatSegments({ cpl: 0, codeSelector: 0x08, dataSelector: 0x10 });
  memory.write32(PD, PT | P | RW | US);
  for (let page = 0; page < 1024; page++) memory.write32(PT + page * 4, (page << 12) | pteFlags(page));
  memory.load(CODE, new Uint8Array([...code, 0xf4]));
  control.cr3 = PD;
  control.cr0 |= CR0_PG | CR0_WP;
  cpu.translator.flush(true);
  cpu.eip = CODE;
  cpu.regs[ESP] = 0x9000;
  const faults: World["faults"] = [];
  cpu.faults.claim(PF_VEC, (c, _v, errorCode) => {
    faults.push({ cr2: c.control.cr2 >>> 0, code: errorCode, eip: c.eip });
    c.stop();
    return true;
  });
  return { cpu, memory, control, faults };
}

const pte = (w: World, page: number) => w.memory.read32(PT + page * 4) >>> 0;

describe("the CPU through the paging unit", () => {
  it("a read sets Accessed, a write sets Dirty, in the PTE and the PDE gets Accessed", () => {
    // a1 00 50 00 00: mov eax, [0x5000] ; 89 1d 00 60 00 00: mov [0x6000], ebx
    const w = world([0xa1, 0x00, 0x50, 0, 0, 0x89, 0x1d, 0x00, 0x60, 0, 0]);
    w.cpu.run(10);
    expect(pte(w, 5) & (A | D)).toBe(A);
    expect(pte(w, 6) & (A | D)).toBe(A | D);
    expect(w.memory.read32(PD) & A).toBe(A);
  });

  it("a write to a not-present page faults with CR2 = the address, error code W, EIP at the store", () => {
    const w = world([0x90, 0x89, 0x1d, 0x34, 0x72, 0, 0], (page) => (page === 7 ? 0 : P | RW));
    expect(w.cpu.run(10).kind).toBe("stopped");
    expect(w.faults).toEqual([{ cr2: 0x7234, code: 2, eip: CODE + 1 }]);
    expect(w.cpu.regs[EBX]).toBe(0);
  });

  it("a supervisor write to a read-only page faults with P|W when CR0.WP=1", () => {
    const w = world([0x89, 0x1d, 0x00, 0x70, 0, 0], (page) => (page === 7 ? P : P | RW));
    w.cpu.run(10);
    expect(w.faults).toEqual([{ cr2: 0x7000, code: 3, eip: CODE }]);
  });

  it("a user read of a supervisor page faults with P|U", () => {
    const w = world([], (page) => (page === 7 ? P | RW : P | RW | US));
    // code at CPL 3: a1 00 70 00 00: mov eax, [0x7000]
    w.memory.load(CODE, new Uint8Array([0xa1, 0x00, 0x70, 0, 0, 0xf4]));
    w.cpu.loadFlatSegments({ cpl: 3, codeSelector: 0x18, dataSelector: 0x20 });
    w.control.cr0 |= CR0_PG;
    w.cpu.run(10);
    expect(w.faults).toEqual([{ cr2: 0x7000, code: 5, eip: CODE }]);
  });

  it("a changed PTE is not seen until INVLPG; after INVLPG the new frame is read", () => {
    // a1 00 50 00 00: mov eax, [0x5000] ; 89 1d <PT+5*4>: mov [pte5], ebx (remap page 5 → frame 6)
    // 8b 0d 00 50 00 00: mov ecx, [0x5000] (stale TLB: old frame) ; 0f 01 3d 00 50 00 00: invlpg [0x5000]
    // 8b 15 00 50 00 00: mov edx, [0x5000] (new frame)
    const pte5 = PT + 5 * 4;
    const b = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >> 24) & 0xff];
    const w = world([0xa1, ...b(0x5000), 0x89, 0x1d, ...b(pte5), 0x8b, 0x0d, ...b(0x5000), 0x0f, 0x01, 0x3d, ...b(0x5000), 0x8b, 0x15, ...b(0x5000)]);
    w.memory.write32(0x5000, 0x55555555);
    w.memory.write32(0x6000, 0x66666666);
    w.cpu.regs[EBX] = 0x6000 | P | RW;
    w.cpu.run(20);
    expect(w.cpu.regs[EAX]! >>> 0).toBe(0x55555555);
    expect(w.cpu.regs[1]! >>> 0).toBe(0x55555555);
    expect(w.cpu.regs[2]! >>> 0).toBe(0x66666666);
  });

  it("a CR3 reload drops non-global translations but keeps global ones (CR4.PGE)", () => {
    // mov eax, [0x5000] ; mov ecx, [0x7000] ; remap both PTEs ; mov cr3, esi (0f 22 de) ; mov edx, [0x5000] ; mov ebp, [0x7000]
    const b = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >> 24) & 0xff];
    const code = [
      0xa1, ...b(0x5000),
      0x8b, 0x0d, ...b(0x7000),
      0x89, 0x1d, ...b(PT + 5 * 4),
      0x89, 0x1d, ...b(PT + 7 * 4),
      0x0f, 0x22, 0xde,
      0x8b, 0x15, ...b(0x5000),
      0x8b, 0x2d, ...b(0x7000),
    ];
    const w = world(code, (page) => (page === 5 ? P | RW | G : P | RW));
    w.control.cr4 |= CR4_PGE;
    w.cpu.translator.flush(true);
    w.memory.write32(0x5000, 0x55555555);
    w.memory.write32(0x7000, 0x77777777);
    w.memory.write32(0x6000, 0x66666666);
    w.cpu.regs[EBX] = 0x6000 | P | RW;
    w.cpu.regs[6] = PD;
    w.cpu.run(20);
    expect(w.cpu.regs[2]! >>> 0).toBe(0x55555555); // global: still the old frame
    expect(w.cpu.regs[5]! >>> 0).toBe(0x66666666); // non-global: walked again, new frame
  });

  it("a store into code through a second mapping of the same frame is executed (decoded code is keyed by frame)", () => {
    // Page 0x300 (linear 0x300000) maps the code frame 1 as a writable alias.
    // c6 05 0a 00 30 00 40: mov byte [0x30000a], 0x40 — rewrites the instruction at CODE+10 to "inc eax"
    const w = world([0xc6, 0x05, 0x0a, 0x00, 0x30, 0x00, 0x40, 0x90, 0x90, 0x90, 0x90]);
    w.memory.write32(PD + 0 * 4, PT | P | RW | US);
    w.memory.write32(PT + 0x300 * 4, 0x1000 | P | RW);
    w.cpu.translator.flush(true);
    w.cpu.eip = CODE + 7; // execute the four NOPs first, so CODE+10 is decoded and cached as NOP
    w.cpu.run(4);
    expect(w.cpu.regs[EAX]).toBe(0);
    w.cpu.eip = CODE;
    w.cpu.run(20);
    expect(w.cpu.regs[EAX]).toBe(1);
  });
});

/*
 * The dispatch switch runs the commonest instructions through inline fast
 * paths (x86-core tour C:210) that assume the access succeeds. When it would
 * not, the full handler must run and fault exactly as the SDM says: #PF with
 * CR2 and the error code, EIP at the faulting instruction, and no register or
 * memory changed by it (Vol. 3A §6.5: faults are restartable).
 */
describe("inline fast paths leave faulting accesses to the full handlers", () => {
  const RO_STACK = (page: number) => (page === 8 ? P : P | RW);
  const NO_PAGE_7 = (page: number) => (page === 7 ? 0 : P | RW);

  /** Run `code` after a CMP that sets ZF with ESP = `esp`; return the world and the state before the faulting instruction. */
  function fault(code: number[], flags: (page: number) => number, esp = 0x9000) {
    const w = world([0x39, 0xc0, ...code], flags); // cmp eax, eax: ZF=1 before the faulting instruction
    w.cpu.regs[ESP] = esp;
    w.cpu.regs[EAX] = 0x7000;
    w.cpu.regs[EBX] = 0x11111111;
    w.cpu.run(10);
    return w;
  }

  it("push r32 onto a read-only stack page: #PF P|W, ESP unchanged", () => {
    const w = fault([0x53], RO_STACK); // push ebx
    expect(w.faults).toEqual([{ cr2: 0x8ffc, code: 3, eip: CODE + 2 }]);
    expect(w.cpu.regs[ESP]).toBe(0x9000);
  });

  it("call rel32 with an unwritable stack: #PF at the call, EIP and ESP unchanged", () => {
    const w = fault([0xe8, 0x10, 0, 0, 0], RO_STACK);
    expect(w.faults).toEqual([{ cr2: 0x8ffc, code: 3, eip: CODE + 2 }]);
    expect(w.cpu.regs[ESP]).toBe(0x9000);
  });

  it("ret from a not-present stack page: #PF with a read error code", () => {
    const w = fault([0xc3], NO_PAGE_7, 0x7ff0);
    expect(w.faults).toEqual([{ cr2: 0x7ff0, code: 0, eip: CODE + 2 }]);
    expect(w.cpu.regs[ESP]).toBe(0x7ff0);
  });

  it("pop r32 from a not-present page leaves the register and ESP alone", () => {
    const w = fault([0x5b], NO_PAGE_7, 0x7ff0); // pop ebx
    expect(w.faults).toEqual([{ cr2: 0x7ff0, code: 0, eip: CODE + 2 }]);
    expect(w.cpu.regs[EBX]).toBe(0x11111111);
    expect(w.cpu.regs[ESP]).toBe(0x7ff0);
  });

  it("add r32, [mem] from a not-present page leaves the destination alone", () => {
    const w = fault([0x03, 0x18], NO_PAGE_7); // add ebx, [eax]
    expect(w.faults).toEqual([{ cr2: 0x7000, code: 0, eip: CODE + 2 }]);
    expect(w.cpu.regs[EBX]).toBe(0x11111111);
  });

  it("mov [mem], r32 straddling into a not-present page writes neither page", () => {
    const w = fault([0x89, 0x58, 0xfe], NO_PAGE_7); // mov [eax-2], ebx: 0x6ffe..0x7001
    expect(w.faults).toEqual([{ cr2: 0x7000, code: 2, eip: CODE + 2 }]);
    expect(w.memory.read32(0x6ffc)).toBe(0);
  });

  it("cmp [mem], imm32 on a not-present page: #PF, and the flags stay as the previous CMP left them", () => {
    const w = fault([0x81, 0x38, 0x78, 0x56, 0x34, 0x12], NO_PAGE_7); // cmp dword [eax], 0x12345678
    expect(w.faults).toEqual([{ cr2: 0x7000, code: 0, eip: CODE + 2 }]);
    expect(w.cpu.getZF()).toBe(1);
  });
});
