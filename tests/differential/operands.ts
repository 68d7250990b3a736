/**
 * Operand pickers: registers the generator may write, memory operands that stay inside
 * the case's window, and immediates. %esp and %ebp are never picked as destinations.
 */
import type { GenContext } from "./item.js";
import { ESP_SLACK, SCRATCH_BIAS, STACK_BIAS } from "./layout.js";
import type { Rng } from "./rng.js";

export type Width = 8 | 16 | 32;

/** 32-bit registers free for generated code. */
export const GPR32 = ["eax", "ecx", "edx", "ebx", "esi", "edi"] as const;
const GPR16 = ["ax", "cx", "dx", "bx", "si", "di"] as const;
const GPR8 = ["al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"] as const;

/** The 32-bit register holding an 8/16/32-bit register name. */
export function parent32(name: string): string {
  if (name.length === 3) return name;
  if (name.endsWith("l") || name.endsWith("h")) return `e${name[0]}x`;
  return `e${name}`;
}

/** A register of `width` bits, avoiding the 32-bit registers in `avoid`. Returns "%name". */
export function reg(rng: Rng, width: Width, avoid: readonly string[] = []): string {
  const pool = (width === 32 ? GPR32 : width === 16 ? GPR16 : GPR8).filter((r) => !avoid.includes(parent32(r)));
  return `%${rng.pick(pool)}`;
}

/** AT&T size suffix for a width. */
export function suffix(width: Width): string {
  return width === 8 ? "b" : width === 16 ? "w" : "l";
}

/** "$0x…" immediate of `width` bits (biased to edge values). */
export function imm(rng: Rng, width: Width): string {
  return `$${hex(rng.edgy(width))}`;
}

/** Formats an unsigned value as 0x… hex. */
export function hex(v: number): string {
  return `0x${(v >>> 0).toString(16)}`;
}

/** A memory operand and the set-up lines it needs. */
export interface MemOperand {
  readonly text: string;
  readonly prelude: readonly string[];
}

function signed(n: number): string {
  return n < 0 ? `-${-n}` : `+${n}`;
}

/**
 * A memory operand of `bytes` bytes inside the case's scratch area (or its stack area for
 * the %esp-based form), covering the addressing forms: disp8 and disp32 off %ebp,
 * base+index*scale+disp, absolute disp32, index*scale+disp32 without base, another base
 * register, and %esp as base. Index and base registers are set by a prelude `mov`/`lea`,
 * never taken from `avoid`.
 * @param lo,hi - the byte range relative to %ebp the whole access must stay in.
 */
export function mem(ctx: GenContext, bytes: number, avoid: readonly string[] = [], lo = -SCRATCH_BIAS, hi = SCRATCH_BIAS): MemOperand {
  const m = address(ctx, bytes, avoid, lo, hi);
  // Segment overrides: DS, ES and SS are the same flat segment here (FS/GS are not set up,
  // CS is not writable), so they exercise prefix decoding without changing the address.
  if (!ctx.rng.chance(0.12)) return m;
  const forced = m.text.startsWith("{disp32} ") ? "{disp32} " : "";
  return { ...m, text: `${forced}%${ctx.rng.pick(["ds", "es", "ss"])}:${m.text.slice(forced.length)}` };
}

function address(ctx: GenContext, bytes: number, avoid: readonly string[], lo: number, hi: number): MemOperand {
  const { rng } = ctx;
  const last = hi - bytes; // highest start offset
  const scr = `scr${ctx.caseIndex}`;
  const free = GPR32.filter((r) => !avoid.includes(r));
  const form = rng.weighted<string>([
    [40, "disp8"],
    [8, "disp32"],
    [14, "sib"],
    [8, "abs"],
    [8, "index-only"],
    [12, "other-base"],
    [ctx.nested ? 0 : 10, "esp"],
  ]);
  /** index value k, scale, displacement d with lo <= d + k*scale <= last. */
  const indexed = (): [number, number, number] => {
    const scale = rng.pick([1, 2, 4, 8]);
    const k = rng.int(Math.ceil(-64 / scale), Math.floor(64 / scale));
    const d = rng.int(lo - k * scale, last - k * scale);
    return [k, scale, d];
  };
  switch (form) {
    case "disp32":
      return { text: `{disp32} ${rng.int(lo, last)}(%ebp)`, prelude: [] };
    case "sib": {
      if (free.length === 0) break;
      const idx = rng.pick(free);
      const [k, scale, d] = indexed();
      return { text: `${d}(%ebp,%${idx},${scale})`, prelude: [`movl $${k}, %${idx}`] };
    }
    case "abs":
      return { text: `${scr}${signed(rng.int(lo, last))}`, prelude: [] };
    case "index-only": {
      if (free.length === 0) break;
      const idx = rng.pick(free);
      const [k, scale, d] = indexed();
      return { text: `${scr}${signed(d)}(,%${idx},${scale})`, prelude: [`movl $${k}, %${idx}`] };
    }
    case "other-base": {
      if (free.length === 0) break;
      const base = rng.pick(free);
      const o = rng.int(-64, 64);
      const d = rng.int(Math.max(lo, -128) - o, Math.min(last, 127) - o);
      if (o + d < lo || o + d > last) break;
      return { text: `${d}(%${base})`, prelude: [`leal ${o}(%ebp), %${base}`] };
    }
    case "esp": {
      // The stack area lies right after the scratch area: it is independent of lo/hi.
      // lo/hi narrow it the same way they narrow the scratch forms.
      const min = Math.max(-STACK_BIAS + 8, lo) - ctx.espDelta;
      const max = Math.min(STACK_BIAS - 8, hi) - bytes - ctx.espDelta;
      if (ctx.espDelta < -ESP_SLACK || ctx.espDelta > ESP_SLACK || min > max) break;
      return { text: `${rng.int(min, max)}(%esp)`, prelude: [] };
    }
  }
  return { text: `${rng.int(lo, last)}(%ebp)`, prelude: [] };
}

/** "lock " with some probability: for read-modify-write instructions with a memory destination. */
export function maybeLock(ctx: GenContext): string {
  return ctx.rng.chance(0.15) ? "lock " : "";
}

/** A register-or-memory operand: "reg" about half the time. */
export function regOrMem(ctx: GenContext, width: Width, avoid: readonly string[] = []): { text: string; prelude: readonly string[]; isMem: boolean } {
  if (ctx.rng.chance(0.5)) return { text: reg(ctx.rng, width, avoid), prelude: [], isMem: false };
  const m = mem(ctx, width / 8, avoid);
  return { ...m, isMem: true };
}
