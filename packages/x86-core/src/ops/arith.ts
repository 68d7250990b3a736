/**
 * Integer arithmetic and logic: ADD OR ADC SBB AND SUB XOR CMP, TEST, INC, DEC.
 *
 * Reference: SDM Vol. 2A ADD/ADC/AND/CMP/DEC/INC, Vol. 2B OR/SBB/SUB/TEST/XOR;
 * Vol. 1 Appendix A (EFLAGS cross-reference). The eight classic ALU ops share
 * one handler per operand form, selected by `Insn.op` (the /r digit order:
 * 0 ADD, 1 OR, 2 ADC, 3 SBB, 4 AND, 5 SUB, 6 XOR, 7 CMP). Flags are lazy.
 * AF after logic ops is undefined; like QEMU we leave it clear.
 */
import type { Cpu } from "../cpu/cpu.js";
import { CF, LF_ADC, LF_ADD, LF_LOGIC, LF_SBB, LF_SUB } from "../cpu/eflags.js";
import { EAX } from "../cpu/registers.js";
import type { Insn } from "../decoder/insn.js";
import { group, Imm, row, row2, type OpRow, type RowMap } from "../decoder/table-types.js";
import {
  getR8,
  readE8,
  readE16,
  readE32,
  rmwReadE8,
  rmwReadE16,
  rmwReadE32,
  rmwWriteE8,
  rmwWriteE16,
  rmwWriteE32,
  setR8,
  setR16,
} from "./operands.js";

const CMP = 7;

/** Compute ALU op `op` on a and b with sign bit `bits` (7/15/31), setting lazy flags; returns the raw result. */
export function alu(c: Cpu, op: number, a: number, b: number, bits: number): number {
  let r: number;
  switch (op) {
    case 0:
      r = (a + b) | 0;
      c.setLazy(LF_ADD, a, b, r, bits);
      return r;
    case 1:
      r = a | b;
      c.setLazy(LF_LOGIC, a, b, r, bits);
      return r;
    case 2: {
      const cin = c.getCF();
      r = (a + b + cin) | 0;
      c.setLazy(LF_ADC, a, b, r, bits);
      c.lfCin = cin;
      return r;
    }
    case 3: {
      const cin = c.getCF();
      r = (a - b - cin) | 0;
      c.setLazy(LF_SBB, a, b, r, bits);
      c.lfCin = cin;
      return r;
    }
    case 4:
      r = a & b;
      c.setLazy(LF_LOGIC, a, b, r, bits);
      return r;
    case 6:
      r = a ^ b;
      c.setLazy(LF_LOGIC, a, b, r, bits);
      return r;
    default:
      r = (a - b) | 0;
      c.setLazy(LF_SUB, a, b, r, bits);
      return r;
  }
}

function alu_EbGb(c: Cpu, i: Insn): void {
  const b = getR8(c, i.reg);
  if (i.op === CMP) {
    const a = readE8(c, i);
    if (!c.fault) alu(c, CMP, a, b, 7);
    return;
  }
  const a = rmwReadE8(c, i);
  if (c.fault) return;
  rmwWriteE8(c, i, alu(c, i.op, a, b, 7));
}

function alu_EwGw(c: Cpu, i: Insn): void {
  const b = c.regs[i.reg]! & 0xffff;
  if (i.op === CMP) {
    const a = readE16(c, i);
    if (!c.fault) alu(c, CMP, a, b, 15);
    return;
  }
  const a = rmwReadE16(c, i);
  if (c.fault) return;
  rmwWriteE16(c, i, alu(c, i.op, a, b, 15));
}

function alu_EdGd(c: Cpu, i: Insn): void {
  const b = c.regs[i.reg]!;
  if (i.mod === 3) {
    const r = alu(c, i.op, c.regs[i.rm]!, b, 31);
    if (i.op !== CMP) c.regs[i.rm] = r;
    return;
  }
  if (i.op === CMP) {
    const a = c.read32(i.seg, c.ea(i));
    if (!c.fault) alu(c, CMP, a, b, 31);
    return;
  }
  const a = rmwReadE32(c, i);
  if (c.fault) return;
  rmwWriteE32(c, i, alu(c, i.op, a, b, 31));
}

function alu_GbEb(c: Cpu, i: Insn): void {
  const b = readE8(c, i);
  if (c.fault) return;
  const r = alu(c, i.op, getR8(c, i.reg), b, 7);
  if (i.op !== CMP) setR8(c, i.reg, r);
}

function alu_GwEw(c: Cpu, i: Insn): void {
  const b = readE16(c, i);
  if (c.fault) return;
  const r = alu(c, i.op, c.regs[i.reg]! & 0xffff, b, 15);
  if (i.op !== CMP) setR16(c, i.reg, r);
}

function alu_GdEd(c: Cpu, i: Insn): void {
  const b = i.mod === 3 ? c.regs[i.rm]! : c.read32(i.seg, c.ea(i));
  if (c.fault) return;
  const r = alu(c, i.op, c.regs[i.reg]!, b, 31);
  if (i.op !== CMP) c.regs[i.reg] = r;
}

function alu_ALIb(c: Cpu, i: Insn): void {
  const r = alu(c, i.op, c.regs[EAX]! & 0xff, i.imm & 0xff, 7);
  if (i.op !== CMP) setR8(c, EAX, r);
}

function alu_AXIw(c: Cpu, i: Insn): void {
  const r = alu(c, i.op, c.regs[EAX]! & 0xffff, i.imm & 0xffff, 15);
  if (i.op !== CMP) setR16(c, EAX, r);
}

function alu_EAXId(c: Cpu, i: Insn): void {
  const r = alu(c, i.op, c.regs[EAX]!, i.imm, 31);
  if (i.op !== CMP) c.regs[EAX] = r;
}

function alu_EbIb(c: Cpu, i: Insn): void {
  const b = i.imm & 0xff;
  if (i.op === CMP) {
    const a = readE8(c, i);
    if (!c.fault) alu(c, CMP, a, b, 7);
    return;
  }
  const a = rmwReadE8(c, i);
  if (c.fault) return;
  rmwWriteE8(c, i, alu(c, i.op, a, b, 7));
}

function alu_EwIw(c: Cpu, i: Insn): void {
  const b = i.imm & 0xffff;
  if (i.op === CMP) {
    const a = readE16(c, i);
    if (!c.fault) alu(c, CMP, a, b, 15);
    return;
  }
  const a = rmwReadE16(c, i);
  if (c.fault) return;
  rmwWriteE16(c, i, alu(c, i.op, a, b, 15));
}

function alu_EdId(c: Cpu, i: Insn): void {
  if (i.mod === 3) {
    const r = alu(c, i.op, c.regs[i.rm]!, i.imm, 31);
    if (i.op !== CMP) c.regs[i.rm] = r;
    return;
  }
  if (i.op === CMP) {
    const a = c.read32(i.seg, c.ea(i));
    if (!c.fault) alu(c, CMP, a, i.imm, 31);
    return;
  }
  const a = rmwReadE32(c, i);
  if (c.fault) return;
  rmwWriteE32(c, i, alu(c, i.op, a, i.imm, 31));
}

function test_Eb(c: Cpu, i: Insn, b: number): void {
  const a = readE8(c, i);
  if (!c.fault) alu(c, 4, a, b, 7);
}

function test_EbGb(c: Cpu, i: Insn): void {
  test_Eb(c, i, getR8(c, i.reg));
}

function test_EwGw(c: Cpu, i: Insn): void {
  const a = readE16(c, i);
  if (!c.fault) alu(c, 4, a, c.regs[i.reg]! & 0xffff, 15);
}

function test_EdGd(c: Cpu, i: Insn): void {
  const a = readE32(c, i);
  if (!c.fault) alu(c, 4, a, c.regs[i.reg]!, 31);
}

function test_ALIb(c: Cpu, i: Insn): void {
  alu(c, 4, c.regs[EAX]! & 0xff, i.imm & 0xff, 7);
}

function test_AXIw(c: Cpu, i: Insn): void {
  alu(c, 4, c.regs[EAX]! & 0xffff, i.imm & 0xffff, 15);
}

function test_EAXId(c: Cpu, i: Insn): void {
  alu(c, 4, c.regs[EAX]!, i.imm, 31);
}

/** INC/DEC flags: like ADD/SUB of 1 but CF is kept (SDM INC/DEC "Flags Affected"). */
export function incDec(c: Cpu, a: number, dec: boolean, bits: number): number {
  const cf = c.getCF();
  c.flags = (c.flags & ~CF) | cf;
  const r = (dec ? a - 1 : a + 1) | 0;
  c.setLazy(dec ? LF_SUB : LF_ADD, a, 1, r, bits);
  c.lfMask &= ~CF;
  return r;
}

function inc_Zw(c: Cpu, i: Insn): void {
  setR16(c, i.reg, incDec(c, c.regs[i.reg]! & 0xffff, false, 15));
}
function inc_Zd(c: Cpu, i: Insn): void {
  c.regs[i.reg] = incDec(c, c.regs[i.reg]!, false, 31);
}
function dec_Zw(c: Cpu, i: Insn): void {
  setR16(c, i.reg, incDec(c, c.regs[i.reg]! & 0xffff, true, 15));
}
function dec_Zd(c: Cpu, i: Insn): void {
  c.regs[i.reg] = incDec(c, c.regs[i.reg]!, true, 31);
}

/** INC/DEC Eb (FE /0, /1): `op` 0 = INC, 1 = DEC. */
export function incdec_Eb(c: Cpu, i: Insn): void {
  const a = rmwReadE8(c, i);
  if (c.fault) return;
  rmwWriteE8(c, i, incDec(c, a, i.op === 1, 7));
}
/** INC/DEC Ew (FF /0, /1 with 0x66). */
export function incdec_Ew(c: Cpu, i: Insn): void {
  const a = rmwReadE16(c, i);
  if (c.fault) return;
  rmwWriteE16(c, i, incDec(c, a, i.op === 1, 15));
}
/** INC/DEC Ed (FF /0, /1). */
export function incdec_Ed(c: Cpu, i: Insn): void {
  const a = rmwReadE32(c, i);
  if (c.fault) return;
  rmwWriteE32(c, i, incDec(c, a, i.op === 1, 31));
}

const ALU_NAMES = ["add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"] as const;

function aluGroup(suffix: string, fn16: (c: Cpu, i: Insn) => void, fn32: (c: Cpu, i: Insn) => void, imm: Imm): OpRow[] {
  return ALU_NAMES.map((n, op) => row2(`${n}_${suffix}`, fn16, fn32, { modrm: true, imm, op }));
}

function buildRows(): Record<number, ReturnType<typeof row> | ReturnType<typeof group>> {
  const rows: Record<number, ReturnType<typeof row> | ReturnType<typeof group>> = {};
  ALU_NAMES.forEach((n, op) => {
    const base = op << 3;
    rows[base + 0] = row(`${n}_EbGb`, alu_EbGb, { modrm: true, op }); /* 00 08 10 18 20 28 30 38 */
    rows[base + 1] = row2(`${n}_EvGv`, alu_EwGw, alu_EdGd, { modrm: true, op }); /* 01 09 … */
    rows[base + 2] = row(`${n}_GbEb`, alu_GbEb, { modrm: true, op }); /* 02 0A … */
    rows[base + 3] = row2(`${n}_GvEv`, alu_GwEw, alu_GdEd, { modrm: true, op }); /* 03 0B … */
    rows[base + 4] = row(`${n}_ALIb`, alu_ALIb, { imm: Imm.Ib, op }); /* 04 0C … */
    rows[base + 5] = row2(`${n}_eAXIz`, alu_AXIw, alu_EAXId, { imm: Imm.Iv, op }); /* 05 0D … */
  });
  for (let r = 0; r < 8; r++) {
    rows[0x40 + r] = row2("inc_Zv", inc_Zw, inc_Zd); /* 40–47 INC r */
    rows[0x48 + r] = row2("dec_Zv", dec_Zw, dec_Zd); /* 48–4F DEC r */
  }
  rows[0x80] = group("grp1_EbIb", aluGroup("EbIb", alu_EbIb, alu_EbIb, Imm.Ib)); /* 80 */
  rows[0x81] = group("grp1_EvIz", aluGroup("EvIz", alu_EwIw, alu_EdId, Imm.Iv)); /* 81 */
  rows[0x82] = group("grp1_EbIb", aluGroup("EbIb", alu_EbIb, alu_EbIb, Imm.Ib)); /* 82 (alias of 80) */
  rows[0x83] = group("grp1_EvIb", aluGroup("EvIb", alu_EwIw, alu_EdId, Imm.Ib)); /* 83 */
  rows[0x84] = row("test_EbGb", test_EbGb, { modrm: true }); /* 84 */
  rows[0x85] = row2("test_EvGv", test_EwGw, test_EdGd, { modrm: true }); /* 85 */
  rows[0xa8] = row("test_ALIb", test_ALIb, { imm: Imm.Ib }); /* A8 */
  rows[0xa9] = row2("test_eAXIz", test_AXIw, test_EAXId, { imm: Imm.Iv }); /* A9 */
  return rows;
}

/** Opcode rows of this family. */
export const ARITH_ROWS: RowMap = buildRows();
