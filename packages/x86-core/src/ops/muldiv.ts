/**
 * Group 3 (TEST NOT NEG MUL IMUL DIV IDIV on Eb/Ev) and the two- and
 * three-operand IMUL forms.
 *
 * Reference: SDM Vol. 2A "DIV", "IDIV", "IMUL", "MUL"; Vol. 2B "NEG", "NOT",
 * "TEST"; Vol. 3A §6.15 "Interrupt 0—Divide Error Exception (#DE)".
 * F6/F7 /1 is an undocumented alias of /0 (TEST) on every IA-32 CPU.
 *
 * Undefined flags, chosen to match QEMU (TCG, checked with qemu-i386 7.2):
 * - MUL/IMUL: SF, ZF and PF follow the low half of the product (truncated to
 *   the operand size), AF is cleared; CF = OF as the SDM defines them.
 * - DIV/IDIV leave every flag unchanged.
 * - IDIV accepts the most negative quotient (-128, -32768, -2^31): only a
 *   quotient outside the signed range raises #DE.
 */
import type { Cpu } from "../cpu/cpu.js";
import { AF, CF, LF_LOGIC, LF_SUB, OF, PF, SF, ZF } from "../cpu/eflags.js";
import { EAX, EDX } from "../cpu/registers.js";
import { DE } from "../cpu/vectors.js";
import type { Insn } from "../decoder/insn.js";
import { group, Imm, row2, type OpRow, type RowMap } from "../decoder/table-types.js";
import {
  readE8,
  readE16,
  readE32,
  rmwReadE8,
  rmwReadE16,
  rmwReadE32,
  rmwWriteE8,
  rmwWriteE16,
  rmwWriteE32,
  setR16,
} from "./operands.js";

/*C:520 JavaScript numbers are doubles, exact only up to 2^53, and the
 * 32-bit MUL and DIV work on 64-bit quantities. BigInt would be exact but
 * allocates on every call, which the per-instruction path must not do. So we
 * do what a schoolchild does with long multiplication, in base 2^16: every
 * partial product is below 2^32 and every partial sum below 2^34, all exact.
 * Division runs the other way: EDX:EAX is divided in two 16-bit steps, each
 * dividing a number below 2^48 by the 32-bit divisor. The quotient digit is
 * below 2^16, so the one rounding of `t / d` cannot cross an integer (the
 * gap to the next integer is at least 1/d, far above the rounding error),
 * and Math.floor gives the exact digit. The high dword of the product and
 * the remainder come back through module scratch variables, not objects. :*/

/** High dword of the last {@link mulU32}/{@link mulS32} product (int32). */
let mulHi = 0;
/** Remainder of the last {@link divU64} (as a non-negative number). */
let divRem = 0;

/** Unsigned 32x32 multiply: returns the low dword (int32), the high dword in `mulHi`. */
function mulU32(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const mid = a1 * b0 + a0 * b1 + Math.floor((a0 * b0) / 65536);
  mulHi = (a1 * b1 + Math.floor(mid / 65536)) | 0;
  return Math.imul(a, b);
}

/** Signed 32x32 multiply: the unsigned product, corrected for negative factors. */
function mulS32(a: number, b: number): number {
  const lo = mulU32(a, b);
  let hi = mulHi;
  if (a < 0) hi -= b;
  if (b < 0) hi -= a;
  mulHi = hi | 0;
  return lo;
}

/**
 * Divide the unsigned 64-bit `hi`:`lo` by `d` (all unsigned numbers, hi < d
 * so the quotient fits 32 bits). Returns the quotient; remainder in `divRem`.
 */
function divU64(hi: number, lo: number, d: number): number {
  let t = hi * 65536 + (lo >>> 16);
  const q1 = Math.floor(t / d);
  t = (t - q1 * d) * 65536 + (lo & 0xffff);
  const q0 = Math.floor(t / d);
  divRem = t - q0 * d;
  return q1 * 65536 + q0;
}

/** Flags of a multiply: CF = OF = `overflow`; SF/ZF/PF from the low half `low`; AF clear. */
function mulFlags(c: Cpu, low: number, bits: number, overflow: boolean): void {
  c.setLazy(LF_LOGIC, 0, 0, low, bits);
  c.lfMask = SF | ZF | PF | AF;
  c.flags = (c.flags & ~(CF | OF)) | (overflow ? CF | OF : 0);
}

function divideError(c: Cpu): void {
  c.raise(DE, 0, false);
}

// ------------------------------------------------------------ TEST NOT NEG

export function test_EbIb(c: Cpu, i: Insn): void {
  const a = readE8(c, i);
  if (!c.fault) c.setLazy(LF_LOGIC, a, i.imm, a & i.imm & 0xff, 7);
}
export function test_EwIw(c: Cpu, i: Insn): void {
  const a = readE16(c, i);
  if (!c.fault) c.setLazy(LF_LOGIC, a, i.imm, a & i.imm & 0xffff, 15);
}
export function test_EdId(c: Cpu, i: Insn): void {
  const a = readE32(c, i);
  if (!c.fault) c.setLazy(LF_LOGIC, a, i.imm, a & i.imm, 31);
}

export function not_Eb(c: Cpu, i: Insn): void {
  const v = rmwReadE8(c, i);
  if (!c.fault) rmwWriteE8(c, i, ~v);
}
export function not_Ew(c: Cpu, i: Insn): void {
  const v = rmwReadE16(c, i);
  if (!c.fault) rmwWriteE16(c, i, ~v);
}
export function not_Ed(c: Cpu, i: Insn): void {
  const v = rmwReadE32(c, i);
  if (!c.fault) rmwWriteE32(c, i, ~v);
}

// NEG is SUB from zero: CF = (source != 0) falls out of the LF_SUB borrow rule.
export function neg_Eb(c: Cpu, i: Insn): void {
  const v = rmwReadE8(c, i);
  if (c.fault) return;
  const r = -v | 0;
  c.setLazy(LF_SUB, 0, v, r, 7);
  rmwWriteE8(c, i, r);
}
export function neg_Ew(c: Cpu, i: Insn): void {
  const v = rmwReadE16(c, i);
  if (c.fault) return;
  const r = -v | 0;
  c.setLazy(LF_SUB, 0, v, r, 15);
  rmwWriteE16(c, i, r);
}
export function neg_Ed(c: Cpu, i: Insn): void {
  const v = rmwReadE32(c, i);
  if (c.fault) return;
  const r = -v | 0;
  c.setLazy(LF_SUB, 0, v, r, 31);
  rmwWriteE32(c, i, r);
}

// ------------------------------------------------------------ MUL IMUL (one operand)

export function mul_Eb(c: Cpu, i: Insn): void {
  const v = readE8(c, i);
  if (c.fault) return;
  const p = (c.regs[EAX]! & 0xff) * v;
  setR16(c, EAX, p);
  mulFlags(c, p, 7, p > 0xff);
}
export function mul_Ew(c: Cpu, i: Insn): void {
  const v = readE16(c, i);
  if (c.fault) return;
  const p = (c.regs[EAX]! & 0xffff) * v;
  setR16(c, EAX, p);
  setR16(c, EDX, p >>> 16);
  mulFlags(c, p, 15, p > 0xffff);
}
export function mul_Ed(c: Cpu, i: Insn): void {
  const v = readE32(c, i);
  if (c.fault) return;
  const lo = mulU32(c.regs[EAX]!, v);
  c.regs[EAX] = lo;
  c.regs[EDX] = mulHi;
  mulFlags(c, lo, 31, mulHi !== 0);
}

export function imul_Eb(c: Cpu, i: Insn): void {
  const v = readE8(c, i);
  if (c.fault) return;
  const p = ((c.regs[EAX]! << 24) >> 24) * ((v << 24) >> 24);
  setR16(c, EAX, p);
  mulFlags(c, p, 7, p !== (p << 24) >> 24);
}
export function imul_Ew(c: Cpu, i: Insn): void {
  const v = readE16(c, i);
  if (c.fault) return;
  const p = ((c.regs[EAX]! << 16) >> 16) * ((v << 16) >> 16);
  setR16(c, EAX, p);
  setR16(c, EDX, p >> 16);
  mulFlags(c, p, 15, p !== (p << 16) >> 16);
}
export function imul_Ed(c: Cpu, i: Insn): void {
  const v = readE32(c, i);
  if (c.fault) return;
  const lo = mulS32(c.regs[EAX]!, v);
  c.regs[EAX] = lo;
  c.regs[EDX] = mulHi;
  mulFlags(c, lo, 31, mulHi !== lo >> 31);
}

// ------------------------------------------------------------ DIV IDIV

export function div_Eb(c: Cpu, i: Insn): void {
  const d = readE8(c, i);
  if (c.fault) return;
  if (d === 0) {
    divideError(c);
    return;
  }
  const n = c.regs[EAX]! & 0xffff;
  const q = Math.floor(n / d);
  if (q > 0xff) {
    divideError(c);
    return;
  }
  setR16(c, EAX, ((n - q * d) << 8) | q);
}
export function div_Ew(c: Cpu, i: Insn): void {
  const d = readE16(c, i);
  if (c.fault) return;
  if (d === 0) {
    divideError(c);
    return;
  }
  const n = (((c.regs[EDX]! & 0xffff) << 16) | (c.regs[EAX]! & 0xffff)) >>> 0;
  const q = Math.floor(n / d);
  if (q > 0xffff) {
    divideError(c);
    return;
  }
  setR16(c, EAX, q);
  setR16(c, EDX, n - q * d);
}
export function div_Ed(c: Cpu, i: Insn): void {
  const v = readE32(c, i);
  if (c.fault) return;
  const d = v >>> 0;
  const hi = c.regs[EDX]! >>> 0;
  if (hi >= d) {
    divideError(c);
    return;
  } // also d = 0
  const q = divU64(hi, c.regs[EAX]! >>> 0, d);
  c.regs[EAX] = q | 0;
  c.regs[EDX] = divRem | 0;
}

export function idiv_Eb(c: Cpu, i: Insn): void {
  const v = readE8(c, i);
  if (c.fault) return;
  if (v === 0) {
    divideError(c);
    return;
  }
  const d = (v << 24) >> 24;
  const n = (c.regs[EAX]! << 16) >> 16;
  const q = Math.trunc(n / d);
  if (q > 127 || q < -128) {
    divideError(c);
    return;
  }
  setR16(c, EAX, ((n - q * d) << 8) | (q & 0xff));
}
export function idiv_Ew(c: Cpu, i: Insn): void {
  const v = readE16(c, i);
  if (c.fault) return;
  if (v === 0) {
    divideError(c);
    return;
  }
  const d = (v << 16) >> 16;
  const n = (c.regs[EDX]! << 16) | (c.regs[EAX]! & 0xffff);
  const q = Math.trunc(n / d);
  if (q > 32767 || q < -32768) {
    divideError(c);
    return;
  }
  setR16(c, EAX, q);
  setR16(c, EDX, n - q * d);
}
export function idiv_Ed(c: Cpu, i: Insn): void {
  const d = readE32(c, i);
  if (c.fault) return;
  if (d === 0) {
    divideError(c);
    return;
  }
  const hi = c.regs[EDX]!;
  const lo = c.regs[EAX]!;
  const neg = hi < 0;
  // Magnitude of the 64-bit two's-complement dividend.
  const mh = neg ? (~hi + (lo === 0 ? 1 : 0)) >>> 0 : hi >>> 0;
  const ml = neg ? -lo >>> 0 : lo >>> 0;
  const md = d < 0 ? -d >>> 0 : d;
  if (mh >= md) {
    divideError(c);
    return;
  }
  const q = divU64(mh, ml, md);
  const negQ = neg !== d < 0;
  if (q > (negQ ? 0x80000000 : 0x7fffffff)) {
    divideError(c);
    return;
  }
  c.regs[EAX] = negQ ? -q | 0 : q | 0;
  c.regs[EDX] = neg ? -divRem | 0 : divRem | 0;
}

// ------------------------------------------------------------ IMUL Gv,Ev[,imm]

function imul16(c: Cpu, i: Insn, a: number, b: number): void {
  const p = ((a << 16) >> 16) * ((b << 16) >> 16);
  setR16(c, i.reg, p);
  mulFlags(c, p, 15, p !== (p << 16) >> 16);
}
function imul32(c: Cpu, i: Insn, a: number, b: number): void {
  const lo = mulS32(a, b);
  c.regs[i.reg] = lo;
  mulFlags(c, lo, 31, mulHi !== lo >> 31);
}

export function imul_GwEw(c: Cpu, i: Insn): void {
  const v = readE16(c, i);
  if (!c.fault) imul16(c, i, c.regs[i.reg]!, v);
}
export function imul_GdEd(c: Cpu, i: Insn): void {
  const v = readE32(c, i);
  if (!c.fault) imul32(c, i, c.regs[i.reg]!, v);
}
export function imul_GwEwI(c: Cpu, i: Insn): void {
  const v = readE16(c, i);
  if (!c.fault) imul16(c, i, v, i.imm);
}
export function imul_GdEdI(c: Cpu, i: Insn): void {
  const v = readE32(c, i);
  if (!c.fault) imul32(c, i, v, i.imm);
}

const modrm = { modrm: true } as const;

function grp3(size: "b" | "v", fns: readonly [(c: Cpu, i: Insn) => void, (c: Cpu, i: Insn) => void][]): OpRow[] {
  const names = ["test", "test", "not", "neg", "mul", "imul", "div", "idiv"];
  return fns.map(([f16, f32], r) => {
    const imm = r < 2 ? (size === "b" ? Imm.Ib : Imm.Iv) : Imm.None;
    const ops = r < 2 ? (size === "b" ? "EbIb" : "EvIz") : `E${size}`;
    return row2(`${names[r]}_${ops}`, f16, f32, { modrm: true, imm });
  });
}

/** Opcode rows of this family. */
export const MULDIV_ROWS: RowMap = {
  /* 69 */ [0x69]: row2("imul_GvEvIz", imul_GwEwI, imul_GdEdI, { modrm: true, imm: Imm.Iv }),
  /* 6B */ [0x6b]: row2("imul_GvEvIb", imul_GwEwI, imul_GdEdI, { modrm: true, imm: Imm.Ib }),
  /* F6 */ [0xf6]: group(
    "grp3_Eb",
    grp3("b", [
      [test_EbIb, test_EbIb],
      [test_EbIb, test_EbIb],
      [not_Eb, not_Eb],
      [neg_Eb, neg_Eb],
      [mul_Eb, mul_Eb],
      [imul_Eb, imul_Eb],
      [div_Eb, div_Eb],
      [idiv_Eb, idiv_Eb],
    ]),
  ),
  /* F7 */ [0xf7]: group(
    "grp3_Ev",
    grp3("v", [
      [test_EwIw, test_EdId],
      [test_EwIw, test_EdId],
      [not_Ew, not_Ed],
      [neg_Ew, neg_Ed],
      [mul_Ew, mul_Ed],
      [imul_Ew, imul_Ed],
      [div_Ew, div_Ed],
      [idiv_Ew, idiv_Ed],
    ]),
  ),
  /* 0F AF */ [0x1af]: row2("imul_GvEv", imul_GwEw, imul_GdEd, modrm),
};
