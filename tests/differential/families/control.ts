/**
 * Control family: Jcc (rel8 70–7F and rel32 0F 80–8F, sometimes with a 2E/3E hint prefix),
 * JMP rel8/rel32 and indirect through a register or memory (FF /4), LOOP/LOOPE/LOOPNE
 * (E2/E1/E0) and JECXZ (E3), also with address size 16 (counting in %cx, JCXZ), each
 * jumping forward over one ALU instruction, so the taken/not-taken decision shows in
 * whether that instruction's effect is present.
 * Reference: SDM Vol. 2 "Jcc", "JMP", "LOOP/LOOPcc".
 */
import { CONDITIONS, ZF } from "../flag-table.js";
import type { GenContext, Item } from "../item.js";
import { reg } from "../operands.js";
import { aluItem } from "./alu.js";

/** The control family generator. */
export function genControl(ctx: GenContext): Item {
  const { rng } = ctx;

  const far = rng.chance(0.3) ? "{disp32} " : "";
  const prelude: string[] = [];
  /** Set-up that must come after the skipped instruction's own (it may reuse a register). */
  const late: string[] = [];
  let jump: string[];
  let reads = 0;
  let key: string;
  const kind = rng.weighted<"jcc" | "jmp" | "jmp*" | "loop" | "jecxz">([
    [6, "jcc"],
    [1, "jmp"],
    [1, "jmp*"],
    [2, "loop"],
    [1, "jecxz"],
  ]);
  if (kind === "jcc") {
    const [cc, flags] = rng.pick(CONDITIONS);
    // Sometimes with a branch-hint prefix (2E/3E), which must not change anything.
    const hint = rng.chance(0.15) ? rng.pick(["0x2e", "0x3e"]) : "";
    jump = [...(hint ? [`.byte ${hint}`] : []), `${far}j${cc} 1f`];
    reads = flags;
    key = `j${cc}${far ? " rel32" : ""}${hint ? " hint" : ""}`;
  } else if (kind === "jmp") {
    jump = [`${far}jmp 1f`];
    key = `jmp${far ? " rel32" : ""}`;
  } else if (kind === "jmp*") {
    // JMP r/m32 (FF /4) through a register or a scratch dword holding the target.
    if (rng.chance(0.5)) {
      const r = reg(rng, 32);
      late.push(`movl $1f, ${r}`);
      jump = [`jmp *${r}`];
      key = "jmp *r";
    } else {
      const d = rng.int(-128, 124);
      late.push(`movl $1f, ${d}(%ebp)`);
      jump = [`jmp *${d}(%ebp)`];
      key = "jmp *m";
    }
  } else if (kind === "loop") {
    const op = rng.pick(["loop", "loope", "loopne"] as const);
    // addr16 (67): the count is %cx, and the upper half of %ecx must survive.
    const a16 = rng.chance(0.2) ? "addr16 " : "";
    if (rng.chance(0.3)) prelude.push(`movl $${rng.pick([0, 1, 2, 0x10000, 0x10001])}, %ecx`);
    jump = [`${a16}${op} 1f`];
    reads = op === "loop" ? 0 : ZF;
    key = `${op}${a16 ? " a16" : ""}`;
  } else {
    const a16 = rng.chance(0.25);
    if (rng.chance(0.4)) prelude.push(`movl $${rng.pick([0, 0x10000])}, %ecx`);
    jump = [a16 ? "jcxz 1f" : "jecxz 1f"];
    key = a16 ? "jcxz" : "jecxz";
  }
  // LOOP/JECXZ change or test %ecx between the set-up and the skipped instruction: keep
  // %ecx out of its address.
  const skipped = aluItem({ ...ctx, nested: true }, false, kind === "loop" || kind === "jecxz" ? ["ecx"] : []);
  // The skipped instruction may or may not run, so this idiom defines no flag; it can only
  // add the skipped instruction's undefined ones.
  const flags = { reads: reads | skipped.flags.reads, writes: skipped.flags.undef, undef: skipped.flags.undef };
  // %ecx set-up first: the skipped instruction's own set-up may need %ecx as an index.
  prelude.push(...skipped.prelude, ...late);
  return { family: "control", key, prelude, body: [...jump, ...skipped.body, "1:"], flags, espDelta: 0 };
}
