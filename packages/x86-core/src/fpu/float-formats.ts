/**
 * Conversions between the x87 memory formats and the register format
 * (an IEEE double, handled as two dwords where a NaN payload matters).
 *
 * Reference: SDM Vol. 1 §4.2.2 and Table 4-3 (single, double and double
 * extended formats), §4.8.3 (encodings of signed zeros, denormals,
 * infinities, SNaN/QNaN, the real indefinite), §8.2.2 (unsupported
 * extended encodings: pseudo-NaN, pseudo-infinity, unnormal), §4.7 and
 * Table 4-9 (integer and packed BCD indefinites), §4.8.4 (rounding).
 */
/*C:650 The 80-bit format is met only at the edges: FLD/FSTP m80fp and the
 * register images of FNSAVE/FRSTOR. A double widens to 80 bits exactly
 * (1.0 is 3FFF 8000000000000000, and a double denormal becomes a normal
 * extended number, as on hardware). Narrowing keeps every value that fits
 * and otherwise rounds to nearest-even: the extra eleven mantissa bits are
 * lost, exponents beyond a double's range become ±∞ or ±0, and the
 * encodings the 387 stopped supporting (unnormals, pseudo-NaNs and
 * pseudo-infinities) load as the real indefinite. Because our registers
 * are doubles, FNSAVE followed by FRSTOR — the context switch of a kernel
 * without FXSR — gives back every register bit for bit. :*/

/** 2^32. */
const TWO_32 = 4294967296;

const scratch = new Float64Array(1);
const scratchBits = new Uint32Array(scratch.buffer);
const single = new Float32Array(1);
const singleBits = new Uint32Array(single.buffer);

/** The double whose dwords are (lo, hi). NaN payloads are not kept by the returned number. */
export function fromBits(lo: number, hi: number): number {
  scratchBits[0] = lo;
  scratchBits[1] = hi;
  return scratch[0]!;
}

/** Low dword of the bits of `v` (call {@link highBits} right after for the high dword). */
export function lowBits(v: number): number {
  scratch[0] = v;
  return scratchBits[0]!;
}

/** High dword of the bits of the value last given to {@link lowBits}. */
export function highBits(): number {
  return scratchBits[1]! | 0;
}

/** Whether double bits (lo, hi) are a NaN. */
export function isNaNBits(lo: number, hi: number): boolean {
  return (hi & 0x7ff00000) === 0x7ff00000 && ((hi & 0xfffff) | lo) !== 0;
}

/** Whether double bits are a signalling NaN (quiet bit, fraction bit 51, clear). */
export function isSNaNBits(lo: number, hi: number): boolean {
  return isNaNBits(lo, hi) && (hi & 0x80000) === 0;
}

// ---------------------------------------------------------------- 80-bit extended

/** Low mantissa dword of the extended form of double bits (lo, hi). */
export function f80Lo(lo: number, hi: number): number {
  const e = (hi >>> 20) & 0x7ff;
  if (e !== 0 || ((hi & 0xfffff) | lo) === 0) return (lo << 11) >>> 0;
  const [, ml] = denormalMantissa(lo, hi);
  return ml;
}

/** High mantissa dword (with the explicit integer bit) of the extended form of (lo, hi). */
export function f80Hi(lo: number, hi: number): number {
  const e = (hi >>> 20) & 0x7ff;
  const frac = hi & 0xfffff;
  if (e === 0) {
    if ((frac | lo) === 0) return 0;
    const [mh] = denormalMantissa(lo, hi);
    return mh;
  }
  return (0x80000000 | (frac << 11) | (lo >>> 21)) >>> 0;
}

/** Sign and biased 15-bit exponent of the extended form of (lo, hi). */
export function f80Exponent(lo: number, hi: number): number {
  const sign = (hi >>> 31) << 15;
  const e = (hi >>> 20) & 0x7ff;
  if (e === 0x7ff) return sign | 0x7fff;
  if (e === 0) {
    if (((hi & 0xfffff) | lo) === 0) return sign;
    // Normalise: the highest set fraction bit k (0..51) has weight 2^(k-1074).
    const k = highestBit(hi & 0xfffff, lo);
    return sign | (k - 1074 + 16383);
  }
  return sign | (e - 1023 + 16383);
}

function highestBit(h20: number, lo: number): number {
  return h20 !== 0 ? 63 - Math.clz32(h20) : 31 - Math.clz32(lo);
}

/** Mantissa of a double denormal shifted so its highest set bit is bit 63: [high, low]. */
function denormalMantissa(lo: number, hi: number): [number, number] {
  const h20 = hi & 0xfffff;
  const k = highestBit(h20, lo);
  const shift = 63 - k; // 12..63
  // 52-bit fraction as (h20, lo) shifted left by `shift` into 64 bits.
  let mh: number;
  let ml: number;
  if (shift >= 32) {
    const s = shift - 32;
    mh = s === 0 ? lo : (lo << s) | 0;
    ml = 0;
  } else {
    mh = (h20 << shift) | (lo >>> (32 - shift));
    ml = lo << shift;
  }
  return [mh >>> 0, ml >>> 0];
}

/** Result of {@link f80ToDouble}: the double's dwords and whether the encoding was unsupported. */
export interface F80Result {
  lo: number;
  hi: number;
  /** An unnormal, pseudo-NaN or pseudo-infinity: the value is the real indefinite. */
  invalid: boolean;
  /** The value did not fit a double and was rounded (or flushed to ±0 / ±∞). */
  inexact: boolean;
}

/**
 * Narrow an extended value (mantissa `mh:ml`, sign+exponent `se`) to double
 * bits in `out`: exact when representable, else rounded to nearest-even;
 * NaN payloads keep their top 51 fraction bits (a payload only in the low
 * bits keeps bit 0 set so the value stays a NaN).
 */
export function f80ToDouble(ml: number, mh: number, se: number, out: F80Result): void {
  const sign = (se & 0x8000) << 16;
  const exp = se & 0x7fff;
  out.invalid = false;
  out.inexact = false;
  if (exp === 0x7fff) {
    if ((mh & 0x80000000) === 0) {
      setIndefinite(out);
      return;
    }
    const fh = mh & 0x7fffffff;
    if ((fh | ml) === 0) {
      out.lo = 0;
      out.hi = sign | 0x7ff00000;
      return;
    }
    let lo = ((mh << 21) | (ml >>> 11)) >>> 0;
    const h = (fh >>> 11) & 0xfffff;
    if ((h | lo) === 0) lo = 1;
    out.lo = lo;
    out.hi = sign | 0x7ff00000 | h;
    return;
  }
  if (exp !== 0 && (mh & 0x80000000) === 0) {
    setIndefinite(out);
    return;
  }
  if (exp === 0 || (mh | ml) === 0) {
    // Extended denormals (2^-16382 and below) are far below a double's range.
    out.inexact = (mh | ml) !== 0;
    out.lo = 0;
    out.hi = sign;
    return;
  }
  // mh·2^32 + ml rounds once to 53 bits; the power-of-two scaling is exact unless the
  // result is a double denormal (documented: a second rounding there).
  let v = (mh >>> 0) * TWO_32 + (ml >>> 0);
  const unscaled = v;
  v = scaleBy2(v, exp - 16383 - 63);
  // Exact when the low 11 bits were zero and the scaling neither overflowed nor lost bits.
  out.inexact = (ml & 0x7ff) !== 0 || !Number.isFinite(v) || scaleBy2(v, 16383 + 63 - exp) !== unscaled;
  const l = lowBits(sign ? -v : v);
  out.lo = l;
  out.hi = highBits();
}

function setIndefinite(out: F80Result): void {
  out.inexact = false;
  out.lo = 0;
  out.hi = 0xfff80000 | 0;
  out.invalid = true;
}

/** x · 2^n for any integer n, in steps that do not overflow the factor. */
export function scaleBy2(x: number, n: number): number {
  while (n > 1000) {
    x *= 2 ** 1000;
    n -= 1000;
    if (!Number.isFinite(x)) return x;
  }
  while (n < -1000) {
    x *= 2 ** -1000;
    n += 1000;
    if (x === 0) return x;
  }
  return x * 2 ** n;
}

// ---------------------------------------------------------------- 32-bit single

/** Double bits of a single-precision value given as its 32 bits; NaNs keep their payload. */
export function f32ToDoubleBits(b: number, out: F80Result): void {
  out.invalid = false;
  out.inexact = false;
  if ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0) {
    out.hi = (b & 0x80000000) | 0x7ff00000 | ((b & 0x7fffff) >>> 3);
    out.lo = (b << 29) >>> 0;
    return;
  }
  singleBits[0] = b;
  out.lo = lowBits(single[0]!);
  out.hi = highBits();
}

/** Whether the 32 bits of a single are a denormal. */
export function isDenormal32(b: number): boolean {
  return (b & 0x7f800000) === 0 && (b & 0x7fffff) !== 0;
}

/** Whether double bits are a denormal. */
export function isDenormal64(lo: number, hi: number): boolean {
  return (hi & 0x7ff00000) === 0 && ((hi & 0xfffff) | lo) !== 0;
}

/** Flags reported by the narrowing conversions (SW_* bits of the status word). */
export const CONV_PE = 0x20;
/** Overflow. */
export const CONV_OE = 0x08;
/** Underflow. */
export const CONV_UE = 0x10;

/** Exception bits raised by the last {@link doubleToF32Bits}. */
export let convFlags = 0;

/** The single nearest to `v` in direction `rc` (0 nearest, 1 down, 2 up, 3 toward zero), as bits. */
export function doubleToF32Bits(v: number, rc: number): number {
  convFlags = 0;
  single[0] = v;
  let b = singleBits[0]!;
  const f = single[0]!;
  if (f === v || Number.isNaN(v)) return b;
  convFlags = CONV_PE;
  if (rc !== 0) {
    const neg = v < 0;
    const awayNeeded = rc === 1 ? neg : rc === 2 ? !neg : false; // toward ±∞ by sign
    const magUp = Math.abs(f) > Math.abs(v);
    if (awayNeeded && !magUp) b = (b + 1) >>> 0;
    else if (!awayNeeded && magUp) b = (b - 1) >>> 0;
  }
  const e = b & 0x7f800000;
  // Overflow is judged before the result is bounded: rounding toward zero gives the largest
  // single but still overflows when |v| reaches 2^128.
  if (e === 0x7f800000 || Math.abs(v) >= 2 ** 128) convFlags |= CONV_OE;
  else if (e === 0) convFlags |= CONV_UE;
  return b;
}

/** The next double above x (x finite). */
export function nextUp(x: number): number {
  if (x === 0) return 2 ** -1074;
  const lo = lowBits(x);
  const hi = highBits();
  return x > 0 ? stepBits(lo, hi, 1) : stepBits(lo, hi, -1);
}

/** The next double below x (x finite). */
export function nextDown(x: number): number {
  return -nextUp(-x);
}

/** The double whose magnitude bits are one step (`d` = ±1) away from (lo, hi). */
function stepBits(lo: number, hi: number, d: number): number {
  let l = lo + d;
  let h = hi;
  if (l > 0xffffffff) {
    l = 0;
    h++;
  } else if (l < 0) {
    l = 0xffffffff;
    h--;
  }
  return fromBits(l >>> 0, h | 0);
}

/**
 * a + b rounded in direction `rc` (RC_* numbering) for |a| ≥ |b|: the round-to-nearest
 * sum corrected by one step when its exact error points the other way (Dekker's fast
 * two-sum gives that error exactly).
 */
export function directedSum(a: number, b: number, rc: number): number {
  const s = a + b;
  const err = b - (s - a);
  if (err === 0 || rc === 0) return s;
  if (rc === 2) return err > 0 ? nextUp(s) : s;
  if (rc === 1) return err < 0 ? nextDown(s) : s;
  if (s > 0 && err < 0) return nextDown(s);
  if (s < 0 && err > 0) return nextUp(s);
  return s;
}

// ---------------------------------------------------------------- integers

/** Round `v` to an integer in direction `rc` (RC_* of the control word). */
export function roundInt(v: number, rc: number): number {
  switch (rc) {
    case 0: {
      const r = Math.round(v); // ties go up; x87 ties go to even
      return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
    }
    case 1:
      return Math.floor(v);
    case 2:
      return Math.ceil(v);
    default:
      return Math.trunc(v);
  }
}

/** Packed BCD indefinite: high bytes FFFF C000 0000 0000 0000 (SDM Table 4-9). */
export const BCD_INDEFINITE_HI = 0xffff;
