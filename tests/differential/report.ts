/**
 * Turns a mismatch into a report a CPU developer can act on: the instruction bytes
 * (from objdump) and source of the case, its initial state, the masks, the differences.
 */
import type { Case } from "./case-generator.js";
import { flagNames } from "./flag-table.js";
import { REG_NAMES, SCRATCH_BIAS, SCRATCH_BYTES, STACK_BIAS } from "./layout.js";
import type { Mismatch } from "./compare.js";
import { hex } from "./operands.js";

/** Splits `objdump -d -w` text into the instruction lines of each cN_b…cN_e range. */
export function caseListings(objdump: string): Map<number, string[]> {
  const map = new Map<number, string[]>();
  let current: string[] | null = null;
  for (const line of objdump.split("\n")) {
    const label = /^[0-9a-f]+ <(c(\d+)_([be])|[^>]+)>:$/.exec(line);
    if (label) {
      current = label[3] === "b" ? [] : null;
      if (current) map.set(Number(label[2]), current);
      continue;
    }
    if (current && /^\s+[0-9a-f]+:\t/.test(line)) current.push(line.trim().replace(/\s+/g, " ").replace(/^([0-9a-f]+): ((?:[0-9a-f]{2} )+)/, "$1: $2| "));
  }
  return map;
}

/** The body lines of a case, for grouping: items joined by " ; ". */
export function caseSummary(c: Case): string {
  return c.items.map((i) => i.key).join(" ; ");
}

/** Bytes of memory shown per hexdump line. */
const DUMP_LINE = 32;

/** Hexdump of `bytes`, labelled by offset from `origin` ("ebp-128: 00 11 …"). */
function hexdump(bytes: Uint8Array, name: string, origin: number): string[] {
  const lines: string[] = [];
  for (let at = 0; at < bytes.length; at += DUMP_LINE) {
    const off = at - origin;
    const hex = Array.from(bytes.subarray(at, at + DUMP_LINE), (b) => b.toString(16).padStart(2, "0")).join(" ");
    lines.push(`${`${name}${off < 0 ? off : `+${off}`}`.padEnd(8)} ${hex}`);
  }
  return lines;
}

/**
 * Full multi-line report of one mismatching case.
 * @param memory - the case's initial memory window (scratch area, then stack area).
 */
export function formatMismatch(c: Case, m: Mismatch, listing: readonly string[] | undefined, where: string, memory: Uint8Array): string {
  const lines: string[] = [`case ${c.index} of ${where}: ${caseSummary(c)}`];
  lines.push("  source:");
  for (const item of c.items) {
    for (const p of item.prelude) lines.push(`      ${p}    # set-up`);
    for (const b of item.body) lines.push(`      ${b}`);
  }
  lines.push("  bytes (objdump):");
  for (const l of listing ?? ["    (objdump listing unavailable)"]) lines.push(`      ${l}`);
  const regs = REG_NAMES.map((n, r) => (n === "esp" || n === "ebp" ? `${n}=<${n === "esp" ? "stack" : "scratch"}>` : `${n}=${hex(c.regs[r]!)}`));
  lines.push(`  initial: ${regs.join(" ")} eflags=${hex(c.eflags)} [${flagNames(c.eflags)}]`);
  lines.push("  initial memory (scratch around %ebp; stack around the initial %esp):");
  for (const l of hexdump(memory.subarray(0, SCRATCH_BYTES), "ebp", SCRATCH_BIAS)) lines.push(`      ${l}`);
  for (const l of hexdump(memory.subarray(SCRATCH_BYTES), "esp0", STACK_BIAS)) lines.push(`      ${l}`);
  const masked = c.regMasks.map((m, r) => (m ? `${REG_NAMES[r]}&${hex(m)}` : "")).filter(Boolean);
  const loose = c.loose.map((l) => `ebp${l.at < 0 ? l.at : `+${l.at}`}[${l.bytes}]${l.ulps !== undefined ? `±${l.ulps}ulp` : `&~${hex(l.mask ?? 0)}`}`);
  lines.push(`  ignored: flags ${flagNames(c.flagMask)}${masked.length ? `; ${masked.join(" ")}` : ""}${loose.length ? `; loose memory ${loose.join(" ")}` : ""}`);
  lines.push("  differences:");
  for (const d of m.diffs) lines.push(`      ${d}`);
  return lines.join("\n");
}

const PREFIXES = new Set([0x66, 0x67, 0xf2, 0xf3, 0xf0, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65]);
/** One-byte opcodes whose ModRM reg field selects the operation (SDM Vol. 2 Table A-6). */
const GROUPS1 = new Set([0x80, 0x81, 0x83, 0x8f, 0xc0, 0xc1, 0xc6, 0xc7, 0xd0, 0xd1, 0xd2, 0xd3, 0xf6, 0xf7, 0xfe, 0xff]);
/** Two-byte (0F xx) group opcodes. */
const GROUPS2 = new Set([0xba, 0xc7]);

/**
 * Opcode of an instruction as "66 f7 /3" (66/F2/F3 prefixes, opcode bytes, and the ModRM
 * reg field for group opcodes): the unit a CPU developer fixes.
 */
export function opcodeKey(bytes: readonly number[]): string {
  let i = 0;
  const out: string[] = [];
  const h = (b: number): string => b.toString(16).padStart(2, "0");
  // Operand size and REP prefixes change the operation; segment, LOCK and address-size
  // prefixes only change operands, so they stay out of the key.
  while (i < bytes.length && PREFIXES.has(bytes[i]!)) {
    const p = bytes[i++]!;
    if ((p === 0x66 || p === 0xf2 || p === 0xf3) && !out.includes(h(p))) out.push(h(p));
  }
  out.sort();
  const op = bytes[i++];
  if (op === undefined) return out.join(" ");
  out.push(h(op));
  let group = GROUPS1.has(op);
  if (op === 0x0f && i < bytes.length) {
    const op2 = bytes[i++]!;
    out.push(h(op2));
    group = GROUPS2.has(op2);
  }
  const modrm = bytes[i];
  if (group && modrm !== undefined) out.push(`/${(modrm >> 3) & 7}`);
  return out.join(" ");
}

/** Parses a listing line "addr: b1 b2 | text" into bytes and the mnemonic. */
export function parseListingLine(line: string): { bytes: number[]; mnemonic: string } {
  const [, hexes = "", text = ""] = /^[0-9a-f]+: ((?:[0-9a-f]{2} )+)\| (.*)$/.exec(line) ?? [];
  return { bytes: hexes.trim().split(" ").filter(Boolean).map((b) => Number.parseInt(b, 16)), mnemonic: text.split(" ")[0] ?? "" };
}
