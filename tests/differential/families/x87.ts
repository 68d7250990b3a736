/**
 * x87 family: every item starts with FNINIT and a control word (FLDCW), writes its
 * operands into the case's scratch area with MOVs, loads them (m32fp, m64fp, m80fp,
 * m16/m32/m64int, BCD, constants), runs arithmetic, compares or conversions, and stores
 * results (m64fp, m32fp, integers, the status word, FNSTENV/FNSAVE images) to memory.
 * Reference: SDM Vol. 1 §8 (x87 FPU), Vol. 2A F2XM1…FYL2XP1.
 *
 * Why results can be compared exactly although x86-core computes in doubles and QEMU in
 * 80-bit extended precision (see the x86-core README, "x87"):
 * - arithmetic items (+ − × ÷ √) run with PC = 53 bits (control word 0x027F), where the
 *   x87 rounds each result to a double's significand as x86-core does; their operands
 *   have exponents within ±64, so the extended exponent range never matters;
 * - loads, stores, integer conversions, FRNDINT, compares, FXAM, FCHS/FABS, FPREM,
 *   FSCALE, FXTRACT and the constants are exact (or rounded once, in the same direction,
 *   on both sides), and they run under every rounding control;
 * - the transcendentals (FSIN, FCOS, FSINCOS, FPTAN, FPATAN, F2XM1, FYL2X, FYL2XP1)
 *   differ in the last bits: their m64fp results are compared within TRANSCENDENTAL_ULPS
 *   and PE/C1 are masked in their status word. QEMU 7.2 computes FSIN/FCOS/FPTAN with
 *   the host's double sin/cos/tan (no PE), x86-core with JavaScript's Math (PE set).
 *   Such items end their case so no later item reads an inexact result.
 * FCOMI/FUCOMI clear OF, SF and AF per the SDM; QEMU 7.2 leaves them unchanged, so the
 * flag table marks them undefined.
 */
import type { LooseMemory } from "../item.js";
import { flagEffect } from "../flag-table.js";
import type { GenContext, Item, UndefinedReg } from "../item.js";
import { hex, type MemOperand, mem } from "../operands.js";
import type { Rng } from "../rng.js";

/** ulps of tolerance for transcendental results (Math.* vs QEMU's extended or host libm). */
export const TRANSCENDENTAL_ULPS = 4;

/** Scratch offsets (from %ebp): operand slots, the control word, loose result slots. */
const A = -128;
const B = -120;
const C = -112;
const CW = -100;
/** Exact stores go anywhere in [RES_LO, RES_HI). */
const RES_LO = -96;
const RES_HI = 80;
/** Fixed slots for results compared with a tolerance. */
const LOOSE = 88;
const LOOSE_SW = 120;

/** A double as [lo, hi] dwords. */
type D = readonly [number, number];

const SPECIAL_D: readonly D[] = [
  [0, 0], // +0
  [0, 0x80000000], // −0
  [0, 0x7ff00000], // +∞
  [0, 0xfff00000], // −∞
  [0, 0x7ff80000], // QNaN
  [0x1234, 0xfff81000], // QNaN with payload
  [1, 0x7ff00000], // SNaN
  [0, 0xfff80000], // indefinite
  [1, 0], // smallest denormal
  [0, 0x00080000], // a larger denormal
  [0xffffffff, 0x7fefffff], // max
  [0, 0x00100000], // min normal
  [0, 0x3ff00000], // 1
  [0, 0xbff00000], // −1
];

/**
 * Specials for arithmetic: zeros, infinities, NaNs, ±1 — not the extremes of the double
 * range, where x86-core overflows or underflows and the x87's 15-bit exponent does not
 * (a known difference, README "x87").
 */
const ARITH_SPECIALS: readonly D[] = SPECIAL_D.filter((d) => (d[1] & 0x7ff00000) === 0x7ff00000 || (d[0] | (d[1] & 0x7fffffff)) === 0 || (d[1] & 0x7fffffff) === 0x3ff00000);

/** A double with few significant bits (exact sums and products), exponent within ±24. */
function smallDouble(rng: Rng): D {
  const m = rng.int(-(1 << 20), 1 << 20);
  return bitsOf(m * 2 ** rng.int(-24, 4));
}

/** A double with a random 52-bit fraction and exponent in [−lim, lim]. */
function generalDouble(rng: Rng, lim = 60): D {
  const e = rng.int(-lim, lim) + 1023;
  return [rng.u32(), ((rng.chance(0.5) ? 0x80000000 : 0) | (e << 20) | (rng.u32() & 0xfffff)) >>> 0];
}

function bitsOf(v: number): D {
  const u = new Uint32Array(new Float64Array([v]).buffer);
  return [u[0]!, u[1]!];
}

/** An operand for arithmetic: mostly finite normal values, sometimes specials. */
function arithDouble(rng: Rng): D {
  return rng.weighted<() => D>([
    [5, () => smallDouble(rng)],
    [5, () => generalDouble(rng)],
    [1, () => rng.pick(ARITH_SPECIALS)],
  ])();
}

/** Any double, denormals and extremes included. */
function anyDouble(rng: Rng): D {
  return rng.weighted<() => D>([
    [4, () => smallDouble(rng)],
    [4, () => generalDouble(rng, 1000)],
    [2, () => rng.pick(SPECIAL_D)],
    [1, () => [rng.u32(), rng.int(0, 0xfffff) >>> 0] as D], // denormals
  ])();
}

/** A value for integer conversions: near integers, halves, large and out-of-range values. */
function convDouble(rng: Rng): D {
  return rng.weighted<() => D>([
    [4, () => bitsOf((rng.int(-4000, 4000) / 4) * (rng.chance(0.5) ? 1 : 1.0000001))],
    [2, () => bitsOf(rng.int(-0x7fffffff, 0x7fffffff) + rng.pick([0, 0.5, -0.5, 0.25, 0.75]))],
    [2, () => bitsOf(rng.pick([32767.5, -32768.5, 32768, -32769, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, -(2 ** 53), 2 ** 62 + 2048, 2 ** 63, -(2 ** 63), 1e18, -1e18 + 128, 123456789012345680]))],
    [1, () => rng.pick(SPECIAL_D)],
    [2, () => generalDouble(rng, 70)],
  ])();
}

/** A float's 32 bits: moderate exponents or specials. */
function anyFloat(rng: Rng): number {
  if (rng.chance(0.2)) return rng.pick([0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0x7f800001, 0xffc00000, 1, 0x00400000, 0x7f7fffff, 0x3f800000]);
  return ((rng.chance(0.5) ? 0x80000000 : 0) | ((rng.int(-30, 30) + 127) << 23) | (rng.u32() & 0x7fffff)) >>> 0;
}

function putD(at: number, d: D): string[] {
  return [`movl $${hex(d[0])}, ${at}(%ebp)`, `movl $${hex(d[1])}, ${at + 4}(%ebp)`];
}

function cw(pc: number, rc: number): number {
  return 0x007f | (pc << 8) | (rc << 10);
}

function start(word: number): string[] {
  return ["fninit", `movw $${hex(word)}, ${CW}(%ebp)`, `fldcw ${CW}(%ebp)`];
}

/** Registers the memory operands of the item being generated set up (plus %eax, which FNSTSW AX writes). */
let used: string[] = [];

/** A memory operand in the exact result area whose address registers no other operand of the item changes. */
function place(ctx: GenContext, bytes: number): MemOperand {
  const m = mem(ctx, bytes, used, RES_LO, RES_HI);
  for (const line of m.prelude) {
    const r = line.match(/%(e[a-z]{2})$/);
    if (r) used.push(r[1]!);
  }
  return m;
}

/** Status-word bits QEMU 7.2 never sets: DE (softfloat reports denormal inputs only when it flushes them). */
const SW_DE = 0x0002;
/** C3, C2, C0: undefined after arithmetic, loads, stores, FCHS … (SDM Vol. 2A, "FPU Flags Affected"). */
const CC_UNDEFINED = 0x4500;

/** The final status word into its fixed slot, compared except for `mask`; the item then ends its case. */
function status(body: string[], mask: number): LooseMemory {
  body.push(`fnstsw ${LOOSE_SW}(%ebp)`);
  return { at: LOOSE_SW, bytes: 2, mask: mask | SW_DE };
}

const NO_FLAGS = { reads: 0, writes: 0, undef: 0 };

function item(key: string, prelude: readonly string[], body: readonly string[], flags = NO_FLAGS, loose?: readonly LooseMemory[]): Item {
  return { family: "x87", key, prelude, body, flags, espDelta: 0, ...(loose ? { looseMemory: loose } : {}) };
}

/** Exact m64fp store of ST(0) (popping), then the status word with C3/C2/C0 masked. */
function finishExact(ctx: GenContext, prelude: string[], body: string[]): LooseMemory[] {
  const m = place(ctx, 8);
  prelude.push(...m.prelude);
  body.push(`fstpl ${m.text}`);
  return [status(body, CC_UNDEFINED)];
}

const ARITH = ["add", "sub", "subr", "mul", "div", "divr"] as const;

function genArith(ctx: GenContext): Item {
  const { rng } = ctx;
  const op = rng.pick(ARITH);
  const a = arithDouble(rng);
  const body = [...start(cw(2, 0)), ...putD(A, a)];
  const prelude: string[] = [];
  const form = rng.pick(["m64", "m32", "m32int", "m16int", "st0,sti", "sti,st0", "p"] as const);
  body.push(`fldl ${A}(%ebp)`);
  switch (form) {
    case "m64":
      body.push(...putD(B, arithDouble(rng)), `f${op}l ${B}(%ebp)`);
      break;
    case "m32":
      body.push(`movl $${hex(anyFloat(rng))}, ${B}(%ebp)`, `f${op}s ${B}(%ebp)`);
      break;
    case "m32int":
      body.push(`movl $${hex(rng.edgy(32))}, ${B}(%ebp)`, `fi${op}l ${B}(%ebp)`);
      break;
    case "m16int":
      body.push(`movw $${hex(rng.edgy(16))}, ${B}(%ebp)`, `fi${op}s ${B}(%ebp)`);
      break;
    default: {
      body.push(...putD(B, arithDouble(rng)), `fldl ${B}(%ebp)`);
      if (rng.chance(0.3)) body.push(...putD(C, arithDouble(rng)), `fldl ${C}(%ebp)`, "fxch %st(1)");
      // AT&T spells the DC/DE register forms with sub/subr and div/divr exchanged; the
      // bytes are what both CPUs run, so the key names the form, not Intel's mnemonic.
      if (form === "st0,sti") body.push(`f${op} %st(1), %st`);
      else if (form === "sti,st0") body.push(`f${op} %st, %st(1)`, "fstp %st(0)");
      else body.push(`f${op}p %st, %st(1)`);
    }
  }
  if (rng.chance(0.2)) {
    body.push("fsqrt");
  }
  const loose = finishExact(ctx, prelude, body);
  return item(`f${op} ${form}`, prelude, body, NO_FLAGS, loose);
}

function genSqrt(ctx: GenContext): Item {
  const { rng } = ctx;
  const k = rng.int(0, 1 << 20) * 2 ** rng.int(-20, 10);
  const v: D = rng.weighted<() => D>([
    [3, () => bitsOf(k * k)],
    [3, () => generalDouble(rng)],
    [1, () => rng.pick(ARITH_SPECIALS)],
  ])();
  const body = [...start(cw(2, 0)), ...putD(A, v), `fldl ${A}(%ebp)`, "fsqrt"];
  const prelude: string[] = [];
  // C2 must be masked here in any case: QEMU 7.2 sets it after FSQRT of a negative operand.
  const loose = finishExact(ctx, prelude, body);
  return item("fsqrt", prelude, body, NO_FLAGS, loose);
}

const COMPARES = ["fcom", "fcomp", "fucom", "fucomp"] as const;

function genCompare(ctx: GenContext): Item {
  const { rng } = ctx;
  const pick = (): D => (rng.chance(0.3) ? rng.pick(SPECIAL_D) : rng.chance(0.3) ? [0, rng.pick([0x3ff00000, 0xbff00000, 0x40000000])] : anyDouble(rng));
  const a = pick();
  const b = rng.chance(0.2) ? a : pick();
  const body = [...start(cw(3, 0)), ...putD(A, a), ...putD(B, b), `fldl ${B}(%ebp)`, `fldl ${A}(%ebp)`];
  const prelude: string[] = [];
  const form = rng.pick(["reg", "m64", "m32", "m32int", "m16int", "pp", "upp", "ftst", "fxam", "fcomi", "fucomi", "fcomip", "fucomip", "fcmov", "sahf"] as const);
  let flags = NO_FLAGS;
  let undefinedRegs: UndefinedReg[] | undefined;
  let noStore = form === "pp" || form === "upp";
  switch (form) {
    case "reg":
      body.push(`${rng.pick(COMPARES)} %st(1)`);
      break;
    case "m64":
      body.push(`${rng.pick(COMPARES.slice(0, 2))}l ${B}(%ebp)`);
      break;
    case "m32":
      body.push(`movl $${hex(anyFloat(rng))}, ${C}(%ebp)`, `${rng.pick(COMPARES.slice(0, 2))}s ${C}(%ebp)`);
      break;
    case "m32int":
      body.push(`movl $${hex(rng.edgy(32))}, ${C}(%ebp)`, `${rng.pick(["ficoml", "ficompl"])} ${C}(%ebp)`);
      break;
    case "m16int":
      body.push(`movw $${hex(rng.edgy(16))}, ${C}(%ebp)`, `${rng.pick(["ficoms", "ficomps"])} ${C}(%ebp)`);
      break;
    case "pp":
      body.push("fcompp");
      break;
    case "upp":
      body.push("fucompp");
      break;
    case "ftst":
      body.push(form);
      break;
    case "fxam":
      // FXAM of an empty register (QEMU checks the tag here); nothing is stored after it,
      // since QEMU would store the stale register where the SDM stores the indefinite.
      if (rng.chance(0.2)) {
        body.push("ffree %st(0)");
        noStore = true;
      }
      body.push(form);
      break;
    case "fcmov":
      flags = flagEffect("fcmov");
      body.push(`${rng.pick(["fcmovb", "fcmove", "fcmovbe", "fcmovu", "fcmovnb", "fcmovne", "fcmovnbe", "fcmovnu"])} %st(1), %st`);
      break;
    case "sahf":
      // The classic idiom: FNSTSW AX; SAHF; then a Jcc/SETcc would read CF/ZF/PF.
      flags = flagEffect("sahf");
      body.push(`${rng.pick(COMPARES)} %st(1)`, "fnstsw %ax", "sahf");
      undefinedRegs = [{ reg: 0, mask: 0x0002 }]; // DE in AX: QEMU never reports it
      break;
    default:
      flags = flagEffect("fcomi");
      body.push(`${form} %st(1), %st`);
  }
  // FCOMI and FCMOV leave C3/C2/C0 alone (they keep what the loads left: undefined).
  const loose = [status(body, form.startsWith("fcomi") || form.startsWith("fucomi") || form === "fcmov" ? CC_UNDEFINED : 0)];
  if (!noStore) {
    const m = place(ctx, 8);
    prelude.push(...m.prelude);
    body.push(`fstl ${m.text}`);
  }
  const it = item(`${form}`, prelude, body, flags, loose);
  return undefinedRegs ? { ...it, undefinedRegs } : it;
}

function genConvert(ctx: GenContext): Item {
  const { rng } = ctx;
  const rc = rng.int(0, 3);
  const body = [...start(cw(3, rc))];
  const prelude: string[] = [];
  const form = rng.pick(["fist", "frndint", "fild", "fst32", "fld32", "fld80", "fbcd", "const"] as const);
  const store = (bytes: number, mnemonic: string): void => {
    const m = place(ctx, bytes);
    prelude.push(...m.prelude);
    body.push(`${mnemonic} ${m.text}`);
  };
  switch (form) {
    case "fist":
      body.push(...putD(A, convDouble(rng)), `fldl ${A}(%ebp)`);
      if (rng.chance(0.3)) {
        const [bytes, mn] = rng.pick([
          [2, "fists"],
          [4, "fistl"],
        ] as const);
        store(bytes, mn);
      }
      {
        const [bytes, mn] = rng.pick([
          [2, "fistps"],
          [4, "fistpl"],
          [8, "fistpll"],
        ] as const);
        store(bytes, mn);
      }
      break;
    case "frndint":
      body.push(...putD(A, convDouble(rng)), `fldl ${A}(%ebp)`, "frndint");
      store(8, "fstpl");
      break;
    case "fild": {
      const [bytes, mn] = rng.pick([
        [2, "filds"],
        [4, "fildl"],
        [8, "fildll"],
      ] as const);
      if (bytes === 8) {
        const big = rng.chance(0.5);
        const hi = big ? rng.u32() : rng.chance(0.5) ? rng.int(0, 0x1fffff) : (0xffe00000 | rng.int(0, 0x1fffff)) >>> 0;
        body.push(`movl $${hex(rng.u32())}, ${A}(%ebp)`, `movl $${hex(hi)}, ${A + 4}(%ebp)`, `${mn} ${A}(%ebp)`);
        // Integers beyond 2^53 are rounded once on both sides by FSTP m64fp; an FISTP
        // round trip of them would expose x86-core's double registers (README, "x87").
        store(8, big ? "fstpl" : rng.pick(["fstpl", "fistpll"]));
      } else {
        body.push(`movl $${hex(rng.edgy(32))}, ${A}(%ebp)`, `${mn} ${A}(%ebp)`);
        store(8, rng.pick(["fstpl", "fistpll", "fistpl"]));
      }
      break;
    }
    case "fst32":
      body.push(...putD(A, rng.chance(0.5) ? generalDouble(rng, 150) : anyDouble(rng)), `fldl ${A}(%ebp)`);
      store(4, rng.pick(["fsts", "fstps"]));
      break;
    case "fld32":
      body.push(`movl $${hex(anyFloat(rng))}, ${A}(%ebp)`, `flds ${A}(%ebp)`);
      store(8, "fstpl");
      break;
    case "fld80": {
      // m80fp values of doubles (exact both ways), or with 64 significant bits (rounded
      // once by FLD on x86-core and by FSTP m64fp on QEMU: same result in round-to-nearest).
      const d = anyDouble(rng);
      body.push(...putD(A, d), `fldl ${A}(%ebp)`);
      store(10, "fstpt");
      if (rc === 0 && rng.chance(0.5)) {
        const e = rng.int(16383 - 60, 16383 + 60) | (rng.chance(0.5) ? 0x8000 : 0);
        body.push(`movl $${hex(rng.u32())}, ${B}(%ebp)`, `movl $${hex((rng.u32() | 0x80000000) >>> 0)}, ${B + 4}(%ebp)`, `movw $${hex(e)}, ${B + 8}(%ebp)`, `fldt ${B}(%ebp)`);
        store(8, "fstpl");
      }
      break;
    }
    case "fbcd": {
      const v = rng.chance(0.7) ? rng.int(-999999999, 999999999) * rng.pick([1, 1000, 1000000]) + rng.pick([0, 0.5, 0.25, -0.75]) : rng.pick([1e18, -1e18, 999999999999999900, Number.NaN]);
      body.push(...putD(A, bitsOf(v)), `fldl ${A}(%ebp)`);
      store(10, "fbstp");
      if (rng.chance(0.5)) {
        // Load back a BCD image of up to 15 digits (exact in a double).
        const digits = Array.from({ length: 8 }, () => rng.int(0, 99));
        const bytes = digits.map((n) => (Math.floor(n / 10) << 4) | n % 10);
        body.push(`movl $${hex(bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24))}, ${B}(%ebp)`);
        body.push(`movl $${hex(bytes[4]! | (bytes[5]! << 8) | (bytes[6]! << 16) | ((bytes[7]! & 0x0f) << 24))}, ${B + 4}(%ebp)`);
        body.push(`movw $${hex(rng.pick([0, 0x8000]))}, ${B + 8}(%ebp)`, `fbld ${B}(%ebp)`);
        store(8, "fstpl");
      }
      break;
    }
    default:
      body.push(rng.pick(["fld1", "fldz", "fldpi", "fldl2e", "fldl2t", "fldlg2", "fldln2"]));
      store(8, "fstpl");
  }
  const loose = [status(body, CC_UNDEFINED)];
  return item(`${form} rc=${rc}`, prelude, body, NO_FLAGS, loose);
}

function genMisc(ctx: GenContext): Item {
  const { rng } = ctx;
  const body = [...start(cw(rng.pick([2, 3]), 0))];
  const prelude: string[] = [];
  // Quotients of FPREM/FPREM1 stay below 2^64 (exponents within ±30): QEMU then finishes
  // in one step as x86-core always does (C2 = 0), instead of a partial remainder.
  const lim = 30;
  const a = rng.chance(0.8) ? generalDouble(rng, lim) : rng.pick(ARITH_SPECIALS);
  const b = rng.chance(0.5) ? smallDouble(rng) : rng.chance(0.8) ? generalDouble(rng, lim) : rng.pick(ARITH_SPECIALS);
  body.push(...putD(A, a), ...putD(B, b), `fldl ${B}(%ebp)`, `fldl ${A}(%ebp)`);
  // QEMU 7.2 does not detect stack overflow or underflow (it reads stale registers and
  // sets no IE/SF), so these items keep the stack within its two to eight values; the
  // unit tests cover stack faults.
  const form = rng.pick(["fchs", "fabs", "fxch", "fld", "fst", "fstp", "fincstp", "fdecstp", "ffree", "fxtract", "fscale", "fprem", "fprem1", "fnstenv", "fnsave"] as const);
  let depth = 2;
  let cc = CC_UNDEFINED;
  switch (form) {
    case "fxch":
    case "fld":
    case "fst":
    case "fstp":
      body.push(`${form} %st(${rng.int(0, 1)})`);
      depth += form === "fld" ? 1 : form === "fstp" ? -1 : 0;
      break;
    case "fincstp":
    case "fdecstp":
      body.push(form, form === "fincstp" ? "fdecstp" : "fincstp");
      break;
    case "ffree":
      body.push("ffree %st(1)", "fld %st(0)", "fstp %st(2)");
      break;
    case "fscale":
      body.push(...putD(B, bitsOf(rng.int(-70, 70) + rng.pick([0, 0.5, -0.75]))), "fstp %st(1)", `fldl ${B}(%ebp)`, "fxch %st(1)", "fscale");
      break;
    case "fxtract":
      body.push(form);
      depth++;
      break;
    case "fprem":
    case "fprem1":
      body.push(form);
      cc = 0;
      break;
    case "fnstenv":
    case "fnsave":
      break;
    default:
      body.push(form);
  }
  const loose: LooseMemory[] = [];
  if (form === "fnstenv") {
    // FIP and FDP (offsets 12, 20) are compared; the selector/opcode dwords are not: QEMU
    // runs ring 3 with CS 0x23 and DS 0x2b and keeps no opcode, x86-core with 0x1b/0x23.
    const at = RES_LO;
    body.push(`fnstenv ${at}(%ebp)`, `fldcw ${CW}(%ebp)`);
    loose.push({ at: at + 4, bytes: 2, mask: SW_DE }, { at: at + 16, bytes: 4, mask: 0xffffffff }, { at: at + 24, bytes: 4, mask: 0xffffffff });
  } else if (form === "fnsave") {
    // Eight full registers so no stale (empty) register image is stored.
    // Only values a double holds exactly: x86-core's FLDPI is π rounded to a double.
    body.push("fld1", "fldz", `fldl ${A}(%ebp)`, "fld1", `fldl ${B}(%ebp)`, "fldz");
    const at = RES_LO;
    body.push(`fnsave ${at}(%ebp)`);
    loose.push({ at: at + 4, bytes: 2, mask: SW_DE }, { at: at + 16, bytes: 4, mask: 0xffffffff }, { at: at + 24, bytes: 4, mask: 0xffffffff });
    if (rng.chance(0.5)) body.push(`frstor ${at}(%ebp)`, `fstpl ${at + 108}(%ebp)`, `fstpl ${at + 116}(%ebp)`);
  } else {
    for (let k = 0; k < Math.min(depth, rng.int(1, 2)); k++) {
      const m = place(ctx, 8);
      prelude.push(...m.prelude);
      body.push(`fstpl ${m.text}`);
      // FSTP: C3/C2/C0 undefined; C1 cleared (SDM) but left as it was by QEMU 7.2, which
      // shows after FPREM (C1 = quotient bit 0).
      cc = CC_UNDEFINED | (form === "fprem" || form === "fprem1" ? 0x0200 : 0);
    }
  }
  loose.push(status(body, cc));
  return item(form, prelude, body, NO_FLAGS, loose);
}

function genTranscendental(ctx: GenContext): Item {
  const { rng } = ctx;
  const form = rng.pick(["fsin", "fcos", "fsincos", "fptan", "fpatan", "f2xm1", "fyl2x", "fyl2xp1"] as const);
  const arg = (): D => {
    switch (form) {
      case "f2xm1":
        return bitsOf(rng.int(-1000000, 1000000) / 1000000);
      case "fyl2xp1":
        return bitsOf(rng.int(-290000, 290000) / 1000000);
      case "fyl2x":
        return rng.chance(0.9) ? generalDouble(rng, 30) : rng.pick(SPECIAL_D);
      default:
        // Finite arguments only: QEMU 7.2 treats ±∞ as "out of range" (C2 = 1, operand
        // kept) where the SDM raises IE, and computes NaN results with the host's libm.
        return rng.chance(0.95) ? bitsOf((rng.u32() / 2 ** 32 - 0.5) * 2 ** rng.int(-10, 8)) : rng.pick(SPECIAL_D.slice(0, 2));
    }
  };
  const body = [...start(cw(3, 0)), ...putD(A, smallDouble(rng)), ...putD(B, arg()), `fldl ${A}(%ebp)`, `fldl ${B}(%ebp)`, form, `fstpl ${LOOSE}(%ebp)`];
  // FPATAN, FYL2X, FYL2XP1 pop: one value is left; the others leave two.
  const two = !["fpatan", "fyl2x", "fyl2xp1"].includes(form);
  if (two) body.push(`fstpl ${LOOSE + 8}(%ebp)`);
  const loose: LooseMemory[] = [{ at: LOOSE, bytes: 8, ulps: TRANSCENDENTAL_ULPS }];
  if (two) loose.push({ at: LOOSE + 8, bytes: 8, ulps: TRANSCENDENTAL_ULPS });
  // PE: QEMU's FSIN/FCOS/FPTAN use host double math and report no PE. C1: the round-up
  // indicator, which QEMU's extended-precision transcendentals may leave set.
  loose.push(status(body, 0x0220 | CC_UNDEFINED));
  return item(form, [], body, NO_FLAGS, loose);
}

/** The x87 family generator. */
export function genX87(ctx: GenContext): Item {
  const { rng } = ctx;
  used = ["eax"];
  return rng.weighted<(c: GenContext) => Item>([
    [6, genArith],
    [2, genSqrt],
    [5, genCompare],
    [5, genConvert],
    [4, genMisc],
    [2, genTranscendental],
  ])(ctx);
}
