/**
 * The unit the generator composes cases from: one instruction under test (or a small
 * fixed idiom such as `enter; …; leave`) plus the flag-free set-up it needs.
 */
import type { FlagEffect } from "./flag-table.js";
import type { Rng } from "./rng.js";

/** Instruction families; each one is weighted and must appear in every run. */
export type Family =
  | "alu"
  | "shift"
  | "muldiv"
  | "bits"
  | "move"
  | "bcd"
  | "flagops"
  | "string"
  | "stack"
  | "control"
  | "smc"
  | "x87";

/** A register whose final value the SDM leaves (partly) undefined. */
export interface UndefinedReg {
  /** Register encoding number (0 = eax … 7 = edi). */
  readonly reg: number;
  /** Bits of it that are undefined. */
  readonly mask: number;
}

/**
 * Bytes of the case's memory compared loosely, with the reason given where the item
 * is generated: an m64fp within `ulps` units in the last place, or a value whose `mask`
 * bits are not compared. Such an item ends its case (nothing may read those bytes).
 */
export interface LooseMemory {
  /** Offset from %ebp (the scratch middle). */
  readonly at: number;
  /** 2, 4 or 8 bytes. */
  readonly bytes: number;
  /** For 8-byte doubles: tolerance in ulps (NaNs and infinities must match exactly). */
  readonly ulps?: number;
  /** Bits not compared (little-endian value of `bytes` bytes, at most 32 bits). */
  readonly mask?: number;
}

/** One generated instruction with its context. */
export interface Item {
  readonly family: Family;
  /** Grouping key for reports: mnemonic with operand shape, e.g. "addl m,r". */
  readonly key: string;
  /** Set-up lines (mov/lea only: they never touch EFLAGS). */
  readonly prelude: readonly string[];
  /** The instruction(s) under test, AT&T syntax. */
  readonly body: readonly string[];
  /** Flag reads/writes/undefined bits of the body as a whole. */
  readonly flags: FlagEffect;
  /** Net change of %esp in bytes (negative = pushed). */
  readonly espDelta: number;
  /** Registers left undefined; such an item must end its case. */
  readonly undefinedRegs?: readonly UndefinedReg[];
  /** Memory compared loosely; such an item must end its case. */
  readonly looseMemory?: readonly LooseMemory[];
}

/** What a family generator may know about where its item goes. */
export interface GenContext {
  readonly rng: Rng;
  /** Case number: names the case's scratch symbol `scrN` (its %ebp value). */
  readonly caseIndex: number;
  /** %esp relative to its initial value at this point of the case. */
  readonly espDelta: number;
  /** Inside an idiom (skipped by a jump, or between enter/leave): no stack or %esp use. */
  readonly nested: boolean;
}

/** A family generator: returns null when it cannot fit the context (the caller retries). */
export type FamilyGenerator = (ctx: GenContext) => Item | null;
