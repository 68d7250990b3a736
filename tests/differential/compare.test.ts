/**
 * The comparer itself: a difference in any register, compared EFLAGS bit or memory byte is
 * reported; bits the case marked undefined, and TF/IF/IOPL, are not.
 */
import { describe, expect, it } from "vitest";
import { generateBatch } from "./case-generator.js";
import { compareBatch, compareCase } from "./compare.js";
import { AF, CF } from "./flag-table.js";
import { CASE_MEM_BYTES, EFLAGS_SLOT, outputBytes, REG_RECORD_BYTES, SCRATCH_BIAS } from "./layout.js";

const batch = generateBatch(42, 4);
const expected = new Uint8Array(outputBytes(4)).map((_, i) => (i * 7) & 0xff);

function flipped(at: number, mask: number): Uint8Array {
  const copy = expected.slice();
  copy[at] = copy[at]! ^ mask;
  return copy;
}

describe("compareBatch", () => {
  it("identical outputs → no mismatch", () => {
    expect(compareBatch(batch, expected, expected.slice())).toEqual([]);
  });

  it("one bit of %esi in case 2 → case 2 mismatches, naming esi", () => {
    const m = compareBatch(batch, expected, flipped(2 * REG_RECORD_BYTES + 6 * 4 + 1, 0x10));
    expect(m.map((x) => x.caseIndex)).toEqual([2]);
    expect(m[0]!.diffs.join()).toMatch(/^esi: /);
  });

  it("one byte of case 3's stack area → a memory difference relative to the initial %esp", () => {
    const at = 4 * REG_RECORD_BYTES + 3 * CASE_MEM_BYTES + 256 + 128 - 4;
    const m = compareBatch(batch, expected, flipped(at, 0xff));
    expect(m[0]!.diffs).toEqual([expect.stringMatching(/^mem esp0-4 \(1 bytes\)/)]);
  });

  it("CF differs → reported; IF differs → ignored", () => {
    const flags = REG_RECORD_BYTES + EFLAGS_SLOT * 4;
    expect(compareBatch(batch, expected, flipped(flags, CF)).map((x) => x.caseIndex)).toEqual([1]);
    expect(compareBatch(batch, expected, flipped(flags + 1, 0x02))).toEqual([]);
  });

  it("a flag or register bit the case marks undefined → ignored", () => {
    const c = { ...batch.cases[0]!, flagMask: AF, regMasks: [0xff, 0, 0, 0, 0, 0, 0, 0] };
    expect(compareCase(c, expected, flipped(EFLAGS_SLOT * 4, AF), 4)).toEqual([]);
    expect(compareCase(c, expected, flipped(0, 0x80), 4)).toEqual([]);
    expect(compareCase(c, expected, flipped(1, 0x01), 4)).toHaveLength(1);
  });

  it("loose memory: an m64fp within its ulps and masked status bits → ignored; beyond → reported", () => {
    const base = 4 * REG_RECORD_BYTES;
    const at = SCRATCH_BIAS + 8;
    const c = { ...batch.cases[0]!, loose: [{ at: 8, bytes: 8, ulps: 2 }, { at: 16, bytes: 2, mask: 0x20 }] };
    const mine = expected.slice();
    const one = new DataView(mine.buffer, base + at, 8);
    one.setFloat64(0, 1.5, true);
    const theirs = expected.slice();
    new DataView(theirs.buffer, base + at, 8).setFloat64(0, 1.5 + 2 ** -51, true);
    expect(compareCase(c, theirs, mine, 4)).toEqual([]);
    new DataView(theirs.buffer, base + at, 8).setFloat64(0, 1.5 + 2 ** -50, true);
    expect(compareCase(c, theirs, mine, 4)).toHaveLength(1);
    expect(compareCase(c, expected, flipped(base + SCRATCH_BIAS + 16, 0x20), 4)).toEqual([]);
    expect(compareCase(c, expected, flipped(base + SCRATCH_BIAS + 16, 0x01), 4)).toHaveLength(1);
  });
});
