/**
 * x87 arithmetic on the register format: the four operations with their
 * special cases, NaN propagation, compares, and the exception flags they
 * raise.
 *
 * Reference: SDM Vol. 1 §4.8.3.5 and Table 4-7 (NaN operands: an SNaN is
 * quietened and raises IE; of two NaNs the larger significand wins), §4.9.1
 * (invalid operation: ∞−∞, 0·∞, 0/0, ∞/∞, √ of a negative; zero divide;
 * denormal operand), §4.9.1.5–6 (overflow, underflow, inexact), §8.1.3.4
 * and Table 8-6/8-7 (FCOM/FUCOM condition codes), Vol. 2A FADD, FSUB,
 * FMUL, FDIV, FCOM, FUCOM, FCOMI, FSQRT.
 */
/*C:660 The exception flags are computed, not guessed. Each operation runs
 * as one JavaScript double operation, and whether it was exact is decided
 * with the classic error-free transformations (Knuth's two-sum for + and −,
 * Dekker's split product for ×, ÷ and √), so PE means what it means on
 * hardware running at double precision (control word PC = 10). Overflow and
 * underflow are reported where a double overflows or underflows — on a real
 * x87 at the default 64-bit precision the 15-bit exponent postpones both to
 * the store. The round-up indicator in C1 is not kept (C1 reads 0 after
 * arithmetic), as in QEMU. :*/
import { highBits, isNaNBits, isSNaNBits, lowBits, scaleBy2 } from "./float-formats.js";
import { type Fpu, SW_C0, SW_C1, SW_C2, SW_C3, SW_CC, SW_DE, SW_IE, SW_OE, SW_PE, SW_UE, SW_ZE } from "./fpu-state.js";

/** Operation codes (ModRM.reg of D8/DC/DA/DE memory forms). */
export const OP_ADD = 0;
/** Multiply. */
export const OP_MUL = 1;
/** a − b. */
export const OP_SUB = 4;
/** b − a. */
export const OP_SUBR = 5;
/** a / b. */
export const OP_DIV = 6;
/** b / a. */
export const OP_DIVR = 7;

/**
 * The two operands of the current instruction: slot 0 is the destination's
 * value (a), slot 1 the source (b). Loaded bit-exact so NaN payloads are kept.
 */
export const opnd = new Float64Array(2);
/** Dwords of {@link opnd}: a = [0, 1], b = [2, 3]. */
export const opndBits = new Uint32Array(opnd.buffer);

/** Load ST(i) into operand slot `slot` (0 = a, 1 = b). */
export function stageReg(f: Fpu, i: number, slot: number): void {
  const p = f.phys(i) * 2;
  opndBits[slot * 2] = f.bits[p]!;
  opndBits[slot * 2 + 1] = f.bits[p + 1]!;
}

/** Load double bits into operand slot `slot`. */
export function stageBits(lo: number, hi: number, slot: number): void {
  opndBits[slot * 2] = lo;
  opndBits[slot * 2 + 1] = hi;
}

/**
 * Propagate the NaN operand(s) of the staged pair into ST(dst): an SNaN
 * raises IE; the result is the quietened NaN of Table 4-7.
 */
export function nanResult(f: Fpu, dst: number): void {
  const al = opndBits[0]!;
  const ah = opndBits[1]! | 0;
  const bl = opndBits[2]!;
  const bh = opndBits[3]! | 0;
  const aN = isNaNBits(al, ah);
  const bN = isNaNBits(bl, bh);
  if ((aN && isSNaNBits(al, ah)) || (bN && isSNaNBits(bl, bh))) f.flag(SW_IE);
  let useA: boolean;
  if (aN && bN) {
    // Both quietened first (a memory operand is converted to extended, which quietens
    // it, before the operation sees it), then the larger significand; equal: the positive.
    const af = ah & 0x7ffff;
    const bf = bh & 0x7ffff;
    if (af !== bf) useA = af > bf;
    else if (al !== bl) useA = al > bl;
    else useA = ah >= 0 || bh < 0;
  } else useA = aN;
  if (useA) f.setBits(dst, al, ah | 0x80000);
  else f.setBits(dst, bl, bh | 0x80000);
}

/** Mantissa-normalised copy of x (in [1, 2) in magnitude, exact); 0, ∞, NaN returned as is. */
function normalised(x: number): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  const ax = Math.abs(x);
  const small = ax < 2 ** -1000;
  const y = small ? x * 2 ** 1000 : x;
  lowBits(y);
  const e = ((highBits() >>> 20) & 0x7ff) - 1023;
  return y * 2 ** -e;
}

const SPLIT = 134217729; // 2^27 + 1 (Veltkamp)

/** Error of the rounded product p = fl(a·b) for |a|, |b| in [1, 2): a·b − p exactly. */
function productError(a: number, b: number, p: number): number {
  let c = SPLIT * a;
  const ah = c - (c - a);
  const al = a - ah;
  c = SPLIT * b;
  const bh = c - (c - b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

/** Whether a·b rounds (ignoring exponent range). */
function mulInexact(a: number, b: number): boolean {
  const an = normalised(a);
  const bn = normalised(b);
  return productError(an, bn, an * bn) !== 0;
}

/** Whether a/b rounds (ignoring exponent range); b ≠ 0, both finite and non-zero. */
function divInexact(a: number, b: number): boolean {
  const an = normalised(a);
  const bn = normalised(b);
  const q = an / bn; // in (1/2, 2): the product below stays in Dekker's safe range
  const p = q * bn;
  return p !== an || productError(q, bn, p) !== 0;
}

/** Exponent e with |x| in [2^e, 2^(e+1)); x finite and non-zero. */
function exponentOf(x: number): number {
  const ax = Math.abs(x);
  const small = ax < 2 ** -1000;
  lowBits(small ? ax * 2 ** 1000 : ax);
  return ((highBits() >>> 20) & 0x7ff) - 1023 - (small ? 1000 : 0);
}

/**
 * Record OE/UE/PE for a finite-operand result r that was `inexact`:
 * an infinite r from finite operands overflowed; a tiny inexact r underflowed.
 */
function finish(f: Fpu, dst: number, r: number, inexact: boolean): void {
  if (!Number.isFinite(r)) f.flag(SW_OE | SW_PE);
  else if (inexact) f.flag(Math.abs(r) < 2 ** -1022 ? SW_UE | SW_PE : SW_PE);
  f.set(dst, r);
}

/**
 * ST(dst) ← a op b for the staged operands (OP_*), with the special cases
 * of SDM Vol. 1 §4.9.1 and masked responses. C1 is cleared.
 */
export function binop(f: Fpu, op: number, dst: number): void {
  f.sw &= ~SW_C1;
  let a = opnd[0]!;
  let b = opnd[1]!;
  if (Number.isNaN(a) || Number.isNaN(b)) {
    nanResult(f, dst);
    return;
  }
  if (op === OP_SUBR || op === OP_DIVR) {
    const t = a;
    a = b;
    b = t;
  }
  let r: number;
  switch (op) {
    case OP_ADD:
    case OP_SUB:
    case OP_SUBR: {
      if (op !== OP_ADD) b = -b;
      if (a === -b && !Number.isFinite(a)) {
        invalid(f, dst);
        return;
      }
      r = a + b;
      if (!Number.isFinite(a) || !Number.isFinite(b)) {
        f.set(dst, r);
        return;
      }
      // A zero sum of opposite operands is +0 in round-to-nearest/up/zero and −0 rounding down.
      if (r === 0 && a !== 0 && f.rc() === 1) r = -0;
      const bb = r - a;
      finish(f, dst, r, a - (r - bb) + (b - bb) !== 0);
      return;
    }
    case OP_MUL: {
      const inf = !Number.isFinite(a) || !Number.isFinite(b);
      if (inf && (a === 0 || b === 0)) {
        invalid(f, dst);
        return;
      }
      r = a * b;
      if (inf) {
        f.set(dst, r);
        return;
      }
      finish(f, dst, r, r !== 0 && mulInexact(a, b));
      return;
    }
    default: {
      if (b === 0) {
        if (a === 0 || Number.isNaN(a)) {
          invalid(f, dst);
          return;
        }
        if (Number.isFinite(a)) f.flag(SW_ZE);
        f.set(dst, a / b);
        return;
      }
      if (!Number.isFinite(a) || !Number.isFinite(b)) {
        if (!Number.isFinite(a) && !Number.isFinite(b)) {
          invalid(f, dst);
          return;
        }
        f.set(dst, a / b);
        return;
      }
      r = a / b;
      finish(f, dst, r, a !== 0 && divInexact(a, b));
      return;
    }
  }
}

/** Invalid operation with the masked response: IE and the real indefinite in ST(dst). */
export function invalid(f: Fpu, dst: number): void {
  f.flag(SW_IE);
  f.setIndefinite(dst);
}

/** FSQRT on ST(0). */
export function sqrt0(f: Fpu): void {
  f.sw &= ~SW_C1;
  stageReg(f, 0, 0);
  stageReg(f, 0, 1);
  const a = opnd[0]!;
  if (Number.isNaN(a)) {
    nanResult(f, 0);
    return;
  }
  if (a < 0) { // −0 is allowed: √−0 = −0
    invalid(f, 0);
    return;
  }
  const r = Math.sqrt(a);
  if (!Number.isFinite(r) || r === 0) {
    f.set(0, r);
    return;
  }
  // √a is exact when r·r = a exactly; compare at a scale where Dekker's product is safe.
  const e = exponentOf(r);
  const rn = scaleBy2(r, -e);
  const an = scaleBy2(a, -2 * e);
  const p = rn * rn;
  finish(f, 0, r, p !== an || productError(rn, rn, p) !== 0);
}

/**
 * Compare the staged a with b and set C3/C2/C0 (Table 8-6); C1 = 0.
 * `quiet` (FUCOM) raises IE only for SNaNs; FCOM/FTST/FICOM for any NaN.
 * Returns 0 greater, 1 less, 2 equal, 3 unordered.
 */
export function compare(f: Fpu, quiet: boolean): number {
  const a = opnd[0]!;
  const b = opnd[1]!;
  let r: number;
  if (Number.isNaN(a) || Number.isNaN(b)) {
    const s = isSNaNBits(opndBits[0]!, opndBits[1]! | 0) || isSNaNBits(opndBits[2]!, opndBits[3]! | 0);
    if (s || !quiet) f.flag(SW_IE);
    r = 3;
  } else r = a > b ? 0 : a < b ? 1 : 2;
  setCompareCodes(f, r);
  return r;
}

/** C3 C2 C0 for a compare outcome (0 >, 1 <, 2 =, 3 unordered); C1 cleared. */
export function setCompareCodes(f: Fpu, r: number): void {
  f.sw = (f.sw & ~SW_CC) | COMPARE_CODES[r]!;
}

/** C3/C2/C0 for >, <, =, unordered. */
const COMPARE_CODES = [0, SW_C0, SW_C3, SW_C3 | SW_C2 | SW_C0];

/** DE for a denormal memory operand (m32fp/m64fp): extended registers never hold one. */
export function denormalOperand(f: Fpu): void {
  f.flag(SW_DE);
}
