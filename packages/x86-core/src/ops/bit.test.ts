import { describe, expect, it } from "vitest";
import { exec, flagBits, type QemuVector, replay } from "./shift.test-helper.js";

const C = flagBits("C");

describe("bit: BT family", () => {
  it("bt [0x8000],eax with EAX=-1 → tests bit 31 of the dword at 0x7FFC", () => {
    const o = exec([0x0f, 0xa3, 0x05, 0x00, 0x80, 0x00, 0x00], { eax: -1, mem: [[0x7ffc, [0, 0, 0, 0x80]]] }); // bt [0x8000],eax
    expect(o.flags).toBe(C);
  });
  it("bts [0x8000],eax with EAX=1000 → sets bit 8 of the dword at 0x8000+124, CF=0", () => {
    const o = exec([0x0f, 0xab, 0x05, 0x00, 0x80, 0x00, 0x00], { eax: 1000, flags: C }); // bts [0x8000],eax
    expect(o.memory.read32(0x8000 + 124)).toBe(0x100);
    expect(o.flags).toBe(0);
  });
  it("btc word [0x8000],cx with CX=-16 → flips bit 0 of the word at 0x7FFE", () => {
    const o = exec([0x66, 0x0f, 0xbb, 0x0d, 0x00, 0x80, 0x00, 0x00], { ecx: 0xfff0, mem: [[0x7ffe, [0x01, 0x00]]] }); // btc [0x8000],cx
    expect(o.memory.read16(0x7ffe)).toBe(0);
    expect(o.flags).toBe(C);
  });
  it("bt eax,35 (0F BA /4) → tests bit 3 (offset mod 32), other flags kept", () => {
    const o = exec([0x0f, 0xba, 0xe0, 0x23], { eax: 0x8, flags: flagBits("ZSOAP") }); // bt eax,35
    expect(o.flags).toBe(flagBits("CZSOAP"));
  });
  it("btr bx,cx with CX=0x13 → clears bit 3 of BX (register offset mod 16)", () => {
    const o = exec([0x66, 0x0f, 0xb3, 0xcb], { ebx: 0xffff, ecx: 0x13 }); // btr bx,cx
    expect(o.r[3]).toBe(0xfff7);
    expect(o.flags).toBe(C);
  });
});

describe("bit: BSF BSR BSWAP", () => {
  it("bsf ecx,ebx with EBX=0 → ZF=1 and ECX unchanged", () => {
    const o = exec([0x0f, 0xbc, 0xcb], { ebx: 0, ecx: 0x1234 }); // bsf ecx,ebx
    expect(o.r[1]).toBe(0x1234);
    expect(o.flags & flagBits("Z")).toBe(flagBits("Z"));
  });
  it("bsf ecx,ebx with EBX=0x00f00000 → 20, ZF=0", () => {
    const o = exec([0x0f, 0xbc, 0xcb], { ebx: 0x00f00000 }); // bsf ecx,ebx
    expect(o.r[1]).toBe(20);
    expect(o.flags & flagBits("Z")).toBe(0);
  });
  it("bsr cx,bx with BX=0x0101 → 8 in CX, upper ECX kept", () => {
    const o = exec([0x66, 0x0f, 0xbd, 0xcb], { ebx: 0x0101, ecx: 0xabcd0000 }); // bsr cx,bx
    expect(o.r[1]).toBe(0xabcd0008);
  });
  it("bswap eax → 0x78563412", () => {
    const o = exec([0x0f, 0xc8], { eax: 0x12345678 }); // bswap eax
    expect(o.r[0]).toBe(0x78563412);
  });
});

// Recorded under qemu-i386-static 7.2 (random inputs, see the report of the family);
// each row: bytes, EAX ECX EDX EBX EFLAGS before, the same after.
const QEMU: readonly QemuVector[] = [
  [[0x0f, 0xbc, 0xcb], 0x3d, 0x80, 0x100, 0xf7615c45, 0xd0, 0x3d, 0x0, 0x100, 0xf7615c45, 0x80], // bsf ecx,ebx
  [[0x0f, 0xbc, 0xcb], 0x5c5214d, 0x13, 0x80000000, 0x9548, 0x891, 0x5c5214d, 0x3, 0x80000000, 0x9548, 0x4], // bsf ecx,ebx
  [[0x66, 0x0f, 0xbd, 0xcb], 0xa, 0xfa, 0xa, 0x0, 0x880, 0xa, 0xfa, 0xa, 0x0, 0x44], // bsr cx,bx
  [[0x66, 0x0f, 0xbd, 0xcb], 0xe5, 0xf0b5c706, 0xff, 0x0, 0x845, 0xe5, 0xf0b5c706, 0xff, 0x0, 0x44], // bsr cx,bx
  [[0x66, 0x0f, 0xbb, 0xcb], 0xd461051, 0xec58b935, 0xae, 0x41, 0x8c4, 0xd461051, 0xec58b935, 0xae, 0x61, 0x8c4], // btc bx,cx
  [[0x66, 0x0f, 0xbb, 0xcb], 0xfabc3940, 0xd3, 0x2b, 0x93a15564, 0xd4, 0xfabc3940, 0xd3, 0x2b, 0x93a1556c, 0xd4], // btc bx,cx
  [[0x0f, 0xba, 0xeb, 0x25], 0x66a8, 0xd800, 0xa, 0xa39b, 0x81, 0x66a8, 0xd800, 0xa, 0xa3bb, 0x80], // bts ebx,37
  [[0x0f, 0xba, 0xeb, 0x25], 0x38, 0x29cb78f4, 0x72, 0x0, 0x95, 0x38, 0x29cb78f4, 0x72, 0x20, 0x94], // bts ebx,37

];

describe("bit: agrees with QEMU", () => {
  it.each(QEMU.map((v) => [v[0].map((b) => b.toString(16)).join(" "), v] as const))("%s → same registers and flags as QEMU", (_, v) => {
    const [got, want] = replay(v);
    expect(got).toBe(want);
  });
});
