/**
 * ESC D9: FLD/FST/FSTP m32fp, FLDENV, FLDCW, FNSTENV, FNSTCW, and the
 * register forms: FLD ST(i), FXCH, FNOP, FCHS, FABS, FTST, FXAM, the
 * constants, the transcendental and miscellaneous instructions.
 *
 * Reference: SDM Vol. 2A FLD, FXCH, FNOP, FCHS, FABS, FTST, FXAM (Table
 * "FXAM Results": C3 C2 C0 = 000 unsupported, 001 NaN, 010 normal, 011 ∞,
 * 100 zero, 101 empty, 110 denormal; C1 = sign), FLD1/FLDL2T/FLDL2E/
 * FLDPI/FLDLG2/FLDLN2/FLDZ (rounded per RC), F2XM1, FYL2X, FPTAN, FPATAN,
 * FXTRACT, FPREM1, FDECSTP, FINCSTP, FPREM, FYL2XP1, FSQRT, FSINCOS,
 * FRNDINT, FSCALE, FSIN, FCOS (|x| ≥ 2^63: C2 = 1, operand unchanged);
 * Vol. 2 Appendix A Table A-10 (D9 register forms). D9 D8+i is the
 * undocumented FSTP1 alias.
 */
/*C:670 Transcendentals come from JavaScript's Math library: sin, cos,
 * tan, atan2, log2, log1p and expm1 on doubles. They are accurate to about
 * one unit in the last place of a double, where a Pentium's are accurate
 * to about one unit in the last place of the 64-bit significand; PE is
 * always reported for them unless the result is trivially exact. FPREM
 * and FPREM1 always finish in one step (C2 = 0) — JavaScript's % is an
 * exact fmod, so nothing needs to be reduced piecewise — and report the
 * low three quotient bits in C0, C3, C1 as the loop around them expects. :*/
import type { Cpu } from "../cpu/cpu.js";
import type { Insn } from "../decoder/insn.js";
import { binop, compare, invalid, nanResult, OP_MUL, opnd, setCompareCodes, sqrt0, stageBits, stageReg } from "./fpu-arith.js";
import { highBits, lowBits, nextDown, nextUp, roundInt, scaleBy2 } from "./float-formats.js";
import { type Fpu, RC_NEAREST, RC_UP, SW_C0, SW_C1, SW_C2, SW_C3, SW_CC, SW_PE, SW_UE, SW_ZE } from "./fpu-state.js";
import { fldenv, fnstenv } from "./x87-env.js";
import { note, quietLoadedSNaN, stageM32fp, stageNumber, unavailable } from "./x87-access.js";
import { fstM32, fstReg, fxch, pushStaged } from "./x87-load-store.js";

/** 2^63: the argument limit of FSIN, FCOS, FSINCOS, FPTAN. */
const TRIG_LIMIT = 2 ** 63;

/**
 * The constants of D9 E8–EE as the nearest doubles, and whether that double
 * lies above the exact value (for rounding toward −∞, +∞ or zero).
 */
const CONSTANTS: readonly (readonly [number, boolean])[] = [
  [1, false],
  [3.321928094887362, false], // log2 10
  [Math.LOG2E, false], // log2 e
  [Math.PI, false], // π
  [0.3010299956639812, true], // log10 2
  [Math.LN2, false], // ln 2
  [0, false],
];

function constant(f: Fpu, k: number): number {
  const [v, above] = CONSTANTS[k]!;
  const rc = f.rc();
  if (v === 0 || v === 1 || rc === RC_NEAREST) return v;
  const wantAbove = rc === RC_UP;
  if (wantAbove === above) return v;
  return wantAbove ? nextUp(v) : nextDown(v);
}

/** A transcendental result: PE (unless `exact`), UE too when it is tiny. */
function inexactResult(f: Fpu, dst: number, r: number, exact: boolean): void {
  if (!exact) f.flag(r !== 0 && Math.abs(r) < 2 ** -1022 ? SW_UE | SW_PE : SW_PE);
  f.set(dst, r);
}

/** ESC D9. */
export function esc_D9(c: Cpu, i: Insn): void {
  if (unavailable(c)) return;
  const f = c.fpu;
  if (i.mod !== 3) {
    switch (i.reg) {
      case 0:
        note(c, i);
        if (!stageM32fp(c, i, 1)) return;
        quietLoadedSNaN(c, 1);
        pushStaged(f);
        return;
      case 2:
      case 3:
        note(c, i);
        fstM32(c, i, i.reg === 3);
        return;
      case 4:
        fldenv(c, i);
        return;
      case 5: {
        const v = c.read16(i.seg, c.ea(i));
        if (!c.fault) f.cw = v;
        return;
      }
      case 6:
        fnstenv(c, i);
        return;
      case 7:
        c.write16(i.seg, c.ea(i), f.cw);
        return;
      default:
        c.ud();
        return;
    }
  }
  const r = i.rm;
  switch (i.reg) {
    case 0: // FLD ST(i)
      note(c, i);
      if (f.isEmpty(r)) {
        f.underflow();
        stageBits(0, 0xfff80000, 1);
      } else stageReg(f, r, 1);
      pushStaged(f);
      return;
    case 1:
      note(c, i);
      fxch(f, r);
      return;
    case 2:
      if (r !== 0) {
        c.ud();
        return;
      }
      note(c, i); // FNOP
      return;
    case 3: // FSTP1 alias
      note(c, i);
      fstReg(f, r, true);
      return;
    case 4:
      if (r === 2 || r === 3 || r > 5) {
        c.ud();
        return;
      }
      note(c, i);
      signOps(f, r);
      return;
    case 5:
      if (r === 7) {
        c.ud();
        return;
      }
      note(c, i);
      stageNumber(constant(f, r), 1);
      pushStaged(f);
      // π, the logarithms: a double cannot hold them, and storing the extended
      // constant would report PE on hardware; report it at the load.
      if (r >= 1 && r <= 5) f.flag(SW_PE);
      return;
    case 6:
      note(c, i);
      misc6(f, r);
      return;
    default:
      note(c, i);
      misc7(f, r);
      return;
  }
}

/** FCHS, FABS (on the sign bit, NaNs included), FTST, FXAM. */
function signOps(f: Fpu, r: number): void {
  if (r === 5) {
    fxam(f);
    return;
  }
  if (f.isEmpty(0)) {
    f.underflow();
    if (r === 4) setCompareCodes(f, 3);
    else f.setIndefinite(0);
    return;
  }
  if (r === 4) {
    stageReg(f, 0, 0);
    stageNumber(0, 1);
    compare(f, false);
    return;
  }
  f.sw &= ~SW_C1;
  const p = f.phys(0) * 2 + 1;
  f.bits[p] = r === 0 ? f.bits[p]! ^ 0x80000000 : f.bits[p]! & 0x7fffffff;
}

/** FXAM: classify ST(0) (a double denormal is a normal extended number). */
function fxam(f: Fpu): void {
  const hi = f.hi(0);
  const lo = f.lo(0);
  let cc = hi < 0 ? SW_C1 : 0;
  if (f.isEmpty(0)) cc |= SW_C3 | SW_C0;
  else if ((hi & 0x7ff00000) === 0x7ff00000) cc |= ((hi & 0xfffff) | lo) !== 0 ? SW_C0 : SW_C2 | SW_C0;
  else if ((hi & 0x7fffffff) === 0 && lo === 0) cc |= SW_C3;
  else cc |= SW_C2;
  f.sw = (f.sw & ~SW_CC) | cc;
}

/** ST(0) for a unary operation, or false after the masked response (underflow, NaN operand). */
function unaryOperand(f: Fpu): boolean {
  f.sw &= ~SW_C1;
  if (f.isEmpty(0)) {
    f.underflow();
    f.setIndefinite(0);
    return false;
  }
  stageReg(f, 0, 0);
  stageReg(f, 0, 1);
  if (Number.isNaN(opnd[0]!)) {
    nanResult(f, 0);
    return false;
  }
  return true;
}

/** The two operands ST(0) (slot 0) and ST(1) (slot 1); on failure ST(`dst`) gets the response. */
function binaryOperands(f: Fpu, dst: number): boolean {
  f.sw &= ~SW_C1;
  if (f.isEmpty(0) || f.isEmpty(1)) {
    f.underflow();
    f.setIndefinite(dst);
    return false;
  }
  stageReg(f, 0, 0);
  stageReg(f, 1, 1);
  if (Number.isNaN(opnd[0]!) || Number.isNaN(opnd[1]!)) {
    nanResult(f, dst);
    return false;
  }
  return true;
}

/** D9 F0–F7: F2XM1, FYL2X, FPTAN, FPATAN, FXTRACT, FPREM1, FDECSTP, FINCSTP. */
function misc6(f: Fpu, r: number): void {
  switch (r) {
    case 0: {
      if (!unaryOperand(f)) return;
      const x = opnd[0]!;
      inexactResult(f, 0, Math.expm1(x * Math.LN2), Number.isInteger(x));
      return;
    }
    case 1:
      fyl2x(f, false);
      return;
    case 2: {
      if (!unaryOperand(f)) return;
      const x = opnd[0]!;
      if (!Number.isFinite(x)) {
        invalid(f, 0);
        return;
      }
      if (Math.abs(x) >= TRIG_LIMIT) {
        f.sw |= SW_C2;
        return;
      }
      f.sw &= ~SW_C2;
      inexactResult(f, 0, Math.tan(x), x === 0);
      stageNumber(1, 1);
      pushStaged(f);
      return;
    }
    case 3: {
      if (!binaryOperands(f, 1)) {
        f.pop();
        return;
      }
      inexactResult(f, 1, Math.atan2(opnd[1]!, opnd[0]!), opnd[1]! === 0);
      f.pop();
      return;
    }
    case 4:
      fxtract(f);
      return;
    case 5:
      fprem(f, true);
      return;
    case 6:
      f.sw &= ~SW_C1;
      f.top = (f.top - 1) & 7;
      return;
    default:
      f.sw &= ~SW_C1;
      f.top = (f.top + 1) & 7;
      return;
  }
}

/** D9 F8–FF: FPREM, FYL2XP1, FSQRT, FSINCOS, FRNDINT, FSCALE, FSIN, FCOS. */
function misc7(f: Fpu, r: number): void {
  switch (r) {
    case 0:
      fprem(f, false);
      return;
    case 1:
      fyl2x(f, true);
      return;
    case 2:
      if (f.isEmpty(0)) {
        f.underflow();
        f.setIndefinite(0);
        return;
      }
      sqrt0(f);
      return;
    case 4: {
      if (!unaryOperand(f)) return;
      const x = opnd[0]!;
      const y = roundInt(x, f.rc());
      if (y !== x) f.flag(SW_PE);
      f.set(0, y);
      return;
    }
    case 5:
      fscale(f);
      return;
    default: {
      // 3 FSINCOS, 6 FSIN, 7 FCOS
      if (!unaryOperand(f)) {
        if (r === 3 && f.push()) f.setIndefinite(0);
        return;
      }
      const x = opnd[0]!;
      if (!Number.isFinite(x)) {
        invalid(f, 0);
        if (r === 3 && f.push()) f.setIndefinite(0);
        return;
      }
      if (Math.abs(x) >= TRIG_LIMIT) {
        f.sw |= SW_C2;
        return;
      }
      f.sw &= ~SW_C2;
      if (r === 7) {
        inexactResult(f, 0, Math.cos(x), false);
        return;
      }
      inexactResult(f, 0, Math.sin(x), x === 0);
      if (r === 6) return;
      stageNumber(Math.cos(x), 1);
      pushStaged(f);
      return;
    }
  }
}

/** FYL2X (ST(1) ← ST(1)·log2 ST(0)) and FYL2XP1 (·log2(ST(0)+1)), then pop. */
function fyl2x(f: Fpu, plusOne: boolean): void {
  if (!binaryOperands(f, 1)) {
    f.pop();
    return;
  }
  const x = opnd[0]!;
  const y = opnd[1]!;
  const arg = plusOne ? x + 1 : x;
  if (arg < 0 || (arg === 0 && y === 0) || (arg === 1 && !Number.isFinite(y)) || (x === Number.POSITIVE_INFINITY && y === 0)) {
    invalid(f, 1);
    f.pop();
    return;
  }
  if (arg === 0 && !plusOne) {
    f.flag(SW_ZE);
    f.set(1, y > 0 ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY);
    f.pop();
    return;
  }
  const l = plusOne ? Math.log1p(x) / Math.LN2 : Math.log2(x);
  if (!Number.isInteger(l)) f.flag(SW_PE);
  stageNumber(l, 0);
  // ST(1)·l through the multiplier, so PE/OE/UE and NaN rules apply to the product too.
  stageReg(f, 1, 1);
  binop(f, OP_MUL, 1);
  f.pop();
}

/** FXTRACT: ST(0) ← exponent, then push the significand (in [1, 2) in magnitude). */
function fxtract(f: Fpu): void {
  if (!unaryOperand(f)) {
    if (f.push()) f.copy(0, 1);
    return;
  }
  const x = opnd[0]!;
  let e: number;
  let m: number;
  if (x === 0) {
    f.flag(SW_ZE);
    e = Number.NEGATIVE_INFINITY;
    m = x;
  } else if (!Number.isFinite(x)) {
    e = Number.POSITIVE_INFINITY;
    m = x;
  } else {
    const ax = Math.abs(x);
    const small = ax < 2 ** -1000;
    lowBits(small ? ax * 2 ** 1000 : ax);
    e = ((highBits() >>> 20) & 0x7ff) - 1023 - (small ? 1000 : 0);
    m = scaleBy2(x, -e);
  }
  f.set(0, e);
  stageNumber(m, 1);
  pushStaged(f);
}

/** FSCALE: ST(0) ← ST(0)·2^trunc(ST(1)). */
function fscale(f: Fpu): void {
  if (!binaryOperands(f, 0)) return;
  const x = opnd[0]!;
  const s = Math.trunc(opnd[1]!);
  if (s === Number.POSITIVE_INFINITY) {
    if (x === 0) {
      invalid(f, 0);
      return;
    }
    f.set(0, Number.isFinite(x) ? x * s : x);
    return;
  }
  if (s === Number.NEGATIVE_INFINITY) {
    if (!Number.isFinite(x)) {
      invalid(f, 0);
      return;
    }
    f.set(0, x < 0 || Object.is(x, -0) ? -0 : 0);
    return;
  }
  const n = Math.max(-100000, Math.min(100000, s));
  const r = scaleBy2(x, n);
  if (Number.isFinite(x) && !Number.isFinite(r)) f.flag(0x28); // OE, PE
  else if (x !== 0 && scaleBy2(r, -n) !== x) f.flag(0x30); // UE, PE
  f.set(0, r);
}

/**
 * FPREM (truncating quotient) and FPREM1 (round-to-nearest quotient):
 * ST(0) ← ST(0) − q·ST(1), complete in one step; C0 C3 C1 = q bits 2, 1, 0.
 */
function fprem(f: Fpu, ieee: boolean): void {
  if (!binaryOperands(f, 0)) {
    f.sw &= ~(SW_C0 | SW_C2 | SW_C3);
    return;
  }
  const x = opnd[0]!;
  const y = opnd[1]!;
  f.sw &= ~(SW_C0 | SW_C1 | SW_C2 | SW_C3);
  if (!Number.isFinite(x) || y === 0) {
    invalid(f, 0);
    return;
  }
  if (!Number.isFinite(y)) {
    f.set(0, x);
    return;
  }
  let r = x % y; // exact
  // Low quotient bits: the remainder modulo 8|y| tells how many |y| were taken beyond it.
  const y8 = Math.abs(y) * 8;
  let q = Number.isFinite(y8) ? Math.round(Math.abs((x % y8) - r) / Math.abs(y)) & 7 : 0;
  if (ieee) {
    const ay = Math.abs(y);
    const ar = Math.abs(r);
    if (ar > ay / 2 || (ar === ay / 2 && (q & 1) === 1)) {
      r = r > 0 ? r - ay : r + ay; // exact (Sterbenz): |y|/2 ≤ |r| < |y|
      q = (q + 1) & 7;
    }
  }
  if (r === 0) r = x < 0 || Object.is(x, -0) ? -0 : 0;
  f.sw |= (q & 4 ? SW_C0 : 0) | (q & 2 ? SW_C3 : 0) | (q & 1 ? SW_C1 : 0);
  f.set(0, r);
}
