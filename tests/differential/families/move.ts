/**
 * Data-movement family: MOV (incl. moffs A0–A3), MOVZX/MOVSX, CBW/CWDE/CWD/CDQ, XCHG,
 * XADD, CMPXCHG, CMPXCHG8B, SETcc, CMOVcc, LEA (every ModRM/SIB shape, 16-bit addressing
 * under 0x67 too — LEA does not touch memory, so any register may serve), BSWAP, XLAT.
 * Reference: SDM Vol. 2 pages of those names; Vol. 2 §2.1.5 (ModRM/SIB tables 2-1, 2-2, 2-3).
 */
import { CONDITIONS, flagEffect } from "../flag-table.js";
import type { GenContext, Item } from "../item.js";
import { hex, imm, maybeLock, mem, reg, regOrMem, suffix, type Width } from "../operands.js";
import type { Rng } from "../rng.js";

function item(key: string, prelude: readonly string[], body: string, mnemonic: string, reads = 0): Item {
  const f = flagEffect(mnemonic);
  return { family: "move", key, prelude, body: [body], flags: { ...f, reads: f.reads | reads }, espDelta: 0 };
}

function mov(ctx: GenContext): Item {
  const { rng } = ctx;
  const width = rng.pick<Width>([8, 16, 32]);
  const s = suffix(width);
  const shape = rng.pick(["r,r", "i,r", "i,m", "r,m", "m,r", "moffs"] as const);
  if (shape === "moffs") {
    const acc = width === 8 ? "%al" : width === 16 ? "%ax" : "%eax";
    const d = rng.int(-128, 128 - width / 8);
    const at = `scr${ctx.caseIndex}${d >= 0 ? "+" : ""}${d}`;
    return item(`mov${s} moffs`, [], rng.chance(0.5) ? `mov${s} ${at}, ${acc}` : `mov${s} ${acc}, ${at}`, "mov");
  }
  const m = mem(ctx, width / 8);
  const r1 = reg(rng, width);
  const r2 = reg(rng, width);
  const text = { "r,r": `${r1}, ${r2}`, "i,r": `${imm(rng, width)}, ${r1}`, "i,m": `${imm(rng, width)}, ${m.text}`, "r,m": `${r1}, ${m.text}`, "m,r": `${m.text}, ${r1}` }[shape];
  return item(`mov${s} ${shape}`, shape.includes("m") ? m.prelude : [], `mov${s} ${text}`, "mov");
}

function extend(ctx: GenContext): Item {
  const { rng } = ctx;
  const [op, from, to] = rng.pick([
    ["movzbl", 8, 32],
    ["movzbw", 8, 16],
    ["movzwl", 16, 32],
    ["movsbl", 8, 32],
    ["movsbw", 8, 16],
    ["movswl", 16, 32],
  ] as const);
  const src = regOrMem(ctx, from);
  return item(`${op} ${src.isMem ? "m" : "r"}`, src.prelude, `${op} ${src.text}, ${reg(rng, to)}`, op.startsWith("movz") ? "movzx" : "movsx");
}

function exchange(ctx: GenContext): Item {
  const { rng } = ctx;
  const op = rng.pick(["xchg", "xadd", "cmpxchg"] as const);
  const width = rng.pick<Width>([8, 16, 32, 32]);
  const s = suffix(width);
  const src = reg(rng, width);
  // CMPXCHG's "equal" set-up loads the accumulator after the operand's own set-up: keep
  // %eax out of the address.
  const dst = regOrMem(ctx, width, op === "cmpxchg" ? ["eax"] : []);
  const prelude = [...dst.prelude];
  let key = `${op}${s} r,${dst.isMem ? "m" : "r"}`;
  if (op === "cmpxchg" && rng.chance(0.5)) {
    // Make the accumulator equal to the destination so the store path runs too.
    const acc = width === 8 ? "%al" : width === 16 ? "%ax" : "%eax";
    prelude.push(`mov${s} ${dst.text}, ${acc}`);
    key += " equal";
  }
  const lock = dst.isMem ? maybeLock(ctx) : "";
  return item(`${lock}${key}`, prelude, `${lock}${op}${s} ${src}, ${dst.text}`, op);
}

/**
 * CMPXCHG8B (0F C7 /1). QEMU 7.2 (Debian 12's qemu-user) computes the EFLAGS image after it
 * from stale lazy-flag state: only ZF is right, the other bits (even DF/TF/AC in a PUSHF
 * image) are garbage until the next flag-setting instruction. So the idiom records ZF
 * with SETZ to scratch memory and then redefines every status flag with a CMP; what is not
 * tested is that CMPXCHG8B leaves CF/PF/AF/SF/OF alone.
 */
function cmpxchg8b(ctx: GenContext): Item {
  const { rng } = ctx;
  const d = rng.int(-128, 120);
  const prelude = rng.chance(0.5) ? [`movl ${d}(%ebp), %eax`, `movl ${d + 4}(%ebp), %edx`] : [];
  const body = [`${maybeLock(ctx)}cmpxchg8b ${d}(%ebp)`, `setz ${rng.int(-128, 127)}(%ebp)`, `cmpl ${reg(rng, 32)}, ${reg(rng, 32)}`];
  return { family: "move", key: `cmpxchg8b${prelude.length ? " equal" : ""}`, prelude, body, flags: flagEffect("cmp"), espDelta: 0 };
}

function conditional(ctx: GenContext): Item {
  const { rng } = ctx;
  const [cc, reads] = rng.pick(CONDITIONS);
  if (rng.chance(0.5)) {
    const dst = regOrMem(ctx, 8);
    return item(`set${cc} ${dst.isMem ? "m" : "r"}`, dst.prelude, `set${cc} ${dst.text}`, "mov", reads);
  }
  const width = rng.pick<16 | 32>([16, 32]);
  const src = regOrMem(ctx, width);
  return item(`cmov${cc}${suffix(width)} ${src.isMem ? "m" : "r"}`, src.prelude, `cmov${cc}${suffix(width)} ${src.text}, ${reg(rng, width)}`, "mov", reads);
}

/** CBW/CWDE (98) and CWD/CDQ (99), AT&T names cbtw/cwtl/cwtd/cltd. */
function signExtendAccumulator(rng: Rng): Item {
  const [op, mnemonic] = rng.pick([
    ["cbtw", "cbw"],
    ["cwtl", "cwde"],
    ["cwtd", "cwd"],
    ["cltd", "cdq"],
  ] as const);
  return item(op, [], op, mnemonic);
}

function disp(rng: Rng): string {
  return rng.pick(["", "0", `${rng.int(-128, 127)}`, hex(rng.u32()), `${rng.int(-0x8000, 0x7fff)}`]);
}

function lea(ctx: GenContext): Item {
  const { rng } = ctx;
  const width = rng.pick<16 | 32>([16, 32, 32, 32]);
  const dst = reg(rng, width);
  const all = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"];
  let addr: string;
  let shape: string;
  if (rng.chance(0.2)) {
    // 16-bit addressing (0x67): the eight ModRM r/m forms plus disp16 alone.
    const base = rng.pick(["%bx,%si", "%bx,%di", "%bp,%si", "%bp,%di", "%si", "%di", "%bp", "%bx", ""]);
    const d = base === "" ? hex(rng.int(0, 0xffff)) : rng.pick(["", `${rng.int(-128, 127)}`, `${rng.int(-0x8000, 0x7fff)}`]);
    addr = base === "" ? d : `${d}(${base})`;
    shape = "a16";
  } else {
    const form = rng.pick(["base", "base+index", "index", "abs"] as const);
    const base = rng.pick(all);
    const index = rng.pick(all.filter((r) => r !== "esp"));
    const scale = rng.pick([1, 2, 4, 8]);
    const d = disp(rng);
    addr = { base: `${d}(%${base})`, "base+index": `${d}(%${base},%${index},${scale})`, index: `${d || "0"}(,%${index},${scale})`, abs: hex(rng.u32()) }[form];
    shape = form;
  }
  return item(`lea${suffix(width)} ${shape}`, [], `lea${suffix(width)} ${addr}, ${dst}`, "lea");
}

/** NOP (90), PAUSE (F3 90), XCHG %ax,%ax (66 90) and the multi-byte NOP 0F 1F /0, whose
 * memory operand is decoded but never accessed. */
function nop(ctx: GenContext): Item {
  const { rng } = ctx;
  const all = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"];
  const text = rng.pick(["nop", "pause", "xchgw %ax, %ax", `nopl ${disp(rng) || "0"}(%${rng.pick(all)},%${rng.pick(all.filter((r) => r !== "esp"))},${rng.pick([1, 2, 4, 8])})`, `nopw ${disp(rng) || "0"}(%${rng.pick(all)})`]);
  return item(text.split(" ")[0]!, [], text, "mov");
}

/** The data-movement family generator. */
export function genMove(ctx: GenContext): Item {
  const { rng } = ctx;
  const pick = rng.weighted<() => Item>([
    [3, () => mov(ctx)],
    [2, () => extend(ctx)],
    [1, () => signExtendAccumulator(rng)],
    [3, () => exchange(ctx)],
    [1, () => cmpxchg8b(ctx)],
    [3, () => conditional(ctx)],
    [3, () => lea(ctx)],
    [1, () => item("xlatb", ["leal -128(%ebp), %ebx"], "xlatb", "xlat")],
    [1, () => nop(ctx)],
  ]);
  return pick();
}
