/**
 * The remaining instruction families, gathered for the opcode table.
 */
import type { RowMap } from "../decoder/table-types.js";
import { ATOMIC_ROWS } from "./atomic.js";
import { BCD_ROWS } from "./bcd.js";
import { BIT_ROWS } from "./bit.js";
import { FAR_ROWS } from "./far.js";
import { X87_ROWS } from "../fpu/x87-rows.js";
import { IO_ROWS } from "./io.js";
import { MULDIV_ROWS } from "./muldiv.js";
import { SEGMENT_ROWS } from "./segment.js";
import { SHIFT_ROWS } from "./shift.js";
import { STRING_ROWS } from "./string.js";
import { SYSTEM_ROWS } from "./system.js";

/** Row maps of the families listed here. */
export const FAMILY_ROWS: readonly RowMap[] = [
  SHIFT_ROWS,
  MULDIV_ROWS,
  BIT_ROWS,
  BCD_ROWS,
  ATOMIC_ROWS,
  STRING_ROWS,
  IO_ROWS,
  X87_ROWS,
  FAR_ROWS,
  SEGMENT_ROWS,
  SYSTEM_ROWS,
];
