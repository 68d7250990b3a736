/**
 * The disassembler against GNU objdump (binutils), the reference its text must equal: on the
 * Guest kernel (with symbols, both syntaxes), on Debian's busybox (stripped, i386; glibc's
 * SSE string routines included) and on a generated sweep of every opcode x86-core executes.
 * Where objdump shows an instruction x86-core does not execute (SSE, TSX…), ours says
 * `(bad)`: those lines are counted by mnemonic against an explicit list, and each must be an
 * opcode x86-core's own table lacks. Missing objdump or busybox fails the suite.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { DISASM_MAP, decodeInstruction, disassemble, type DisasmSyntax, formatInstruction, formatObjdumpLines, makeSymbolizer, readElfSymbols } from "@littleguest/devtools";
import { OPCODES } from "@littleguest/x86-core";
import { describe, expect, it } from "vitest";
import { type ObjdumpLine, objdumpElf, objdumpRaw, objdumpVersion, x86CoreRow } from "./disasm-objdump.js";
import { sweepInstructions } from "./disasm-sweep.js";

const require = createRequire(import.meta.url);
const GUEST_ELF = join(dirname(require.resolve("@littleguest/guest-kernel/package.json")), "prebuilt", "guest.elf");
const BUSYBOX = "/bin/busybox";

/**
 * What objdump shows in Debian's busybox (i386) that x86-core does not execute: SSE/SSE2/
 * SSSE3/SSE4 (glibc's string routines, chosen at run time by CPUID), XGETBV, SFENCE and
 * TSX. The disassembler prints `(bad)` for these; nothing else may differ.
 */
const NOT_EXECUTED = new Set([
  "movaps", "movdqa", "movdqu", "movlpd", "movhpd", "movd", "movq", "movntdq",
  "pcmpeqb", "pcmpeqd", "pcmpgtb", "pmovmskb", "palignr", "pand", "por", "pxor",
  "pminub", "pmaxub", "psubb", "psrldq", "pslldq", "ptest", "punpcklbw", "punpckldq",
  "pshufd", "pshufb", "pcmpistri", "xgetbv", "sfence", "xbegin", "xabort", "xend",
]);

/**
 * Hint-space encodings (0F 18–0F 1F, F3 0F 09) that objdump names after extensions newer than
 * x86-core's CPU: MPX's bnd* and CLDEMOTE are NOPs there, WBNOINVD runs as WBINVD. The
 * disassembler spells what x86-core does (`nop`, `wbinvd`); for these only the length is compared.
 */
const LATER_EXTENSIONS = new Set(["bndmov", "bndldx", "bndstx", "bndcl", "bndcu", "bndcn", "bndmk", "cldemote", "wbnoinvd"]);

/** objdump's mnemonic: the first word that is not a prefix name. */
function objdumpMnemonic(text: string): string {
  const words = text.split(/\s+/);
  return words.find((w) => !["lock", "rep", "repz", "repnz", "bnd", "data16", "addr16", "cs", "ds", "es", "ss", "fs", "gs"].includes(w)) ?? "";
}

function requireTools(): void {
  if (objdumpVersion() === null) throw new Error("objdump (binutils) is not installed: the disassembler's reference is missing (apt-get install binutils)");
}

/** ELF32 PT_LOAD segments as a byte reader by virtual address. */
function elfReader(bytes: Uint8Array): (address: number) => number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const phoff = view.getUint32(28, true);
  const segments: { offset: number; vaddr: number; filesz: number }[] = [];
  for (let k = 0; k < view.getUint16(44, true); k++) {
    const o = phoff + k * view.getUint16(42, true);
    if (view.getUint32(o, true) === 1) segments.push({ offset: view.getUint32(o + 4, true), vaddr: view.getUint32(o + 8, true), filesz: view.getUint32(o + 16, true) });
  }
  return (address) => {
    for (const s of segments) if (address >= s.vaddr && address < s.vaddr + s.filesz) return bytes[s.offset + address - s.vaddr]!;
    return -1;
  };
}

interface Comparison {
  readonly compared: number;
  readonly mismatches: string[];
  /** `(bad)` lines by objdump's mnemonic. */
  readonly notExecuted: Map<string, number>;
  /** Hint-space lines compared by length only, by objdump's mnemonic. */
  readonly lengthOnly: Map<string, number>;
  /** Lines both call `(bad)`. */
  readonly bothBad: number;
}

function compare(lines: readonly ObjdumpLine[], at: (address: number) => number, syntax: DisasmSyntax, namer: ((a: number) => string | null) | null): Comparison {
  const mismatches: string[] = [];
  const notExecuted = new Map<string, number>();
  const lengthOnly = new Map<string, number>();
  let bothBad = 0;
  for (const line of lines) {
    const insn = decodeInstruction(at, line.address, line.address);
    const text = formatInstruction(insn, syntax, namer);
    const hexBytes = line.bytes.map((b) => b.toString(16).padStart(2, "0")).join(" ");
    const mnemonic = objdumpMnemonic(line.text);
    if (mnemonic === "(bad)") {
      // objdump refuses these bytes; so must we.
      if (insn.known) mismatches.push(`${hexBytes}: objdump "${line.text}", ours "${text}"`);
      else bothBad++;
      continue;
    }
    if (LATER_EXTENSIONS.has(mnemonic)) {
      // objdump cannot decode MPX's 16-bit forms either (it prints a (bad) operand); their length is its guess.
      const objdumpGuesses = line.text.includes("(bad)");
      if (!insn.known || (!objdumpGuesses && insn.length !== line.bytes.length)) mismatches.push(`${hexBytes}: objdump "${line.text}" (${line.bytes.length} bytes), ours "${text}" (${insn.length})`);
      lengthOnly.set(mnemonic, (lengthOnly.get(mnemonic) ?? 0) + 1);
      continue;
    }
    if (!insn.known) {
      if (x86CoreRow(line.bytes) !== null) mismatches.push(`${hexBytes}: x86-core executes this but the disassembler says (bad); objdump: ${line.text}`);
      else if (!NOT_EXECUTED.has(mnemonic)) mismatches.push(`${hexBytes}: ${line.text} is neither decoded nor in the NOT_EXECUTED list`);
      notExecuted.set(mnemonic, (notExecuted.get(mnemonic) ?? 0) + 1);
      continue;
    }
    if (text !== line.text || insn.length !== line.bytes.length) mismatches.push(`${hexBytes}: objdump "${line.text}" (${line.bytes.length} bytes), ours "${text}" (${insn.length})`);
  }
  return { compared: lines.length, mismatches, notExecuted, lengthOnly, bothBad };
}

function report(name: string, c: Comparison): void {
  const count = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  const detail = (m: Map<string, number>) => (m.size === 0 ? "" : ` (${[...m].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(", ")})`);
  const skipped = count(c.notExecuted) + count(c.lengthOnly) + c.bothBad;
  console.log(
    `disasm ${name}: ${c.compared} instructions; text compared on ${c.compared - skipped}; ${c.bothBad} (bad) in both; ` +
      `${count(c.notExecuted)} not executed by x86-core${detail(c.notExecuted)}; ${count(c.lengthOnly)} later-extension names, length only${detail(c.lengthOnly)}; ${c.mismatches.length} mismatches`,
  );
}

describe("disassembler = objdump", () => {
  it("has its references installed (objdump, Debian's i386 busybox-static)", () => {
    requireTools();
    expect(existsSync(BUSYBOX), `${BUSYBOX} is missing: install busybox-static:i386 (see .ci/run)`).toBe(true);
    expect([...readFileSync(BUSYBOX).subarray(0, 5)], "busybox must be the i386 (ELFCLASS32) build").toEqual([0x7f, 0x45, 0x4c, 0x46, 1]);
  });

  for (const syntax of ["att", "intel"] as const) {
    it(`matches objdump -d${syntax === "intel" ? " -M intel" : ""} on the Guest kernel, symbols and all`, () => {
      requireTools();
      const elf = readFileSync(GUEST_ELF);
      const namer = makeSymbolizer(readElfSymbols(elf) ?? []);
      const lines = objdumpElf(GUEST_ELF, syntax);
      expect(lines.length).toBeGreaterThan(5000);
      const c = compare(lines, elfReader(elf), syntax, namer);
      report(`guest.elf ${syntax}`, c);
      expect(c.mismatches.slice(0, 20)).toEqual([]);
      expect(c.notExecuted.size).toBe(0);
    });

    it(`matches objdump -d${syntax === "intel" ? " -M intel" : ""} on busybox, except what x86-core does not execute`, () => {
      requireTools();
      expect(existsSync(BUSYBOX), `${BUSYBOX} is missing: install busybox-static:i386`).toBe(true);
      const elf = readFileSync(BUSYBOX);
      const lines = objdumpElf(BUSYBOX, syntax);
      expect(lines.length).toBeGreaterThan(100_000);
      const c = compare(lines, elfReader(elf), syntax, null);
      report(`busybox ${syntax}`, c);
      expect(c.mismatches.slice(0, 20)).toEqual([]);
      const skipped = [...c.notExecuted.values()].reduce((a, b) => a + b, 0);
      // The skips are a small, named minority: the rest (well over 95%) is compared.
      expect(skipped / lines.length).toBeLessThan(0.05);
    });

    it(`matches objdump${syntax === "intel" ? " -M intel" : ""} on a sweep of every opcode x86-core executes`, () => {
      requireTools();
      const instructions = sweepInstructions();
      const code = new Uint8Array(instructions.flat());
      const lines = objdumpRaw(code, syntax);
      const c = compare(lines, (a) => (a < code.length ? code[a]! : -1), syntax, null);
      report(`sweep ${syntax}`, c);
      expect(instructions.length).toBeGreaterThan(10_000);
      expect(c.mismatches.slice(0, 30)).toEqual([]);
    }, 60_000);
  }

  it("knows every opcode and group member x86-core executes (and none it does not)", () => {
    const missing: string[] = [];
    for (let op = 0; op < 0x200; op++) {
      const cpu = OPCODES[op];
      const ours = DISASM_MAP[op];
      const x87 = op >= 0xd8 && op <= 0xdf;
      if (x87) continue; // the x87 escapes have their own tables, covered by the sweep
      const name = op >= 0x100 ? `0f ${(op & 0xff).toString(16)}` : op.toString(16);
      if (cpu === undefined) {
        if (ours !== undefined) missing.push(`${name}: the disassembler has a row, x86-core none`);
        continue;
      }
      // D6 (SALC) has no name in objdump, which prints (bad) for it; so does the disassembler.
      if (ours === undefined && op !== 0xd6) missing.push(`${name}: x86-core executes it, the disassembler has no row`);
    }
    expect(missing).toEqual([]);
  });

  it("lays out objdump's lines (address, seven bytes a line, continuation lines, text) for a whole listing", () => {
    requireTools();
    const elf = readFileSync(GUEST_ELF);
    const at = elfReader(elf);
    const namer = makeSymbolizer(readElfSymbols(elf) ?? []);
    const raw = execFileSync("objdump", ["-d", GUEST_ELF], { encoding: "utf8", maxBuffer: 1 << 28 });
    // objdump's instruction lines, and the continuation lines of instructions over seven bytes.
    const want = raw.split("\n").filter((l) => /^ *[0-9a-f]+:\t/.test(l));
    const listing = objdumpElf(GUEST_ELF, "att");
    const ours = listing.flatMap((l) => {
      const bytes = l.bytes.map((_, k) => at(l.address + k));
      const [line] = disassemble(new Uint8Array(bytes), { address: l.address, namer });
      return formatObjdumpLines(l.address, bytes, line!.text);
    });
    expect(want.length).toBeGreaterThan(listing.length); // some instructions do continue
    expect(ours).toEqual(want);
  });
});
