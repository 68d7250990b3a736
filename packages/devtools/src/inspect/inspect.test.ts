import { describe, expect, it } from "vitest";
import { decodeGate, decodeSegment } from "./descriptors.js";
import { classifyPage, pteFlags } from "./page-tables.js";

const MEM_BASE = 0x01000000;

describe("classifyPage (lguest-abi.md §6: gpte_to_spte)", () => {
  // Guest PTE 0x00123067: frame 0x123000, present, writable, user, accessed, dirty.
  it("a writable dirty Guest page shadowed writable at mem_base + frame is the same", () => {
    expect(classifyPage(0x00123067, (MEM_BASE + 0x123000) | 0x67, MEM_BASE)).toBe("same");
  });
  it("a writable clean Guest page shadowed read-only is write-protected until dirty", () => {
    expect(classifyPage(0x00123027, (MEM_BASE + 0x123000) | 0x25, MEM_BASE)).toBe("write-protected-until-dirty");
  });
  it("a shadow writable where the Guest page is clean or read-only differs (the Host would miss D or break protection)", () => {
    expect(classifyPage(0x00123027, (MEM_BASE + 0x123000) | 0x27, MEM_BASE)).toBe("differs");
    expect(classifyPage(0x00123065, (MEM_BASE + 0x123000) | 0x67, MEM_BASE)).toBe("differs");
  });
  it("another frame, another user bit or a global shadow entry differs", () => {
    expect(classifyPage(0x00123067, (MEM_BASE + 0x124000) | 0x67, MEM_BASE)).toBe("differs");
    expect(classifyPage(0x00123067, (MEM_BASE + 0x123000) | 0x63, MEM_BASE)).toBe("differs");
    expect(classifyPage(0x00123067, (MEM_BASE + 0x123000) | 0x167, MEM_BASE)).toBe("differs");
  });
  it("presence alone: not shadowed yet, stale, or nothing", () => {
    expect(classifyPage(0x00123067, 0, MEM_BASE)).toBe("not-shadowed");
    expect(classifyPage(0x00123066, (MEM_BASE + 0x123000) | 0x67, MEM_BASE)).toBe("stale");
    expect(classifyPage(0x00123066, 0x00123066, MEM_BASE)).toBeNull();
  });
  it("pteFlags spells w u a d g", () => {
    expect(pteFlags(0x167)).toBe("wuadg");
    expect(pteFlags(0x25)).toBe("-ua--");
    expect(pteFlags(0x66)).toBe("");
  });
});

describe("descriptors (SDM Vol. 3A §3.4.5, §6.11)", () => {
  it("a flat 4 GiB ring-1 code segment", () => {
    // base 0, limit 0xfffff, G=1 D=1, P=1 DPL=1 S=1 type 0xb (code, readable, accessed)
    const s = decodeSegment(12, 0x0000ffff, 0x00cfbb00);
    expect([s.base, s.limit, s.dpl, s.present, s.big, s.kind]).toEqual([0, 0xffffffff, 1, true, true, "code r-x A"]);
  });
  it("a byte-granular TSS descriptor with a base in all three fields", () => {
    const s = decodeSegment(16, 0x34560067, 0x12008978);
    expect([s.base, s.limit, s.dpl, s.kind]).toEqual([0x12783456, 0x67, 0, "TSS available"]);
  });
  it("a DPL-3 trap gate and a DPL-0 interrupt gate", () => {
    expect(decodeGate(0x80, 0x00611234, 0xc012ef00)).toMatchObject({ selector: 0x61, offset: 0xc0121234, dpl: 3, kind: "trap", present: true });
    expect(decodeGate(14, 0x00105678, 0xffc08e00)).toMatchObject({ selector: 0x10, offset: 0xffc05678, dpl: 0, kind: "interrupt" });
  });
});
