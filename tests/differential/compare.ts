/**
 * Compares the output records of one batch: registers and EFLAGS (minus what the case
 * marked undefined) and every byte of each case's memory window.
 */
import type { Batch, Case } from "./case-generator.js";
import type { LooseMemory } from "./item.js";
import { flagNames } from "./flag-table.js";
import { CASE_MEM_BYTES, EFLAGS_SLOT, REG_NAMES, REG_RECORD_BYTES, SCRATCH_BIAS, SCRATCH_BYTES, STACK_BIAS } from "./layout.js";
import { hex } from "./operands.js";

/**
 * EFLAGS bits compared: all but TF (8), IF (9) and IOPL (12–13), which belong to the
 * environment (qemu-user runs with IF=1) rather than to the instructions under test.
 */
export const COMPARED_EFLAGS = ~0x3300 >>> 0;

/** One case whose results differ. */
export interface Mismatch {
  readonly caseIndex: number;
  readonly diffs: readonly string[];
}

function dword(out: Uint8Array, at: number): number {
  return (out[at]! | (out[at + 1]! << 8) | (out[at + 2]! << 16) | (out[at + 3]! << 24)) >>> 0;
}

/** Describes differing bytes as runs: "scratch ebp+12..+15: qemu 01 02 03 04, x86-core 01 02 00 04". */
function memoryDiffs(expected: Uint8Array, actual: Uint8Array, base: number): string[] {
  const diffs: string[] = [];
  let i = 0;
  while (i < CASE_MEM_BYTES) {
    if (expected[base + i] === actual[base + i]) {
      i++;
      continue;
    }
    let j = i;
    while (j < CASE_MEM_BYTES && j - i < 16 && expected[base + j] !== actual[base + j]) j++;
    const bytes = (b: Uint8Array): string => Array.from(b.subarray(base + i, base + j), (x) => x.toString(16).padStart(2, "0")).join(" ");
    const where = i < SCRATCH_BYTES ? `ebp${signed(i - SCRATCH_BIAS)}` : `esp0${signed(i - SCRATCH_BYTES - STACK_BIAS)}`;
    diffs.push(`mem ${where} (${j - i} bytes): qemu ${bytes(expected)} | x86-core ${bytes(actual)}`);
    i = j;
  }
  return diffs;
}

function signed(n: number): string {
  return n < 0 ? `${n}` : `+${n}`;
}

/** Differences of one case (empty when it matches). */
export function compareCase(c: Case, expected: Uint8Array, actual: Uint8Array, cases: number): string[] {
  const diffs: string[] = [];
  const rec = c.index * REG_RECORD_BYTES;
  for (const [r, name] of REG_NAMES.entries()) {
    const keep = ~c.regMasks[r]! >>> 0;
    const e = dword(expected, rec + r * 4);
    const a = dword(actual, rec + r * 4);
    if (((e ^ a) & keep) !== 0) diffs.push(`${name}: qemu ${hex(e)} | x86-core ${hex(a)} (xor ${hex((e ^ a) & keep)})`);
  }
  const keep = COMPARED_EFLAGS & ~c.flagMask;
  const e = dword(expected, rec + EFLAGS_SLOT * 4);
  const a = dword(actual, rec + EFLAGS_SLOT * 4);
  if (((e ^ a) & keep) !== 0) {
    diffs.push(`eflags: qemu ${hex(e)} | x86-core ${hex(a)} differ in ${flagNames((e ^ a) & keep)}`);
  }
  const base = cases * REG_RECORD_BYTES + c.index * CASE_MEM_BYTES;
  let mine = actual;
  if (c.loose.length > 0) {
    // Loose regions are checked by their rule, then taken out of the byte comparison.
    mine = actual.slice(base, base + CASE_MEM_BYTES);
    const theirs = expected.subarray(base, base + CASE_MEM_BYTES);
    for (const l of c.loose) {
      const at = SCRATCH_BIAS + l.at;
      const why = looseDiff(l, theirs, mine, at);
      if (why) diffs.push(why);
      mine.set(theirs.subarray(at, at + l.bytes), at);
    }
    const whole = new Uint8Array(actual.length);
    whole.set(actual);
    whole.set(mine, base);
    mine = whole;
  }
  diffs.push(...memoryDiffs(expected, mine, base));
  return diffs;
}

/** Bytes of `b` at `at`, little-endian, as a number (up to 4 bytes). */
function small(b: Uint8Array, at: number, n: number): number {
  let v = 0;
  for (let k = n - 1; k >= 0; k--) v = v * 256 + b[at + k]!;
  return v;
}

/** Why a loosely compared region differs beyond its rule, or "". */
export function looseDiff(l: LooseMemory, expected: Uint8Array, actual: Uint8Array, at: number): string {
  const where = `ebp${signed(l.at)}`;
  if (l.ulps !== undefined) {
    const e = new DataView(expected.buffer, expected.byteOffset + at, 8);
    const a = new DataView(actual.buffer, actual.byteOffset + at, 8);
    const ev = e.getFloat64(0, true);
    const av = a.getFloat64(0, true);
    const eb = e.getBigInt64(0, true);
    const ab = a.getBigInt64(0, true);
    if (eb === ab) return "";
    const finite = Number.isFinite(ev) && Number.isFinite(av) && Math.sign(ev) === Math.sign(av);
    // Same sign, both finite: the distance in ulps is the distance of the bit patterns.
    const d = eb > ab ? eb - ab : ab - eb;
    if (finite && d <= BigInt(l.ulps)) return "";
    return `mem ${where} (m64fp, ±${l.ulps} ulp): qemu ${ev} | x86-core ${av}${finite ? ` (${d} ulp)` : ""}`;
  }
  const keep = ~(l.mask ?? 0) >>> 0;
  const e = small(expected, at, l.bytes);
  const a = small(actual, at, l.bytes);
  if (((e ^ a) & keep) >>> 0 === 0) return "";
  return `mem ${where} (${l.bytes} bytes, ${hex(l.mask ?? 0)} masked): qemu ${hex(e)} | x86-core ${hex(a)}`;
}

/** Every mismatching case of a batch. Both outputs must already have the expected size. */
export function compareBatch(batch: Batch, expected: Uint8Array, actual: Uint8Array): Mismatch[] {
  const out: Mismatch[] = [];
  for (const c of batch.cases) {
    const diffs = compareCase(c, expected, actual, batch.cases.length);
    if (diffs.length > 0) out.push({ caseIndex: c.index, diffs });
  }
  return out;
}
