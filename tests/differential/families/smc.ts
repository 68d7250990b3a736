/**
 * Self-modifying code: a store patches the immediate or the opcode of an instruction
 * ahead (possibly with other instructions in between), or re-patches one that already ran
 * and is executed again. x86 guarantees a store to an instruction not yet executed takes
 * effect for it (SDM Vol. 3 §11.6 "Self-Modifying Code"), so a CPU with a decoded-instruction
 * cache must notice. The whole program lives in one writable and executable section.
 * Instructions are spelled as `.byte` so the patched offsets are exact.
 */
import { flagEffect } from "../flag-table.js";
import type { GenContext, Item } from "../item.js";
import { hex, reg } from "../operands.js";

/** Register encodings the generator may write (no %esp, %ebp). */
const CODES: Readonly<Record<string, number>> = { eax: 0, ecx: 1, edx: 2, ebx: 3, esi: 6, edi: 7 };
/** 81 /digit id: the immediate ALU group, digit → mnemonic. */
const GROUP1 = ["add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"] as const;
/** Opcodes of the r/m32, r32 form (01, 09, …) with their mnemonics; 89 MOV, 85 TEST too. */
const RM_R: readonly (readonly [number, string])[] = [
  [0x01, "add"],
  [0x09, "or"],
  [0x11, "adc"],
  [0x19, "sbb"],
  [0x21, "and"],
  [0x29, "sub"],
  [0x31, "xor"],
  [0x39, "cmp"],
  [0x89, "mov"],
  [0x85, "test"],
];

function code(r: string): number {
  return CODES[r.slice(1)]!;
}

/** The SMC family generator (stays in straight-line code: nothing here touches %esp). */
export function genSmc(ctx: GenContext): Item {
  const { rng } = ctx;
  const form = rng.pick(["imm", "opcode", "again"] as const);
  // The "again" form counts its two passes in %ecx: nothing else may write it.
  const avoid = form === "again" ? ["ecx"] : [];
  const dst = reg(rng, 32, avoid);
  // A flag-free filler between the store and its target, sometimes.
  const filler = rng.chance(0.4) ? [`leal ${rng.int(-100, 100)}(${reg(rng, 32)}), ${reg(rng, 32, avoid)}`] : [];
  if (form === "imm") {
    const digit = rng.int(0, 7);
    const op = GROUP1[digit]!;
    const body = [`movl $${hex(rng.edgy(32))}, 4f+2`, ...filler, "4:", `.byte 0x81, ${hex(0xc0 | (digit << 3) | code(dst))}`, `.long ${hex(rng.u32())}`];
    return { family: "smc", key: `patch imm of ${op}l $i,r`, prelude: [], body, flags: flagEffect(op), espDelta: 0 };
  }
  if (form === "opcode") {
    const [from] = rng.pick(RM_R);
    const [to, op] = rng.pick(RM_R);
    const modrm = 0xc0 | (code(reg(rng, 32)) << 3) | code(dst);
    const body = [`movb $${hex(to)}, 4f`, ...filler, "4:", `.byte ${hex(from)}, ${hex(modrm)}`];
    return { family: "smc", key: `patch opcode to ${op}l r,r`, prelude: [], body, flags: flagEffect(op), espDelta: 0 };
  }
  // Run `add $X, r` once, patch its immediate, loop back and run it again.
  const body = ["5:", `.byte 0x81, ${hex(0xc0 | code(dst))}`, `.long ${hex(rng.u32())}`, `movl $${hex(rng.edgy(32))}, 5b+2`, ...filler, "loop 5b"];
  return { family: "smc", key: "patch add $i,r after it ran", prelude: ["movl $2, %ecx"], body, flags: flagEffect("add"), espDelta: 0 };
}
