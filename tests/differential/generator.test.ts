/**
 * The reference side of the differential suite, without x86-core: the toolchain is there,
 * the generator is deterministic, and QEMU runs the programs to the expected output.
 */
import { rmSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { FAMILIES, generateBatch } from "./case-generator.js";
import { CASE_MEM_BYTES, REG_RECORD_BYTES, regIndex } from "./layout.js";
import { prepareBatch } from "./prepare.js";
import { writeProgram } from "./program-writer.js";
import { missingTools } from "./toolchain.js";
import { workDir } from "./settings.js";

describe("differential reference side", () => {
  it("has as, ld, objdump and qemu-i386-static", () => {
    const missing = missingTools();
    expect(missing, `the differential suite needs: ${missing.join(", ")}`).toEqual([]);
  });

  it("same seed → same program and memory; other seed → other program", () => {
    const a = generateBatch(1234, 50);
    const b = generateBatch(1234, 50);
    const c = generateBatch(1235, 50);
    expect(writeProgram(a, "m")).toBe(writeProgram(b, "m"));
    expect(a.memory).toEqual(b.memory);
    expect(writeProgram(c, "m")).not.toBe(writeProgram(a, "m"));
  });

  it("every family generates items on its own", () => {
    for (const [, family] of FAMILIES) {
      const batch = generateBatch(99, 40, [family]);
      const items = batch.cases.flatMap((c) => c.items);
      // At least one item per case; x87 items end their case (their status word is compared
      // under a mask), so that family has exactly one.
      expect(items.length, family).toBeGreaterThanOrEqual(family === "x87" ? 40 : 41);
      expect(new Set(items.map((i) => i.family)), family).toEqual(new Set([family]));
    }
  });

  it("a mixed batch → assembles, runs under qemu, one record per case with %ebp intact", async () => {
    const cases = 300;
    const dir = workDir();
    const p = await prepareBatch({ seed: 7, batch: 0, cases }, dir);
    rmSync(dir, { recursive: true, force: true });
    const view = new DataView(p.expected.buffer, p.expected.byteOffset, p.expected.byteLength);
    // %ebp is never written by generated code: it still points at each case's scratch middle.
    const ebp0 = view.getUint32(regIndex("ebp") * 4, true);
    for (let i = 1; i < cases; i++) {
      expect(view.getUint32(i * REG_RECORD_BYTES + regIndex("ebp") * 4, true) - ebp0, `case ${i} %ebp`).toBe(i * CASE_MEM_BYTES);
    }
  }, 60_000);
});
