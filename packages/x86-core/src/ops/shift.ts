/**
 * Shifts and rotates: group 2 (ROL ROR RCL RCR SHL SHR SAL SAR) and the
 * double-precision shifts SHLD/SHRD.
 *
 * Reference: SDM Vol. 2B "RCL/RCR/ROL/ROR—Rotate", "SAL/SAR/SHL/SHR—Shift",
 * "SHLD—Double Precision Shift Left", "SHRD—Double Precision Shift Right";
 * Vol. 1 Appendix A (EFLAGS cross-reference). The count is masked to 5 bits;
 * a masked count of 0 changes neither the operand nor any flag. RCL/RCR of
 * bytes and words rotate through 9 and 17 bits (count mod 9 / mod 17).
 *
 * Undefined results, chosen to match QEMU (TCG, checked with qemu-i386 7.2):
 * - OF for counts other than 1: shifts and rotates compute OF with the
 *   count-1 formula for every count (SHL: CF ^ MSB(result); SHR/SAR: MSB of
 *   (value shifted by count-1) ^ MSB(result); rotates likewise).
 * - AF after SHL/SHR/SAR/SHLD/SHRD is cleared.
 * - SHL/SHR of a byte or word by more than its width gives 0 and CF 0.
 * - SHLD/SHRD of a word with a count above 16 shift the 48-bit string
 *   dest:src:dest (Intel's behaviour, as QEMU models it).
 */
import type { Cpu } from "../cpu/cpu.js";
import { AF, CF, LF_LOGIC, OF, PF, SF, ZF } from "../cpu/eflags.js";
import { ECX } from "../cpu/registers.js";
import type { Insn } from "../decoder/insn.js";
import { group, Imm, row2, type OpRow, type RowMap } from "../decoder/table-types.js";
import { GENERATED_HANDLERS as G } from "../generated/alu-handlers.js";
import { rmwReadE8, rmwReadE16, rmwReadE32, rmwWriteE8, rmwWriteE16, rmwWriteE32 } from "./operands.js";

/*C:500 Shifts are where "the flags are lazy" stops being free. A shift sets
 * CF to the last bit pushed out and OF to a sign-change rule, neither of
 * which the ADD/SUB lazy kinds can reproduce from operands and result, so we
 * compute CF and OF at once and store them in `flags`, while SF, ZF and PF
 * stay lazy: they follow from the result alone, which is exactly what the
 * LF_LOGIC kind derives (and it reports AF = 0, the value QEMU gives).
 * Narrowing `lfMask` to SF|ZF|PF|AF tells every reader which half is which.
 * Rotates are stricter still: they leave SF, ZF, AF and PF as they were, so
 * they settle only CF and OF and keep the older lazy record for the rest. :*/

/** Result flags of a shift: CF and OF concrete, SF/ZF/PF from `res`, AF clear. */
function shiftFlags(c: Cpu, res: number, bits: number, cf: number, of: number): void {
  c.setLazy(LF_LOGIC, 0, 0, res, bits);
  c.lfMask = SF | ZF | PF | AF;
  c.flags = (c.flags & ~(CF | OF)) | cf | (of << 11);
}

/** Rotate flags: only CF and OF change. */
function rotateFlags(c: Cpu, cf: number, of: number): void {
  c.settleFlags(CF | OF);
  c.flags = (c.flags & ~(CF | OF)) | cf | (of << 11);
}

/**
 * Apply group-2 operation `op` (the /r digit) to `v` (zero-extended, `n`
 * bits wide) by the masked, non-zero `count`; sets the flags.
 * @returns the new value (low `n` bits meaningful).
 */
export function shiftOp(c: Cpu, op: number, v: number, count: number, n: number): number {
  const top = n - 1;
  const m = n === 32 ? -1 : (1 << n) - 1;
  let res: number;
  switch (op) {
    case 0: {
      // ROL
      const k = count & top;
      res = k === 0 ? v : ((v << k) | (v >>> (n - k))) & m;
      const cf = res & 1;
      rotateFlags(c, cf, cf ^ ((res >>> top) & 1));
      return res;
    }
    case 1: {
      // ROR
      const k = count & top;
      res = k === 0 ? v : ((v >>> k) | (v << (n - k))) & m;
      const msb = (res >>> top) & 1;
      rotateFlags(c, msb, msb ^ ((res >>> (top - 1)) & 1));
      return res;
    }
    case 2: {
      // RCL: rotate the n+1-bit string CF:v
      const k = n === 32 ? count : count % (n + 1);
      if (k === 0) return v;
      const cin = c.getCF();
      res = (v << k) | (cin << (k - 1));
      if (k > 1) res |= v >>> (n + 1 - k);
      res &= m;
      rotateFlags(c, (v >>> (n - k)) & 1, ((v ^ res) >>> top) & 1);
      return res;
    }
    case 3: {
      // RCR
      const k = n === 32 ? count : count % (n + 1);
      if (k === 0) return v;
      const cin = c.getCF();
      res = (v >>> k) | (cin << (n - k));
      if (k > 1) res |= v << (n + 1 - k);
      res &= m;
      rotateFlags(c, (v >>> (k - 1)) & 1, ((v ^ res) >>> top) & 1);
      return res;
    }
    case 5: {
      // SHR
      const before = v >>> (count - 1);
      res = before >>> 1;
      shiftFlags(c, res, top, before & 1, ((before ^ res) >>> top) & 1);
      return res;
    }
    case 7: {
      // SAR: shift the sign-extended value; bits past the width repeat the sign
      const sv = (v << (32 - n)) >> (32 - n);
      const before = sv >> (count - 1);
      res = (before >> 1) & m;
      shiftFlags(c, res, top, before & 1, 0);
      return res;
    }
    default: {
      // SHL, SAL (/4 and /6)
      const before = v << (count - 1);
      res = (before << 1) & m;
      const cf = (before >>> top) & 1;
      shiftFlags(c, res, top, cf, cf ^ ((res >>> top) & 1));
      return res;
    }
  }
}

function shiftEb(c: Cpu, i: Insn, count: number): void {
  const v = rmwReadE8(c, i);
  if (c.fault) return;
  rmwWriteE8(c, i, count === 0 ? v : shiftOp(c, i.op, v, count, 8));
}

function shiftEw(c: Cpu, i: Insn, count: number): void {
  const v = rmwReadE16(c, i);
  if (c.fault) return;
  rmwWriteE16(c, i, count === 0 ? v : shiftOp(c, i.op, v, count, 16));
}

function shiftEd(c: Cpu, i: Insn, count: number): void {
  if (i.mod === 3) {
    if (count !== 0) c.regs[i.rm] = shiftOp(c, i.op, c.regs[i.rm]!, count, 32);
    return;
  }
  const v = rmwReadE32(c, i);
  if (c.fault) return;
  rmwWriteE32(c, i, count === 0 ? v : shiftOp(c, i.op, v, count, 32));
}

export function grp2_EbIb(c: Cpu, i: Insn): void {
  shiftEb(c, i, i.imm & 31);
}
export function grp2_EwIb(c: Cpu, i: Insn): void {
  shiftEw(c, i, i.imm & 31);
}
export function grp2_EdIb(c: Cpu, i: Insn): void {
  shiftEd(c, i, i.imm & 31);
}
export function grp2_Eb1(c: Cpu, i: Insn): void {
  shiftEb(c, i, 1);
}
export function grp2_Ew1(c: Cpu, i: Insn): void {
  shiftEw(c, i, 1);
}
export function grp2_Ed1(c: Cpu, i: Insn): void {
  shiftEd(c, i, 1);
}
export function grp2_EbCL(c: Cpu, i: Insn): void {
  shiftEb(c, i, c.regs[ECX]! & 31);
}
export function grp2_EwCL(c: Cpu, i: Insn): void {
  shiftEw(c, i, c.regs[ECX]! & 31);
}
export function grp2_EdCL(c: Cpu, i: Insn): void {
  shiftEd(c, i, c.regs[ECX]! & 31);
}

// ------------------------------------------------------------ SHLD / SHRD

/*C:510 SHLD and SHRD shift a destination while filling the vacated bits
 * from a second register. For 32-bit operands the 5-bit count never exceeds
 * the width, but a word operand can be asked to shift by up to 31: the SDM
 * calls the result undefined. Intel CPUs (and QEMU, which copies them)
 * behave as if the 48-bit string dest:src:dest were shifted, so we build
 * the 32-bit pair as QEMU does and keep the bits that fall out of it. :*/

/** SHLD/SHRD on 32 bits: `d` destination, `s` source, `k` masked non-zero count. */
function shld32(c: Cpu, d: number, s: number, k: number): number {
  const before = d << (k - 1);
  const res = (before << 1) | (s >>> (32 - k));
  const cf = (before >>> 31) & 1;
  shiftFlags(c, res, 31, cf, cf ^ (res >>> 31));
  return res;
}

function shrd32(c: Cpu, d: number, s: number, k: number): number {
  const before = d >>> (k - 1);
  const res = (before >>> 1) | (s << (32 - k));
  shiftFlags(c, res, 31, before & 1, ((before ^ res) >>> 31) & 1);
  return res;
}

/** Word SHLD: shifts dest:src:dest left; `d`, `s` are 16-bit values. */
function shld16(c: Cpu, d: number, s: number, k: number): number {
  const pair = (s << 16) | d;
  let before = d << (k - 1);
  if (k > 1) before |= pair >>> (33 - k);
  const res = ((d << k) | (pair >>> (32 - k))) & 0xffff;
  shiftFlags(c, res, 15, (before >>> 15) & 1, ((before ^ res) >>> 15) & 1);
  return res;
}

/** Word SHRD: shifts dest:src:dest right. */
function shrd16(c: Cpu, d: number, s: number, k: number): number {
  const pair = (s << 16) | d;
  const before = pair >>> (k - 1);
  const res = ((pair >>> k) | (d << (32 - k))) & 0xffff;
  shiftFlags(c, res, 15, before & 1, ((before ^ res) >>> 15) & 1);
  return res;
}

function shxdEw(c: Cpu, i: Insn, k: number, right: boolean): void {
  const d = rmwReadE16(c, i);
  if (c.fault) return;
  const s = c.regs[i.reg]! & 0xffff;
  rmwWriteE16(c, i, k === 0 ? d : right ? shrd16(c, d, s, k) : shld16(c, d, s, k));
}

function shxdEd(c: Cpu, i: Insn, k: number, right: boolean): void {
  const d = rmwReadE32(c, i);
  if (c.fault) return;
  const s = c.regs[i.reg]!;
  rmwWriteE32(c, i, k === 0 ? d : right ? shrd32(c, d, s, k) : shld32(c, d, s, k));
}

export function shld_EwGwIb(c: Cpu, i: Insn): void {
  shxdEw(c, i, i.imm & 31, false);
}
export function shld_EdGdIb(c: Cpu, i: Insn): void {
  shxdEd(c, i, i.imm & 31, false);
}
export function shld_EwGwCL(c: Cpu, i: Insn): void {
  shxdEw(c, i, c.regs[ECX]! & 31, false);
}
export function shld_EdGdCL(c: Cpu, i: Insn): void {
  shxdEd(c, i, c.regs[ECX]! & 31, false);
}
export function shrd_EwGwIb(c: Cpu, i: Insn): void {
  shxdEw(c, i, i.imm & 31, true);
}
export function shrd_EdGdIb(c: Cpu, i: Insn): void {
  shxdEd(c, i, i.imm & 31, true);
}
export function shrd_EwGwCL(c: Cpu, i: Insn): void {
  shxdEw(c, i, c.regs[ECX]! & 31, true);
}
export function shrd_EdGdCL(c: Cpu, i: Insn): void {
  shxdEd(c, i, c.regs[ECX]! & 31, true);
}

const GRP2_NAMES = ["rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar"] as const;

function grp2(suffix: string, fn16: (c: Cpu, i: Insn) => void, fn32: (c: Cpu, i: Insn) => void, imm: Imm): OpRow[] {
  // /6 (SAL) is an alias of /4 (SHL): give it op 4 so one case serves both. The 32-bit
  // forms of the common operations use the generated per-operation handlers.
  const d = suffix.replace("Ev", "Ed");
  return GRP2_NAMES.map((n, op) => {
    const fast = G[`${n === "sal" ? "shl" : n}_${d}`];
    return row2(`${n}_${suffix}`, fn16, fast ?? fn32, { modrm: true, imm, op: op === 6 ? 4 : op });
  });
}

/** Opcode rows of this family. */
export const SHIFT_ROWS: RowMap = {
  /* C0 */ [0xc0]: group("grp2_EbIb", grp2("EbIb", grp2_EbIb, grp2_EbIb, Imm.Ib)),
  /* C1 */ [0xc1]: group("grp2_EvIb", grp2("EvIb", grp2_EwIb, grp2_EdIb, Imm.Ib)),
  /* D0 */ [0xd0]: group("grp2_Eb1", grp2("Eb1", grp2_Eb1, grp2_Eb1, Imm.None)),
  /* D1 */ [0xd1]: group("grp2_Ev1", grp2("Ev1", grp2_Ew1, grp2_Ed1, Imm.None)),
  /* D2 */ [0xd2]: group("grp2_EbCL", grp2("EbCL", grp2_EbCL, grp2_EbCL, Imm.None)),
  /* D3 */ [0xd3]: group("grp2_EvCL", grp2("EvCL", grp2_EwCL, grp2_EdCL, Imm.None)),
  /* 0F A4 */ [0x1a4]: row2("shld_EvGvIb", shld_EwGwIb, shld_EdGdIb, { modrm: true, imm: Imm.Ib }),
  /* 0F A5 */ [0x1a5]: row2("shld_EvGvCL", shld_EwGwCL, shld_EdGdCL, { modrm: true }),
  /* 0F AC */ [0x1ac]: row2("shrd_EvGvIb", shrd_EwGwIb, shrd_EdGdIb, { modrm: true, imm: Imm.Ib }),
  /* 0F AD */ [0x1ad]: row2("shrd_EvGvCL", shrd_EwGwCL, shrd_EdGdCL, { modrm: true }),
};
