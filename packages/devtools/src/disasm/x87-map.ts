/**
 * The x87 escapes D8–DF (SDM Vol. 2 Appendix A.4): memory forms by ModRM.reg, register forms
 * by reg and, where one reg value holds several instructions, by rm.
 *
 * A memory row is `att/intel SIZE`: the AT&T mnemonic carries the operand's size in its
 * suffix (s, l, ll, t), the Intel one says it as `DWORD PTR` and the like; `-` means no size.
 * A register row is `att/intel OPERANDS` with ST (the stack top) and STi (the register in rm).
 */

/** A memory form: mnemonics and the Intel size keyword ("" for none). */
export interface X87MemoryRow {
  readonly att: string;
  readonly intel: string;
  readonly size: string;
}

/** A register form: mnemonics and operands (Intel order). */
export interface X87RegisterRow {
  readonly att: string;
  readonly intel: string;
  readonly operands: readonly string[];
}

function mem(spec: string | null): X87MemoryRow | undefined {
  if (spec === null) return undefined;
  const [names, size] = spec.split(" ") as [string, string];
  const [att, intel] = names.split("/") as [string, string | undefined];
  return { att, intel: intel ?? att, size: size === "-" ? "" : size };
}

function reg(spec: string | null): X87RegisterRow | undefined {
  if (spec === null) return undefined;
  const space = spec.indexOf(" ");
  const names = space < 0 ? spec : spec.slice(0, space);
  // objdump's names for the 8087/287-only no-ops contain a space, written `_` here.
  const [att, intel] = names.replace(/_/g, " ").split("/") as [string, string | undefined];
  return { att, intel: intel ?? att, operands: space < 0 ? [] : spec.slice(space + 1).split(",") };
}

const ARITH = ["add", "mul", "com", "comp", "sub", "subr", "div", "divr"];

/** Memory forms, indexed [escape - 0xD8][reg]. */
export const X87_MEMORY: readonly (readonly (X87MemoryRow | undefined)[])[] = [
  ARITH.map((n) => mem(`f${n}s/f${n} DWORD`)),
  ["flds/fld DWORD", null, "fsts/fst DWORD", "fstps/fstp DWORD", "fldenv{s|}/fldenv{w|} -", "fldcw WORD", "fnstenv{s|}/fnstenv{w|} -", "fnstcw WORD"].map(mem),
  ARITH.map((n) => mem(`fi${n}l/fi${n} DWORD`)),
  ["fildl/fild DWORD", "fisttpl/fisttp DWORD", "fistl/fist DWORD", "fistpl/fistp DWORD", null, "fldt/fld TBYTE", null, "fstpt/fstp TBYTE"].map(mem),
  ARITH.map((n) => mem(`f${n}l/f${n} QWORD`)),
  ["fldl/fld QWORD", "fisttpll/fisttp QWORD", "fstl/fst QWORD", "fstpl/fstp QWORD", "frstor{s|}/frstor{w|} -", null, "fnsave{s|}/fnsave{w|} -", "fnstsw WORD"].map(mem),
  ARITH.map((n) => mem(`fi${n}s/fi${n} WORD`)),
  ["filds/fild WORD", "fisttps/fisttp WORD", "fists/fist WORD", "fistps/fistp WORD", "fbld TBYTE", "fildll/fild QWORD", "fbstp TBYTE", "fistpll/fistp QWORD"].map(mem),
];

/*D:210 The x87 register forms hold the one place where objdump's two syntaxes disagree about
 * the instruction itself, not just its spelling. In the DC and DE escapes, the forms whose
 * destination is st(i) swap "sub" and "subr" (and "div" and "divr") between the syntaxes:
 * Intel's `fsubr st(1),st` is printed `fsub %st,%st(1)` in AT&T. The swap is an old Unix
 * assembler's mistake that every AT&T assembler since has kept so that old sources still
 * assemble to the same bytes; a disassembler that wants to be read beside objdump keeps it
 * too, and the table below spells it out row by row. :*/

/**
 * Register forms, indexed [escape - 0xD8][reg]: a row for the whole reg value (operand STi
 * from rm), or eight rows by rm for reg values that hold operand-less instructions.
 */
export const X87_REGISTER: readonly (readonly (X87RegisterRow | readonly (X87RegisterRow | undefined)[] | undefined)[])[] = [
  ["fadd ST,STi", "fmul ST,STi", "fcom STi", "fcomp STi", "fsub ST,STi", "fsubr ST,STi", "fdiv ST,STi", "fdivr ST,STi"].map(reg),
  [
    reg("fld STi"),
    reg("fxch STi"),
    ["fnop", null, null, null, null, null, null, null].map(reg),
    undefined,
    ["fchs", "fabs", null, null, "ftst", "fxam", null, null].map(reg),
    ["fld1", "fldl2t", "fldl2e", "fldpi", "fldlg2", "fldln2", "fldz", null].map(reg),
    ["f2xm1", "fyl2x", "fptan", "fpatan", "fxtract", "fprem1", "fdecstp", "fincstp"].map(reg),
    ["fprem", "fyl2xp1", "fsqrt", "fsincos", "frndint", "fscale", "fsin", "fcos"].map(reg),
  ],
  [reg("fcmovb ST,STi"), reg("fcmove ST,STi"), reg("fcmovbe ST,STi"), reg("fcmovu ST,STi"), undefined, [null, "fucompp", null, null, null, null, null, null].map(reg), undefined, undefined],
  [
    reg("fcmovnb ST,STi"),
    reg("fcmovne ST,STi"),
    reg("fcmovnbe ST,STi"),
    reg("fcmovnu ST,STi"),
    ["fneni(8087_only)", "fndisi(8087_only)", "fnclex", "fninit", "fnsetpm(287_only)", "frstpm(287_only)", null, null].map(reg),
    reg("fucomi ST,STi"),
    reg("fcomi ST,STi"),
    undefined,
  ],
  [reg("fadd STi,ST"), reg("fmul STi,ST"), undefined, undefined, reg("fsub/fsubr STi,ST"), reg("fsubr/fsub STi,ST"), reg("fdiv/fdivr STi,ST"), reg("fdivr/fdiv STi,ST")],
  [reg("ffree STi"), undefined, reg("fst STi"), reg("fstp STi"), reg("fucom STi"), reg("fucomp STi"), undefined, undefined],
  [
    reg("faddp STi,ST"),
    reg("fmulp STi,ST"),
    undefined,
    [null, "fcompp", null, null, null, null, null, null].map(reg),
    reg("fsubp/fsubrp STi,ST"),
    reg("fsubrp/fsubp STi,ST"),
    reg("fdivp/fdivrp STi,ST"),
    reg("fdivrp/fdivp STi,ST"),
  ],
  [reg("ffreep STi"), undefined, undefined, undefined, ["fnstsw AX", null, null, null, null, null, null, null].map(reg), reg("fucomip ST,STi"), reg("fcomip ST,STi"), undefined],
];

/** The `fn…` forms an FWAIT in front turns into their waiting spellings (`fstsw`, `fninit` → `finit`). */
export function waitingForm(mnemonic: string): string | null {
  return /^fn(stenv|stcw|clex|init|save|stsw)$/.test(mnemonic) ? `f${mnemonic.slice(2)}` : null;
}
