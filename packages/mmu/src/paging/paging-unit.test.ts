import {
  CR0_PG,
  CR0_WP,
  CR4_PAE,
  CR4_PGE,
  CR4_PSE,
  ControlRegisters,
  PF_P,
  PF_RSVD,
  PF_U,
  PhysicalMemory,
  TLB_ALL,
  TLB_SUP_EXEC,
  TLB_SUP_READ,
  TLB_SUP_WRITE,
  TLB_USER_WRITE,
} from "@littleguest/x86-core";
import { describe, expect, it } from "vitest";
import { PagingUnit } from "./paging-unit.js";

// Entry bits from SDM Vol. 3A Table 4-6.
const P = 1;
const RW = 2;
const US = 4;
const A = 0x20;
const D = 0x40;
const PS = 0x80;
const G = 0x100;
const READ = 0;
const WRITE = 1;

/** 8 MiB of RAM, PD at 0x1000, PT at 0x2000 for linear 0x00000000-0x003FFFFF. */
function machine() {
  const mem = new PhysicalMemory(8 << 20);
  const cr = new ControlRegisters();
  const unit = new PagingUnit(mem, cr);
  mem.write32(0x1000, 0x2000 | P | RW | US);
  cr.cr3 = 0x1000;
  cr.cr0 = CR0_PG | CR0_WP;
  const map = (linear: number, pte: number): void => mem.write32(0x2000 + ((linear >>> 12) & 0x3ff) * 4, pte);
  return { mem, cr, unit, map };
}

describe("PagingUnit", () => {
  it("CR0.PG = 0 → linear = physical, RAM pages cached with every permission", () => {
    const { cr, unit } = machine();
    cr.cr0 = 0;
    expect(unit.translate(0x12345, WRITE, true)).toBe(0x12345);
    expect(unit.tlb[0x12]).toBe(0x12000 | TLB_ALL);
    expect(unit.translate(0xfee00010, READ, false)).toBe(0xfee00010);
    expect(unit.tlb[0xfee00]).toBe(0); // beyond RAM: open bus, never cached
  });

  it("4 KiB page → frame from the PTE plus the offset (SDM §4.3, Figure 4-2)", () => {
    const { unit, map } = machine();
    map(0x5000, 0x7000 | P | RW | US);
    expect(unit.translate(0x5abc, READ, true)).toBe(0x7abc);
  });

  it("PDE.PS with CR4.PSE → 4 MiB page, one memory reference (SDM §4.3, Figure 4-3)", () => {
    const { mem, cr, unit } = machine();
    cr.cr4 = CR4_PSE;
    mem.write32(0x1000 + 1 * 4, 0x00400000 | PS | P | RW);
    expect(unit.translate(0x00654321, READ, false)).toBe(0x00654321);
    expect(unit.lastWalkRefs).toBe(1);
  });

  it("PDE.PS without CR4.PSE → PS ignored, the PDE points to a page table (SDM Table 4-5)", () => {
    const { mem, unit } = machine();
    mem.write32(0x1000 + 1 * 4, 0x3000 | PS | P | RW);
    mem.write32(0x3000 + 0x254 * 4, 0x9000 | P);
    expect(unit.translate(0x00654321, READ, false)).toBe(0x9321);
    expect(unit.lastWalkRefs).toBe(2);
  });

  it("page directory beyond RAM → open-bus entries: a 4 MiB PDE with reserved bits → RSVD", () => {
    const { cr, unit } = machine();
    cr.cr3 = 0x10000000 | 0;
    cr.cr4 = CR4_PSE;
    expect(unit.translate(0x1000, READ, true)).toBe(-1);
    expect(unit.faultCode).toBe(PF_P | PF_RSVD | PF_U);
  });

  it("frame beyond RAM → the address is returned but never cached", () => {
    const { unit, map } = machine();
    map(0x5000, 0x10000000 | P | RW | A | D);
    expect(unit.translate(0x5010, WRITE, false)).toBe(0x10000010);
    expect(unit.tlb[5]).toBe(0);
    expect(unit.stats.fills).toBe(0);
  });

  it("PAE frame above 4 GiB (MAXPHYADDR 36) → a 36-bit address, not cached", () => {
    const mem = new PhysicalMemory(8 << 20);
    const cr = new ControlRegisters();
    const unit = new PagingUnit(mem, cr);
    cr.cr0 = CR0_PG;
    cr.cr4 = CR4_PAE;
    cr.cr3 = 0x1000;
    mem.write32(0x1000, 0x2000 | P);
    mem.write32(0x2000, 0x3000 | P | RW);
    mem.write32(0x3000 + 5 * 8, 0x7000 | P | RW);
    mem.write32(0x3000 + 5 * 8 + 4, 0x3); // bits 33:32
    expect(unit.translate(0x5123, READ, false)).toBe(3 * 2 ** 32 + 0x7123);
    expect(unit.tlb[5]).toBe(0);
    expect(unit.lastWalkRefs).toBe(2); // PDE + PTE; the PDPTE is a register on real CPUs
  });

  it("PAE page table above 4 GiB → open bus (all ones) → reserved bits → RSVD", () => {
    const mem = new PhysicalMemory(8 << 20);
    const cr = new ControlRegisters();
    const unit = new PagingUnit(mem, cr);
    cr.cr0 = CR0_PG;
    cr.cr4 = CR4_PAE;
    cr.cr3 = 0x1000;
    mem.write32(0x1000, 0x2000 | P);
    mem.write32(0x2000, 0x3000 | P | RW);
    mem.write32(0x2004, 0x1);
    expect(unit.translate(0x5123, READ, false)).toBe(-1);
    expect(unit.faultCode).toBe(PF_P | PF_RSVD);
  });

  it("G with CR4.PGE → survives flush(false), dropped by flush(true) (SDM §4.10.4.1)", () => {
    const { cr, unit, map } = machine();
    cr.cr4 = CR4_PGE;
    map(0x5000, 0x7000 | P | G);
    map(0x6000, 0x8000 | P);
    unit.translate(0x5000, READ, false);
    unit.translate(0x6000, READ, false);
    unit.flush(false);
    expect([unit.tlb[5] !== 0, unit.tlb[6]]).toEqual([true, 0]);
    unit.flush(true);
    expect(unit.tlb[5]).toBe(0);
    expect([unit.stats.flushes, unit.stats.globalFlushes]).toEqual([1, 1]);
  });

  it("G without CR4.PGE → dropped by flush(false)", () => {
    const { unit, map } = machine();
    map(0x5000, 0x7000 | P | G);
    unit.translate(0x5000, READ, false);
    unit.flush(false);
    expect(unit.tlb[5]).toBe(0);
  });

  it("invlpg → drops that page's entry only, global or not", () => {
    const { cr, unit, map } = machine();
    cr.cr4 = CR4_PGE;
    map(0x5000, 0x7000 | P | G);
    map(0x6000, 0x8000 | P);
    unit.translate(0x5000, READ, false);
    unit.translate(0x6000, READ, false);
    unit.invlpg(0x5fff);
    expect([unit.tlb[5], unit.tlb[6] !== 0, unit.stats.invlpgs]).toEqual([0, true, 1]);
    unit.flush(false); // the invalidated global slot must not come back
    expect(unit.tlb[5]).toBe(0);
  });

  it("#PF on a page → its cached entry is dropped (SDM §4.10.4.1)", () => {
    const { unit, map } = machine();
    map(0x5000, 0x7000 | P); // supervisor-only
    unit.translate(0x5000, READ, false);
    expect(unit.tlb[5]).toBe(0x7000 | TLB_SUP_READ | TLB_SUP_EXEC);
    expect(unit.translate(0x5000, READ, true)).toBe(-1);
    expect(unit.tlb[5]).toBe(0);
  });

  it("watchWrites → write bits withheld while watched, granted again after", () => {
    const { unit, map } = machine();
    map(0x5000, 0x7000 | P | RW | US);
    unit.translate(0x5000, WRITE, true);
    expect(unit.tlb[5]! & (TLB_SUP_WRITE | TLB_USER_WRITE)).toBe(TLB_SUP_WRITE | TLB_USER_WRITE);
    unit.watchWrites(7, true);
    expect(unit.tlb[5]! & (TLB_SUP_WRITE | TLB_USER_WRITE)).toBe(0);
    expect(unit.translate(0x5004, WRITE, true)).toBe(0x7004); // the write itself is allowed
    expect(unit.tlb[5]! & (TLB_SUP_WRITE | TLB_USER_WRITE)).toBe(0);
    unit.watchWrites(7, false);
    unit.translate(0x5004, WRITE, true);
    expect(unit.tlb[5]! & (TLB_SUP_WRITE | TLB_USER_WRITE)).toBe(TLB_SUP_WRITE | TLB_USER_WRITE);
  });

  it("stats → misses, walks, walk references, fills and faults add up", () => {
    const { unit, map } = machine();
    map(0x5000, 0x7000 | P | RW | US);
    unit.translate(0x5000, READ, true); // walk: 2 refs, fill
    unit.translate(0x6000, READ, true); // walk: 2 refs, not present
    expect(unit.stats).toEqual({
      misses: 2,
      walks: 2,
      walkRefs: 4,
      fills: 1,
      flushes: 0,
      globalFlushes: 0,
      invlpgs: 0,
      faults: 1,
    });
  });
});
