/**
 * String family: MOVS STOS LODS CMPS SCAS at b/w/l (A4–AF; the w forms carry 0x66),
 * alone or under REP (F3) / REPE (F3) / REPNE (F2), with %esi/%edi inside the scratch area,
 * %ecx in 0..16 and DF as the random initial EFLAGS left it (or set by a CLD/STD elsewhere).
 * Reference: SDM Vol. 2 "MOVS", "STOS", "LODS", "CMPS", "SCAS", "REP/REPE/REPZ/REPNE/REPNZ".
 */
import { flagEffect } from "../flag-table.js";
import type { GenContext, Item } from "../item.js";
import { suffix, type Width } from "../operands.js";

/** Largest %ecx used with a prefix: 16 dwords = 64 bytes either way from the start. */
const MAX_COUNT = 16;

/** The string family generator. */
export function genString(ctx: GenContext): Item {
  const { rng } = ctx;
  const op = rng.pick(["movs", "stos", "lods", "cmps", "scas"] as const);
  const width = rng.pick<Width>([8, 16, 32]);
  const compares = op === "cmps" || op === "scas";
  const prefix = rng.pick(compares ? ["", "repe", "repne"] : ["", "rep", "rep"]);
  const count = rng.pick([0, 1, 2, rng.int(0, MAX_COUNT), rng.int(0, MAX_COUNT)]);
  const span = MAX_COUNT * 4;
  const prelude = [`leal ${rng.int(-128 + span, 127 - span - 4)}(%ebp), %esi`, `leal ${rng.int(-128 + span, 127 - span - 4)}(%ebp), %edi`, `movl $${count}, %ecx`];
  // Sometimes a segment override on the %esi operand (the only overridable one; flat here).
  const seg = op !== "stos" && op !== "scas" && rng.chance(0.25) ? rng.pick(["ds", "es", "ss", "cs"]) : "";
  const acc = width === 8 ? "%al" : width === 16 ? "%ax" : "%eax";
  const operands = !seg ? "" : op === "movs" ? ` %${seg}:(%esi), %es:(%edi)` : op === "lods" ? ` %${seg}:(%esi), ${acc}` : ` %es:(%edi), %${seg}:(%esi)`;
  const text = `${prefix ? `${prefix} ` : ""}${op}${suffix(width)}${operands}`;
  const f = flagEffect(op);
  // With a prefix and %ecx = 0 nothing executes: the flags keep their old values.
  const flags = prefix && count === 0 ? { reads: f.reads, writes: 0, undef: 0 } : f;
  const key = `${prefix ? `${prefix} ` : ""}${op}${suffix(width)}${seg ? ` ${seg}:` : ""}${prefix && count === 0 ? " ecx=0" : ""}`;
  return { family: "string", key, prelude, body: [text], flags, espDelta: 0 };
}
