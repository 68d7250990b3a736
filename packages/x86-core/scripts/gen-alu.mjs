// Generates src/generated/alu-handlers.ts: one handler per ALU operation and
// operand form (add_EbGb … cmp_EdId), and one per condition code for Jcc,
// SETcc and CMOVcc. Sharing one handler per form with a `switch (op)` inside
// costs a non-inlined call and a jump per instruction; these small handlers
// are each called directly from the interpreter's dispatch switch and inline
// their flag bookkeeping. `node scripts/gen-alu.mjs [--write|--check]`.
import { emitGenerated } from "./emit.mjs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "src", "generated", "alu-handlers.ts");

// Operation → [result expression over a, b (and cin), lazy op, needs carry-in]
const OPS = {
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
const SIZES = { b: [7, "getR8(c, REG)", "setR8(c, REG, V)", 1], w: [15, "(c.regs[REG]! & 0xffff)", "setR16(c, REG, V)", 2], d: [31, "c.regs[REG]!", "c.regs[REG] = V", 4] };

function prim(name, [expr, lf, carry]) {
  return `function ${name}Op(c: Cpu, a: number, b: number, bits: number): number {
${carry ? "  const cin = c.getCF();\n" : ""}  const r = ${expr};
  c.setLazy(${lf}, a, b, r, bits);${carry ? "\n  c.lfCin = cin;" : ""}
  return r;
}
`;
}

const reg = (s, r) => SIZES[s][1].replace("REG", r);
const setReg = (s, r, v) => SIZES[s][2].replace("REG", r).replace("V", v);
const names = [];
let body = "";
for (const [op, spec] of Object.entries(OPS)) {
  body += prim(op, spec);
  const write = op !== "cmp" && op !== "test";
  for (const s of ["b", "w", "d"]) {
    const bits = SIZES[s][0];
    const size = SIZES[s][3];
    const E = s === "b" ? "b" : s;
    const rd = `c.read${size * 8}(i.seg, c.ea(i))`;
    const imm = s === "b" ? "i.imm & 0xff" : s === "w" ? "i.imm & 0xffff" : "i.imm";
    // E, G (register source) and E, I (immediate source)
    // TEST E, imm lives in group 3 (ops/muldiv.ts).
    const forms = [[`E${E}G${E}`, reg(s, "i.reg")], ...(op === "test" ? [] : [[`E${E}I${E}`, imm]])];
    for (const [form, src] of forms) {
      const name = `${op}_${form}`;
      names.push(name);
      body += `export function ${name}(c: Cpu, i: Insn): void {
  const b = ${src};
  if (i.mod === 3) {
    const r = ${op}Op(c, ${reg(s, "i.rm")}, b, ${bits});
${write ? `    ${setReg(s, "i.rm", "r")};\n` : "    void r;\n"}    return;
  }
${
  write
    ? `  const a = c.rmwRead(i.seg, c.ea(i), ${size});
  if (c.fault) return;
  c.rmwWrite(${size}, ${op}Op(c, a, b, ${bits}));`
    : `  const a = ${rd};
  if (!c.fault) ${op}Op(c, a, b, ${bits});`
}
}
`;
    }
    // G, E
    {
      const name = `${op}_G${E}E${E}`;
      names.push(name);
      body += `export function ${name}(c: Cpu, i: Insn): void {
  const b = i.mod === 3 ? ${reg(s, "i.rm")} : ${rd};
  if (c.fault) return;
  const r = ${op}Op(c, ${reg(s, "i.reg")}, b, ${bits});
${write ? `  ${setReg(s, "i.reg", "r")};` : "  void r;"}
}
`;
    }
    // accumulator, immediate
    {
      const acc = s === "b" ? "AL" : s === "w" ? "AX" : "EAX";
      const name = `${op}_${acc}I${E}`;
      names.push(name);
      body += `export function ${name}(c: Cpu, i: Insn): void {
  const r = ${op}Op(c, ${reg(s, "EAX")}, ${imm}, ${bits});
${write ? `  ${setReg(s, "EAX", "r")};` : "  void r;"}
}
`;
    }
  }
}

// 32-bit shifts and rotates by a non-zero count n (1..31): the result and CF/OF
// (SDM Vol. 2B SAL/SAR/SHL/SHR, RCL/RCR/ROL/ROR "Flags Affected"; OF for n > 1
// follows the n = 1 formula, as QEMU does). Shifts leave SF/ZF/PF lazy and AF clear;
// rotates change only CF and OF.
const SHIFTS = {
  rol: ["const r = (v << n) | (v >>> (32 - n));", "const cf = r & 1;", "cf ^ (r >>> 31)", true],
  ror: ["const r = (v >>> n) | (v << (32 - n));", "const cf = r >>> 31;", "cf ^ ((r >>> 30) & 1)", true],
  shl: ["const before = v << (n - 1);\n  const r = before << 1;", "const cf = before >>> 31;", "cf ^ (r >>> 31)", false],
  shr: ["const before = v >>> (n - 1);\n  const r = before >>> 1;", "const cf = before & 1;", "((before ^ r) >>> 31) & 1", false],
  sar: ["const before = v >> (n - 1);\n  const r = before >> 1;", "const cf = before & 1;", "0", false],
};
for (const [op, [compute, cf, of, rotate]] of Object.entries(SHIFTS)) {
  body += `function ${op}32(c: Cpu, v: number, n: number): number {
  ${compute}
  ${cf}
${
  rotate
    ? `  c.settleFlags(CF | OF);
  c.flags = (c.flags & ~(CF | OF)) | cf | ((${of}) << 11);`
    : `  c.lfOp = LF_LOGIC;
  c.lfRes = r;
  c.lfBits = 31;
  c.lfMask = SF | ZF | PF | AF;
  c.flags = (c.flags & ~(CF | OF)) | cf | ((${of}) << 11);`
}
  return r | 0;
}
`;
  for (const [form, count] of [["EdIb", "i.imm & 31"], ["Ed1", "1"], ["EdCL", "c.regs[ECX]! & 31"]]) {
    const name = `${op}_${form}`;
    names.push(name);
    body += `export function ${name}(c: Cpu, i: Insn): void {
  const n: number = ${count};
  if (i.mod === 3) {
    if (n !== 0) c.regs[i.rm] = ${op}32(c, c.regs[i.rm]!, n);
    return;
  }
  const v = c.rmwRead(i.seg, c.ea(i), 4);
  if (c.fault) return;
  c.rmwWrite(4, n === 0 ? v : ${op}32(c, v, n));
}
`;
  }
}

const COND = [
  "c.getOF()",
  "c.getCF()",
  "c.getZF()",
  "c.getCF() | c.getZF()",
  "c.getSF()",
  "c.getPF()",
  "c.getSF() ^ c.getOF()",
  "c.getZF() | (c.getSF() ^ c.getOF())",
];
const CC = ["o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"];
CC.forEach((cc, k) => {
  const test = `(${COND[k >> 1]}) ${k & 1 ? "===" : "!=="} 0`;
  names.push(`j${cc}_Jd`, `j${cc}_Jw`, `set${cc}_Eb`, `cmov${cc}_GwEw`, `cmov${cc}_GdEd`);
  body += `export function j${cc}_Jd(c: Cpu, i: Insn): void {
  if (${test}) jumpTo(c, (c.eip + i.imm) | 0);
}
export function j${cc}_Jw(c: Cpu, i: Insn): void {
  if (${test}) jumpTo(c, (c.eip + i.imm) & 0xffff);
}
export function set${cc}_Eb(c: Cpu, i: Insn): void {
  writeE8(c, i, ${test} ? 1 : 0);
}
export function cmov${cc}_GwEw(c: Cpu, i: Insn): void {
  const v = readE16(c, i);
  if (!c.fault && ${test}) setR16(c, i.reg, v);
}
export function cmov${cc}_GdEd(c: Cpu, i: Insn): void {
  const v = readE32(c, i);
  if (!c.fault && ${test}) c.regs[i.reg] = v;
}
`;
});

const text = `// Generated by packages/x86-core/scripts/gen-alu.mjs — do not edit by hand.
/**
 * ALU operations per operand form, and Jcc/SETcc/CMOVcc per condition code.
 *
 * Reference: SDM Vol. 2A ADD/ADC/AND/CMP, Jcc, CMOVcc; Vol. 2B OR/SBB/SUB/XOR,
 * SETcc. Flags are lazy (see cpu/eflags.ts); conditions per Vol. 1 Table B-1.
 */
import type { Cpu } from "../cpu/cpu.js";
import { AF, CF, LF_ADC, LF_ADD, LF_LOGIC, LF_SBB, LF_SUB, OF, PF, SF, ZF } from "../cpu/eflags.js";
import { EAX, ECX } from "../cpu/registers.js";
import type { Handler, Insn } from "../decoder/insn.js";
import { jumpTo } from "../ops/jump.js";
import { getR8, readE16, readE32, setR8, setR16, writeE8 } from "../ops/operands.js";

${body}
/** Every generated handler by its row name. */
export const GENERATED_HANDLERS: Readonly<Record<string, Handler>> = {
${names.map((n) => `  ${n},`).join("\n")}
};
`;

emitGenerated("gen-alu", root, out, text, `${names.length} handlers`);
