/**
 * ALU family: ADD ADC SUB SBB AND OR XOR CMP TEST INC DEC NEG NOT at 8/16/32 bits in
 * every operand shape (r,r both directions, r,m, m,r, imm to r/m incl. the sign-extended
 * imm8 and accumulator short forms, high-byte registers).
 * Reference: SDM Vol. 2 opcode map rows 00–3F, 80–85, F6/F7 /2 /3, FE/FF /0 /1, 40–4F.
 */
import { flagEffect } from "../flag-table.js";
import type { GenContext, Item } from "../item.js";
import { imm, maybeLock, mem, reg, suffix, type Width } from "../operands.js";

const BINARY = ["add", "adc", "sub", "sbb", "and", "or", "xor", "cmp"] as const;
const UNARY = ["inc", "dec", "neg", "not"] as const;

/**
 * Generates one ALU instruction; also used as the filler inside jump/enter idioms.
 * @param avoid - 32-bit registers its memory operand must not use (e.g. %ecx under LOOP).
 */
export function aluItem(ctx: GenContext, registersOnly = false, avoid: readonly string[] = []): Item {
  const { rng } = ctx;
  const width = rng.pick<Width>([8, 16, 32, 32]);
  const s = suffix(width);
  const kind = rng.weighted<"binary" | "test" | "unary">([
    [8, "binary"],
    [1.5, "test"],
    [2.5, "unary"],
  ]);
  const op = kind === "binary" ? rng.pick(BINARY) : kind === "test" ? "test" : rng.pick(UNARY);
  const shapes = kind === "unary" ? ["r", "m"] : kind === "test" ? ["r,r", "r,m", "i,r", "i,m", "i,acc"] : ["r,r", "r,r-load", "r,m", "m,r", "i,r", "i8,r", "i,m", "i,acc"];
  let shape = rng.pick(shapes);
  if (registersOnly) shape = shape.replace("m", "r");
  const m = shape.includes("m") ? mem(ctx, width / 8, avoid) : { text: "", prelude: [] as readonly string[] };
  const acc = width === 8 ? "%al" : width === 16 ? "%ax" : "%eax";
  const small = (): string => `$${rng.int(-128, 127)}`;
  let text: string;
  switch (shape) {
    case "r":
      text = `${op}${s} ${reg(rng, width)}`;
      break;
    case "m":
      text = `${op}${s} ${m.text}`;
      break;
    case "r,r":
      text = `${op}${s} ${reg(rng, width)}, ${reg(rng, width)}`;
      break;
    case "r,r-load": // the 02/03-style encoding (reg field is the destination)
      text = `{load} ${op}${s} ${reg(rng, width)}, ${reg(rng, width)}`;
      break;
    case "r,m":
      text = `${op}${s} ${reg(rng, width)}, ${m.text}`;
      break;
    case "m,r":
      text = `${op}${s} ${m.text}, ${reg(rng, width)}`;
      break;
    case "i,r":
      text = `${op}${s} ${imm(rng, width)}, ${reg(rng, width)}`;
      break;
    case "i8,r":
      text = `${op}${s} ${small()}, ${reg(rng, width)}`;
      break;
    case "i,m":
      text = `${op}${s} ${rng.chance(0.5) ? small() : imm(rng, width)}, ${m.text}`;
      break;
    default: // "i,acc": 04/05/0C…/A8/A9 short forms need an immediate that is not imm8
      text = `${op}${s} ${imm(rng, width)}, ${acc}`;
      break;
  }
  const writesMemory = (shape === "m" || shape === "r,m" || shape === "i,m") && op !== "cmp" && op !== "test";
  const lock = writesMemory ? maybeLock(ctx) : "";
  const key = `${lock}${op}${s} ${shape}`;
  return { family: "alu", key, prelude: m.prelude, body: [`${lock}${text}`], flags: flagEffect(op), espDelta: 0 };
}

/** The ALU family generator. */
export function genAlu(ctx: GenContext): Item {
  return aluItem(ctx);
}
