// The ALU's semantics in one place, shared by the two code generators:
// gen-alu.mjs turns them into handlers, fast-paths.mjs into the inline fast
// paths of the interpreter's dispatch switch. Expressions are over a, b (and
// cin) for ALU operations and over v, n for shifts, in terms of `c`, a Cpu.

// Operation → [result expression over a, b (and cin), lazy op, needs carry-in]
export const OPS = {
  add: ["(a + b) | 0", "LF_ADD", false],
  or: ["a | b", "LF_LOGIC", false],
  adc: ["(a + b + cin) | 0", "LF_ADC", true],
  sbb: ["(a - b - cin) | 0", "LF_SBB", true],
  and: ["a & b", "LF_LOGIC", false],
  sub: ["(a - b) | 0", "LF_SUB", false],
  xor: ["a ^ b", "LF_LOGIC", false],
  cmp: ["(a - b) | 0", "LF_SUB", false],
  test: ["a & b", "LF_LOGIC", false],
};
// 32-bit shifts and rotates by a non-zero count n (1..31): the result and CF/OF
// (SDM Vol. 2B SAL/SAR/SHL/SHR, RCL/RCR/ROL/ROR "Flags Affected"; OF for n > 1
// follows the n = 1 formula, as QEMU does). Shifts leave SF/ZF/PF lazy and AF clear;
// rotates change only CF and OF.
export const SHIFTS = {
  rol: ["const r = (v << n) | (v >>> (32 - n));", "const cf = r & 1;", "cf ^ (r >>> 31)", true],
  ror: ["const r = (v >>> n) | (v << (32 - n));", "const cf = r >>> 31;", "cf ^ ((r >>> 30) & 1)", true],
  shl: ["const before = v << (n - 1);\n  const r = before << 1;", "const cf = before >>> 31;", "cf ^ (r >>> 31)", false],
  shr: ["const before = v >>> (n - 1);\n  const r = before >>> 1;", "const cf = before & 1;", "((before ^ r) >>> 31) & 1", false],
  sar: ["const before = v >> (n - 1);\n  const r = before >> 1;", "const cf = before & 1;", "0", false],
};
// Jcc/SETcc/CMOVcc condition k>>1 (SDM Vol. 1 Table B-1); odd k negates it.
export const COND = [
  "c.getOF()",
  "c.getCF()",
  "c.getZF()",
  "c.getCF() | c.getZF()",
  "c.getSF()",
  "c.getPF()",
  "c.getSF() ^ c.getOF()",
  "c.getZF() | (c.getSF() ^ c.getOF())",
];
// Condition-code suffixes in encoding order (0x70 + k, 0x0F 0x80 + k).
export const CC = ["o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"];
