/**
 * Flag family: LAHF/SAHF (9F/9E), CMC CLC STC CLD STD (F5 F8 F9 FC FD).
 * Reference: SDM Vol. 2 pages of those names; Vol. 1 §3.4.3 (EFLAGS).
 */
import { flagEffect } from "../flag-table.js";
import type { GenContext, Item } from "../item.js";
import { hex } from "../operands.js";

/** The flag-instruction family generator. */
export function genFlagOps(ctx: GenContext): Item {
  const { rng } = ctx;
  const op = rng.pick(["lahf", "sahf", "sahf", "cmc", "clc", "stc", "cld", "std"] as const);
  // SAHF copies AH bits 7,6,4,2,0; a prelude sometimes sets the reserved bits 5,3,1 too.
  const prelude = op === "sahf" && rng.chance(0.5) ? [`movb $${hex(rng.int(0, 255))}, %ah`] : [];
  return { family: "flagops", key: op, prelude, body: [op], flags: flagEffect(op), espDelta: 0 };
}
