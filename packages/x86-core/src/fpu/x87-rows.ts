/**
 * The x87 opcode rows: the eight escape opcodes D8–DF, each a group by
 * ModRM.reg whose handler also looks at ModRM.mod and .rm (memory and
 * register forms share a row), and WAIT/FWAIT (9B).
 *
 * Reference: SDM Vol. 2 Appendix A.4 (escape opcode maps), Vol. 3A
 * Table 9-2 (WAIT/FWAIT raises #NM only when CR0.MP and CR0.TS are both
 * set; EM does not matter to it).
 */
import type { Cpu } from "../cpu/cpu.js";
import { NM } from "../cpu/vectors.js";
import { group, type OpRow, row, type RowMap, type TableEntry } from "../decoder/table-types.js";
import type { Handler } from "../decoder/insn.js";
import { CR0_MP, CR0_TS } from "../paging/control-registers.js";
import { esc_D8, esc_DA, esc_DC, esc_DE } from "./x87-arith-ops.js";
import { esc_D9 } from "./x87-d9.js";
import { esc_DB, esc_DD, esc_DF } from "./x87-load-store.js";

/**
 * WAIT/FWAIT: #NM when CR0.MP and CR0.TS are both set. Otherwise nothing:
 * exceptions are never left pending for it (see the README's x87 section).
 */
export function fwait(c: Cpu): void {
  if ((c.control.cr0 & (CR0_MP | CR0_TS)) === (CR0_MP | CR0_TS)) c.raise(NM, 0, false);
}

/** One escape opcode: eight rows named memory-form/register-form, one handler. */
function escRow(name: string, fn: Handler, names: readonly string[]): TableEntry {
  return group(
    name,
    names.map((n): OpRow => row(n, fn, { modrm: true })),
  );
}

function buildX87Rows(): Record<number, TableEntry> {
  const rows: Record<number, TableEntry> = {};
  /* 9B */ rows[0x9b] = row("fwait", fwait);
  /* D8 */ rows[0xd8] = escRow("esc_D8", esc_D8, ["fadd_Md|ST0_STi", "fmul_Md|ST0_STi", "fcom_Md|STi", "fcomp_Md|STi", "fsub_Md|ST0_STi", "fsubr_Md|ST0_STi", "fdiv_Md|ST0_STi", "fdivr_Md|ST0_STi"]);
  /* D9 */ rows[0xd9] = escRow("esc_D9", esc_D9, ["fld_Md|STi", "fxch_STi", "fst_Md|fnop", "fstp_Md|fstp1_STi", "fldenv|fchs,fabs,ftst,fxam", "fldcw|fld_const", "fnstenv|f2xm1…fincstp", "fnstcw|fprem…fcos"]);
  /* DA */ rows[0xda] = escRow("esc_DA", esc_DA, ["fiadd_Md|fcmovb", "fimul_Md|fcmove", "ficom_Md|fcmovbe", "ficomp_Md|fcmovu", "fisub_Md", "fisubr_Md|fucompp", "fidiv_Md", "fidivr_Md"]);
  /* DB */ rows[0xdb] = escRow("esc_DB", esc_DB, ["fild_Md|fcmovnb", "fisttp_Md|fcmovne", "fist_Md|fcmovnbe", "fistp_Md|fcmovnu", "fnclex,fninit", "fld_Mt|fucomi_STi", "fcomi_STi", "fstp_Mt"]);
  /* DC */ rows[0xdc] = escRow("esc_DC", esc_DC, ["fadd_Mq|STi_ST0", "fmul_Mq|STi_ST0", "fcom_Mq|fcom2", "fcomp_Mq|fcomp3", "fsub_Mq|fsubr_STi_ST0", "fsubr_Mq|fsub_STi_ST0", "fdiv_Mq|fdivr_STi_ST0", "fdivr_Mq|fdiv_STi_ST0"]);
  /* DD */ rows[0xdd] = escRow("esc_DD", esc_DD, ["fld_Mq|ffree_STi", "fisttp_Mq|fxch4", "fst_Mq|STi", "fstp_Mq|STi", "frstor|fucom_STi", "fucomp_STi", "fnsave", "fnstsw_Mw"]);
  /* DE */ rows[0xde] = escRow("esc_DE", esc_DE, ["fiadd_Mw|faddp", "fimul_Mw|fmulp", "ficom_Mw|fcomp5", "ficomp_Mw|fcompp", "fisub_Mw|fsubrp", "fisubr_Mw|fsubp", "fidiv_Mw|fdivrp", "fidivr_Mw|fdivp"]);
  /* DF */ rows[0xdf] = escRow("esc_DF", esc_DF, ["fild_Mw|ffreep", "fisttp_Mw|fxch7", "fist_Mw|fstp8", "fistp_Mw|fstp9", "fbld|fnstsw_AX", "fild_Mq|fucomip", "fbstp|fcomip", "fistp_Mq"]);
  return rows;
}

/** Opcode rows of the x87 family. */
export const X87_ROWS: RowMap = buildX87Rows();
