/**
 * Loads, stores and conversions: FLD/FST/FSTP (m32fp, m64fp, m80fp,
 * ST(i)), FILD/FIST/FISTP (m16int, m32int, m64int), FBLD/FBSTP, and the
 * DB, DD and DF escapes that hold them, with FCOMI/FUCOMI(P), FCMOVNcc,
 * FNINIT/FNCLEX, FFREE(P), FUCOM(P), FNSTSW.
 *
 * Reference: SDM Vol. 2A FLD, FST/FSTP, FILD, FIST/FISTP, FBLD, FBSTP,
 * FCOMI/FCOMIP/FUCOMI/FUCOMIP (ZF, PF, CF from the compare; OF, SF, AF
 * cleared), FFREE, FNSTSW, FINIT/FNINIT, FCLEX/FNCLEX; Vol. 1 §4.7 and
 * Table 4-9 (integer indefinite 8000…, BCD indefinite FFFF C000…),
 * §4.8.4 (rounding control for integer conversions). FISTTP (DB /1,
 * DD /1, DF /1) is SSE3 and raises #UD here, like the P6 this CPU models.
 */
import { AF, CF, OF, PF, SF, ZF } from "../cpu/eflags.js";
import type { Cpu } from "../cpu/cpu.js";
import { EAX } from "../cpu/registers.js";
import type { Insn } from "../decoder/insn.js";
import { compare, opndBits, setCompareCodes, stageReg } from "./fpu-arith.js";
import { CONV_OE, CONV_PE, CONV_UE, convFlags, doubleToF32Bits, isNaNBits, isSNaNBits, roundInt } from "./float-formats.js";
import { type Fpu, SW_C1, SW_EXCEPTIONS, SW_ES, SW_B, SW_IE, SW_PE } from "./fpu-state.js";
import { fcmov } from "./x87-arith-ops.js";
import { fnsave, frstor } from "./x87-env.js";
import {
  int64Words,
  note,
  out,
  quietLoadedSNaN,
  readInt,
  stageM32fp,
  stageM64fp,
  stageM80fp,
  stageNumber,
  storeDwords,
  unavailable,
} from "./x87-access.js";

/** Push operand slot 1 (already converted) onto the stack. */
export function pushStaged(f: Fpu): void {
  if (!f.push()) return;
  f.setBits(0, opndBits[2]!, opndBits[3]!);
}

/** FST/FSTP m32fp: ST(0) rounded by RC; the single indefinite when ST(0) is empty. */
export function fstM32(c: Cpu, i: Insn, pop: boolean): void {
  const f = c.fpu;
  let b: number;
  let flags = 0;
  const empty = f.isEmpty(0);
  if (empty) b = 0xffc00000;
  else {
    const lo = f.lo(0);
    const hi = f.hi(0);
    if (isNaNBits(lo, hi)) {
      b = (hi & 0x80000000) | 0x7f800000 | ((hi & 0xfffff) << 3) | (lo >>> 29);
      if (isSNaNBits(lo, hi)) {
        flags = SW_IE;
        b |= 0x400000;
      }
    } else {
      b = doubleToF32Bits(f.get(0), f.rc());
      flags = convFlags & (CONV_PE | CONV_OE | CONV_UE);
    }
  }
  c.write32(i.seg, c.ea(i), b);
  if (c.fault) return;
  finishStore(f, empty, flags, pop);
}

/** Stack underflow or the conversion's flags, C1 cleared, then the optional pop. */
function finishStore(f: Fpu, empty: boolean, flags: number, pop: boolean): void {
  f.sw &= ~SW_C1;
  if (empty) f.underflow();
  else if (flags !== 0) f.flag(flags);
  if (pop) f.pop();
}

/** FST/FSTP m64fp: exact (the register is a double); an SNaN is quietened with IE. */
export function fstM64(c: Cpu, i: Insn, pop: boolean): void {
  const f = c.fpu;
  const empty = f.isEmpty(0);
  let flags = 0;
  if (empty) {
    out[0] = 0;
    out[1] = 0xfff80000;
  } else {
    out[0] = f.lo(0);
    out[1] = f.hi(0);
    if (isSNaNBits(out[0]!, out[1]! | 0)) {
      flags = SW_IE;
      out[1] = out[1]! | 0x80000;
    }
  }
  if (!storeDwords(c, i, out, 2, -1)) return;
  finishStore(f, empty, flags, pop);
}

/** FSTP m80fp: the extended form of ST(0), NaNs unchanged; the indefinite when empty. */
export function fstpM80(c: Cpu, i: Insn): void {
  const f = c.fpu;
  const empty = f.isEmpty(0);
  if (empty) {
    out[0] = 0;
    out[1] = 0xc0000000;
    out[2] = 0xffff;
  } else f.toF80(0, out);
  if (!storeDwords(c, i, out, 2, out[2]!)) return;
  finishStore(f, empty, 0, true);
}

/** Limits 2^(n−1) of the signed integer formats by byte size. */
function intLimit(bytes: number): number {
  return bytes === 2 ? 32768 : bytes === 4 ? 2147483648 : 2 ** 63;
}

/**
 * FIST/FISTP m16int/m32int/m64int: ST(0) rounded by RC (PE when inexact);
 * NaN, ∞ or out of range → IE and the integer indefinite (0x8000…).
 */
export function fistM(c: Cpu, i: Insn, bytes: number, pop: boolean): void {
  const f = c.fpu;
  const empty = f.isEmpty(0);
  const lim = intLimit(bytes);
  let v = -lim; // the indefinite
  let flags = 0;
  if (!empty) {
    const x = f.get(0);
    const r = roundInt(x, f.rc());
    if (Number.isNaN(r) || r < -lim || r >= lim) flags = SW_IE;
    else {
      v = r;
      if (r !== x) flags = SW_PE;
    }
  }
  if (bytes === 8) {
    int64Words(v);
    if (!storeDwords(c, i, out, 2, -1)) return;
  } else if (bytes === 4) {
    c.write32(i.seg, c.ea(i), v);
    if (c.fault) return;
  } else {
    c.write16(i.seg, c.ea(i), v & 0xffff);
    if (c.fault) return;
  }
  finishStore(f, empty, flags, pop);
}

/** FILD: push an integer of `bytes` bytes. */
function fild(c: Cpu, i: Insn, bytes: number): void {
  const v = readInt(c, i, bytes);
  if (c.fault) return;
  stageNumber(v, 1);
  pushStaged(c.fpu);
}

/** FLD m32fp/m64fp/m80fp by size (4, 8, 10). */
function fldM(c: Cpu, i: Insn, bytes: number): void {
  if (bytes === 4 ? !stageM32fp(c, i, 1) : bytes === 8 ? !stageM64fp(c, i, 1) : !stageM80fp(c, i, 1)) return;
  if (bytes !== 10) quietLoadedSNaN(c, 1);
  pushStaged(c.fpu);
}

/** FST ST(i) / FSTP ST(i): ST(i) ← ST(0), bit for bit. */
export function fstReg(f: Fpu, r: number, pop: boolean): void {
  f.sw &= ~SW_C1;
  if (f.isEmpty(0)) {
    f.underflow();
    f.setIndefinite(r);
  } else f.copy(r, 0);
  if (pop) f.pop();
}

/** FXCH ST(i) (and its aliases): empty registers are replaced by the indefinite first. */
export function fxch(f: Fpu, r: number): void {
  f.sw &= ~SW_C1;
  if (f.isEmpty(0) || f.isEmpty(r)) {
    f.underflow();
    if (f.isEmpty(0)) f.setIndefinite(0);
    if (f.isEmpty(r)) f.setIndefinite(r);
  }
  const a = f.phys(0) * 2;
  const b = f.phys(r) * 2;
  const lo = f.bits[a]!;
  const hi = f.bits[a + 1]!;
  f.bits[a] = f.bits[b]!;
  f.bits[a + 1] = f.bits[b + 1]!;
  f.bits[b] = lo;
  f.bits[b + 1] = hi;
}

/**
 * FCOMI/FUCOMI(P): compare ST(0) with ST(i) into ZF, PF, CF (unordered: all
 * three set), clear OF, SF, AF; C1 = 0, C0/C2/C3 unchanged.
 */
function fcomi(c: Cpu, r: number, quiet: boolean, pop: boolean): void {
  const f = c.fpu;
  const cc = f.sw & 0x4500;
  let res: number;
  if (f.isEmpty(0) || f.isEmpty(r)) {
    f.underflow();
    res = 3;
  } else {
    stageReg(f, 0, 0);
    stageReg(f, r, 1);
    res = compare(f, quiet);
  }
  f.sw = (f.sw & ~0x4700) | cc;
  const bits = res === 0 ? 0 : res === 1 ? CF : res === 2 ? ZF : ZF | PF | CF;
  c.settleFlags(OF | SF | ZF | AF | PF | CF);
  c.flags = (c.flags & ~(OF | SF | ZF | AF | PF | CF)) | bits;
  if (pop) f.pop();
}

/** FUCOM/FUCOMP ST(i) (DD E0/E8). */
function fucom(f: Fpu, r: number, pop: boolean): void {
  if (f.isEmpty(0) || f.isEmpty(r)) {
    f.underflow();
    setCompareCodes(f, 3);
  } else {
    stageReg(f, 0, 0);
    stageReg(f, r, 1);
    compare(f, true);
  }
  if (pop) f.pop();
}

/** ESC DB: FILD/FIST/FISTP m32int, FLD/FSTP m80fp; FCMOVNcc, FNCLEX, FNINIT, FUCOMI, FCOMI. */
export function esc_DB(c: Cpu, i: Insn): void {
  if (unavailable(c)) return;
  const f = c.fpu;
  if (i.mod !== 3) {
    switch (i.reg) {
      case 0:
        note(c, i);
        fild(c, i, 4);
        return;
      case 2:
      case 3:
        note(c, i);
        fistM(c, i, 4, i.reg === 3);
        return;
      case 5:
        note(c, i);
        fldM(c, i, 10);
        return;
      case 7:
        note(c, i);
        fstpM80(c, i);
        return;
      default:
        c.ud();
        return;
    }
  }
  switch (i.reg) {
    case 0:
    case 1:
    case 2:
    case 3:
      note(c, i);
      fcmov(c, i, true);
      return;
    case 4:
      // E0 FENI and E1 FDISI (8087) and E4 FSETPM (287) are no-ops on a 387 and later.
      if (i.rm === 2) f.sw &= ~(SW_EXCEPTIONS | SW_ES | SW_B);
      else if (i.rm === 3) f.init();
      else if (i.rm > 4) c.ud();
      return;
    case 5:
    case 6:
      note(c, i);
      fcomi(c, i.rm, i.reg === 5, false);
      return;
    default:
      c.ud();
      return;
  }
}

/** ESC DD: FLD/FST/FSTP m64fp, FRSTOR, FNSAVE, FNSTSW m16; FFREE, FST/FSTP ST(i), FUCOM(P). */
export function esc_DD(c: Cpu, i: Insn): void {
  if (unavailable(c)) return;
  const f = c.fpu;
  if (i.mod !== 3) {
    switch (i.reg) {
      case 0:
        note(c, i);
        fldM(c, i, 8);
        return;
      case 2:
      case 3:
        note(c, i);
        fstM64(c, i, i.reg === 3);
        return;
      case 4:
        frstor(c, i);
        return;
      case 6:
        fnsave(c, i);
        return;
      case 7:
        c.write16(i.seg, c.ea(i), f.statusWord());
        return;
      default:
        c.ud();
        return;
    }
  }
  note(c, i);
  switch (i.reg) {
    case 0:
      f.empty |= 1 << f.phys(i.rm);
      return;
    case 1:
      fxch(f, i.rm);
      return;
    case 2:
    case 3:
      fstReg(f, i.rm, i.reg === 3);
      return;
    case 4:
    case 5:
      fucom(f, i.rm, i.reg === 5);
      return;
    default:
      c.ud();
      return;
  }
}

/** ESC DF: FILD/FIST/FISTP m16int, FBLD, FILD/FISTP m64int, FBSTP; FNSTSW AX, FUCOMIP, FCOMIP. */
export function esc_DF(c: Cpu, i: Insn): void {
  if (unavailable(c)) return;
  const f = c.fpu;
  if (i.mod !== 3) {
    note(c, i);
    switch (i.reg) {
      case 0:
        fild(c, i, 2);
        return;
      case 2:
      case 3:
        fistM(c, i, 2, i.reg === 3);
        return;
      case 4:
        fbld(c, i);
        return;
      case 5:
        fild(c, i, 8);
        return;
      case 6:
        fbstp(c, i);
        return;
      case 7:
        fistM(c, i, 8, true);
        return;
      default:
        c.ud();
        return;
    }
  }
  switch (i.reg) {
    case 0: // FFREEP (undocumented): free ST(i), then pop
      note(c, i);
      f.empty |= 1 << f.phys(i.rm);
      f.pop();
      return;
    case 1:
      note(c, i);
      fxch(f, i.rm);
      return;
    case 2:
    case 3:
      note(c, i);
      fstReg(f, i.rm, true);
      return;
    case 4:
      if (i.rm !== 0) {
        c.ud();
        return;
      }
      c.regs[EAX] = (c.regs[EAX]! & ~0xffff) | f.statusWord();
      return;
    case 5:
    case 6:
      note(c, i);
      fcomi(c, i.rm, i.reg === 5, true);
      return;
    default:
      c.ud();
      return;
  }
}

/** FBLD m80bcd: 18 packed digits and a sign byte (rounded to a double beyond 2^53). */
function fbld(c: Cpu, i: Insn): void {
  const off = c.ea(i);
  let v = 0n;
  for (let k = 8; k >= 0; k--) {
    const b = c.read8(i.seg, (off + k) | 0);
    v = v * 100n + BigInt((b >> 4) * 10 + (b & 15));
  }
  const sign = c.read8(i.seg, (off + 9) | 0);
  if (c.fault) return;
  const n = Number(v);
  stageNumber(sign & 0x80 ? -n : n, 1);
  pushStaged(c.fpu);
}

/** FBSTP m80bcd: ST(0) rounded by RC; beyond 18 digits (or NaN, ∞, empty) the BCD indefinite. */
function fbstp(c: Cpu, i: Insn): void {
  const f = c.fpu;
  const empty = f.isEmpty(0);
  let flags = 0;
  const bytes = bcd;
  bytes.fill(0);
  let r = Number.NaN;
  if (!empty) {
    const x = f.get(0);
    r = roundInt(x, f.rc());
    if (!Number.isNaN(r) && Math.abs(r) < 1e18) {
      if (r !== x) flags = SW_PE;
    } else flags = SW_IE;
  }
  if (empty || flags === SW_IE) {
    bytes[7] = 0xc0;
    bytes[8] = 0xff;
    bytes[9] = 0xff;
  } else {
    let v = BigInt(Math.abs(r));
    for (let k = 0; k < 9; k++) {
      const two = Number(v % 100n);
      v /= 100n;
      bytes[k] = ((Math.floor(two / 10) << 4) | two % 10) & 0xff;
    }
    bytes[9] = r < 0 || Object.is(r, -0) ? 0x80 : 0;
  }
  const off = c.ea(i);
  if (!c.probeWrite(i.seg, off, 10)) return;
  for (let k = 0; k < 10; k++) c.write8(i.seg, (off + k) | 0, bytes[k]!);
  finishStore(f, empty, flags, true);
}

const bcd = new Uint8Array(10);
