// Inline fast paths for the interpreter's dispatch switch (gen-dispatch.mjs).
//
// V8 inlines the instruction handlers the switch calls only while its inlining
// budget lasts, and spends it on whatever was hot when it compiled the loop;
// handlers that became hot later (a workload's second phase) stay out of line,
// with their helpers (push32, jumpTo, getZF …) each a call. The most common
// instructions of compiled code therefore get their common case written
// into the switch itself: 32-bit operands, flat segments (base 0, 4 GiB
// limit), an aligned access that hits the TLB. Anything else, and any case in
// which an exception could arise, calls the full handler (`SLOW`), which
// starts from scratch: a fast path changes no state before it has decided.
// ALU and shift semantics come from alu-spec.mjs, the same source as the
// handlers'. Each entry maps a handler name to its case body.
import { CC, COND, OPS, SHIFTS } from "./alu-spec.mjs";

/** The 32-bit effective address into `addr`, for a 32-bit address size (checked by the caller). */
const EA = `let addr = insn.disp;
if (insn.base >= 0) addr += c.regs[insn.base]!;
if (insn.index >= 0) addr += c.regs[insn.index]! << insn.scale;
addr |= 0;`;

/** Guarded read: `v` = the dword at flat `addr`, then `use`; else SLOW. */
const readAt = (use) => `const e = c.tlb[addr >>> 12]!;
if (((c.flatReads >> insn.seg) & 1) !== 0 && (e & c.rmask) !== 0 && (addr & 3) === 0) {
  const v = c.mem32[((e & ~0xfff) | (addr & 0xfff)) >>> 2]!;
  ${use}
} else SLOW;`;

/** Guarded write of `value` to the dword at flat `addr`; else SLOW. */
const writeAt = (value) => `const e = c.tlb[addr >>> 12]!;
if (((c.flatWrites >> insn.seg) & 1) !== 0 && (e & c.wmask) !== 0 && (addr & 3) === 0) c.mem32[((e & ~0xfff) | (addr & 0xfff)) >>> 2] = ${value};
else SLOW;`;

/** A memory operand's fast path: 32-bit addressing, then `body` (which may itself fall back). */
const mem = (body) => `if ((insn.flags & INSN_A32) !== 0) {
${indent(EA)}
${indent(body)}
} else SLOW;`;

/** Push `value` (already read) on a flat 32-bit stack. */
const push = (value, then = "") => `const sp = (c.regs[ESP]! - 4) | 0;
const e = c.tlb[sp >>> 12]!;
if (c.stackMask === -1 && (c.flatWrites & (1 << SS)) !== 0 && (e & c.wmask) !== 0 && (sp & 3) === 0) {
  c.mem32[((e & ~0xfff) | (sp & 0xfff)) >>> 2] = ${value};
  c.regs[ESP] = sp;${then ? `\n  ${then}` : ""}
} else SLOW;`;

/** Pop into `use(v)` from a flat 32-bit stack, ESP += 4 + extra. */
const pop = (use, extra = "4") => `const sp = c.regs[ESP]!;
const e = c.tlb[sp >>> 12]!;
if (c.stackMask === -1 && (c.flatReads & (1 << SS)) !== 0 && (e & c.rmask) !== 0 && (sp & 3) === 0) {
  const v = c.mem32[((e & ~0xfff) | (sp & 0xfff)) >>> 2]!;
  c.regs[ESP] = (sp + ${extra}) | 0;
  ${use}
} else SLOW;`;

/** A near jump needs no limit check when CS is flat. */
const FLAT_CS = "(c.flatReads & (1 << CS)) !== 0";

function indent(s) {
  return s
    .split("\n")
    .map((l) => (l ? `  ${l}` : l))
    .join("\n");
}

/** The lazy-flag record an ALU operation leaves (what Cpu.setLazy writes). */
const lazy = (lf, mask = "ARITH_FLAGS") => `c.lfOp = ${lf};
c.lfA = a;
c.lfB = b;
c.lfRes = r;
c.lfBits = 31;
c.lfMask = ${mask};`;

/** ZF inline (Cpu.getZF), the condition of JE/JNE. */
const ZF_INLINE = "((c.lfMask & ZF) === 0 ? c.flags & ZF : (c.lfRes & (c.lfBits === 31 ? -1 : (2 << c.lfBits) - 1)) === 0 ? 1 : 0)";

export const FAST_PATHS = {};

// ALU: register and memory-source forms at 32 bits (ADC/SBB, which need CF, are left to their handlers).
for (const [op, [expr, lf, carry]] of Object.entries(OPS)) {
  if (carry) continue;
  const write = op !== "cmp" && op !== "test";
  const alu = (a, b, store) => `const a = ${a};
const b = ${b};
const r = ${expr};
${lazy(lf)}${store ? `\n${store}` : ""}`;
  FAST_PATHS[`${op}_EdGd`] = `if (insn.mod === 3) {
${indent(alu("c.regs[insn.rm]!", "c.regs[insn.reg]!", write ? "c.regs[insn.rm] = r;" : ""))}
} else ${write ? "SLOW;" : mem(readAt(alu("v", "c.regs[insn.reg]!", "").replace(/\n/g, "\n  ")))}`;
  if (op !== "test") {
    FAST_PATHS[`${op}_GdEd`] = `if (insn.mod === 3) {
${indent(alu("c.regs[insn.reg]!", "c.regs[insn.rm]!", write ? "c.regs[insn.reg] = r;" : ""))}
} else ${mem(readAt(alu("c.regs[insn.reg]!", "v", write ? "c.regs[insn.reg] = r;" : "").replace(/\n/g, "\n  ")))}`;
    FAST_PATHS[`${op}_EdId`] = `if (insn.mod === 3) {
${indent(alu("c.regs[insn.rm]!", "insn.imm", write ? "c.regs[insn.rm] = r;" : ""))}
} else ${write ? "SLOW;" : mem(readAt(alu("v", "insn.imm", "").replace(/\n/g, "\n  ")))}`;
  }
  FAST_PATHS[`${op}_EAXId`] = alu("c.regs[EAX]!", "insn.imm", write ? "c.regs[EAX] = r;" : "");
}
FAST_PATHS.test_ALIb = `const a = c.regs[EAX]! & 0xff;
const b = insn.imm & 0xff;
const r = a & b;
c.lfOp = LF_LOGIC;
c.lfA = a;
c.lfB = b;
c.lfRes = r;
c.lfBits = 7;
c.lfMask = ARITH_FLAGS;`;

// Shifts by an immediate, register operand (rotates settle flags through a call; left out).
for (const [op, [compute, cf, of, rotate]] of Object.entries(SHIFTS)) {
  if (rotate) continue;
  FAST_PATHS[`${op}_EdIb`] = `const n = insn.imm & 31;
if (insn.mod === 3) {
  if (n !== 0) {
    const v = c.regs[insn.rm]!;
${indent(indent(compute.replace(/\n\s*/g, "\n")))}
    ${cf}
    c.lfOp = LF_LOGIC;
    c.lfRes = r;
    c.lfBits = 31;
    c.lfMask = SF | ZF | PF | AF;
    c.flags = (c.flags & ~(CF | OF)) | cf | ((${of}) << 11);
    c.regs[insn.rm] = r | 0;
  }
} else SLOW;`;
}

// INC/DEC r32: CF survives, so it is settled first (Cpu.getCF is a call only when it is lazy).
for (const [name, sign, lf] of [
  ["inc_Zd", "+", "LF_ADD"],
  ["dec_Zd", "-", "LF_SUB"],
]) {
  FAST_PATHS[name] = `const a = c.regs[insn.reg]!;
if ((c.lfMask & CF) !== 0) c.flags = (c.flags & ~CF) | c.getCF();
const b = 1;
const r = (a ${sign} 1) | 0;
${lazy(lf, "ARITH_FLAGS & ~CF")}
c.regs[insn.reg] = r;`;
}

// Moves and LEA.
FAST_PATHS.mov_EdGd = `if (insn.mod === 3) c.regs[insn.rm] = c.regs[insn.reg]!;
else ${mem(writeAt("c.regs[insn.reg]!"))}`;
FAST_PATHS.mov_GdEd = `if (insn.mod === 3) c.regs[insn.reg] = c.regs[insn.rm]!;
else ${mem(readAt("c.regs[insn.reg] = v;"))}`;
FAST_PATHS.mov_EdId = `if (insn.mod === 3) c.regs[insn.rm] = insn.imm;
else ${mem(writeAt("insn.imm"))}`;
FAST_PATHS.mov_ZdId = "c.regs[insn.reg] = insn.imm;";
FAST_PATHS.lea_GdM = `if ((insn.flags & INSN_A32) !== 0) {
${indent(EA)}
  c.regs[insn.reg] = addr;
} else SLOW;`;

// The stack.
FAST_PATHS.push_Zd = `const value = c.regs[insn.reg]!;
${push("value")}`;
FAST_PATHS.push_Id = push("insn.imm");
FAST_PATHS.pop_Zd = pop("c.regs[insn.reg] = v;");

// Near branches, calls and returns.
CC.forEach((cc, k) => {
  const flag = k >> 1 === 2 ? ZF_INLINE : `(${COND[k >> 1]})`;
  FAST_PATHS[`j${cc}_Jd`] = `if (${flag} ${k & 1 ? "===" : "!=="} 0) {
  const t = (c.eip + insn.imm) | 0;
  if (${FLAT_CS}) c.eip = t;
  else SLOW;
}`;
});
FAST_PATHS.jmp_Jd = `if (${FLAT_CS}) c.eip = (c.eip + insn.imm) | 0;
else SLOW;`;
FAST_PATHS.call_Jd = `if (${FLAT_CS}) {
${indent(push("c.eip", "c.eip = (c.eip + insn.imm) | 0;"))}
} else SLOW;`;
FAST_PATHS.call_Ed = `if (insn.mod === 3 && ${FLAT_CS}) {
  const target = c.regs[insn.rm]!;
${indent(push("c.eip", "c.eip = target;"))}
} else SLOW;`;
FAST_PATHS.ret_d = `if (${FLAT_CS}) {
${indent(pop("c.eip = v;", "4 + (insn.imm & 0xffff)"))}
} else SLOW;`;

/** Names the fast paths use, for the generated file's imports. */
export const FAST_PATH_IMPORTS = {
  eflags: ["AF", "ARITH_FLAGS", "CF", "LF_ADD", "LF_LOGIC", "LF_SUB", "OF", "PF", "SF", "ZF"],
  registers: ["CS", "EAX", "ESP", "SS"],
  insn: ["INSN_A32"],
};
