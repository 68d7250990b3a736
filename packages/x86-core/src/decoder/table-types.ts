/**
 * The shape of opcode-table rows.
 *
 * Each instruction family (`ops/*.ts`) exports a map from opcode to row;
 * `opcode-table.ts` merges them into the two 256-entry maps the decoder
 * indexes. Keys are 0x00–0xFF for the one-byte map and 0x100–0x1FF for the
 * two-byte (0F xx) map. A row names its handler for 16- and 32-bit operand
 * size, whether a ModRM byte follows, and which immediate.
 */
import type { Handler } from "./insn.js";

/** Immediate operand kinds (SDM Vol. 2 Appendix A.2 operand codes). */
export const enum Imm {
  /** No immediate. */
  None = 0,
  /** 8-bit, sign-extended into `imm` (handlers mask as needed). */
  Ib = 1,
  /** 16-bit, zero-extended. */
  Iw = 2,
  /** 16 or 32 bits by operand size (Iv/Iz on this CPU), sign-extended to int32 for 16. */
  Iv = 3,
  /** Relative 8-bit branch displacement. */
  Jb = 4,
  /** Relative 16/32-bit branch displacement. */
  Jv = 5,
  /** Far pointer: offset (16/32) in `imm`, selector in `imm2`. */
  Ap = 6,
  /** Memory offset of address size (MOV AL/eAX, moffs): stored in `disp`. */
  Ov = 7,
  /** ENTER: imm16 then imm8 (`imm`, `imm2`). */
  IwIb = 8,
}

/** Row option bits. */
export const ROW_FLOW = 1;
/** The row needs a memory operand; a register form is #UD. */
export const ROW_MEM_ONLY = 2;

/** A plain opcode row. */
export interface OpRow {
  /** Mnemonic + operand notation, e.g. `add_EbGb`. */
  readonly name: string;
  /** Handler at 16-bit operand size. */
  readonly fn16: Handler;
  /** Handler at 32-bit operand size. */
  readonly fn32: Handler;
  /** A ModRM byte follows the opcode. */
  readonly modrm: boolean;
  /** Immediate kind. */
  readonly imm: Imm;
  /** ROW_* bits. */
  readonly opts: number;
  /** Sub-operation passed to shared handlers in `Insn.op`. */
  readonly op: number;
}

/** A group opcode: ModRM.reg selects the row. */
export interface GroupRow {
  /** Group name, e.g. `grp1_EbIb`. */
  readonly name: string;
  /** Eight rows (undefined = #UD). */
  readonly group: readonly (OpRow | undefined)[];
}

/** What an opcode maps to. */
export type TableEntry = OpRow | GroupRow;

/** A family's contribution to the opcode maps. */
export type RowMap = Readonly<Record<number, TableEntry>>;

/** Options of {@link row}. */
export interface RowOptions {
  readonly modrm?: boolean;
  readonly imm?: Imm;
  readonly flow?: boolean;
  readonly memOnly?: boolean;
  readonly op?: number;
}

/** A row whose handler serves both operand sizes (or has no sized operand). */
export function row(name: string, fn: Handler, o: RowOptions = {}): OpRow {
  return row2(name, fn, fn, o);
}

/** A row with separate 16- and 32-bit handlers. */
export function row2(name: string, fn16: Handler, fn32: Handler, o: RowOptions = {}): OpRow {
  return {
    name,
    fn16,
    fn32,
    modrm: o.modrm ?? false,
    imm: o.imm ?? Imm.None,
    opts: (o.flow ? ROW_FLOW : 0) | (o.memOnly ? ROW_MEM_ONLY : 0),
    op: o.op ?? 0,
  };
}

/** A group of eight rows selected by ModRM.reg. */
export function group(name: string, rows: readonly (OpRow | undefined)[]): GroupRow {
  return { name, group: rows };
}
