/**
 * Far control transfers (placeholder rows until the protection family lands).
 *
 * Reference: SDM Vol. 2A CALL/JMP (far), Vol. 2B RET (far), IRET.
 */
import type { Cpu } from "../cpu/cpu.js";
import type { Insn } from "../decoder/insn.js";

/** CALL m16:16/m16:32 (FF /3). */
export function callFar_Mp(c: Cpu, _i: Insn): void {
  c.ud();
}

/** JMP m16:16/m16:32 (FF /5). */
export function jmpFar_Mp(c: Cpu, _i: Insn): void {
  c.ud();
}

/** Opcode rows of this family. */
export const FAR_ROWS: import("../decoder/table-types.js").RowMap = {};
