/**
 * Compares the output records of one batch: registers and EFLAGS (minus what the case
 * marked undefined) and every byte of each case's memory window.
 */
import type { Batch, Case } from "./case-generator.js";
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
  diffs.push(...memoryDiffs(expected, actual, cases * REG_RECORD_BYTES + c.index * CASE_MEM_BYTES));
  return diffs;
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
