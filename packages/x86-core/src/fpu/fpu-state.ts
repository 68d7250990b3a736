/**
 * The x87 register file: eight data registers used as a stack, and the
 * control, status and tag words with the last-instruction pointers.
 *
 * Reference: SDM Vol. 1 §8.1 (x87 execution environment: data registers,
 * §8.1.2 register stack and TOP, §8.1.3 status word C0–C3/ES/SF and the
 * exception flags IE DE ZE OE UE PE, §8.1.5 control word PC/RC/masks,
 * §8.1.7 tag word, §8.1.8 last instruction and data pointers and the
 * opcode), §8.5 (exception conditions, masked responses), §8.5.1.1 (stack
 * overflow and underflow: IE+SF, C1 = 1 for overflow, 0 for underflow).
 */
/*C:630 The x87 is a stack machine of eight registers: TOP names the
 * physical register that is ST(0), a push decrements it and a pop
 * increments it, modulo 8, and the tag word says which physical registers
 * hold something. A push onto a register that is not empty is a stack
 * overflow, a read of an empty one an underflow; with the exception masked
 * (as FNINIT leaves it and as Linux programs run) the processor records
 * IE+SF in the status word and carries on with the "real indefinite", a
 * negative quiet NaN, in place of the value. Our stack keeps exactly that
 * model: `Fpu` holds TOP, an empty-register bit set from which the full tag
 * word is derived on demand, the status and control words, and the last
 * instruction and operand pointers that FNSTENV and FNSAVE write out. :*/
/*C:640 What this CPU does not have is the 80-bit extended format inside.
 * Each data register is a JavaScript double (IEEE binary64): values
 * arrive from m32fp, m64fp and every integer format exactly (except int64
 * beyond 2^53, rounded to nearest), and an m80fp load keeps the value
 * exactly when it fits in a double and otherwise rounds it to nearest.
 * Doubles make every arithmetic instruction one JavaScript operation, and
 * they are what C programs compiled for i386 store anyway: glibc's printf
 * and strtod work on the values they load and store, and busybox awk and
 * sort -n only ever see doubles. The registers are kept in a Float64Array
 * with a Uint32Array over the same bytes, because NaN payloads (the sign of
 * the indefinite, the quiet bit of a signalling NaN) do not survive
 * JavaScript arithmetic: every NaN is written through the bit view. :*/
import { f80Exponent, f80Hi, f80Lo } from "./float-formats.js";

/** Status word: invalid operation. */
export const SW_IE = 0x0001;
/** Status word: denormal operand. */
export const SW_DE = 0x0002;
/** Status word: zero divide. */
export const SW_ZE = 0x0004;
/** Status word: overflow. */
export const SW_OE = 0x0008;
/** Status word: underflow. */
export const SW_UE = 0x0010;
/** Status word: precision (inexact result). */
export const SW_PE = 0x0020;
/** Status word: stack fault (with IE; C1 tells overflow from underflow). */
export const SW_SF = 0x0040;
/** Status word: error summary (an unmasked exception flag is set). */
export const SW_ES = 0x0080;
/** Status word: condition code C0. */
export const SW_C0 = 0x0100;
/** Status word: condition code C1. */
export const SW_C1 = 0x0200;
/** Status word: condition code C2. */
export const SW_C2 = 0x0400;
/** Status word: condition code C3. */
export const SW_C3 = 0x4000;
/** Status word: busy (mirrors ES on every processor since the 387). */
export const SW_B = 0x8000;
/** All four condition-code bits. */
export const SW_CC = SW_C0 | SW_C1 | SW_C2 | SW_C3;
/** The six exception flags (plus SF): what FNCLEX clears besides ES/B. */
export const SW_EXCEPTIONS = 0x007f;

/** Control word after FNINIT: all exceptions masked, 64-bit precision, round to nearest. */
export const CW_DEFAULT = 0x037f;
/** Control word: rounding-control field (bits 10–11). */
export const CW_RC_SHIFT = 10;
/** RC values. */
export const RC_NEAREST = 0;
/** RC: round down (toward −∞). */
export const RC_DOWN = 1;
/** RC: round up (toward +∞). */
export const RC_UP = 2;
/** RC: round toward zero (truncate). */
export const RC_ZERO = 3;

/** Tag values (SDM Vol. 1 §8.1.7). */
export const TAG_VALID = 0;
/** Tag: zero. */
export const TAG_ZERO = 1;
/** Tag: special (NaN, infinity, denormal in extended format). */
export const TAG_SPECIAL = 2;
/** Tag: empty. */
export const TAG_EMPTY = 3;

/** High dword of the real indefinite as a double (negative quiet NaN 0xFFF8000000000000). */
export const INDEFINITE_HI = 0xfff80000 | 0;

/**
 * The x87 state the Cpu owns. Physical register p is `st[p]` (and
 * `bits[2p]`/`bits[2p+1]`, low and high dwords); ST(i) is physical
 * `(top + i) & 7`.
 *
 * Invariant: bit p of `empty` is set exactly when register p is tagged
 * empty; `sw` never holds TOP (it is merged in by {@link Fpu.statusWord}).
 */
export class Fpu {
  /** Data registers by physical number. */
  readonly st = new Float64Array(8);
  /** The same registers as dwords (little-endian: low dword first). */
  readonly bits = new Uint32Array(this.st.buffer);
  /** Bit p set when physical register p is empty. */
  empty = 0xff;
  /** Physical number of ST(0). */
  top = 0;
  /** Status word without TOP (bits 11–13 always zero here). */
  sw = 0;
  /** Control word. */
  cw = CW_DEFAULT;
  /** Last x87 instruction: offset. */
  fip = 0;
  /** Last x87 instruction: CS selector. */
  fcs = 0;
  /** Last x87 instruction: opcode (low 11 bits: low 3 bits of the first byte, ModRM). */
  fop = 0;
  /** Last x87 memory operand: offset. */
  fdp = 0;
  /** Last x87 memory operand: segment selector. */
  fds = 0;

  /** FNINIT: default control word, status cleared, every register empty, pointers cleared. */
  init(): void {
    this.cw = CW_DEFAULT;
    this.sw = 0;
    this.top = 0;
    this.empty = 0xff;
    this.fip = 0;
    this.fcs = 0;
    this.fop = 0;
    this.fdp = 0;
    this.fds = 0;
  }

  /** The status word with TOP and the ES/B summary. */
  statusWord(): number {
    return (this.sw & ~0x3800) | (this.top << 11);
  }

  /** Set the status word (FLDENV/FRSTOR): TOP is taken from bits 11–13. */
  setStatusWord(v: number): void {
    this.top = (v >> 11) & 7;
    this.sw = v & 0xc7ff;
  }

  /**
   * Record exception flags `f` (SW_* bits). The masked response is the
   * caller's; ES and B are set when one of them is unmasked in the control
   * word (no #MF is delivered: see the README's "x87" section).
   */
  flag(f: number): void {
    this.sw |= f;
    if ((f & ~this.cw & 0x3f) !== 0) this.sw |= SW_ES | SW_B;
  }

  /** Rounding control (RC_*). */
  rc(): number {
    return (this.cw >> CW_RC_SHIFT) & 3;
  }

  /** Physical number of ST(i). */
  phys(i: number): number {
    return (this.top + i) & 7;
  }

  /** Whether ST(i) is empty. */
  isEmpty(i: number): boolean {
    return ((this.empty >> ((this.top + i) & 7)) & 1) !== 0;
  }

  /** The value of ST(i) (a NaN's payload is only in `bits`). */
  get(i: number): number {
    return this.st[(this.top + i) & 7]!;
  }

  /** Write a non-NaN value (or a NaN whose payload does not matter) to ST(i), marking it full. */
  set(i: number, v: number): void {
    const p = (this.top + i) & 7;
    this.st[p] = v;
    this.empty &= ~(1 << p);
  }

  /** Write raw double bits to ST(i), marking it full. */
  setBits(i: number, lo: number, hi: number): void {
    const p = (this.top + i) & 7;
    this.bits[p * 2] = lo;
    this.bits[p * 2 + 1] = hi;
    this.empty &= ~(1 << p);
  }

  /** Copy ST(from) to ST(to) bit for bit. */
  copy(to: number, from: number): void {
    const a = ((this.top + to) & 7) * 2;
    const b = ((this.top + from) & 7) * 2;
    this.bits[a] = this.bits[b]!;
    this.bits[a + 1] = this.bits[b + 1]!;
    this.empty &= ~(1 << (a >> 1));
  }

  /** Write the real indefinite (negative QNaN) to ST(i). */
  setIndefinite(i: number): void {
    this.setBits(i, 0, INDEFINITE_HI);
  }

  /** Low dword of ST(i). */
  lo(i: number): number {
    return this.bits[((this.top + i) & 7) * 2]!;
  }

  /** High dword of ST(i) (sign, exponent, top of the fraction). */
  hi(i: number): number {
    return this.bits[((this.top + i) & 7) * 2 + 1]! | 0;
  }

  /**
   * Stack underflow on reading an empty register: IE+SF, C1 = 0
   * (SDM Vol. 1 §8.5.1.1). The caller produces the masked response.
   */
  underflow(): void {
    this.sw &= ~SW_C1;
    this.flag(SW_IE | SW_SF);
  }

  /**
   * Make room for a push: TOP decrements; if the new ST(0) was not empty
   * that is a stack overflow (IE+SF, C1 = 1) and ST(0) becomes the real
   * indefinite. Returns false on overflow (the caller stores nothing more).
   */
  push(): boolean {
    this.top = (this.top - 1) & 7;
    if (((this.empty >> this.top) & 1) === 0) {
      this.sw |= SW_C1;
      this.flag(SW_IE | SW_SF);
      this.setIndefinite(0);
      return false;
    }
    this.sw &= ~SW_C1;
    return true;
  }

  /** Pop: tag ST(0) empty and increment TOP. */
  pop(): void {
    this.empty |= 1 << this.top;
    this.top = (this.top + 1) & 7;
  }

  /** Tag of physical register p from its contents, as it would look in extended format. */
  tagOf(p: number): number {
    if ((this.empty >> p) & 1) return TAG_EMPTY;
    const lo = this.bits[p * 2]!;
    const hi = this.bits[p * 2 + 1]!;
    if ((hi & 0x7fffffff) === 0 && lo === 0) return TAG_ZERO;
    // Double denormals are normal numbers in extended format: only NaN and ∞ are special.
    return (hi & 0x7ff00000) === 0x7ff00000 ? TAG_SPECIAL : TAG_VALID;
  }

  /** The full 16-bit tag word (two bits per physical register). */
  tagWord(): number {
    let t = 0;
    for (let p = 0; p < 8; p++) t |= this.tagOf(p) << (p * 2);
    return t;
  }

  /** Load a tag word (FLDENV/FRSTOR): only empty (11) or not is kept; the rest follows the contents. */
  setTagWord(t: number): void {
    let e = 0;
    for (let p = 0; p < 8; p++) if (((t >> (p * 2)) & 3) === TAG_EMPTY) e |= 1 << p;
    this.empty = e;
  }

  /** ST(i) in 80-bit format: [low dword, high dword, sign+exponent]. */
  toF80(i: number, out: Uint32Array): void {
    const p = ((this.top + i) & 7) * 2;
    const lo = this.bits[p]!;
    const hi = this.bits[p + 1]!;
    out[0] = f80Lo(lo, hi);
    out[1] = f80Hi(lo, hi);
    out[2] = f80Exponent(lo, hi);
  }
}
