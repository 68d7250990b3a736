/**
 * Loading LDTR and TR, and the descriptor queries LAR, LSL, VERR and VERW.
 *
 * Reference: SDM Vol. 2A LAR, LLDT; Vol. 2B LSL, LTR, VERR/VERW "Operation";
 * Vol. 3A §3.5 (system descriptor types, Table 3-2), §7.2.2 (TSS descriptor,
 * busy bit), §5.10.2 (LAR/LSL/VERR/VERW: checking access rights without a
 * fault). The queries never fault on a bad selector: they answer through ZF.
 * They do fault, as any memory access does, if reading the table itself
 * takes a page fault.
 */
import type { Cpu } from "../cpu/cpu.js";
import { NP } from "../cpu/vectors.js";
import { ATTR_CODE, ATTR_P, ATTR_S, descAttr, descBase, descLimit, readDescriptor } from "./descriptor.js";

/** System descriptor type: LDT. */
export const TYPE_LDT = 0x2;
/** System descriptor type: available 16-bit TSS. */
export const TYPE_TSS16 = 0x1;
/** System descriptor type: available 32-bit TSS. */
export const TYPE_TSS32 = 0x9;
/** Bit that marks a TSS descriptor busy. */
const TSS_BUSY = 0x2;

/** System types LAR reports (TSSs, LDT, call gates, task gate). */
const LAR_SYSTEM = (1 << 1) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 9) | (1 << 11) | (1 << 12);
/** System types LSL reports (TSSs and LDT: the ones that have a limit). */
const LSL_SYSTEM = (1 << 1) | (1 << 2) | (1 << 3) | (1 << 9) | (1 << 11);

/** Read a GDT-only system descriptor for LLDT/LTR; raises #GP(selector) when out of range or in the LDT. */
function readGdtOnly(c: Cpu, selector: number): boolean {
  if ((selector & 4) !== 0 || !readDescriptor(c, selector)) {
    if (!c.fault) c.gp(selector & 0xfffc);
    return false;
  }
  return true;
}

/** LLDT: load LDTR from a GDT LDT descriptor; a null selector leaves the LDT unusable. */
export function loadLdtr(c: Cpu, selector: number): void {
  selector &= 0xffff;
  if ((selector & 0xfffc) === 0) {
    c.ldtSel = selector;
    c.ldtBase = 0;
    c.ldtLimit = 0;
    return;
  }
  if (!readGdtOnly(c, selector)) return;
  const attr = descAttr(c.descHi);
  if ((attr & ATTR_S) !== 0 || (attr & 0xf) !== TYPE_LDT) {
    c.gp(selector & 0xfffc);
    return;
  }
  if ((attr & ATTR_P) === 0) {
    c.raise(NP, selector & 0xfffc, true);
    return;
  }
  c.ldtSel = selector;
  c.ldtBase = descBase(c.descLo, c.descHi);
  c.ldtLimit = descLimit(c.descLo, c.descHi);
}

/** LTR: load TR from an available TSS descriptor in the GDT and mark it busy there. */
export function loadTr(c: Cpu, selector: number): void {
  selector &= 0xffff;
  if ((selector & 0xfffc) === 0) {
    c.gp(0);
    return;
  }
  if (!readGdtOnly(c, selector)) return;
  const attr = descAttr(c.descHi);
  const type = attr & 0xf;
  if ((attr & ATTR_S) !== 0 || (type !== TYPE_TSS32 && type !== TYPE_TSS16)) {
    c.gp(selector & 0xfffc);
    return;
  }
  if ((attr & ATTR_P) === 0) {
    c.raise(NP, selector & 0xfffc, true);
    return;
  }
  const hi = c.descHi | (TSS_BUSY << 8);
  c.writeSys((c.descAddr + 5) | 0, 1, (hi >>> 8) & 0xff);
  if (c.fault) return;
  c.trSel = selector;
  c.trBase = descBase(c.descLo, hi);
  c.trLimit = descLimit(c.descLo, hi);
  c.trAttr = descAttr(hi);
}

/**
 * Read the descriptor a query names and apply the common visibility rule:
 * null or out-of-range selectors fail; so do segments other than conforming
 * code whose DPL is below CPL or RPL. `systemTypes` lists the system types
 * the query accepts (a bit per type). Fills `c.descLo/descHi`.
 */
function queryable(c: Cpu, selector: number, systemTypes: number): boolean {
  if ((selector & 0xfffc) === 0 || !readDescriptor(c, selector)) return false;
  const attr = descAttr(c.descHi);
  if ((attr & ATTR_S) === 0) {
    if (((systemTypes >> (attr & 0xf)) & 1) === 0) return false;
  } else if ((attr & ATTR_CODE) !== 0 && (attr & 4) !== 0) return true;
  const dpl = (attr >> 5) & 3;
  return dpl >= c.cpl && dpl >= (selector & 3);
}

/** LAR: the access-rights dword (descriptor high dword & 0x00FFFF00), or null when ZF would be 0. */
export function accessRights(c: Cpu, selector: number): number | null {
  if (!queryable(c, selector & 0xffff, LAR_SYSTEM)) return null;
  return c.descHi & 0x00ffff00;
}

/** LSL: the byte-granular segment limit, or null when ZF would be 0. */
export function segmentLimit(c: Cpu, selector: number): number | null {
  if (!queryable(c, selector & 0xffff, LSL_SYSTEM)) return null;
  return descLimit(c.descLo, c.descHi);
}

/** VERR (`write` false) / VERW (`write` true): whether the segment is readable/writable from here. */
export function verifySegment(c: Cpu, selector: number, write: boolean): boolean {
  if (!queryable(c, selector & 0xffff, 0)) return false;
  const attr = descAttr(c.descHi);
  const code = (attr & ATTR_CODE) !== 0;
  if (write) return !code && (attr & 2) !== 0;
  return !code || (attr & 2) !== 0;
}
