/**
 * Segment descriptors: decoding, the hidden-cache attribute word, and the
 * checks of loading a data or stack segment register.
 *
 * Reference: SDM Vol. 3A §3.4.5 (segment descriptors), §3.4.5.1 (type field),
 * §5.5–5.7 (privilege checks for data and stack segments), Vol. 2B MOV/POP
 * "Operation" (the #GP/#SS/#NP error codes of segment loads).
 *
 * The hidden cache keeps an attribute word: bits 7..0 the descriptor's access
 * byte (type, S, DPL, P), bits 11..8 its flags nibble (AVL, L, D/B, G), and
 * ATTR_VALID when a non-null selector was loaded.
 */
import type { Cpu } from "../cpu/cpu.js";
import { NP, SS_VEC } from "../cpu/vectors.js";
import { SS } from "../cpu/registers.js";

export { ATTR_B, ATTR_CODE, ATTR_G, ATTR_P, ATTR_S, ATTR_VALID, SEG_READ_FAST, SEG_WRITE_FAST } from "./segment-bits.js";
import { ATTR_B, ATTR_CODE, ATTR_G, ATTR_P, ATTR_S, ATTR_VALID, SEG_READ_FAST, SEG_WRITE_FAST } from "./segment-bits.js";

/** Attribute word of a flat 32-bit code (`code`) or data segment with the given DPL, accessed and present. */
export function flatAttr(code: boolean, dpl: number): number {
  const access = (code ? 0x9b : 0x93) | (dpl << 5);
  return access | ATTR_B | ATTR_G | ATTR_VALID;
}

/** Which accesses to a segment can skip checks: flat (limit 4 GiB, expand-up) and permitted. */
export function segFastBits(_base: number, limit: number, attr: number): number {
  if ((attr & ATTR_VALID) === 0 || (attr & ATTR_P) === 0 || limit !== -1) return 0;
  const type = attr & 0xf;
  if (attr & ATTR_CODE) return type & 2 ? SEG_READ_FAST : 0;
  if (type & 4) return 0;
  return type & 2 ? SEG_READ_FAST | SEG_WRITE_FAST : SEG_READ_FAST;
}

/** Base of a descriptor (lo, hi dwords). */
export function descBase(lo: number, hi: number): number {
  return ((lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000)) | 0;
}

/** Byte-granular limit of a descriptor, as int32 (G applied). */
export function descLimit(lo: number, hi: number): number {
  let limit = (lo & 0xffff) | (hi & 0xf0000);
  if (hi & (1 << 23)) limit = (limit << 12) | 0xfff;
  return limit | 0;
}

/** Attribute word of a descriptor for the hidden cache (ATTR_VALID included). */
export function descAttr(hi: number): number {
  return ((hi >>> 8) & 0xff) | (((hi >>> 20) & 0xf) << 8) | ATTR_VALID;
}

/**
 * Read the descriptor that `selector` names into `cpu.descLo/descHi/descAddr`.
 * @returns false (with no fault raised) when the selector lies outside the
 *   GDT/LDT limit, so callers raise the error their instruction defines; a
 *   page fault while reading is raised and also returns false.
 */
export function readDescriptor(cpu: Cpu, selector: number): boolean {
  const index = selector & 0xfff8;
  let base: number;
  let limit: number;
  if (selector & 4) {
    if (cpu.ldtSel & 0xfffc) {
      base = cpu.ldtBase;
      limit = cpu.ldtLimit >>> 0;
    } else return false;
  } else {
    base = cpu.gdtBase;
    limit = cpu.gdtLimit >>> 0;
  }
  if (index + 7 > limit) return false;
  const addr = (base + index) | 0;
  const lo = cpu.readSys32(addr);
  if (cpu.fault) return false;
  const hi = cpu.readSys32((addr + 4) | 0);
  if (cpu.fault) return false;
  cpu.descLo = lo;
  cpu.descHi = hi;
  cpu.descAddr = addr;
  return true;
}

/** Set the Accessed bit of the descriptor last read, in memory, if it is clear. */
export function markAccessed(cpu: Cpu): void {
  if ((cpu.descHi & (1 << 8)) === 0) {
    cpu.descHi |= 1 << 8;
    cpu.writeSys((cpu.descAddr + 5) | 0, 1, (cpu.descHi >>> 8) & 0xff);
  }
}

/**
 * Load a data segment register (DS/ES/FS/GS) or SS with `selector`, with all
 * protected-mode checks. Raises the architectural fault and returns false on
 * failure; the register is unchanged then.
 */
export function loadSegment(cpu: Cpu, seg: number, selector: number): boolean {
  selector &= 0xffff;
  const rpl = selector & 3;
  const err = selector & 0xfffc;
  if ((cpu.control.cr0 & 1) === 0) {
    cpu.setSegmentCache(seg, selector, selector << 4, cpu.segLimit[seg]!, cpu.segAttr[seg]!);
    return true;
  }
  if ((selector & 0xfffc) === 0) {
    if (seg === SS) {
      cpu.gp(0);
      return false;
    }
    cpu.setSegmentCache(seg, selector, 0, 0, 0);
    return true;
  }
  if (!readDescriptor(cpu, selector)) {
    if (!cpu.fault) cpu.gp(err);
    return false;
  }
  const hi = cpu.descHi;
  const attr = descAttr(hi);
  const dpl = (attr >> 5) & 3;
  const type = attr & 0xf;
  const isSystem = (attr & ATTR_S) === 0;
  const isCode = (attr & ATTR_CODE) !== 0;
  if (seg === SS) {
    if (rpl !== cpu.cpl || dpl !== cpu.cpl || isSystem || isCode || (type & 2) === 0) {
      cpu.gp(err);
      return false;
    }
    if ((attr & ATTR_P) === 0) {
      cpu.raise(SS_VEC, err, true);
      return false;
    }
  } else {
    if (isSystem || (isCode && (type & 2) === 0)) {
      cpu.gp(err);
      return false;
    }
    const conforming = isCode && (type & 4) !== 0;
    if (!conforming && (rpl > dpl || cpu.cpl > dpl)) {
      cpu.gp(err);
      return false;
    }
    if ((attr & ATTR_P) === 0) {
      cpu.raise(NP, err, true);
      return false;
    }
  }
  markAccessed(cpu);
  if (cpu.fault) return false;
  cpu.setSegmentCache(seg, selector, descBase(cpu.descLo, hi), descLimit(cpu.descLo, hi), descAttr(cpu.descHi));
  return true;
}

/**
 * After a return to an outer privilege level, segment registers that the new
 * CPL may not use are nulled (SDM IRET/RET "Operation": data or non-conforming
 * code segments with DPL < CPL).
 */
export function nullInaccessibleSegments(cpu: Cpu): void {
  for (const seg of OUTER_SEGS) {
    const attr = cpu.segAttr[seg]!;
    if ((attr & ATTR_VALID) === 0) continue;
    const dpl = (attr >> 5) & 3;
    const conformingCode = (attr & ATTR_CODE) !== 0 && (attr & 4) !== 0;
    if (!conformingCode && dpl < cpu.cpl) cpu.setSegmentCache(seg, 0, 0, 0, 0);
  }
}

const OUTER_SEGS = [0, 3, 4, 5] as const;
