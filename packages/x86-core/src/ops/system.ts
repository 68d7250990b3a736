/**
 * (family not yet written)
 */
import type { RowMap } from "../decoder/table-types.js";

/** Opcode rows of this family. */
export const SYSTEM_ROWS: RowMap = {};
