import { describe, expect, it } from "vitest";
import { CF, OF, PF, SF, ZF } from "../cpu/eflags.js";
import { EAX } from "../cpu/registers.js";
import { CR0_EM, CR0_MP, CR0_TS } from "../paging/control-registers.js";
import { CODE_BASE, DATA_BASE } from "../testing/run-bytes.js";
import { getF64, hexBytes, mem, putF64, run } from "./x87-test-helper.js";

const FNINIT = [0xdb, 0xe3];
const FLD1 = [0xd9, 0xe8];
const FLDZ = [0xd9, 0xee];
const FLDPI = [0xd9, 0xeb];
const A = DATA_BASE;
const B = DATA_BASE + 8;
const OUT = DATA_BASE + 0x40;
const fldl = (at: number) => mem(0xdd, 0, at); // fld qword [at]
const fstpl = (at: number) => mem(0xdd, 3, at); // fstp qword [at]
const fnstsw = (at: number) => mem(0xdd, 7, at); // fnstsw [at]
const fldcw = (at: number) => mem(0xd9, 5, at); // fldcw [at]

describe("CR0.EM/TS/MP and #NM (SDM Vol. 3A Table 9-2)", () => {
  it("CR0.EM=1: fld1 (D9 E8) → #NM at the instruction", () => {
    const m = run([0x90, ...FLD1], (m) => {
      m.control.cr0 |= CR0_EM;
    });
    expect(m.caught).toEqual([{ vector: 7, eip: CODE_BASE + 1 }]);
    expect(m.cpu.fpu.empty).toBe(0xff);
  });

  it("CR0.TS=1: fnstsw [m] (DD 3D) → #NM, memory untouched", () => {
    const m = run(fnstsw(A), (m) => {
      m.control.cr0 |= CR0_TS;
      m.memory.write16(A, 0x1234);
    });
    expect(m.caught[0]?.vector).toBe(7);
    expect(m.memory.read16(A)).toBe(0x1234);
  });

  it("fwait (9B): TS=1 MP=0 → runs; MP=1 TS=1 → #NM; EM=1 alone → runs", () => {
    expect(run([0x9b], (m) => void (m.control.cr0 |= CR0_TS)).caught).toEqual([]);
    expect(run([0x9b], (m) => void (m.control.cr0 |= CR0_TS | CR0_MP)).caught).toEqual([{ vector: 7, eip: CODE_BASE }]);
    expect(run([0x9b], (m) => void (m.control.cr0 |= CR0_EM)).caught).toEqual([]);
  });

  it("EM=0, TS=0: fninit; fnstsw [m]; fnstcw [m+2] → 0x0000 and 0x037F (the classic FPU probe finds one)", () => {
    const m = run([...FNINIT, ...fnstsw(A), ...mem(0xd9, 7, A + 2)], (m) => m.memory.write32(A, -1));
    expect(m.memory.read16(A)).toBe(0);
    expect(m.memory.read16(A + 2)).toBe(0x037f);
  });

  it("fld qword [esp+0x100] (DD 84 24 00 01 00 00) → decoded to its full length, the next instruction runs", () => {
    const m = run([0xdd, 0x84, 0x24, 0x00, 0x01, 0x00, 0x00, 0xb8, 1, 0, 0, 0]);
    expect(m.cpu.regs[EAX]).toBe(1);
    expect(m.cpu.fpu.top).toBe(7);
  });
});

describe("80-bit extended conversions (fld m64; fstp m80 / fld m80; fstp m64)", () => {
  const toF80 = (v: number) => {
    const m = run([...FNINIT, ...fldl(A), ...mem(0xdb, 7, OUT)], (m) => putF64(m, A, v));
    return hexBytes(m, OUT, 10);
  };
  it("1.0 → 3FFF 8000000000000000; −0 → 8000 0…; π → 4000 C90FDAA22168C000", () => {
    expect(toF80(1)).toBe("3fff8000000000000000");
    expect(toF80(-0)).toBe("80000000000000000000");
    expect(toF80(Math.PI)).toBe("4000c90fdaa22168c000");
  });
  it("+∞ → 7FFF 8000000000000000; QNaN → 7FFF C000000000000000; 2^-1074 (double denormal) → normal 3BCD 8000000000000000", () => {
    expect(toF80(Number.POSITIVE_INFINITY)).toBe("7fff8000000000000000");
    expect(toF80(Number.NaN)).toBe("7fffc000000000000000");
    expect(toF80(2 ** -1074)).toBe("3bcd8000000000000000");
  });
  it("m80 with 64 significant bits → rounded to nearest double, PE; an unnormal → indefinite, IE", () => {
    const load = (bytes: number[]) =>
      run([...FNINIT, ...mem(0xdb, 5, A), ...fstpl(OUT), ...fnstsw(OUT + 8)], (m) => m.memory.load(A, new Uint8Array(bytes)));
    // mantissa 8000000000000C01, exponent 3FFF: 1 + 2^-52 + 2^-53 + 2^-63 → above the halfway point: 1 + 2^-51
    let m = load([0x01, 0x0c, 0, 0, 0, 0, 0, 0x80, 0xff, 0x3f]);
    expect(getF64(m, OUT)).toBe(1 + 2 ** -51);
    expect(m.memory.read16(OUT + 8) & 0x3f).toBe(0x20);
    m = load([0, 0, 0, 0, 0, 0, 0, 0x40, 0xff, 0x3f]); // integer bit clear: unnormal
    expect(hexBytes(m, OUT, 8)).toBe("fff8000000000000");
    expect(m.memory.read16(OUT + 8) & 0x3f).toBe(0x01);
  });
});

describe("compares and classification: condition codes (SDM Vol. 1 Table 8-6, FXAM)", () => {
  const sw = (a: number, b: number, op: number[]) =>
    run([...FNINIT, ...fldl(B), ...fldl(A), ...op, ...fnstsw(OUT)], (m) => {
      putF64(m, A, a);
      putF64(m, B, b);
    }).memory.read16(OUT);
  const FCOM_ST1 = [0xd8, 0xd1];
  const FUCOM_ST1 = [0xdd, 0xe1];
  it("fcom st(1): > → C3C2C0=000, < → 001, = → 100, NaN → 111 with IE; fucom: QNaN → 111 without IE", () => {
    expect(sw(2, 1, FCOM_ST1) & 0x4500).toBe(0);
    expect(sw(1, 2, FCOM_ST1) & 0x4500).toBe(0x0100);
    expect(sw(-0, 0, FCOM_ST1) & 0x4500).toBe(0x4000);
    expect(sw(Number.NaN, 0, FCOM_ST1) & 0x4501).toBe(0x4501);
    expect(sw(Number.NaN, 0, FUCOM_ST1) & 0x4501).toBe(0x4500);
  });
  it("ftst (D9 E4) of −3 → C0; fxam (D9 E5): −∞ → C1 C2 C0, 0 → C3, 1 → C2, NaN → C0, empty → C3 C0", () => {
    expect(sw(-3, 0, [0xd9, 0xe4]) & 0x4500).toBe(0x0100);
    expect(sw(Number.NEGATIVE_INFINITY, 0, [0xd9, 0xe5]) & 0x4700).toBe(0x0700);
    expect(sw(0, 0, [0xd9, 0xe5]) & 0x4700).toBe(0x4000);
    expect(sw(1, 0, [0xd9, 0xe5]) & 0x4700).toBe(0x0400);
    expect(sw(Number.NaN, 0, [0xd9, 0xe5]) & 0x4500).toBe(0x0100);
    const m = run([...FNINIT, 0xd9, 0xe5, ...fnstsw(OUT)]);
    expect(m.memory.read16(OUT) & 0x4500).toBe(0x4100);
  });
  it("fcomi st(1) (DB F1): ZF/PF/CF from the compare, OF/SF cleared; unordered → ZF PF CF", () => {
    const flags = (a: number, b: number) => {
      const m = run([0xb8, 0xff, 0xff, 0xff, 0x7f, 0x40, ...FNINIT, ...fldl(B), ...fldl(A), 0xdb, 0xf1], (m) => {
        putF64(m, A, a);
        putF64(m, B, b);
      });
      return m.cpu.getEflags() & (ZF | PF | CF | OF | SF);
    };
    expect(flags(1, 2)).toBe(CF);
    expect(flags(2, 2)).toBe(ZF);
    expect(flags(3, 2)).toBe(0);
    expect(flags(Number.NaN, 2)).toBe(ZF | PF | CF);
  });
});

describe("stack faults (SDM Vol. 1 §8.5.1.1)", () => {
  it("nine pushes → stack overflow: IE+SF, C1=1, ST(0) is the real indefinite", () => {
    const m = run([...FNINIT, ...Array(9).fill(FLD1).flat(), ...fstpl(OUT), ...fnstsw(OUT + 8)]);
    expect(hexBytes(m, OUT, 8)).toBe("fff8000000000000");
    expect(m.cpu.fpu.sw & 0x41).toBe(0x41);
    expect(m.memory.read16(OUT + 8) & 0x41).toBe(0x41);
  });
  it("fadd st(0), st(1) on an empty stack → underflow: IE+SF, C1=0, indefinite", () => {
    const m = run([...FNINIT, 0xd8, 0xc1, ...fnstsw(OUT)]);
    expect(m.memory.read16(OUT) & 0x0241).toBe(0x41);
  });
  it("fistp m32 from an empty stack → integer indefinite 0x80000000", () => {
    const m = run([...FNINIT, ...mem(0xdb, 3, OUT)]);
    expect(m.memory.read32(OUT) >>> 0).toBe(0x80000000);
  });
});

describe("integer conversions honour RC (SDM Vol. 1 §4.8.4)", () => {
  const fistp = (v: number, rc: number, op = 0xdb, reg = 3) => {
    const m = run([...FNINIT, ...fldcw(DATA_BASE + 0x30), ...fldl(A), ...mem(op, reg, OUT), ...fnstsw(OUT + 8)], (m) => {
      putF64(m, A, v);
      m.memory.write16(DATA_BASE + 0x30, 0x037f | (rc << 10));
    });
    return [m.memory.read32(OUT), m.memory.read16(OUT + 8) & 0x3f];
  };
  it("fistp m32 of 2.5 / −2.5 / 1.5 under nearest, down, up, zero", () => {
    expect([0, 1, 2, 3].map((rc) => fistp(2.5, rc)[0])).toEqual([2, 2, 3, 2]);
    expect([0, 1, 2, 3].map((rc) => fistp(-2.5, rc)[0])).toEqual([-2, -3, -2, -2]);
    expect([0, 1, 2, 3].map((rc) => fistp(1.5, rc)[0])).toEqual([2, 1, 2, 1]);
    expect(fistp(1.5, 0)[1]).toBe(0x20);
    expect(fistp(7, 0)[1]).toBe(0);
  });
  it("out of range (2^31, NaN) → 0x80000000 and IE", () => {
    expect(fistp(2 ** 31, 0)).toEqual([0x80000000 | 0, 0x01]);
    expect(fistp(Number.NaN, 0)).toEqual([0x80000000 | 0, 0x01]);
  });
  it("fistp m64 (DF /7) of 2^53 and −2^53+1 → exact", () => {
    const m = run([...FNINIT, ...fldl(A), ...mem(0xdf, 7, OUT), ...fldl(B), ...mem(0xdf, 7, OUT + 8)], (m) => {
      putF64(m, A, 2 ** 53);
      putF64(m, B, -(2 ** 53) + 1);
    });
    expect(hexBytes(m, OUT, 8)).toBe("0020000000000000");
    expect(hexBytes(m, OUT + 8, 8)).toBe("ffe0000000000001");
  });
  it("frndint (D9 FC) of −0.5 under RC=up → −0", () => {
    const m = run([...FNINIT, ...fldcw(DATA_BASE + 0x30), ...fldl(A), 0xd9, 0xfc, ...fstpl(OUT)], (m) => {
      putF64(m, A, -0.5);
      m.memory.write16(DATA_BASE + 0x30, 0x0b7f);
    });
    expect(Object.is(getF64(m, OUT), -0)).toBe(true);
  });
});

describe("arithmetic: masked responses and flags", () => {
  const op = (a: number, b: number, bytes: number[]) => {
    const m = run([...FNINIT, ...fldl(A), ...bytes, ...fstpl(OUT), ...fnstsw(OUT + 8)], (m) => {
      putF64(m, A, a);
      putF64(m, B, b);
    });
    return [getF64(m, OUT), m.memory.read16(OUT + 8) & 0x3f, hexBytes(m, OUT, 8)] as const;
  };
  it("fdiv m64 (DC /6): 1/0 → +∞ with ZE; 0/0 → indefinite with IE; 1/3 → PE; 6/3 → exact", () => {
    const fdiv = mem(0xdc, 6, B);
    expect(op(1, 0, fdiv).slice(0, 2)).toEqual([Number.POSITIVE_INFINITY, 0x04]);
    expect(op(0, 0, fdiv)[2]).toBe("fff8000000000000");
    expect(op(0, 0, fdiv)[1]).toBe(0x01);
    expect(op(1, 3, fdiv).slice(0, 2)).toEqual([1 / 3, 0x20]);
    expect(op(6, 3, fdiv).slice(0, 2)).toEqual([2, 0]);
  });
  it("fsub m64 (DC /4) ∞−∞ → IE; fadd m64 of 1 and 2^-60 → 1 with PE", () => {
    expect(op(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, mem(0xdc, 4, B))[1]).toBe(0x01);
    expect(op(1, 2 ** -60, mem(0xdc, 0, B)).slice(0, 2)).toEqual([1, 0x20]);
  });
  it("fsqrt (D9 FA): 2.25 → 1.5 exact; −1 → indefinite with IE; −0 → −0", () => {
    expect(op(2.25, 0, [0xd9, 0xfa]).slice(0, 2)).toEqual([1.5, 0]);
    expect(op(-1, 0, [0xd9, 0xfa])[1]).toBe(0x01);
    expect(Object.is(op(-0, 0, [0xd9, 0xfa])[0], -0)).toBe(true);
  });
  it("fprem (D9 F8) of 17 by 5 → 2, quotient 3 in C3(q1)=1, C1(q0)=1, C0(q2)=0", () => {
    const m = run([...FNINIT, ...fldl(B), ...fldl(A), 0xd9, 0xf8, ...fnstsw(OUT + 8), ...fstpl(OUT)], (m) => {
      putF64(m, A, 17);
      putF64(m, B, 5);
    });
    expect(getF64(m, OUT)).toBe(2);
    expect(m.memory.read16(OUT + 8) & 0x4700).toBe(0x4200);
  });
  it("fldpi; fstp m64 → Math.PI; fchs/fabs flip and clear the sign", () => {
    const m = run([...FNINIT, ...FLDPI, 0xd9, 0xe0, ...fstpl(OUT), ...FLDPI, 0xd9, 0xe0, 0xd9, 0xe1, ...fstpl(OUT + 8)]);
    expect(getF64(m, OUT)).toBe(-Math.PI);
    expect(getF64(m, OUT + 8)).toBe(Math.PI);
  });
});

describe("FNSTENV / FNSAVE / FRSTOR (SDM Vol. 1 Figure 8-9, 32-bit protected mode)", () => {
  it("fnstenv (D9 /6) → FCW, FSW with TOP, FTW, FIP of the last x87 instruction; then every exception masked", () => {
    const m = run([...FNINIT, ...fldcw(DATA_BASE + 0x30), ...FLD1, ...FLDZ, ...mem(0xd9, 6, OUT)], (m) => m.memory.write16(DATA_BASE + 0x30, 0x0360));
    expect(m.memory.read32(OUT)).toBe(0x0360);
    expect(m.memory.read32(OUT + 4)).toBe(6 << 11);
    expect(m.memory.read32(OUT + 8)).toBe(0x1fff); // R7 valid, R6 zero, the rest empty
    expect(m.memory.read32(OUT + 12)).toBe(CODE_BASE + 2 + 6 + 2); // fldz
    expect((m.memory.read32(OUT + 16) >>> 16) & 0x7ff).toBe(0x1ee);
    expect(m.cpu.fpu.cw).toBe(0x037f);
  });
  it("fnsave (DD /6) → 108 bytes, ST(0) at +28 as 80 bits, then FNINIT; frstor (DD /4) brings everything back", () => {
    const m = run([...FNINIT, ...FLD1, ...FLDPI, ...mem(0xdd, 6, OUT), ...fnstsw(DATA_BASE + 0x30), ...mem(0xdd, 4, OUT), ...fstpl(A), ...fstpl(B)]);
    expect(hexBytes(m, OUT + 28, 10)).toBe("4000c90fdaa22168c000");
    expect(hexBytes(m, OUT + 38, 10)).toBe("3fff8000000000000000");
    expect(m.memory.read16(DATA_BASE + 0x30)).toBe(0);
    expect(getF64(m, A)).toBe(Math.PI);
    expect(getF64(m, B)).toBe(1);
  });
  it("fnstsw ax (DF E0) → AX = status word with TOP", () => {
    const m = run([0xb8, 0xff, 0xff, 0xff, 0xff, ...FNINIT, ...FLD1, 0xdf, 0xe0]);
    expect(m.cpu.regs[EAX]! >>> 0).toBe(0xffff3800);
  });
});
