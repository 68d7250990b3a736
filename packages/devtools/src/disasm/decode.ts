/**
 * Decoding for the disassembler: bytes → a structured instruction (prefixes, mnemonics,
 * operands) that `format.ts` spells in AT&T or Intel syntax. Protected-mode 32-bit code with
 * the 16-bit overrides (66, 67); the instructions are x86-core's (see `opcode-map.ts`).
 *
 * Reference: SDM Vol. 2 §2.1 (prefixes, ModRM, SIB, displacement, immediate), Tables 2-1 and
 * 2-2 (16- and 32-bit addressing forms), Appendix A (opcode maps).
 */
import { DISASM_MAP, type DisasmRow, isGroup } from "./opcode-map.js";
import { waitingForm, X87_MEMORY, X87_REGISTER, type X87RegisterRow } from "./x87-map.js";

/** An operand of a decoded instruction. */
export type DisasmOperand =
  /** A register by its name (`eax`, `cs`, `cr3`, `st(1)`). */
  | { readonly kind: "reg"; readonly name: string }
  /** A memory reference; `size` is Intel's keyword (`DWORD`), "" when the operand has none. */
  | {
      readonly kind: "mem";
      readonly segment: string | null;
      readonly base: string | null;
      readonly index: string | null;
      readonly scale: number;
      readonly displacement: number;
      /** Whether the encoding has a displacement (even a zero one). */
      readonly hasDisplacement: boolean;
      readonly size: string;
      /** The address size of the reference (16 or 32). */
      readonly addressSize: 16 | 32;
    }
  /** An immediate, already masked to its operand size. */
  | { readonly kind: "imm"; readonly value: number }
  /** A branch target (absolute). */
  | { readonly kind: "rel"; readonly target: number }
  /** A direct far pointer. */
  | { readonly kind: "far"; readonly selector: number; readonly offset: number }
  /** The implicit shift count 1 (printed in Intel syntax only). */
  | { readonly kind: "one" }
  /** The I/O port in DX (`(%dx)` in AT&T, `dx` in Intel). */
  | { readonly kind: "port" };

/** A decoded instruction. */
export interface DecodedInsn {
  /** Bytes used (1–15); 1 for an opcode the disassembler does not know; 0 when the bytes end first. */
  readonly length: number;
  /** False when the bytes are not an instruction this disassembler (and x86-core) knows. */
  readonly known: boolean;
  /** Prefix names objdump prints before the AT&T mnemonic (`lock`, `rep`, `data16`, `cs` …). */
  readonly attPrefixes: readonly string[];
  /** The same before the Intel mnemonic (they differ only for branch hints). */
  readonly intelPrefixes: readonly string[];
  /** AT&T mnemonic, size suffix included. */
  readonly att: string;
  /** Intel mnemonic. */
  readonly intel: string;
  /** Operands in Intel order (destination first). */
  readonly operands: readonly DisasmOperand[];
  /** Whether AT&T writes a `*` before the operand (indirect call and jump). */
  readonly indirect: boolean;
  /** Where a direct branch goes (for symbols), else null. */
  readonly target: number | null;
  /** AT&T keeps the Intel operand order (objdump's `bound` and `enter`). */
  readonly keepOrder: boolean;
}

const REG32 = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"];
const REG16 = ["ax", "cx", "dx", "bx", "sp", "bp", "si", "di"];
const REG8 = ["al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"];
const SEG = ["es", "cs", "ss", "ds", "fs", "gs", "?", "?"];
const BASE16: readonly (readonly [string | null, string | null])[] = [
  ["bx", "si"],
  ["bx", "di"],
  ["bp", "si"],
  ["bp", "di"],
  ["si", null],
  ["di", null],
  ["bp", null],
  ["bx", null],
];
const SEG_PREFIX: Readonly<Record<number, string>> = { 0x26: "es", 0x2e: "cs", 0x36: "ss", 0x3e: "ds", 0x64: "fs", 0x65: "gs" };
const MAX_LENGTH = 15;
/** Operand codes that need a ModRM byte. */
const MODRM_OPERAND = /^\*?(E[bwv]|Esw|G[bwv]|M[a-z]*|Sw|Cd|Dd|Rd)$/;

/*D:200 A disassembler is read beside something: a trace, a debugger, objdump's listing of
 * the same kernel. So ours aims at objdump's text exactly, both of its syntaxes, for every
 * instruction x86-core executes, and a differential test holds it there against objdump
 * itself on the Guest kernel, on busybox and on a generated sweep of every opcode. It keeps
 * its own opcode map rather than borrowing the CPU's: the CPU's rows say what an instruction
 * does, these say how it is written, and the two are compared in a test so neither can gain
 * an opcode the other lacks. Decoding and spelling are separate steps, so a caller who wants
 * the structure (operands, branch targets) has it without parsing text. :*/

/** Reads bytes for the decoder: returns the byte at `offset` or -1 past the end. */
type ByteAt = (offset: number) => number;

/** What the prefix scan found. */
interface Prefixes {
  /** Prefix bytes in order. */
  readonly bytes: number[];
  segment: number;
  operandSize: boolean;
  addressSize: boolean;
  rep: number;
  lock: boolean;
}

/** Decoding state for one instruction. */
class Cursor {
  pos: number;
  constructor(
    readonly at: ByteAt,
    start: number,
  ) {
    this.pos = start;
  }
  u8(): number {
    const b = this.at(this.pos);
    if (b < 0) throw TRUNCATED;
    this.pos++;
    return b;
  }
  s8(): number {
    return (this.u8() << 24) >> 24;
  }
  u16(): number {
    return this.u8() | (this.u8() << 8);
  }
  u32(): number {
    return (this.u16() | (this.u16() << 16)) >>> 0;
  }
}

const TRUNCATED = { truncated: true };

/** ModRM fields and the memory operand it names (built on demand). */
interface ModRm {
  readonly mod: number;
  readonly reg: number;
  readonly rm: number;
  /** The memory reference (mod ≠ 3), without segment and size. */
  readonly mem: {
    base: string | null;
    index: string | null;
    scale: number;
    displacement: number;
    hasDisplacement: boolean;
    defaultSegment: string;
  } | null;
}

function readModRm(c: Cursor, a16: boolean, registerOnly = false): ModRm {
  const b = c.u8();
  const mod = b >> 6;
  const reg = (b >> 3) & 7;
  const rm = b & 7;
  // MOV to and from control and debug registers ignores mod: rm is always a register.
  if (mod === 3 || registerOnly) return { mod: 3, reg, rm, mem: null };
  if (a16) {
    if (mod === 0 && rm === 6) return { mod, reg, rm, mem: { base: null, index: null, scale: 0, displacement: c.u16(), hasDisplacement: true, defaultSegment: "ds" } };
    const [base, index] = BASE16[rm]!;
    const displacement = mod === 1 ? c.s8() : mod === 2 ? (c.u16() << 16) >> 16 : 0;
    return { mod, reg, rm, mem: { base, index, scale: 0, displacement, hasDisplacement: mod !== 0, defaultSegment: base === "bp" ? "ss" : "ds" } };
  }
  let base: string | null = REG32[rm]!;
  let index: string | null = null;
  let scale = 0;
  let noBase = false;
  if (rm === 4) {
    const sib = c.u8();
    scale = sib >> 6;
    const idx = (sib >> 3) & 7;
    const baseReg = sib & 7;
    noBase = baseReg === 5 && mod === 0;
    base = noBase ? null : REG32[baseReg]!;
    /*D:220 One SIB encoding has no index: index = 100b. objdump still shows it, as the
     * pseudo-register %eiz, whenever leaving it out would name a different encoding — that
     * is, unless the base is esp with scale 1, which only a SIB can express. gcc pads code
     * with such spellings (`lea 0x0(%esi,%eiz,1),%esi` is a seven-byte no-op), so a
     * listing of real code is full of them. :*/
    if (idx !== 4) index = REG32[idx]!;
    else if (scale !== 0 || baseReg !== 4) index = "eiz";
  } else if (rm === 5 && mod === 0) {
    base = null;
    noBase = true;
  }
  const displacement = noBase || mod === 2 ? c.u32() | 0 : mod === 1 ? c.s8() : 0;
  const defaultSegment = base === "esp" || base === "ebp" ? "ss" : "ds";
  return { mod, reg, rm, mem: { base, index, scale: 1 << scale, displacement, hasDisplacement: noBase || mod !== 0, defaultSegment } };
}

/** Pick `{a|b}` (by operand size) and `[a|b]` (by address size) in a mnemonic template. */
function pickSizes(template: string, o16: boolean, a16: boolean): string {
  return template.replace(/\{([^|}]*)\|([^}]*)\}/g, (_m, x: string, y: string) => (o16 ? x : y)).replace(/\[([^|\]]*)\|([^\]]*)\]/g, (_m, x: string, y: string) => (a16 ? x : y));
}

function mask(value: number, bits: number): number {
  return bits === 32 ? value >>> 0 : value & ((1 << bits) - 1);
}

/**
 * Decode one instruction at `start`.
 * @param at - byte reader: the byte at an offset, or -1 where there are no more bytes.
 * @param start - offset of the instruction's first byte.
 * @param address - the instruction's linear address (for branch targets).
 */
export function decodeInstruction(at: ByteAt, start: number, address: number): DecodedInsn {
  try {
    return decodeOrThrow(at, start, address);
  } catch (e) {
    if (e !== TRUNCATED) throw e;
    return unknown(0);
  }
}

function unknown(length: number): DecodedInsn {
  return { length, known: false, attPrefixes: [], intelPrefixes: [], att: "(bad)", intel: "(bad)", operands: [], indirect: false, target: null, keepOrder: false };
}

function decodeOrThrow(at: ByteAt, start: number, address: number): DecodedInsn {
  const c = new Cursor(at, start);
  const p: Prefixes = { bytes: [], segment: -1, operandSize: false, addressSize: false, rep: 0, lock: false };
  let op = c.u8();
  for (;;) {
    if (SEG_PREFIX[op] !== undefined) p.segment = op;
    else if (op === 0x66) p.operandSize = true;
    else if (op === 0x67) p.addressSize = true;
    else if (op === 0xf2 || op === 0xf3) p.rep = op;
    else if (op === 0xf0) p.lock = true;
    else break;
    p.bytes.push(op);
    if (c.pos - start >= MAX_LENGTH) return unknown(1);
    op = c.u8();
  }
  if (op === 0x0f) op = 0x100 | c.u8();
  if (op >= 0xd8 && op <= 0xdf) return decodeX87(c, start, op, p);
  if (op === 0x9b) {
    const merged = tryWaitingForm(c, start, p);
    if (merged !== null) return merged;
  }
  const entry = DISASM_MAP[op];
  if (entry === undefined) return unknown(1);
  const o16 = p.operandSize;
  const a16 = p.addressSize;
  let modrm: ModRm | null = null;
  let row: DisasmRow | undefined;
  if (isGroup(entry)) {
    modrm = readModRm(c, a16);
    row = modrm.mod === 3 && entry.registerGroup !== undefined ? entry.registerGroup[modrm.reg] : entry.group[modrm.reg];
  } else {
    row = entry;
    if (row.operands.some((o) => MODRM_OPERAND.test(o))) modrm = readModRm(c, a16, row.operands.includes("Rd"));
  }
  if (row === undefined) return unknown(1);
  // Forms that exist only with a memory operand.
  if (modrm !== null && modrm.mod === 3 && row.operands.some((o) => o.startsWith("M") || o === "*Mp")) return unknown(1);

  const used = { segment: false, operandSize: false, addressSize: false, rep: false };
  const operands: DisasmOperand[] = [];
  let indirect = false;
  let target: number | null = null;
  const vsize = o16 ? 16 : 32;
  const vreg = (n: number) => (o16 ? REG16[n]! : REG32[n]!);
  const segOverride = p.segment >= 0 ? SEG_PREFIX[p.segment]! : null;
  const memOperand = (size: string): DisasmOperand => {
    const m = modrm!.mem!;
    if (segOverride !== null) used.segment = true;
    if (a16) used.addressSize = true;
    return { kind: "mem", segment: segOverride, base: m.base, index: m.index, scale: m.scale, displacement: m.displacement, hasDisplacement: m.hasDisplacement, size, addressSize: a16 ? 16 : 32 };
  };
  const stringOperand = (source: boolean, size: string): DisasmOperand => {
    if (a16) used.addressSize = true;
    let segment = "es";
    if (source) {
      segment = segOverride ?? "ds";
      if (segOverride !== null) used.segment = true;
    }
    const base = source ? (a16 ? "si" : "esi") : a16 ? "di" : "edi";
    return { kind: "mem", segment, base, index: null, scale: 0, displacement: 0, hasDisplacement: false, size, addressSize: a16 ? 16 : 32 };
  };
  const vword = () => {
    used.operandSize = true;
    return o16 ? "WORD" : "DWORD";
  };
  for (let spec of row.operands) {
    if (spec.startsWith("*")) {
      indirect = true;
      spec = spec.slice(1);
    }
    switch (spec) {
      case "Eb":
      case "Ew":
      case "Ev":
      case "Esw": {
        const m = modrm!;
        if (m.mod === 3) {
          if (spec === "Eb") operands.push({ kind: "reg", name: REG8[m.rm]! });
          else if (spec === "Ew") operands.push({ kind: "reg", name: REG16[m.rm]! });
          else {
            used.operandSize = true;
            operands.push({ kind: "reg", name: vreg(m.rm) });
          }
        } else {
          operands.push(memOperand(spec === "Eb" ? "BYTE" : spec === "Ev" ? vword() : "WORD"));
        }
        break;
      }
      case "Gb":
        operands.push({ kind: "reg", name: REG8[modrm!.reg]! });
        break;
      case "Gw":
        operands.push({ kind: "reg", name: REG16[modrm!.reg]! });
        break;
      case "Gv":
        used.operandSize = true;
        operands.push({ kind: "reg", name: vreg(modrm!.reg) });
        break;
      case "Sw":
        if (modrm!.reg > 5) return unknown(1);
        operands.push({ kind: "reg", name: SEG[modrm!.reg]! });
        break;
      case "Cd":
        operands.push({ kind: "reg", name: `cr${modrm!.reg}` });
        break;
      case "Dd":
        // objdump's AT&T calls the debug registers %db0–%db7, its Intel syntax dr0–dr7.
        operands.push({ kind: "reg", name: `db${modrm!.reg}` });
        break;
      case "Rd":
        operands.push({ kind: "reg", name: REG32[modrm!.rm]! });
        break;
      case "M":
      case "Ms":
        operands.push(memOperand(""));
        break;
      case "Mb":
        operands.push(memOperand("BYTE"));
        break;
      case "Mq":
        operands.push(memOperand("QWORD"));
        break;
      case "Ma":
        operands.push(memOperand(o16 ? "DWORD" : "QWORD"));
        used.operandSize = true;
        break;
      case "Mp":
        operands.push(memOperand(o16 ? "DWORD" : "FWORD"));
        used.operandSize = true;
        break;
      case "Ib":
      case "Ib2":
        operands.push({ kind: "imm", value: c.u8() });
        break;
      case "Ibs":
        used.operandSize = true;
        operands.push({ kind: "imm", value: mask(c.s8(), vsize) });
        break;
      case "Iw":
        operands.push({ kind: "imm", value: c.u16() });
        break;
      case "Iv":
        used.operandSize = true;
        operands.push({ kind: "imm", value: o16 ? c.u16() : c.u32() });
        break;
      case "Jb":
      case "Jv": {
        // objdump applies 66 to rel16/32 branches (`jmpw`) but not to rel8 ones (`data16 jo`).
        const disp = spec === "Jb" ? c.s8() : o16 ? (c.u16() << 16) >> 16 : c.u32() | 0;
        const narrow = spec === "Jv" && o16;
        if (spec === "Jv") used.operandSize = true;
        target = mask(address + (c.pos - start) + disp, narrow ? 16 : 32);
        operands.push({ kind: "rel", target });
        break;
      }
      case "Ap": {
        used.operandSize = true;
        const offset = o16 ? c.u16() : c.u32();
        operands.push({ kind: "far", selector: c.u16(), offset });
        break;
      }
      case "Ob":
      case "Ov": {
        // objdump writes moffs without a size in Intel syntax (`mov ds:0x1000,eax`).
        const displacement = a16 ? c.u16() : c.u32();
        // objdump still names a 67 prefix here (`addr16 mov 0x1000,%eax`).
        if (spec === "Ov") used.operandSize = true;
        if (segOverride !== null) used.segment = true;
        operands.push({ kind: "mem", segment: segOverride, base: null, index: null, scale: 0, displacement, hasDisplacement: true, size: "", addressSize: a16 ? 16 : 32 });
        break;
      }
      case "Zb":
        operands.push({ kind: "reg", name: REG8[op & 7]! });
        break;
      case "Zv":
        used.operandSize = true;
        operands.push({ kind: "reg", name: vreg(op & 7) });
        break;
      case "Xb":
      case "Yb":
        operands.push(stringOperand(spec === "Xb", "BYTE"));
        break;
      case "Xv":
      case "Yv":
        operands.push(stringOperand(spec === "Xv", vword()));
        break;
      case "Xlat": {
        if (a16) used.addressSize = true;
        if (segOverride !== null) used.segment = true;
        operands.push({ kind: "mem", segment: segOverride ?? "ds", base: a16 ? "bx" : "ebx", index: null, scale: 0, displacement: 0, hasDisplacement: false, size: "BYTE", addressSize: a16 ? 16 : 32 });
        break;
      }
      case "AL":
      case "CL":
        operands.push({ kind: "reg", name: spec.toLowerCase() });
        break;
      case "DX":
        operands.push({ kind: "port" });
        break;
      case "eAX":
        used.operandSize = true;
        operands.push({ kind: "reg", name: o16 ? "ax" : "eax" });
        break;
      case "ES":
      case "CS":
      case "SS":
      case "DS":
      case "FS":
      case "GS":
        operands.push({ kind: "reg", name: spec.toLowerCase() });
        break;
      case "1":
        operands.push({ kind: "one" });
        break;
      default:
        throw new Error(`disassembler table: unknown operand code ${spec}`);
    }
  }

  let att = row.att;
  let intel = row.intel;
  if (/[{[]/.test(att + intel)) {
    if (/\{/.test(att + intel)) used.operandSize = true;
    if (/\[/.test(att + intel)) used.addressSize = true;
    att = pickSizes(att, o16, a16);
    intel = pickSizes(intel, o16, a16);
  }
  // AT&T's size suffix: objdump adds it when no operand is a register (a CL shift count
  // does not say the size).
  if (row.suffix !== "" && !operands.some((o, k) => o.kind === "reg" && row.operands[k] !== "CL")) {
    if (row.suffix === "b") att += "b";
    else if (row.suffix === "v") att += o16 ? "w" : "l";
    else if (o16) att += "w";
    if (row.suffix !== "b") used.operandSize = true;
  }
  // The NOP spellings: F3 90 is PAUSE, 66 90 is xchg %ax,%ax.
  if (op === 0x90) {
    if (p.rep === 0xf3) {
      att = intel = "pause";
      used.rep = true;
    } else if (o16) {
      att = intel = "xchg";
      operands.push({ kind: "reg", name: "ax" }, { kind: "reg", name: "ax" });
      used.operandSize = true;
    }
  }
  if ((op === 0x1bc || op === 0x1bd) && p.rep === 0xf3) {
    att = intel = op === 0x1bc ? "tzcnt" : "lzcnt";
    used.rep = true;
  }
  // Branch hints: a CS or DS prefix on a conditional jump is "not taken" / "taken"; objdump
  // spells them `,pn` / `,pt` in AT&T and as the plain prefixes in Intel syntax.
  const jcc = (op >= 0x70 && op <= 0x7f) || (op >= 0x180 && op <= 0x18f);
  const hinted = (jcc || (op >= 0xe0 && op <= 0xe3)) && (p.segment === 0x2e || p.segment === 0x3e);
  if (hinted) att += p.segment === 0x2e ? ",pn" : ",pt";
  const branch = jcc || [0xc2, 0xc3, 0xe8, 0xe9, 0xeb].includes(op) || (op === 0xff && modrm !== null && (modrm.reg === 2 || modrm.reg === 4));
  const stringOp = /^(movs|cmps|stos|lods|scas|ins|outs)/.test(row.att);
  // WBINVD with 66 or F2 is no instruction to objdump (F3 0F 09 is WBNOINVD, which x86-core runs as WBINVD).
  if (op === 0x109 && (o16 || p.rep === 0xf2)) return unknown(1);
  const compares = /^(cmps|scas)/.test(row.att);
  // LOOP with 67 is `loopw` in objdump's AT&T but `addr16 loop` in its Intel syntax.
  const loop = op >= 0xe0 && op <= 0xe2;
  const prefixes = prefixNames(p, loop ? { ...used, addressSize: false } : used, stringOp, compares, branch);
  const attPrefixes = hinted || loop ? prefixNames(p, { ...used, segment: used.segment || hinted }, stringOp, compares, branch) : prefixes;
  return { length: c.pos - start, known: true, attPrefixes, intelPrefixes: prefixes, att, intel, operands, indirect, target, keepOrder: row.keepOrder };
}

/*D:230 Prefixes are where disassemblers quietly disagree. objdump's rule, which ours follows,
 * is that a prefix the instruction consumed disappears into the operands (a segment
 * override becomes `%gs:`, 66 becomes a 16-bit register or a `w` suffix) and every other
 * prefix is printed by name in front of the mnemonic, in the order of the bytes: `lock`,
 * `rep`/`repz`/`repnz`, or `data16`, `addr16`, `cs`… for a prefix that changed nothing. The
 * names matter when reading a trace: `repz ret` and `cs nop` are real bytes in real
 * binaries, and a listing that silently drops them lies about the instruction's length. :*/
function prefixNames(p: Prefixes, used: { segment: boolean; operandSize: boolean; addressSize: boolean; rep: boolean }, stringOp: boolean, compares: boolean, branch = false): string[] {
  const names: string[] = [];
  const last = (pred: (b: number) => boolean) => {
    for (let k = p.bytes.length - 1; k >= 0; k--) if (pred(p.bytes[k]!)) return k;
    return -1;
  };
  const lastSeg = last((b) => SEG_PREFIX[b] !== undefined);
  const last66 = last((b) => b === 0x66);
  const last67 = last((b) => b === 0x67);
  const lastRep = last((b) => b === 0xf2 || b === 0xf3);
  p.bytes.forEach((b, k) => {
    if (b === 0xf0) names.push("lock");
    else if (b === 0xf2 || b === 0xf3) {
      if (k === lastRep && used.rep) return;
      // F2 on a near branch is MPX's BND prefix to objdump (a no-op without MPX).
      if (k === lastRep && b === 0xf2 && branch) {
        names.push("bnd");
        return;
      }
      if (k === lastRep && stringOp && !compares) names.push(b === 0xf3 ? "rep" : "repnz");
      else names.push(b === 0xf3 ? "repz" : "repnz");
    } else if (b === 0x66) {
      if (!(k === last66 && used.operandSize)) names.push("data16");
    } else if (b === 0x67) {
      if (!(k === last67 && used.addressSize)) names.push("addr16");
    } else if (!(k === lastSeg && used.segment)) names.push(SEG_PREFIX[b]!);
  });
  return names;
}

function decodeX87(c: Cursor, start: number, op: number, p: Prefixes): DecodedInsn {
  const modrm = readModRm(c, p.addressSize);
  const esc = op - 0xd8;
  const used = { segment: false, operandSize: false, addressSize: false, rep: false };
  if (modrm.mod !== 3) {
    const row = X87_MEMORY[esc]![modrm.reg];
    if (row === undefined) return unknown(1);
    const m = modrm.mem!;
    const segment = p.segment >= 0 ? SEG_PREFIX[p.segment]! : null;
    used.segment = segment !== null;
    used.addressSize = p.addressSize;
    const operand: DisasmOperand = { kind: "mem", segment, base: m.base, index: m.index, scale: m.scale, displacement: m.displacement, hasDisplacement: m.hasDisplacement, size: row.size, addressSize: p.addressSize ? 16 : 32 };
    const sized = /\{/.test(row.att + row.intel);
    used.operandSize = sized;
    const att = pickSizes(row.att, p.operandSize, p.addressSize);
    const intel = pickSizes(row.intel, p.operandSize, p.addressSize);
    return { length: c.pos - start, known: true, ...samePrefixes(prefixNames(p, used, false, false)), att, intel, operands: [operand], indirect: false, target: null, keepOrder: false };
  }
  const entry = X87_REGISTER[esc]![modrm.reg];
  const row: X87RegisterRow | undefined = entry === undefined ? undefined : "att" in entry ? entry : entry[modrm.rm];
  if (row === undefined) return unknown(1);
  const operands: DisasmOperand[] = row.operands.map((o) => ({ kind: "reg", name: o === "ST" ? "st" : o === "AX" ? "ax" : `st(${modrm.rm})` }));
  return { length: c.pos - start, known: true, ...samePrefixes(prefixNames(p, used, false, false)), att: row.att, intel: row.intel, operands, indirect: false, target: null, keepOrder: false };
}

/** FWAIT followed by an `fn…` instruction is one instruction to objdump (`fstsw`, `finit`). */
function tryWaitingForm(c: Cursor, start: number, p: Prefixes): DecodedInsn | null {
  const next = c.at(c.pos);
  if (next < 0xd8 || next > 0xdf) return null;
  const saved = c.pos;
  const inner = decodeInstruction(c.at, c.pos, 0);
  c.pos = saved;
  if (!inner.known || inner.attPrefixes.length > 0) return null;
  const att = waitingForm(inner.att);
  const intel = waitingForm(inner.intel);
  if (att === null || intel === null) return null;
  return { ...inner, length: saved - start + inner.length, ...samePrefixes(prefixNames(p, { segment: false, operandSize: false, addressSize: false, rep: false }, false, false)), att, intel };
}

function samePrefixes(names: readonly string[]): { attPrefixes: readonly string[]; intelPrefixes: readonly string[] } {
  return { attPrefixes: names, intelPrefixes: names };
}
