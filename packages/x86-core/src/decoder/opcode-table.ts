/**
 * The opcode maps: one entry per opcode, merged from the instruction families.
 *
 * Reference: SDM Vol. 2 Appendix A, Tables A-2 (one-byte map) and A-3
 * (two-byte map). Index 0x00–0xFF is the one-byte map, 0x100–0x1FF the 0F
 * map. A family that claims an opcode another family already claimed is a
 * programming error and fails at module load.
 */
import { ARITH_ROWS } from "../ops/arith.js";
import { CONTROL_ROWS } from "../ops/control.js";
import { FAMILY_ROWS } from "../ops/families.js";
import { FLAG_ROWS } from "../ops/flag-ops.js";
import { MOV_ROWS } from "../ops/mov.js";
import { STACK_ROWS } from "../ops/stack.js";
import { X86CoreError } from "../errors.js";
import type { RowMap, TableEntry } from "./table-types.js";

function merge(maps: readonly RowMap[]): (TableEntry | undefined)[] {
  const table: (TableEntry | undefined)[] = new Array(0x200).fill(undefined);
  for (const map of maps) {
    for (const key of Object.keys(map)) {
      const op = Number(key);
      if (table[op] !== undefined) throw new X86CoreError("opcode-conflict", `opcode 0x${op.toString(16)} claimed twice (${table[op]!.name}, ${map[op]!.name})`);
      table[op] = map[op];
    }
  }
  return table;
}

/** The merged opcode maps. */
export const OPCODES: readonly (TableEntry | undefined)[] = merge([
  ARITH_ROWS,
  MOV_ROWS,
  CONTROL_ROWS,
  STACK_ROWS,
  FLAG_ROWS,
  ...FAMILY_ROWS,
]);
