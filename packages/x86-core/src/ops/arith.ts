/**
 * Integer arithmetic and logic: ADD OR ADC SBB AND SUB XOR CMP, TEST, INC, DEC.
 *
 * Reference: SDM Vol. 2A ADD/ADC/AND/CMP/DEC/INC, Vol. 2B OR/SBB/SUB/TEST/XOR;
 * Vol. 1 Appendix A (EFLAGS cross-reference). The eight classic ALU ops (in /r
 * digit order: 0 ADD, 1 OR, 2 ADC, 3 SBB, 4 AND, 5 SUB, 6 XOR, 7 CMP) have one
 * generated handler per operation and operand form (src/generated/alu-handlers.ts,
 * from scripts/gen-alu.mjs); this file maps them onto the opcode table and holds
 * INC/DEC and `cmpFlags` for the string compares. Flags are lazy.
 * AF after logic ops is undefined; like QEMU we leave it clear.
 */
import type { Cpu } from "../cpu/cpu.js";
import { CF, LF_ADD, LF_SUB } from "../cpu/eflags.js";
import type { Handler, Insn } from "../decoder/insn.js";
import { GENERATED_HANDLERS as G } from "../generated/alu-handlers.js";
import { group, Imm, row, row2, type OpRow, type RowMap, type TableEntry } from "../decoder/table-types.js";
import {
  rmwReadE8,
  rmwReadE16,
  rmwReadE32,
  rmwWriteE8,
  rmwWriteE16,
  rmwWriteE32,
  setR16,
} from "./operands.js";


/** CMP a, b at sign bit `bits` (7/15/31): flags only, as the string compares need (CMPS, SCAS). */
export function cmpFlags(c: Cpu, a: number, b: number, bits: number): void {
  c.setLazy(LF_SUB, a, b, (a - b) | 0, bits);
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

export function inc_Zw(c: Cpu, i: Insn): void {
  setR16(c, i.reg, incDec(c, c.regs[i.reg]! & 0xffff, false, 15));
}
export function inc_Zd(c: Cpu, i: Insn): void {
  c.regs[i.reg] = incDec(c, c.regs[i.reg]!, false, 31);
}
export function dec_Zw(c: Cpu, i: Insn): void {
  setR16(c, i.reg, incDec(c, c.regs[i.reg]! & 0xffff, true, 15));
}
export function dec_Zd(c: Cpu, i: Insn): void {
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


function g(name: string): Handler {
  const fn = G[name];
  if (fn === undefined) throw new Error(`no generated handler ${name}`);
  return fn;
}

function aluGroup(form: string, f16: string, f32: string, imm: Imm): OpRow[] {
  return ALU_NAMES.map((n, op) => row2(`${n}_${form}`, g(`${n}_${f16}`), g(`${n}_${f32}`), { modrm: true, imm, op }));
}

function buildRows(): Record<number, TableEntry> {
  const rows: Record<number, TableEntry> = {};
  ALU_NAMES.forEach((n, op) => {
    const base = op << 3;
    rows[base + 0] = row(`${n}_EbGb`, g(`${n}_EbGb`), { modrm: true, op }); /* 00 08 10 18 20 28 30 38 */
    rows[base + 1] = row2(`${n}_EvGv`, g(`${n}_EwGw`), g(`${n}_EdGd`), { modrm: true, op }); /* 01 09 … */
    rows[base + 2] = row(`${n}_GbEb`, g(`${n}_GbEb`), { modrm: true, op }); /* 02 0A … */
    rows[base + 3] = row2(`${n}_GvEv`, g(`${n}_GwEw`), g(`${n}_GdEd`), { modrm: true, op }); /* 03 0B … */
    rows[base + 4] = row(`${n}_ALIb`, g(`${n}_ALIb`), { imm: Imm.Ib, op }); /* 04 0C … */
    rows[base + 5] = row2(`${n}_eAXIz`, g(`${n}_AXIw`), g(`${n}_EAXId`), { imm: Imm.Iv, op }); /* 05 0D … */
  });
  for (let r = 0; r < 8; r++) {
    rows[0x40 + r] = row2("inc_Zv", inc_Zw, inc_Zd); /* 40–47 INC r */
    rows[0x48 + r] = row2("dec_Zv", dec_Zw, dec_Zd); /* 48–4F DEC r */
  }
  rows[0x80] = group("grp1_EbIb", aluGroup("EbIb", "EbIb", "EbIb", Imm.Ib)); /* 80 */
  rows[0x81] = group("grp1_EvIz", aluGroup("EvIz", "EwIw", "EdId", Imm.Iv)); /* 81 */
  rows[0x82] = group("grp1_EbIb", aluGroup("EbIb", "EbIb", "EbIb", Imm.Ib)); /* 82 (alias of 80) */
  rows[0x83] = group("grp1_EvIb", aluGroup("EvIb", "EwIw", "EdId", Imm.Ib)); /* 83 */
  rows[0x84] = row("test_EbGb", g("test_EbGb"), { modrm: true }); /* 84 */
  rows[0x85] = row2("test_EvGv", g("test_EwGw"), g("test_EdGd"), { modrm: true }); /* 85 */
  rows[0xa8] = row("test_ALIb", g("test_ALIb"), { imm: Imm.Ib }); /* A8 */
  rows[0xa9] = row2("test_eAXIz", g("test_AXIw"), g("test_EAXId"), { imm: Imm.Iv }); /* A9 */
  return rows;
}

/** Opcode rows of this family. */
export const ARITH_ROWS: RowMap = buildRows();
