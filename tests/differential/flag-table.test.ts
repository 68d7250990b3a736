/**
 * The undefined-flag rules and how cases apply them.
 */
import { describe, expect, it } from "vitest";
import { generateBatch } from "./case-generator.js";
import { AF, ARITH, CF, defines, doubleShiftEffect, OF, PF, SF, shiftEffect, ZF } from "./flag-table.js";
import { opcodeKey } from "./report.js";

describe("shiftEffect / doubleShiftEffect", () => {
  it("masked count 0 (0, 32, 64) → no flag written", () => {
    for (const n of [0, 32, 64]) expect(shiftEffect("shl", 32, n)).toEqual({ reads: 0, writes: 0, undef: 0 });
    expect(doubleShiftEffect(32).writes).toBe(0);
  });

  it("shl by 1 → all arithmetic flags but AF defined", () => {
    expect(defines(shiftEffect("shl", 8, 1))).toBe(ARITH & ~AF);
  });

  it("8-bit shr by 8..31 → CF undefined too; sar keeps CF defined", () => {
    expect(shiftEffect("shr", 8, 9).undef).toBe(CF | AF | OF);
    expect(shiftEffect("sar", 8, 9).undef).toBe(AF | OF);
  });

  it("rcl reads CF and leaves OF undefined unless the count is 1", () => {
    expect(shiftEffect("rcl", 16, 3)).toEqual({ reads: CF, writes: CF | OF, undef: OF });
    expect(shiftEffect("rcl", 16, 1).undef).toBe(0);
  });
});

describe("generated cases", () => {
  it("no item reads a flag an earlier item left undefined; the final mask is what remains", () => {
    const batch = generateBatch(2024, 2000);
    for (const c of batch.cases) {
      let undef = 0;
      for (const item of c.items) {
        expect(item.flags.reads & undef, `case ${c.index}: ${item.key}`).toBe(0);
        undef = (undef & ~defines(item.flags)) | item.flags.undef;
      }
      expect(c.flagMask).toBe(undef);
    }
  });

  it("a bsf/bsr with a zero source is the last item and masks its destination", () => {
    const batch = generateBatch(7, 3000, ["bits"]);
    const zero = batch.cases.filter((c) => c.items.some((i) => i.key.endsWith(" zero")));
    expect(zero.length).toBeGreaterThan(10);
    for (const c of zero) {
      expect(c.items.at(-1)!.key).toMatch(/ zero$/);
      expect(c.regMasks.some((m) => m !== 0)).toBe(true);
      expect(c.flagMask & (CF | OF | SF | AF | PF)).toBe(CF | OF | SF | AF | PF);
      expect(c.flagMask & ZF).toBe(0);
    }
  });
});

describe("opcodeKey", () => {
  it("66/F2/F3, two-byte opcodes and group /digits kept; segment/LOCK prefixes and operands dropped", () => {
    expect(opcodeKey([0x66, 0xf7, 0xd8])).toBe("66 f7 /3");
    expect(opcodeKey([0x0f, 0xba, 0x65, 0x51, 0x46])).toBe("0f ba /4");
    expect(opcodeKey([0x0f, 0xaf, 0xc1])).toBe("0f af");
    expect(opcodeKey([0xf3, 0xa5])).toBe("f3 a5");
    expect(opcodeKey([0x26, 0xf0, 0x66, 0x0f, 0xc1, 0x45, 0x10])).toBe("66 0f c1");
  });
});
