/**
 * The permission / Accessed-Dirty matrix, in the spirit of kvm-unit-tests' x86/access.c:
 * every relevant combination of entry flags × CR0.WP × CPL × access kind, each checked against
 * an oracle written here directly from the SDM's rules (Vol. 3A §4.3, §4.4, §4.6, §4.7, §4.8)
 * and the TLB contract of x86-core's translator.ts, never by asking the implementation.
 * Mismatches are collected and reported together so that ~140k cases stay fast.
 */
import {
  CR0_PG,
  CR0_WP,
  CR4_PAE,
  CR4_PSE,
  ControlRegisters,
  EFER_NXE,
  PhysicalMemory,
  TLB_SUP_EXEC,
  TLB_SUP_READ,
  TLB_SUP_WRITE,
  TLB_USER_EXEC,
  TLB_USER_READ,
  TLB_USER_WRITE,
} from "@littleguest/x86-core";
import { describe, expect, it } from "vitest";
import { PagingUnit } from "./paging-unit.js";

// Bits spelled out again from SDM Tables 4-4..4-11, not imported from the implementation.
const P = 1;
const RW = 2;
const US = 4;
const A = 0x20;
const D = 0x40;
const PS = 0x80;
const XD_HI = 0x80000000 | 0;
const ACCESS_NAMES = ["read", "write", "fetch"] as const;

interface Entry {
  lo: number;
  hi: number;
}
interface Outcome {
  fault: boolean;
  code: number;
  pa: number;
  entries: number[]; // low dwords after the access, in walk order (PDPTE excluded)
  tlb: number;
}
interface Case {
  wp: boolean;
  user: boolean;
  access: 0 | 1 | 2;
}

/** Expected TLB entry for a successful translation, per translator.ts. */
function expectedTlb(frame: number, userOk: boolean, writeOk: boolean, wp: boolean, nx: boolean, dirty: boolean): number {
  let bits = TLB_SUP_READ;
  if (userOk) bits |= TLB_USER_READ;
  if (!nx) bits |= TLB_SUP_EXEC | (userOk ? TLB_USER_EXEC : 0);
  if (dirty && (writeOk || !wp)) bits |= TLB_SUP_WRITE;
  if (dirty && writeOk && userOk) bits |= TLB_USER_WRITE;
  return (frame & ~0xfff) | bits;
}

/**
 * The SDM's rules, level by level: the first entry that is not present, or present with a
 * reserved bit, ends the walk; otherwise U/S and R/W of all levels are ANDed (§4.6), XD of
 * any level forbids fetches when NXE, and a successful access sets A in every level used and
 * D in the leaf on a write (§4.8). The error code is §4.7's.
 */
function oracle(
  levels: { e: Entry; reserved: boolean; leaf: boolean; rights: boolean }[],
  c: Case,
  frame: number,
  offset: number,
  pae: boolean,
  nxe: boolean,
): Outcome {
  const write = c.access === 1;
  const fetch = c.access === 2;
  const before = levels.filter((l) => l.rights).map((l) => l.e.lo);
  const baseCode = (write ? 2 : 0) | (c.user ? 4 : 0) | (fetch && pae && nxe ? 16 : 0);
  const fail = (code: number): Outcome => ({ fault: true, code, pa: -1, entries: before, tlb: 0 });
  const used: typeof levels = [];
  for (const l of levels) {
    if ((l.e.lo & P) === 0) return fail(baseCode);
    if (l.reserved) return fail(baseCode | 1 | 8);
    used.push(l);
    if (l.leaf) break;
  }
  const rights = used.filter((l) => l.rights);
  const userOk = rights.every((l) => (l.e.lo & US) !== 0);
  const writeOk = rights.every((l) => (l.e.lo & RW) !== 0);
  const nx = pae && nxe && rights.some((l) => (l.e.hi & XD_HI) !== 0);
  let denied = false;
  if (c.user && !userOk) denied = true;
  if (write && !writeOk && (c.user || c.wp)) denied = true;
  if (fetch && nx) denied = true;
  if (denied) return fail(baseCode | 1);
  const after = rights.map((l, i) => {
    let v = l.e.lo | A;
    if (i === rights.length - 1 && write) v |= D;
    return v;
  });
  const dirty = (after[after.length - 1]! & D) !== 0;
  return {
    fault: false,
    code: 0,
    pa: frame + offset,
    entries: after,
    tlb: expectedTlb(frame, userOk, writeOk, c.wp, nx, dirty),
  };
}

function* cases(): Generator<Case> {
  for (const wp of [false, true]) for (const user of [false, true]) for (const access of [0, 1, 2] as const) yield { wp, user, access };
}

/** Flag combinations over the given bits (every subset). */
function subsets(bits: number[]): number[] {
  const out: number[] = [];
  for (let m = 0; m < 1 << bits.length; m++) {
    let v = 0;
    for (let i = 0; i < bits.length; i++) if (m & (1 << i)) v |= bits[i]!;
    out.push(v);
  }
  return out;
}

function describeCase(mode: string, flags: string, c: Case): string {
  return `${mode} ${flags} wp=${+c.wp} ${c.user ? "user" : "sup"} ${ACCESS_NAMES[c.access]}`;
}

function compare(label: string, got: Outcome, want: Outcome, bad: string[]): void {
  const g = JSON.stringify(got);
  const w = JSON.stringify(want);
  if (g !== w && bad.length < 20) bad.push(`${label}\n  got  ${g}\n  want ${w}`);
}

describe("access matrix, 2-level paging (SDM §4.3)", () => {
  it("every PDE/PTE flag combination × WP × CPL × access → SDM outcome, error code, A/D and TLB", () => {
    const mem = new PhysicalMemory(8 << 20);
    const cr = new ControlRegisters();
    const unit = new PagingUnit(mem, cr);
    const PD = 0x1000;
    const PT = 0x2000;
    const linear = 0x00c03123; // PD index 3, PT index 3
    const pdeAt = PD + 3 * 4;
    const pteAt = PT + 3 * 4;
    const bad: string[] = [];
    let n = 0;
    const run = (pse: boolean, pde: number, pte: number, largeRsvd: boolean): void => {
      const large = (pde & PS) !== 0 && pse;
      for (const c of cases()) {
        mem.write32(pdeAt, pde);
        mem.write32(pteAt, pte);
        cr.cr0 = CR0_PG | (c.wp ? CR0_WP : 0);
        cr.cr3 = PD;
        cr.cr4 = pse ? CR4_PSE : 0;
        unit.flush(true);
        const pa = unit.translate(linear, c.access, c.user);
        const got: Outcome = {
          fault: pa < 0,
          code: pa < 0 ? unit.faultCode : 0,
          pa,
          entries: large ? [mem.read32(pdeAt)] : [mem.read32(pdeAt), mem.read32(pteAt)],
          tlb: unit.tlb[linear >>> 12]!,
        };
        const levels = large
          ? [{ e: { lo: pde, hi: 0 }, reserved: largeRsvd, leaf: true, rights: true }]
          : [
              { e: { lo: pde, hi: 0 }, reserved: false, leaf: false, rights: true },
              { e: { lo: pte, hi: 0 }, reserved: false, leaf: true, rights: true },
            ];
        const frame = large ? (pde & 0xffc00000) + (linear & 0x3ff000) : pte & ~0xfff;
        const want = oracle(levels, c, frame, linear & 0xfff, false, false);
        compare(describeCase(`pse=${+pse}`, `pde=${hex(pde)} pte=${hex(pte)}`, c), got, want, bad);
        n++;
      }
    };
    const pdeFlags = subsets([P, RW, US, A, D]);
    const pteFlags = subsets([P, RW, US, A, D]);
    for (const pse of [false, true]) {
      for (const ps of [0, PS]) {
        for (const f of pdeFlags) {
          if (pse && ps) {
            run(true, 0x00400000 | ps | f, 0, false);
            run(true, 0x00400000 | ps | f | (1 << 13), 0, true); // bit 13: reserved without PSE-36
            run(true, 0x00400000 | ps | f | (1 << 21), 0, true); // bit 21: reserved
          } else {
            for (const g of pteFlags) run(pse, PT | ps | f, 0x3000 | g, false);
          }
        }
      }
    }
    expect(bad).toEqual([]);
    expect(n).toBe(12 * (32 * 3 + 3 * 32 * 32));
  });
});

describe("access matrix, PAE paging (SDM §4.4)", () => {
  it("every PDE/PTE flag combination with XD × NXE × WP × CPL × access → SDM outcome", () => {
    const mem = new PhysicalMemory(8 << 20);
    const cr = new ControlRegisters();
    const unit = new PagingUnit(mem, cr);
    const PDPT = 0x1000;
    const PD = 0x2000;
    const PT = 0x3000;
    const linear = 0x40603123; // PDPT index 1, PD index 3, PT index 3
    const pdpteAt = PDPT + 1 * 8;
    const pdeAt = PD + 3 * 8;
    const pteAt = PT + 3 * 8;
    const bad: string[] = [];
    let n = 0;
    const run = (nxe: boolean, pdpte: Entry, pde: Entry, pte: Entry, rsvd: [boolean, boolean, boolean]): void => {
      const large = (pde.lo & PS) !== 0;
      for (const c of cases()) {
        mem.write32(pdpteAt, pdpte.lo);
        mem.write32(pdpteAt + 4, pdpte.hi);
        mem.write32(pdeAt, pde.lo);
        mem.write32(pdeAt + 4, pde.hi);
        mem.write32(pteAt, pte.lo);
        mem.write32(pteAt + 4, pte.hi);
        cr.cr0 = CR0_PG | (c.wp ? CR0_WP : 0);
        cr.cr3 = PDPT;
        cr.cr4 = CR4_PAE;
        cr.efer = nxe ? EFER_NXE : 0;
        unit.flush(true);
        const pa = unit.translate(linear, c.access, c.user);
        const got: Outcome = {
          fault: pa < 0,
          code: pa < 0 ? unit.faultCode : 0,
          pa,
          entries: large ? [mem.read32(pdeAt)] : [mem.read32(pdeAt), mem.read32(pteAt)],
          tlb: unit.tlb[linear >>> 12]!,
        };
        const levels = [
          { e: pdpte, reserved: rsvd[0], leaf: false, rights: false },
          { e: pde, reserved: rsvd[1], leaf: large, rights: true },
          ...(large ? [] : [{ e: pte, reserved: rsvd[2], leaf: true, rights: true }]),
        ];
        const frame = large ? (pde.lo & 0xffe00000) + (linear & 0x1ff000) : pte.lo & ~0xfff;
        const want = oracle(levels, c, frame, linear & 0xfff, true, nxe);
        compare(
          describeCase(`nxe=${+nxe}`, `pdpte=${hex(pdpte.lo)} pde=${hex(pde.hi)}:${hex(pde.lo)} pte=${hex(pte.hi)}:${hex(pte.lo)}`, c),
          got,
          want,
          bad,
        );
        n++;
      }
    };
    const present = { lo: PD | P, hi: 0 };
    const lows = subsets([P, RW, US, A, D]);
    for (const nxe of [false, true]) {
      // Without NXE bit 63 is reserved; with NXE it is XD (§4.4.2, Table 4-11).
      const xdReserved = !nxe;
      for (const fl of lows) {
        for (const xd of [0, XD_HI]) {
          const pde = { lo: PT | fl, hi: xd };
          for (const gl of lows) {
            for (const xd2 of [0, XD_HI]) {
              run(nxe, present, pde, { lo: 0x3000 | gl, hi: xd2 }, [false, xd !== 0 && xdReserved, xd2 !== 0 && xdReserved]);
            }
          }
          // 2 MiB pages, with and without reserved bit 13 (bits 20:13 are reserved).
          run(nxe, present, { lo: 0x00200000 | PS | fl, hi: xd }, { lo: 0, hi: 0 }, [false, xd !== 0 && xdReserved, false]);
          run(nxe, present, { lo: 0x00200000 | PS | fl | (1 << 13), hi: xd }, { lo: 0, hi: 0 }, [false, true, false]);
        }
        // Bit 36 (beyond MAXPHYADDR 36) in a present PDE or PTE is reserved.
        run(nxe, present, { lo: PT | fl, hi: 0x10 }, { lo: 0x3000 | P | RW | US, hi: 0 }, [false, true, false]);
        run(nxe, present, { lo: PT | P | RW | US, hi: 0 }, { lo: 0x3000 | fl, hi: 0x10 }, [false, false, true]);
      }
      // PDPTE: not present; reserved bit 1 (R/W does not exist there); bit 63 (never XD there).
      run(nxe, { lo: PD, hi: 0 }, { lo: PT | P, hi: 0 }, { lo: 0x3000 | P, hi: 0 }, [false, false, false]);
      run(nxe, { lo: PD | P | RW, hi: 0 }, { lo: PT | P, hi: 0 }, { lo: 0x3000 | P, hi: 0 }, [true, false, false]);
      run(nxe, { lo: PD | P, hi: XD_HI }, { lo: PT | P, hi: 0 }, { lo: 0x3000 | P, hi: 0 }, [true, false, false]);
    }
    expect(bad).toEqual([]);
    expect(n).toBe(12 * 2 * (32 * 2 * (32 * 2 + 2) + 32 * 2 + 3));
  });
});

function hex(v: number): string {
  return (v >>> 0).toString(16);
}
