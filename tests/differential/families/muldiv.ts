/**
 * Multiply/divide family: MUL and one-operand IMUL (F6/F7 /4 /5), two-operand IMUL (0F AF),
 * three-operand IMUL with imm8/imm32 (6B/69), DIV and IDIV (F6/F7 /6 /7).
 * Divisions never fault here (#DE is tested elsewhere): the prelude loads a dividend built
 * as quotient*divisor+remainder with a quotient that fits, and a nonzero divisor.
 * Reference: SDM Vol. 2 "MUL", "IMUL", "DIV", "IDIV".
 */
import { flagEffect } from "../flag-table.js";
import type { GenContext, Item } from "../item.js";
import { hex, imm, mem, reg, regOrMem, suffix, type Width } from "../operands.js";
import type { Rng } from "../rng.js";

function multiply(ctx: GenContext): Item {
  const { rng } = ctx;
  const op = rng.pick(["mul", "imul"] as const);
  const form = op === "mul" ? "1" : rng.pick(["1", "2", "3"] as const);
  const width = form === "1" ? rng.pick<Width>([8, 16, 32]) : rng.pick<Width>([16, 32]);
  const s = suffix(width);
  const src = regOrMem(ctx, width);
  const shape = src.isMem ? "m" : "r";
  let text: string;
  if (form === "1") text = `${op}${s} ${src.text}`;
  else if (form === "2") text = `${op}${s} ${src.text}, ${reg(rng, width)}`;
  else {
    const value = rng.chance(0.5) ? `$${rng.int(-128, 127)}` : imm(rng, width);
    text = `${op}${s} ${value}, ${src.text}, ${reg(rng, width)}`;
  }
  return { family: "muldiv", key: `${op}${s} ${form}op ${shape}`, prelude: src.prelude, body: [text], flags: flagEffect(op), espDelta: 0 };
}

/** A random BigInt in [lo, hi]. */
function bigIn(rng: Rng, lo: bigint, hi: bigint): bigint {
  const span = hi - lo + 1n;
  const r = (BigInt(rng.u32()) << 32n) | BigInt(rng.u32());
  return lo + (r % span);
}

/** Divisor of `width` bits, biased: 1, 2, small, max, and for signed -1 excluded by the caller. */
function divisor(rng: Rng, width: Width, signed: boolean): bigint {
  const half = 1n << BigInt(width - 1);
  for (;;) {
    const raw = BigInt(rng.edgy(width));
    const d = signed && raw >= half ? raw - (half << 1n) : raw;
    if (d !== 0n) return d;
  }
}

function divide(ctx: GenContext): Item {
  const { rng } = ctx;
  const op = rng.pick(["div", "idiv"] as const);
  const signed = op === "idiv";
  const width = rng.pick<Width>([8, 16, 32, 32]);
  const s = suffix(width);
  const w = BigInt(width);
  const d = divisor(rng, width, signed);
  // Quotient range that fits the destination; |q*d + r| then fits twice the width.
  const qMax = signed ? (1n << (w - 1n)) - 1n : (1n << w) - 1n;
  const qMin = signed ? -(1n << (w - 1n)) : 0n;
  const q = rng.chance(0.3) ? rng.pick([0n, 1n, qMax, qMin, signed ? -1n : 2n]) : bigIn(rng, qMin, qMax);
  const base = q * d;
  const absD = d < 0n ? -d : d;
  const rMag = bigIn(rng, 0n, absD - 1n);
  // The remainder takes the dividend's sign (SDM "IDIV"); q*d + r must not cross zero.
  const r = signed && base < 0n ? -rMag : rMag;
  const dividend = base + r;
  // BigInt division truncates towards zero, as DIV/IDIV do.
  if (dividend / d !== q) throw new Error(`muldiv: bad dividend ${dividend} / ${d} for quotient ${q}`);
  const mask2 = (1n << (2n * w)) - 1n;
  const bits = dividend & mask2;
  const lowMask = (1n << w) - 1n;
  const lo = Number(bits & lowMask);
  const hi = Number((bits >> w) & lowMask);
  const dv = Number(d & lowMask);
  const prelude: string[] = [];
  if (width === 8) prelude.push(`movw $${hex(Number(bits))}, %ax`);
  else if (width === 16) prelude.push(`movw $${hex(lo)}, %ax`, `movw $${hex(hi)}, %dx`);
  else prelude.push(`movl $${hex(lo)}, %eax`, `movl $${hex(hi)}, %edx`);
  const avoid = ["eax", "edx"];
  let operand: string;
  if (rng.chance(0.5)) {
    const m = mem(ctx, width / 8, avoid);
    prelude.push(...m.prelude, `mov${s} $${hex(dv)}, ${m.text}`);
    operand = m.text;
  } else {
    operand = reg(rng, width, avoid);
    prelude.push(`mov${s} $${hex(dv)}, ${operand}`);
  }
  const shape = operand.startsWith("%") ? "r" : "m";
  return { family: "muldiv", key: `${op}${s} ${shape}`, prelude, body: [`${op}${s} ${operand}`], flags: flagEffect(op), espDelta: 0 };
}

/** The multiply/divide family generator. */
export function genMulDiv(ctx: GenContext): Item {
  return ctx.rng.chance(0.55) ? multiply(ctx) : divide(ctx);
}
