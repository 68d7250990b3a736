/**
 * Near control transfer and software interrupts: Jcc, JMP, CALL, RET,
 * LOOP/LOOPE/LOOPNE/JECXZ, INT n, INT3, INTO, INT1, and group 5 (FF).
 *
 * Reference: SDM Vol. 2A CALL, INT n/INTO/INT3/INT1, Jcc, JMP; Vol. 2B LOOP,
 * RET. A target beyond the CS limit raises #GP(0) at the branch (not at the
 * target). With a 16-bit operand size, EIP is truncated to 16 bits.
 */
import type { Cpu } from "../cpu/cpu.js";
import { ECX } from "../cpu/registers.js";
import { BP, DB, OVF } from "../cpu/vectors.js";
import { INSN_A32, type Insn } from "../decoder/insn.js";
import { group, Imm, row, row2, type RowMap, type TableEntry } from "../decoder/table-types.js";
import { incdec_Ed, incdec_Eb, incdec_Ew } from "./arith.js";
import { CC_NAMES } from "./mov.js";
import { jumpTo } from "./jump.js";
import { GENERATED_HANDLERS as G } from "../generated/alu-handlers.js";
import { callFar_Mp, jmpFar_Mp } from "./far.js";
import { push_Ed, push_Ew } from "./stack.js";

export function jmp_Jd(c: Cpu, i: Insn): void {
  jumpTo(c, (c.eip + i.imm) | 0);
}
export function jmp_Jw(c: Cpu, i: Insn): void {
  jumpTo(c, (c.eip + i.imm) & 0xffff);
}

export function call_Jd(c: Cpu, i: Insn): void {
  const target = (c.eip + i.imm) | 0;
  const ret = c.eip;
  if (!jumpTo(c, target)) return;
  c.push32(ret);
  if (c.fault) c.eip = ret;
}
export function call_Jw(c: Cpu, i: Insn): void {
  const target = (c.eip + i.imm) & 0xffff;
  const ret = c.eip;
  if (!jumpTo(c, target)) return;
  c.push16(ret);
  if (c.fault) c.eip = ret;
}

export function call_Ed(c: Cpu, i: Insn): void {
  const target = i.mod === 3 ? c.regs[i.rm]! : c.read32(i.seg, c.ea(i));
  if (c.fault) return;
  const ret = c.eip;
  if (!jumpTo(c, target)) return;
  c.push32(ret);
  if (c.fault) c.eip = ret;
}
export function call_Ew(c: Cpu, i: Insn): void {
  const target = i.mod === 3 ? c.regs[i.rm]! & 0xffff : c.read16(i.seg, c.ea(i));
  if (c.fault) return;
  const ret = c.eip;
  if (!jumpTo(c, target)) return;
  c.push16(ret);
  if (c.fault) c.eip = ret;
}
export function jmp_Ed(c: Cpu, i: Insn): void {
  const target = i.mod === 3 ? c.regs[i.rm]! : c.read32(i.seg, c.ea(i));
  if (!c.fault) jumpTo(c, target);
}
export function jmp_Ew(c: Cpu, i: Insn): void {
  const target = i.mod === 3 ? c.regs[i.rm]! & 0xffff : c.read16(i.seg, c.ea(i));
  if (!c.fault) jumpTo(c, target);
}

export function ret_d(c: Cpu, i: Insn): void {
  const target = c.peek32(0);
  if (c.fault || !jumpTo(c, target)) return;
  c.adjustEsp(4 + (i.imm & 0xffff));
}
export function ret_w(c: Cpu, i: Insn): void {
  const target = c.peek16(0);
  if (c.fault || !jumpTo(c, target)) return;
  c.adjustEsp(2 + (i.imm & 0xffff));
}

function counter(c: Cpu, i: Insn): number {
  if (i.flags & INSN_A32) return (c.regs[ECX] = (c.regs[ECX]! - 1) | 0);
  const cx = (c.regs[ECX]! - 1) & 0xffff;
  c.regs[ECX] = (c.regs[ECX]! & ~0xffff) | cx;
  return cx;
}

function loopTarget(c: Cpu, i: Insn): number {
  return i.flags & 4 ? (c.eip + i.imm) | 0 : (c.eip + i.imm) & 0xffff;
}

export function loopne(c: Cpu, i: Insn): void {
  if (counter(c, i) !== 0 && c.getZF() === 0) jumpTo(c, loopTarget(c, i));
}
export function loope(c: Cpu, i: Insn): void {
  if (counter(c, i) !== 0 && c.getZF() !== 0) jumpTo(c, loopTarget(c, i));
}
export function loop(c: Cpu, i: Insn): void {
  if (counter(c, i) !== 0) jumpTo(c, loopTarget(c, i));
}
export function jecxz(c: Cpu, i: Insn): void {
  const count = i.flags & INSN_A32 ? c.regs[ECX]! : c.regs[ECX]! & 0xffff;
  if (count === 0) jumpTo(c, loopTarget(c, i));
}

export function int3(c: Cpu): void {
  c.softInt(BP);
}
export function int_Ib(c: Cpu, i: Insn): void {
  c.softInt(i.imm & 0xff);
}
export function into(c: Cpu): void {
  if (c.getOF()) c.softInt(OVF);
}
export function int1(c: Cpu): void {
  // ICEBP: a #DB trap delivered like an exception (no gate DPL check), after the instruction.
  c.raiseTrap(DB);
}

function buildRows(): Record<number, TableEntry> {
  const rows: Record<number, TableEntry> = {
    0xe8: row2("call_Jz", call_Jw, call_Jd, { imm: Imm.Jv, flow: true }),
    0xe9: row2("jmp_Jz", jmp_Jw, jmp_Jd, { imm: Imm.Jv, flow: true }),
    0xeb: row2("jmp_Jb", jmp_Jw, jmp_Jd, { imm: Imm.Jb, flow: true }),
    0xc2: row2("ret_Iw", ret_w, ret_d, { imm: Imm.Iw, flow: true }),
    0xc3: row2("ret", ret_w, ret_d, { flow: true }),
    0xe0: row("loopne_Jb", loopne, { imm: Imm.Jb, flow: true }),
    0xe1: row("loope_Jb", loope, { imm: Imm.Jb, flow: true }),
    0xe2: row("loop_Jb", loop, { imm: Imm.Jb, flow: true }),
    0xe3: row("jecxz_Jb", jecxz, { imm: Imm.Jb, flow: true }),
    0xcc: row("int3", int3, { flow: true }),
    0xcd: row("int_Ib", int_Ib, { imm: Imm.Ib, flow: true }),
    0xce: row("into", into, { flow: true }),
    0xf1: row("int1", int1, { flow: true }),
    0xfe: group("grp4_Eb", [
      row("inc_Eb", incdec_Eb, { modrm: true, op: 0 }),
      row("dec_Eb", incdec_Eb, { modrm: true, op: 1 }),
    ]),
    0xff: group("grp5_Ev", [
      row2("inc_Ev", incdec_Ew, incdec_Ed, { modrm: true, op: 0 }),
      row2("dec_Ev", incdec_Ew, incdec_Ed, { modrm: true, op: 1 }),
      row2("call_Ev", call_Ew, call_Ed, { modrm: true, flow: true }),
      row("callf_Mp", callFar_Mp, { modrm: true, flow: true, memOnly: true }),
      row2("jmp_Ev", jmp_Ew, jmp_Ed, { modrm: true, flow: true }),
      row("jmpf_Mp", jmpFar_Mp, { modrm: true, flow: true, memOnly: true }),
      row2("push_Ev", push_Ew, push_Ed, { modrm: true }),
    ]),
  };
  for (let cc = 0; cc < 16; cc++) {
    const j = `j${CC_NAMES[cc]}`;
    rows[0x70 + cc] = row2(`${j}_Jb`, G[`${j}_Jw`]!, G[`${j}_Jd`]!, { imm: Imm.Jb, flow: true, op: cc }); /* 70–7F */
    rows[0x180 + cc] = row2(`${j}_Jz`, G[`${j}_Jw`]!, G[`${j}_Jd`]!, { imm: Imm.Jv, flow: true, op: cc }); /* 0F 80–8F */
  }
  return rows;
}

/** Opcode rows of this family. */
export const CONTROL_ROWS: RowMap = buildRows();
