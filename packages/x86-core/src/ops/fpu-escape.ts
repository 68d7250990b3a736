/**
 * The x87 escape opcodes (ESC, D8–DF) and WAIT/FWAIT (9B) on a CPU without
 * a floating-point unit.
 *
 * Reference: SDM Vol. 3A §2.5 (CR0.MP/EM/TS), §9.2 and Table 9-2 ("Action
 * Taken By x87 FPU Instructions for Different Combinations of EM, MP, and
 * TS"), §6.15 "Interrupt 7—Device Not Available"; Vol. 2A WAIT/FWAIT.
 * ESC with CR0.EM=1 or CR0.TS=1 raises #NM; WAIT raises #NM only when MP=1
 * and TS=1 (EM does not matter to it). The ModRM byte (and any SIB and
 * displacement) is decoded so the instruction has its real length.
 *
 * Decision for EM=0, TS=0 with no FPU present: the escape does nothing and
 * touches no memory, like a board with an empty coprocessor socket. The SDM
 * says software must set EM when there is no FPU, and the classic probe that
 * decides so (Linux's early FPU init, among others: clear EM and TS, FNINIT,
 * FNSTSW/FNSTCW into memory pre-set to 0xFFFF) expects exactly that: nothing
 * answers, the memory keeps its value, and the probe reports "no FPU". A #UD
 * here would kill such a kernel before it has an IDT.
 */
/*C:630 No x87 lives in this CPU: CPUID will not claim one, and a Guest that
 * wants floating point is expected to run with CR0.EM set and emulate it in
 * its #NM handler, as 486SX-era kernels did. What remains is the protocol
 * around the missing unit: the escape opcodes must be decoded to their full
 * length (a fault reports the right EIP, and a silent escape skips the right
 * number of bytes), must trap with #NM when EM or TS asks for it, and must
 * otherwise behave like an empty socket so that FPU probing code finds
 * nothing rather than crashing. :*/
import type { Cpu } from "../cpu/cpu.js";
import { NM } from "../cpu/vectors.js";
import { row, type RowMap, type TableEntry } from "../decoder/table-types.js";
import { CR0_EM, CR0_MP, CR0_TS } from "../paging/control-registers.js";

/** ESC (D8–DF /r): #NM when CR0.EM or CR0.TS, else nothing (no coprocessor answers). */
export function esc(c: Cpu): void {
  if (c.control.cr0 & (CR0_EM | CR0_TS)) c.raise(NM, 0, false);
}

/** WAIT/FWAIT: #NM when CR0.MP and CR0.TS are both set, else nothing (no pending x87 error can exist). */
export function fwait(c: Cpu): void {
  if ((c.control.cr0 & (CR0_MP | CR0_TS)) === (CR0_MP | CR0_TS)) c.raise(NM, 0, false);
}

function buildFpuEscapeRows(): Record<number, TableEntry> {
  const rows: Record<number, TableEntry> = {};
  /* 9B */ rows[0x9b] = row("fwait", fwait);
  /* D8 */ rows[0xd8] = row("esc_D8", esc, { modrm: true });
  /* D9 */ rows[0xd9] = row("esc_D9", esc, { modrm: true });
  /* DA */ rows[0xda] = row("esc_DA", esc, { modrm: true });
  /* DB */ rows[0xdb] = row("esc_DB", esc, { modrm: true });
  /* DC */ rows[0xdc] = row("esc_DC", esc, { modrm: true });
  /* DD */ rows[0xdd] = row("esc_DD", esc, { modrm: true });
  /* DE */ rows[0xde] = row("esc_DE", esc, { modrm: true });
  /* DF */ rows[0xdf] = row("esc_DF", esc, { modrm: true });
  return rows;
}

/** Opcode rows of this family. */
export const FPU_ESCAPE_ROWS: RowMap = buildFpuEscapeRows();
