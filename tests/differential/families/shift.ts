/**
 * Shift/rotate family: SHL SHR SAR ROL ROR RCL RCR by 1 (D0/D1), by imm8 (C0/C1, incl. an
 * imm8 of 1 through a late-defined symbol) and by
 * %cl (D2/D3), plus SHLD/SHRD (0F A4/A5/AC/AD). Counts are biased to the edges: 0, 1,
 * width-1, width, width+1, 31, 32, 33 and beyond, since the count is masked to 5 bits.
 * Reference: SDM Vol. 2 "SAL/SAR/SHL/SHR", "RCL/RCR/ROL/ROR", "SHLD", "SHRD".
 */
import { doubleShiftEffect, type ShiftKind, shiftEffect } from "../flag-table.js";
import type { GenContext, Item } from "../item.js";
import { LATE_ONE } from "../layout.js";
import { reg, regOrMem, suffix, type Width } from "../operands.js";
import type { Rng } from "../rng.js";

const KINDS: readonly ShiftKind[] = ["shl", "shr", "sar", "rol", "ror", "rcl", "rcr"];

function edgyCount(rng: Rng, width: number): number {
  return rng.pick([0, 1, 1, 2, width - 1, width, width + 1, 31, 32, 33, 63, 255, rng.int(0, 31), rng.int(0, 255)]) & 0xff;
}

function shift(ctx: GenContext): Item {
  const { rng } = ctx;
  const kind = rng.pick(KINDS);
  const width = rng.pick<Width>([8, 16, 32, 32]);
  const how = rng.pick(["1", "imm", "cl", "cl"] as const);
  const count = how === "1" ? 1 : edgyCount(rng, width);
  const avoid = how === "cl" ? ["ecx"] : [];
  const dst = regOrMem(ctx, width, avoid);
  const mnemonic = `${kind}${suffix(width)}`;
  const prelude = [...dst.prelude];
  let text: string;
  if (how === "1") text = `${mnemonic} ${dst.text}`;
  else if (how === "imm") text = `${mnemonic} $${count === 1 && rng.chance(0.5) ? LATE_ONE : count}, ${dst.text}`;
  else {
    prelude.push(`movb $${count}, %cl`);
    text = `${mnemonic} %cl, ${dst.text}`;
  }
  const shape = `${dst.isMem ? "m" : "r"},${text.includes(LATE_ONE) ? "imm8=1" : how}`;
  return { family: "shift", key: `${mnemonic} ${shape}`, prelude, body: [text], flags: shiftEffect(kind, width, count), espDelta: 0 };
}

function doubleShift(ctx: GenContext): Item {
  const { rng } = ctx;
  const kind = rng.pick(["shld", "shrd"] as const);
  const width = rng.pick<16 | 32>([16, 32]);
  // 16-bit counts above 16 leave the result undefined (SDM "SHLD"): stay within 0..16.
  const count = width === 16 ? rng.pick([0, 1, 2, 8, 15, 16, 32, rng.int(0, 16)]) : edgyCount(rng, width);
  const byCl = rng.chance(0.5);
  const avoid = byCl ? ["ecx"] : [];
  const dst = regOrMem(ctx, width, avoid);
  const src = reg(rng, width, avoid);
  const mnemonic = `${kind}${suffix(width)}`;
  const prelude = [...dst.prelude];
  if (byCl) prelude.push(`movb $${count}, %cl`);
  const text = `${mnemonic} ${byCl ? "%cl" : `$${count}`}, ${src}, ${dst.text}`;
  const key = `${mnemonic} ${dst.isMem ? "m" : "r"},r,${byCl ? "cl" : "imm"}`;
  return { family: "shift", key, prelude, body: [text], flags: doubleShiftEffect(count), espDelta: 0 };
}

/** The shift family generator. */
export function genShift(ctx: GenContext): Item {
  return ctx.rng.chance(0.8) ? shift(ctx) : doubleShift(ctx);
}
