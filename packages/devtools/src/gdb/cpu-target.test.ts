/**
 * The breakpoint machinery on a real CPU. Expectations follow the SDM: an instruction
 * breakpoint stops before the instruction (Vol. 3B §17.3.1.1), a data breakpoint after the
 * instruction that wrote (§17.3.1.2), INT3 is one byte 0xCC (Vol. 2A); and the page walk agrees
 * with the mmu package's walker, the reference implementation of Vol. 3A §4.3.
 */
import { PagingUnit } from "@littleguest/mmu";
import { ControlRegisters, Cpu, EAX, FlatTranslator, PhysicalMemory } from "@littleguest/x86-core";

/** x86-core's `Access.Read` (a const enum, which isolated modules cannot import). */
const READ = 0;
import { describe, expect, it } from "vitest";
import { cpuDriver, createCpuTarget, walkLinear } from "./cpu-target.js";

//   1000: b8 01 00 00 00   mov  $1,%eax
//   1005: a3 00 20 00 00   mov  %eax,0x2000
//   100a: 40               inc  %eax
//   100b: a3 00 20 00 00   mov  %eax,0x2000
//   1010: f4               hlt
const PROGRAM = [0xb8, 0x01, 0, 0, 0, 0xa3, 0x00, 0x20, 0, 0, 0x40, 0xa3, 0x00, 0x20, 0, 0, 0xf4];

function machine(program = PROGRAM) {
  const memory = new PhysicalMemory(1 << 20);
  const cpu = new Cpu({ memory, control: new ControlRegisters(), translator: new FlatTranslator(memory) });
  cpu.loadFlatSegments({ cpl: 0, codeSelector: 0x08, dataSelector: 0x10 });
  cpu.eip = 0x1000;
  memory.load(0x1000, new Uint8Array(program));
  const target = createCpuTarget(cpu, cpuDriver(cpu, { slice: 1000 }));
  const regs = new Uint32Array(16);
  const reg = (i: number) => {
    target.readRegisters(regs);
    return regs[i]!;
  };
  return { memory, cpu, target, reg };
}

describe("a GDB target on a bare CPU", () => {
  it("a software breakpoint is an int3 in RAM, hidden from reads, stops with EIP on it, and is stepped over on resume", async () => {
    const { memory, target, reg } = machine();
    expect(target.setBreakpoint(0, 0x100a, 1, true)).toBe(true);
    expect(memory.read8(0x100a)).toBe(0xcc);
    expect([...target.readMemory(0x1009, 3)]).toEqual([0x00, 0x40, 0xa3]);
    expect(await target.resume()).toEqual({ kind: "breakpoint", type: "sw" });
    expect([reg(8), reg(0)]).toEqual([0x100a, 1]);
    // Resuming from the breakpoint runs the instruction under it, with the breakpoint still set.
    expect(await target.resume()).toEqual({ kind: "terminated", signal: 9, reason: "halted with interrupts off" });
    expect(reg(0)).toBe(2);
    expect(memory.read8(0x100a)).toBe(0xcc);
    target.setBreakpoint(0, 0x100a, 1, false);
    expect(memory.read8(0x100a)).toBe(0x40);
  });

  it("a program's own int3 is not the debugger's: it is delivered as usual", async () => {
    const { cpu, target } = machine([0xcc, 0xf4]);
    let delivered = 0;
    cpu.faults.observe((v) => {
      if (v === 3) delivered++;
    });
    target.setBreakpoint(0, 0x2000, 1, true);
    const stop = await target.resume();
    expect(delivered).toBe(1);
    expect(stop.kind).toBe("terminated");
  });

  it("a hardware breakpoint stops before its instruction; the step from it runs that instruction", async () => {
    const { target, reg } = machine();
    target.setBreakpoint(1, 0x100b, 1, true);
    expect(await target.resume()).toEqual({ kind: "breakpoint", type: "hw" });
    expect([reg(8), reg(0)]).toEqual([0x100b, 2]);
    expect(target.readMemory(0x2000, 1)[0]).toBe(1);
    expect(await target.step()).toEqual({ kind: "step" });
    expect(reg(8)).toBe(0x1010);
    expect(target.readMemory(0x2000, 1)[0]).toBe(2);
  });

  it("a write watchpoint stops after each instruction that changed the bytes, naming the watched address", async () => {
    const { cpu, target, reg } = machine();
    target.setBreakpoint(2, 0x2000, 4, true);
    expect(await target.resume()).toEqual({ kind: "watch", address: 0x2000 });
    expect([reg(8), target.readMemory(0x2000, 1)[0]]).toEqual([0x100a, 1]);
    expect(await target.resume()).toEqual({ kind: "watch", address: 0x2000 });
    expect([reg(8), target.readMemory(0x2000, 1)[0]]).toEqual([0x1010, 2]);
    target.setBreakpoint(2, 0x2000, 4, false);
    // No breakpoints left: the CPU runs without an observer again.
    expect(cpu.onInstruction).toBeNull();
    expect((await target.resume()).kind).toBe("terminated");
  });

  it("single steps go one instruction at a time, also over an inserted breakpoint", async () => {
    const { target, reg } = machine();
    target.setBreakpoint(0, 0x1000, 1, true);
    expect(await target.step()).toEqual({ kind: "step" });
    expect([reg(8), reg(0)]).toEqual([0x1005, 1]);
    expect(await target.step()).toEqual({ kind: "step" });
    expect(reg(8)).toBe(0x100a);
  });

  it("interrupt stops a program that would run for ever", async () => {
    //   1000: eb fe   jmp .
    const { target, reg } = machine([0xeb, 0xfe]);
    const run = target.resume();
    setTimeout(() => target.interrupt(), 5);
    expect(await run).toEqual({ kind: "interrupted" });
    expect(reg(8)).toBe(0x1000);
  });

  it("register writes: general registers and eip freely, flags only the arithmetic ones and IF, selectors not at all", () => {
    const { cpu, target } = machine();
    expect(target.writeRegister(0, 0xdeadbeef)).toBe(true);
    expect(cpu.regs[EAX]! >>> 0).toBe(0xdeadbeef);
    expect(target.writeRegister(8, 0x1005)).toBe(true);
    expect(cpu.eip).toBe(0x1005);
    expect(target.writeRegister(9, cpu.getEflags() | 0x41)).toBe(true);
    expect(cpu.getEflags() & 0x41).toBe(0x41);
    expect(target.writeRegister(9, cpu.getEflags() | 0x20000)).toBe(false);
    expect(target.writeRegister(10, 0x08)).toBe(true);
    expect(target.writeRegister(10, 0x18)).toBe(false);
  });

  it("memory writes under a breakpoint change what it restores, and unmapped writes change nothing", () => {
    const { memory, target } = machine();
    target.setBreakpoint(0, 0x100a, 1, true);
    expect(target.writeMemory(0x100a, new Uint8Array([0x48]))).toBe(true);
    expect(memory.read8(0x100a)).toBe(0xcc);
    expect(target.readMemory(0x100a, 1)[0]).toBe(0x48);
    target.setBreakpoint(0, 0x100a, 1, false);
    expect(memory.read8(0x100a)).toBe(0x48);
    expect(target.writeMemory(0xffffe, new Uint8Array(4))).toBe(false);
    expect(target.readMemory(0xffffe, 4).length).toBe(2);
  });
});

describe("walkLinear", () => {
  it("agrees with the paging unit for 4 KiB pages, 4 MiB pages, PAE 2 MiB and 4 KiB pages, and unmapped addresses", () => {
    const memory = new PhysicalMemory(16 << 20);
    const control = new ControlRegisters();
    const paging = new PagingUnit(memory, control);
    const cpu = new Cpu({ memory, control, translator: paging });
    // 32-bit: directory at 0x10000; 0xc0001000 → 0x5000 through a table at 0x11000; 0x00400000 → 4 MiB page at 0x800000.
    memory.write32(0x10000 + (0xc00 >> 2) * 4, 0x11000 | 3);
    memory.write32(0x11000 + 1 * 4, 0x5000 | 3);
    memory.write32(0x10000 + 1 * 4, 0x800000 | 0x83);
    control.cr3 = 0x10000;
    control.cr4 = 0x10;
    control.cr0 |= 0x80000001;
    const addresses = [0xc0001234, 0xc0002000, 0x00400010, 0x007fffff, 0x00000000, 0xfffff000];
    const reference = (a: number) => {
      paging.flush(true);
      return paging.translate(a, READ, false);
    };
    for (const a of addresses) expect(walkLinear(cpu, a)).toBe(reference(a) < 0 ? -1 : reference(a));
    expect(walkLinear(cpu, 0xc0001234)).toBe(0x5234);
    // PAE: PDPT at 0x20000 (slot 3 → directory 0x21000); 0xc0001000 → 0x6000 via table 0x22000; 0xc0200000 → 2 MiB page 0x600000.
    memory.write32(0x20000 + 3 * 8, 0x21000 | 1);
    memory.write32(0x21000 + 0 * 8, 0x22000 | 3);
    memory.write32(0x22000 + 1 * 8, 0x6000 | 3);
    memory.write32(0x21000 + 1 * 8, 0x600000 | 0x83);
    control.cr3 = 0x20000;
    control.cr4 = 0x20;
    for (const a of [0xc0001234, 0xc0200123, 0xc0002000, 0x00001000]) expect(walkLinear(cpu, a)).toBe(reference(a) < 0 ? -1 : reference(a));
    expect(walkLinear(cpu, 0xc0200123)).toBe(0x600123);
  });
});
