/**
 * Which EFLAGS bits each instruction reads, writes, and leaves undefined.
 *
 * Reference: Intel SDM Vol. 2 (instruction pages, "Flags Affected") and
 * Vol. 1 Appendix A (EFLAGS cross-reference). Bits: CF 0, PF 2, AF 4, ZF 6,
 * SF 7, DF 10, OF 11. Where the SDM calls a flag undefined, QEMU and
 * x86-core may legitimately disagree, so the comparison masks it.
 *
 * How a case's mask is built (see case-generator.ts): walking forwards, a
 * set U of undefined flags is kept; an instruction may not read a flag in U
 * (the generator picks another one), and afterwards
 * U = (U minus the flags it defines) plus the flags it leaves undefined.
 * U at the end of the case is the flag mask; nothing else is masked.
 */

export const CF = 0x001;
export const PF = 0x004;
export const AF = 0x010;
export const ZF = 0x040;
export const SF = 0x080;
export const DF = 0x400;
export const OF = 0x800;
/** The six arithmetic status flags. */
export const ARITH = CF | PF | AF | ZF | SF | OF;
/** Every flag a generated program sets on purpose (status flags and DF). */
export const ALL = ARITH | DF;

/** One instruction's relation to the flags. `undef` is a subset of `writes`. */
export interface FlagEffect {
  readonly reads: number;
  readonly writes: number;
  readonly undef: number;
}

/** The flags an effect leaves with an architecturally defined value. */
export function defines(e: FlagEffect): number {
  return e.writes & ~e.undef;
}

const NONE: FlagEffect = { reads: 0, writes: 0, undef: 0 };
const ARITH_ALL: FlagEffect = { reads: 0, writes: ARITH, undef: 0 };
const WITH_CARRY: FlagEffect = { reads: CF, writes: ARITH, undef: 0 };
/** AND/OR/XOR/TEST: OF, CF cleared; SF, ZF, PF by result; AF undefined (SDM "AND"). */
const LOGIC: FlagEffect = { reads: 0, writes: ARITH, undef: AF };
/** MUL/IMUL: CF, OF defined; SF, ZF, AF, PF undefined (SDM "MUL", "IMUL"). */
const MULTIPLY: FlagEffect = { reads: 0, writes: ARITH, undef: SF | ZF | AF | PF };
/** DIV/IDIV: CF, OF, SF, ZF, AF, PF all undefined (SDM "DIV", "IDIV"). */
const DIVIDE: FlagEffect = { reads: 0, writes: ARITH, undef: ARITH };
/** BT/BTS/BTR/BTC: CF = the bit; ZF unaffected; OF, SF, AF, PF undefined (SDM "BT"). */
const BIT_TEST: FlagEffect = { reads: 0, writes: CF | OF | SF | AF | PF, undef: OF | SF | AF | PF };

/** Fixed effects per mnemonic (without size suffix). Count-dependent ones are functions below. */
export const FLAG_TABLE: Readonly<Record<string, FlagEffect>> = {
  add: ARITH_ALL,
  adc: WITH_CARRY,
  sub: ARITH_ALL,
  sbb: WITH_CARRY,
  cmp: ARITH_ALL,
  neg: ARITH_ALL, // CF = (source != 0) (SDM "NEG")
  inc: { reads: 0, writes: ARITH & ~CF, undef: 0 }, // CF preserved (SDM "INC")
  dec: { reads: 0, writes: ARITH & ~CF, undef: 0 },
  and: LOGIC,
  or: LOGIC,
  xor: LOGIC,
  test: LOGIC,
  not: NONE,
  mul: MULTIPLY,
  imul: MULTIPLY,
  div: DIVIDE,
  idiv: DIVIDE,
  bt: BIT_TEST,
  bts: BIT_TEST,
  btr: BIT_TEST,
  btc: BIT_TEST,
  // BSF/BSR: ZF = (source == 0); CF, OF, SF, AF, PF undefined; destination undefined when
  // the source is 0 (SDM "BSF") — that register mask is added by the generator.
  bsf: { reads: 0, writes: ARITH, undef: CF | OF | SF | AF | PF },
  bsr: { reads: 0, writes: ARITH, undef: CF | OF | SF | AF | PF },
  bswap: NONE,
  movzx: NONE,
  movsx: NONE,
  mov: NONE,
  cbw: NONE,
  cwde: NONE,
  cwd: NONE,
  cdq: NONE,
  xchg: NONE,
  xadd: ARITH_ALL, // as ADD (SDM "XADD")
  cmpxchg: ARITH_ALL, // as CMP of accumulator and destination (SDM "CMPXCHG")
  cmpxchg8b: { reads: 0, writes: ZF, undef: 0 }, // other flags unaffected (SDM "CMPXCHG8B")
  lea: NONE,
  xlat: NONE,
  // DAA/DAS: CF, AF by adjustment; SF, ZF, PF by result; OF undefined (SDM "DAA", "DAS").
  daa: { reads: CF | AF, writes: ARITH, undef: OF },
  das: { reads: CF | AF, writes: ARITH, undef: OF },
  // AAA/AAS: AF, CF by adjustment; OF, SF, ZF, PF undefined (SDM "AAA", "AAS").
  aaa: { reads: AF, writes: ARITH, undef: OF | SF | ZF | PF },
  aas: { reads: AF, writes: ARITH, undef: OF | SF | ZF | PF },
  // AAM/AAD: SF, ZF, PF by AL; OF, AF, CF undefined (SDM "AAM", "AAD").
  aam: { reads: 0, writes: ARITH, undef: OF | AF | CF },
  aad: { reads: 0, writes: ARITH, undef: OF | AF | CF },
  lahf: { reads: SF | ZF | AF | PF | CF, writes: 0, undef: 0 },
  sahf: { reads: 0, writes: SF | ZF | AF | PF | CF, undef: 0 },
  // FCOMI/FUCOMI(P): ZF, PF, CF from the compare; the SDM clears OF, SF, AF, which
  // QEMU 7.2 leaves unchanged (x86-core clears them): undefined here.
  fcomi: { reads: 0, writes: ARITH, undef: OF | SF | AF },
  fcmov: { reads: CF | ZF | PF, writes: 0, undef: 0 }, // FCMOVcc (SDM "FCMOVcc")
  cmc: { reads: CF, writes: CF, undef: 0 },
  clc: { reads: 0, writes: CF, undef: 0 },
  stc: { reads: 0, writes: CF, undef: 0 },
  cld: { reads: 0, writes: DF, undef: 0 },
  std: { reads: 0, writes: DF, undef: 0 },
  movs: { reads: DF, writes: 0, undef: 0 },
  stos: { reads: DF, writes: 0, undef: 0 },
  lods: { reads: DF, writes: 0, undef: 0 },
  cmps: { reads: DF, writes: ARITH, undef: 0 },
  scas: { reads: DF, writes: ARITH, undef: 0 },
  push: NONE,
  pop: NONE,
  pushf: { reads: ALL, writes: 0, undef: 0 },
  popf: { reads: 0, writes: ALL, undef: 0 }, // IF/IOPL untouched at CPL 3 with IOPL 0
  pusha: NONE,
  popa: NONE,
  enter: NONE,
  leave: NONE,
  call: NONE,
  ret: NONE,
  jmp: NONE,
  jecxz: NONE,
  loop: NONE,
  loope: { reads: ZF, writes: 0, undef: 0 },
  loopne: { reads: ZF, writes: 0, undef: 0 },
};

/** Looks up a fixed effect; a missing row is a generator bug, not a test failure. */
export function flagEffect(mnemonic: string): FlagEffect {
  const e = FLAG_TABLE[mnemonic];
  if (e === undefined) throw new Error(`flag-table: no row for "${mnemonic}"`);
  return e;
}

/** Condition-code suffixes with the flags each one tests (SDM Vol. 1 Appendix B). */
export const CONDITIONS: readonly (readonly [string, number])[] = [
  ["o", OF],
  ["no", OF],
  ["b", CF],
  ["ae", CF],
  ["e", ZF],
  ["ne", ZF],
  ["be", CF | ZF],
  ["a", CF | ZF],
  ["s", SF],
  ["ns", SF],
  ["p", PF],
  ["np", PF],
  ["l", SF | OF],
  ["ge", SF | OF],
  ["le", ZF | SF | OF],
  ["g", ZF | SF | OF],
];

/** Shift and rotate kinds whose flags depend on the count. */
export type ShiftKind = "shl" | "shr" | "sar" | "rol" | "ror" | "rcl" | "rcr";

/**
 * Flags after a shift or rotate of a `width`-bit operand by `rawCount`.
 *
 * The count is masked to 5 bits first; a masked count of 0 changes no flag.
 * SHL/SHR/SAR (SDM "SAL/SAR/SHL/SHR"): CF = last bit out, undefined for SHL/SHR when the
 * count >= width; OF only for 1-bit shifts, else undefined; SF, ZF, PF by result; AF undefined.
 * ROL/ROR/RCL/RCR (SDM "RCL/RCR/ROL/ROR"): only CF and OF change; OF undefined unless the
 * masked count is 1; RCL/RCR also read CF.
 */
export function shiftEffect(kind: ShiftKind, width: 8 | 16 | 32, rawCount: number): FlagEffect {
  const count = rawCount & 0x1f;
  if (count === 0) return NONE;
  const ofUndef = count === 1 ? 0 : OF;
  switch (kind) {
    case "shl":
    case "shr":
      return { reads: 0, writes: ARITH, undef: AF | ofUndef | (count >= width ? CF : 0) };
    case "sar":
      return { reads: 0, writes: ARITH, undef: AF | ofUndef };
    case "rol":
    case "ror":
      return { reads: 0, writes: CF | OF, undef: ofUndef };
    case "rcl":
    case "rcr":
      return { reads: CF, writes: CF | OF, undef: ofUndef };
  }
}

/**
 * Flags after SHLD/SHRD (SDM "SHLD", "SHRD"): count masked to 5 bits; 0 changes nothing;
 * otherwise CF = last bit out, SF/ZF/PF by result, AF undefined, OF undefined unless count 1.
 * Counts above the operand size make the result and flags undefined; the generator never
 * emits them (16-bit forms use counts 0..16).
 */
export function doubleShiftEffect(rawCount: number): FlagEffect {
  const count = rawCount & 0x1f;
  if (count === 0) return NONE;
  return { reads: 0, writes: ARITH, undef: AF | (count === 1 ? 0 : OF) };
}

/** Names the flags in a mask, for reports: "CF|ZF". */
export function flagNames(mask: number): string {
  const names: string[] = [];
  for (const [bit, name] of [
    [CF, "CF"],
    [PF, "PF"],
    [AF, "AF"],
    [ZF, "ZF"],
    [SF, "SF"],
    [DF, "DF"],
    [OF, "OF"],
    [0x40000, "AC"],
    [0x4000, "NT"],
  ] as const) {
    if (mask & bit) names.push(name);
  }
  const rest = mask & ~(ALL | 0x40000 | 0x4000 | 0x2); // bit 1 always reads 1
  if (rest) names.push(`0x${(rest >>> 0).toString(16)}`);
  return names.join("|") || "-";
}
