/**
 * Test helper for the protection tests: a machine with a real GDT and TSS in
 * memory, segment registers loaded from it at a chosen CPL, and every
 * exception captured (vector + error code) through the fault bus instead of
 * being delivered, so a test can assert the exact fault an instruction raised.
 *
 * GDT layout (selectors with RPL = DPL): 08 ring-0 code, 10 ring-0 data,
 * 19 ring-1 code, 21 ring-1 data, 2B ring-3 code, 33 ring-3 data, 38 the
 * 32-bit TSS. Slots from 0x40 up are free for a test's own descriptors.
 */
import { EventKind } from "../bus/fault-bus.js";
import type { Cpu } from "../cpu/cpu.js";
import { CS, DS, ES, ESP, FS, GS, SS } from "../cpu/registers.js";
import { makeMachine, type TestMachine } from "../testing/run-bytes.js";
import { descAttr, descBase, descLimit } from "./descriptor.js";

/** Linear address of the GDT. */
export const GDT_BASE = 0x3000;
/** Linear address of the TSS. */
export const TSS_BASE = 0x4000;
/** Where `exec` puts code (CS base is 0). */
export const CODE_AT = 0x1000;
/** Stack tops: the current stack, and the ring-0 / ring-1 stacks named in the TSS. */
export const STACK = 0x20000;
/** ESP0 in the TSS. */
export const ESP0 = 0x30000;
/** ESP1 in the TSS. */
export const ESP1 = 0x28000;

/** The standard selectors. */
export const SEL = { code0: 0x08, data0: 0x10, code1: 0x19, data1: 0x21, code3: 0x2b, data3: 0x33, tss: 0x38 } as const;

/** Access byte of a (not yet accessed) code segment of privilege `dpl`. */
export function codeAccess(dpl: number, conforming = false): number {
  return 0x9a | (conforming ? 4 : 0) | (dpl << 5);
}
/** Access byte of a (not yet accessed) writable data segment of privilege `dpl`. */
export function dataAccess(dpl: number): number {
  return 0x92 | (dpl << 5);
}

/** A segment descriptor as [lo, hi]; `flags` is the G/D/L/AVL nibble (0xC: 4 KiB units, 32-bit). */
export function segDesc(base: number, limit: number, access: number, flags = 0xc): [number, number] {
  const lo = (limit & 0xffff) | ((base & 0xffff) << 16);
  const hi = ((base >>> 16) & 0xff) | (access << 8) | (limit & 0xf0000) | (flags << 20) | (base & 0xff000000);
  return [lo | 0, hi | 0];
}

/** A gate descriptor (call gate 0x0C/0x04, task gate 0x05) with `access` = P | DPL | type. */
export function gateDesc(selector: number, offset: number, access: number, params = 0): [number, number] {
  return [((offset & 0xffff) | (selector << 16)) | 0, ((offset & 0xffff0000) | (access << 8) | params) | 0];
}

/** A machine with faults captured. */
export interface ProtMachine extends TestMachine {
  /** Exceptions raised (not delivered), in order. */
  readonly faults: { vector: number; code: number }[];
  /** Interrupts and software events that were "delivered" (claimed), with the return EIP. */
  readonly events: { vector: number; eip: number }[];
}

/** Write descriptor `d` at GDT byte offset `index` (a selector without RPL/TI). */
export function setGdt(m: TestMachine, index: number, d: [number, number]): void {
  m.memory.write32(GDT_BASE + (index & ~7), d[0]);
  m.memory.write32(GDT_BASE + (index & ~7) + 4, d[1]);
}

/** The high dword of the GDT entry for `selector`. */
export function gdtHi(m: TestMachine, selector: number): number {
  return m.memory.read32(GDT_BASE + (selector & ~7) + 4);
}

/** Load segment register `seg` from the GDT entry of `selector`, with no checks. */
export function loadFromGdt(cpu: Cpu, m: TestMachine, seg: number, selector: number): void {
  const lo = m.memory.read32(GDT_BASE + (selector & ~7));
  const hi = m.memory.read32(GDT_BASE + (selector & ~7) + 4);
  cpu.setSegmentCache(seg, selector, descBase(lo, hi), descLimit(lo, hi), descAttr(hi));
}

/** Build the machine at `cpl` with CS/SS/DS/ES/FS/GS from the standard GDT. */
export function protMachine(cpl: number): ProtMachine {
  const m = makeMachine(cpl);
  const { cpu } = m;
  setGdt(m, 0x08, segDesc(0, 0xfffff, codeAccess(0)));
  setGdt(m, 0x10, segDesc(0, 0xfffff, dataAccess(0)));
  setGdt(m, 0x18, segDesc(0, 0xfffff, codeAccess(1)));
  setGdt(m, 0x20, segDesc(0, 0xfffff, dataAccess(1)));
  setGdt(m, 0x28, segDesc(0, 0xfffff, codeAccess(3)));
  setGdt(m, 0x30, segDesc(0, 0xfffff, dataAccess(3)));
  setGdt(m, 0x38, segDesc(TSS_BASE, 0x67, 0x89, 0)); // available 32-bit TSS
  cpu.gdtBase = GDT_BASE;
  cpu.gdtLimit = 0xff;
  m.memory.write32(TSS_BASE + 4, ESP0);
  m.memory.write32(TSS_BASE + 8, SEL.data0);
  m.memory.write32(TSS_BASE + 12, ESP1);
  m.memory.write32(TSS_BASE + 16, SEL.data1);
  cpu.trSel = SEL.tss;
  cpu.trBase = TSS_BASE;
  cpu.trLimit = 0x67;
  cpu.trAttr = descAttr(m.memory.read32(GDT_BASE + 0x3c) | (2 << 8));
  const code = [SEL.code0, SEL.code1, 0, SEL.code3][cpl]!;
  const data = [SEL.data0, SEL.data1, 0, SEL.data3][cpl]!;
  loadFromGdt(cpu, m, CS, code);
  for (const s of [SS, DS, ES, FS, GS]) loadFromGdt(cpu, m, s, data);
  cpu.setCpl(cpl);
  cpu.regs[ESP] = STACK;
  cpu.eip = CODE_AT;
  const faults: { vector: number; code: number }[] = [];
  const events: { vector: number; eip: number }[] = [];
  for (let v = 0; v < 256; v++) {
    cpu.faults.claim(v, (c) => {
      c.stop();
      return true;
    });
  }
  cpu.faults.observe((vector, code, _has, kind, eip) => {
    if (kind === EventKind.Exception) faults.push({ vector, code });
    else events.push({ vector, eip });
  });
  return { ...m, faults, events };
}

/** Put `bytes` at the current CS:EIP (CS base 0) and run `steps` instructions. */
export function exec(m: ProtMachine, bytes: readonly number[], steps = 1): void {
  m.memory.load((m.cpu.segBase[CS]! + m.cpu.eip) >>> 0, new Uint8Array(bytes));
  m.cpu.code.clear(); // the bytes were written behind the decoded-instruction cache
  m.cpu.run(steps);
}

/** Push 32-bit values on the current stack (first argument ends up highest). */
export function pushAll(m: ProtMachine, ...values: number[]): void {
  for (const v of values) m.cpu.push32(v);
}
