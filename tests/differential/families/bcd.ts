/**
 * BCD family: DAA DAS AAA AAS (27/2F/37/3F) and AAM/AAD with any immediate base
 * (D4/D5 ib; AAM never gets 0, which raises #DE). AL/AH come from the random state,
 * with a prelude sometimes loading packed/unpacked BCD-looking values.
 * Reference: SDM Vol. 2 "DAA", "DAS", "AAA", "AAS", "AAM", "AAD".
 */
import { flagEffect } from "../flag-table.js";
import type { GenContext, Item } from "../item.js";
import { hex } from "../operands.js";

/** The BCD family generator. */
export function genBcd(ctx: GenContext): Item {
  const { rng } = ctx;
  const op = rng.pick(["daa", "das", "aaa", "aas", "aam", "aad"] as const);
  const prelude = rng.chance(0.4) ? [`movw $${hex((rng.int(0, 0x99) << 8) | rng.pick([rng.int(0, 0x99), rng.int(0, 0xff), 0x9a, 0xf9, 0xfa]))}, %ax`] : [];
  let body: string = op;
  if (op === "aam") body = rng.chance(0.3) ? "aam" : `aam $${rng.int(1, 255)}`;
  if (op === "aad") body = rng.chance(0.3) ? "aad" : `aad $${rng.int(0, 255)}`;
  const key = body.includes("$") ? `${op} imm` : op;
  return { family: "bcd", key, prelude, body: [body], flags: flagEffect(op), espDelta: 0 };
}
