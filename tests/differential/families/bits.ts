/**
 * Bit family: BT BTS BTR BTC with an imm8 offset (0F BA /4–/7) or a register offset
 * (0F A3/AB/B3/BB) on registers and memory — the register-offset memory form addresses
 * bits outside the operand, both below and above it — plus BSF/BSR (0F BC/BD) and BSWAP.
 * Reference: SDM Vol. 2 "BT" (bit-base addressing, Table 3-2), "BSF", "BSR", "BSWAP".
 */
import { flagEffect } from "../flag-table.js";
import type { GenContext, Item } from "../item.js";
import { hex, maybeLock, mem, parent32, reg, regOrMem, suffix } from "../operands.js";
import { regIndex } from "../layout.js";

function bitTest(ctx: GenContext): Item {
  const { rng } = ctx;
  const op = rng.pick(["bt", "bts", "btr", "btc"] as const);
  const width = rng.pick<16 | 32>([16, 32, 32]);
  const s = suffix(width);
  const form = rng.pick(["imm,r", "imm,m", "r,r", "r,m", "r,m"] as const);
  let prelude: readonly string[] = [];
  let text: string;
  if (form === "imm,r" || form === "imm,m") {
    const dst = form === "imm,r" ? { text: reg(rng, width), prelude: [] } : mem(ctx, width / 8);
    prelude = dst.prelude;
    text = `${op}${s} $${rng.int(0, 255)}, ${dst.text}`;
  } else if (form === "r,r") {
    text = `${op}${s} ${reg(rng, width)}, ${reg(rng, width)}`;
  } else {
    // Register offsets are signed: the operand address moves by (offset >> 5) * 4
    // (or (offset >> 4) * 2 at 16 bits), here at most 64 bytes either way.
    const src = reg(rng, width);
    const off = rng.pick([rng.int(-512, 511), rng.int(0, width - 1), rng.int(-width, -1), width, rng.int(width, 4 * width)]);
    const dst = mem(ctx, width / 8, [parent32(src.slice(1))], -60, 64);
    prelude = [...dst.prelude, `movl $${off}, %${parent32(src.slice(1))}`];
    text = `${op}${s} ${src}, ${dst.text}`;
  }
  const lock = op !== "bt" && form.endsWith(",m") ? maybeLock(ctx) : "";
  return { family: "bits", key: `${lock}${op}${s} ${form}`, prelude, body: [`${lock}${text}`], flags: flagEffect(op), espDelta: 0 };
}

function bitScan(ctx: GenContext): Item {
  const { rng } = ctx;
  const op = rng.pick(["bsf", "bsr"] as const);
  const width = rng.pick<16 | 32>([16, 32, 32]);
  const s = suffix(width);
  const value = rng.chance(0.2) ? 0 : rng.edgy(width);
  const src = regOrMem(ctx, width);
  const dst = reg(rng, width);
  const prelude = [...src.prelude, `mov${s} $${hex(value)}, ${src.text}`];
  const item: Item = {
    family: "bits",
    key: `${op}${s} ${src.isMem ? "m" : "r"}${value === 0 ? " zero" : ""}`,
    prelude,
    body: [`${op}${s} ${src.text}, ${dst}`],
    flags: flagEffect(op),
    espDelta: 0,
  };
  if (value !== 0) return item;
  // Zero source: the destination is undefined (SDM "BSF"), so the item ends its case.
  return { ...item, undefinedRegs: [{ reg: regIndex(parent32(dst.slice(1))), mask: width === 32 ? 0xffffffff : 0xffff }] };
}

/** The bit family generator. */
export function genBits(ctx: GenContext): Item {
  const { rng } = ctx;
  const pick = rng.weighted<"bt" | "scan" | "bswap">([
    [6, "bt"],
    [3, "scan"],
    [1, "bswap"],
  ]);
  if (pick === "bt") return bitTest(ctx);
  if (pick === "scan") return bitScan(ctx);
  return { family: "bits", key: "bswap", prelude: [], body: [`bswap ${reg(rng, 32)}`], flags: flagEffect("bswap"), espDelta: 0 };
}
