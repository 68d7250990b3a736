/**
 * Far control transfers: JMP ptr16:16/32 and m16:16/32, CALL likewise, far
 * RET (with and without a parameter release), IRET/IRETD.
 *
 * Reference: SDM Vol. 2A CALL, JMP; Vol. 2B RET, IRET/IRETD. The protected-mode
 * checks (code segments, call gates, the TSS stack switch, returns to an
 * outer level) live in `protection/far-transfer.ts`. All operand sizes come
 * from the instruction (0x66 selects 16-bit pointers and frames in 32-bit code).
 */
import type { Cpu } from "../cpu/cpu.js";
import { INSN_A32, INSN_O32, type Insn } from "../decoder/insn.js";
import { Imm, row, type RowMap, type TableEntry } from "../decoder/table-types.js";
import { farJumpOrCall, farReturn, interruptReturn } from "../protection/far-transfer.js";

/** Read the far pointer operand m16:16 / m16:32 and transfer; `call` pushes the return address. */
function farMemory(c: Cpu, i: Insn, call: boolean): void {
  const o32 = (i.flags & INSN_O32) !== 0;
  const ea = c.ea(i);
  const offset = o32 ? c.read32(i.seg, ea) : c.read16(i.seg, ea);
  if (c.fault) return;
  const at = i.flags & INSN_A32 ? (ea + (o32 ? 4 : 2)) | 0 : (ea + (o32 ? 4 : 2)) & 0xffff;
  const selector = c.read16(i.seg, at);
  if (c.fault) return;
  farJumpOrCall(c, selector, offset, o32, call);
}

/** CALL m16:16/m16:32 (FF /3). */
export function callFar_Mp(c: Cpu, i: Insn): void {
  farMemory(c, i, true);
}

/** JMP m16:16/m16:32 (FF /5). */
export function jmpFar_Mp(c: Cpu, i: Insn): void {
  farMemory(c, i, false);
}

export function callf_Ap(c: Cpu, i: Insn): void {
  farJumpOrCall(c, i.imm2, i.imm, (i.flags & INSN_O32) !== 0, true);
}
export function jmpf_Ap(c: Cpu, i: Insn): void {
  farJumpOrCall(c, i.imm2, i.imm, (i.flags & INSN_O32) !== 0, false);
}
export function retf_Iw(c: Cpu, i: Insn): void {
  farReturn(c, (i.flags & INSN_O32) !== 0, i.imm & 0xffff);
}
export function retf(c: Cpu, i: Insn): void {
  farReturn(c, (i.flags & INSN_O32) !== 0, 0);
}
export function iret(c: Cpu, i: Insn): void {
  interruptReturn(c, (i.flags & INSN_O32) !== 0);
}

function buildRows(): Record<number, TableEntry> {
  const rows: Record<number, TableEntry> = {};
  /* 9A */ rows[0x9a] = row("callf_Ap", callf_Ap, { imm: Imm.Ap, flow: true });
  /* CA */ rows[0xca] = row("retf_Iw", retf_Iw, { imm: Imm.Iw, flow: true });
  /* CB */ rows[0xcb] = row("retf", retf, { flow: true });
  /* CF */ rows[0xcf] = row("iret", iret, { flow: true });
  /* EA */ rows[0xea] = row("jmpf_Ap", jmpf_Ap, { imm: Imm.Ap, flow: true });
  return rows;
}

/** Opcode rows of this family. */
export const FAR_ROWS: RowMap = buildRows();
