/**
 * Stack family: PUSH/POP of registers, immediates and memory (incl. %esp-based operands,
 * where POP computes the address after incrementing %esp), PUSH %esp, PUSHF/POPF with safe
 * values, PUSHA/POPA around a register-only ALU op, ENTER (nesting levels 0–3)/LEAVE around
 * one, CALL/RET (direct, indirect FF /2, RET imm16), at 16 and 32 bits.
 * Reference: SDM Vol. 2 "PUSH", "POP", "PUSHF", "POPF", "PUSHA", "POPA", "ENTER", "LEAVE",
 * "CALL", "RET".
 */
import { ALL, flagEffect } from "../flag-table.js";
import type { GenContext, Item } from "../item.js";
import { hex, imm, mem, reg, suffix } from "../operands.js";
import { aluItem } from "./alu.js";

function item(key: string, prelude: readonly string[], body: readonly string[], espDelta: number, mnemonic = "push"): Item {
  return { family: "stack", key, prelude, body, flags: flagEffect(mnemonic), espDelta };
}

function pushPop(ctx: GenContext): Item {
  const { rng } = ctx;
  const width = rng.pick<16 | 32>([16, 32, 32]);
  const s = suffix(width);
  const bytes = width / 8;
  const what = rng.pick(["push r", "push i", "push i8", "push m", "push esp", "pop r", "pop m"] as const);
  switch (what) {
    case "push r":
      return item(`push${s} r`, [], [`push${s} ${reg(rng, width)}`], -bytes);
    case "push i":
      return item(`push${s} imm`, [], [`push${s} ${imm(rng, width)}`], -bytes);
    case "push i8":
      return item(`push${s} imm8`, [], [`push${s} $${rng.int(-128, 127)}`], -bytes);
    case "push esp":
      return width === 32 ? item("pushl esp", [], ["pushl %esp"], -4) : item("pushw sp", [], ["pushw %sp"], -2);
    case "push m": {
      const m = mem(ctx, bytes);
      return item(`push${s} m`, m.prelude, [`push${s} ${m.text}`], -bytes);
    }
    case "pop r":
      return item(`pop${s} r`, [], [`pop${s} ${reg(rng, width)}`], bytes, "pop");
    default: {
      const m = mem(ctx, bytes);
      return item(`pop${s} m`, m.prelude, [`pop${s} ${m.text}`], bytes, "pop");
    }
  }
}

function flagsViaStack(ctx: GenContext): Item {
  const { rng } = ctx;
  const wide = rng.chance(0.7);
  const s = wide ? "l" : "w";
  const form = rng.pick(["load", "store", "around"] as const);
  if (form === "load") {
    // Only status flags and DF: TF would trap, AC would make qemu raise #AC on misalignment.
    const value = (rng.u32() & ALL) | 2;
    return { family: "stack", key: `popf${s} safe`, prelude: [], body: [`push${s} $${hex(value)}`, `popf${s}`], flags: flagEffect("popf"), espDelta: 0 };
  }
  if (form === "store") {
    const r = reg(rng, wide ? 32 : 16);
    return { family: "stack", key: `pushf${s}`, prelude: [], body: [`pushf${s}`, `pop${s} ${r}`], flags: flagEffect("pushf"), espDelta: 0 };
  }
  const x = aluItem({ ...ctx, nested: true }, true);
  return {
    family: "stack",
    key: `pushf${s};${x.key};popf${s}`,
    prelude: x.prelude,
    body: [`pushf${s}`, ...x.body, `popf${s}`],
    flags: { reads: ALL, writes: ALL, undef: 0 },
    espDelta: 0,
  };
}

function pushAll(ctx: GenContext): Item {
  const s = ctx.rng.chance(0.7) ? "l" : "w";
  const x = aluItem({ ...ctx, nested: true }, true);
  return { family: "stack", key: `pusha${s};popa${s}`, prelude: x.prelude, body: [`pusha${s}`, ...x.body, `popa${s}`], flags: x.flags, espDelta: 0 };
}

function enterLeave(ctx: GenContext): Item {
  const { rng } = ctx;
  const size = rng.pick([0, 4, 8, 12, 16, rng.int(0, 20)]);
  const level = rng.pick([0, 0, 1, 2, 3]);
  const x = aluItem({ ...ctx, nested: true }, true);
  return { family: "stack", key: `enter $n,$${level};leave`, prelude: x.prelude, body: [`enter $${size}, $${level}`, ...x.body, "leave"], flags: x.flags, espDelta: 0 };
}

function callRet(ctx: GenContext): Item {
  const { rng } = ctx;
  const form = rng.pick(["call-pop", "call-ret", "call-ret-imm", "call*"] as const);
  if (form === "call*") {
    // CALL r/m32 (FF /2) through a register or a scratch dword.
    const target = rng.chance(0.5) ? reg(rng, 32) : `${rng.int(-128, 124)}(%ebp)`;
    const key = target.startsWith("%") ? "call *r;ret" : "call *m;ret";
    return item(key, [`movl $2f, ${target}`], [`call *${target}`, "jmp 3f", "2:", "ret", "3:"], 0, "call");
  }
  if (form === "call-pop") return item("call;pop", [], ["call 1f", "1:", `popl ${reg(rng, 32)}`], 0, "call");
  if (form === "call-ret") return item("call;ret", [], ["call 2f", "jmp 3f", "2:", "ret", "3:"], 0, "call");
  return item("call;ret imm", [], [`pushl ${imm(rng, 32)}`, "call 2f", "jmp 3f", "2:", "ret $4", "3:"], 0, "call");
}

/** The stack family generator; null inside idioms, where %esp must not move. */
export function genStack(ctx: GenContext): Item | null {
  if (ctx.nested) return null;
  const { rng } = ctx;
  return rng.weighted<() => Item>([
    [5, () => pushPop(ctx)],
    [3, () => flagsViaStack(ctx)],
    [2, () => pushAll(ctx)],
    [2, () => enterLeave(ctx)],
    [2, () => callRet(ctx)],
  ])();
}
