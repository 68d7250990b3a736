/**
 * The IDT rules of lguest-abi.md §4.2 and §4.6, checked one by one.
 */
import { gateDescriptor, gateOffset, KERNEL_CS_SEL, LGUEST_CS, stubAddress } from "@littleguest/switcher";
import { describe, expect, it } from "vitest";
import { copyTraps, directTrap, loadIdtEntry } from "./idt.js";

const HANDLER = 0xc0123456;
const trapGate = (dpl = 0) => gateDescriptor(0x10, HANDLER, 0xf, dpl);
const intGate = (dpl = 0) => gateDescriptor(0x10, HANDLER, 0xe, dpl);

describe("LOAD_IDT_ENTRY", () => {
  it("ignores NMI, double fault, vector 15 and the hypercall vector", () => {
    const idt = new Int32Array(512);
    for (const v of [2, 8, 15, 0x1f]) expect(loadIdtEntry(idt, v, trapGate().lo, trapGate().hi)).toBe("ignored");
    expect(idt.every((d) => d === 0)).toBe(true);
  });

  it("refuses vectors beyond 255 and gate types other than interrupt/trap", () => {
    const idt = new Int32Array(512);
    expect(loadIdtEntry(idt, 256, trapGate().lo, trapGate().hi)).toBe("bad-vector");
    const taskGate = gateDescriptor(0x10, 0, 0x5, 0);
    expect(loadIdtEntry(idt, 3, taskGate.lo, taskGate.hi)).toBe("bad-type");
  });

  it("forces the Guest kernel's code selector, keeps the offset, and masks the high dword", () => {
    const idt = new Int32Array(512);
    const g = trapGate(3);
    expect(loadIdtEntry(idt, 3, g.lo, g.hi | 0x10ff)).toBe("stored");
    expect(idt[6]! >>> 16).toBe(KERNEL_CS_SEL);
    expect(gateOffset({ lo: idt[6]!, hi: idt[7]! })).toBe(HANDLER);
    expect((idt[7]! & 0x10ff) >>> 0).toBe(0); // bit 12 and the low byte cleared
    expect((idt[7]! >>> 13) & 3).toBe(3);
  });

  it("stores a not-present entry as zero", () => {
    const idt = new Int32Array(512).fill(7);
    expect(loadIdtEntry(idt, 4, 0x12345678, 0x00006f00)).toBe("stored"); // P clear
    expect([idt[8], idt[9]]).toEqual([0, 0]);
  });
});

describe("direct traps and copy_traps", () => {
  it("vectors below 32 and the system-call vector may be direct, except 7, 13, 14 and 0x1F", () => {
    const direct = Array.from({ length: 256 }, (_, v) => v).filter(directTrap);
    expect(direct).toEqual([...Array.from({ length: 32 }, (_, v) => v).filter((v) => ![7, 13, 14, 0x1f].includes(v)), 0x80]);
  });

  it("copies trap gates of direct vectors verbatim; everything else leads to the Switcher stub", () => {
    const guest = new Int32Array(512);
    for (const v of [0, 3, 13, 0x80, 0x40]) loadIdtEntry(guest, v, trapGate(3).lo, trapGate(3).hi);
    loadIdtEntry(guest, 6, intGate(3).lo, intGate(3).hi);
    const out = new Int32Array(512);
    copyTraps(guest, out);
    const target = (v: number) => gateOffset({ lo: out[v * 2]!, hi: out[v * 2 + 1]! });
    const selector = (v: number) => out[v * 2]! >>> 16;
    const dpl = (v: number) => (out[v * 2 + 1]! >>> 13) & 3;
    // Direct: the Guest's own handler in its kernel code segment.
    for (const v of [0, 3, 0x80]) expect([target(v), selector(v)]).toEqual([HANDLER, KERNEL_CS_SEL]);
    // #GP and a device vector are never direct, even as trap gates: stub, DPL 0.
    for (const v of [13, 0x40]) expect([target(v), selector(v), dpl(v)]).toEqual([stubAddress(v), LGUEST_CS, 0]);
    // An interrupt gate of a direct vector: the stub, with the Guest's DPL so int from ring 3 still works.
    expect([target(6), dpl(6)]).toEqual([stubAddress(6), 3]);
    // The hypercall vector: the stub at DPL 1, so only the Guest kernel may use it.
    expect([target(0x1f), dpl(0x1f)]).toEqual([stubAddress(0x1f), 1]);
    // Every Host gate is an interrupt gate (type 0xE).
    expect((out[13 * 2 + 1]! >>> 8) & 0xf).toBe(0xe);
  });
});
