/**
 * The reference side of the disassembler tests: GNU objdump (binutils), run on real binaries
 * and on generated code, its `-d` listing parsed into (address, bytes, text) lines.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OPCODES, type OpRow } from "@littleguest/x86-core";

/** One instruction of objdump's listing. */
export interface ObjdumpLine {
  readonly address: number;
  readonly bytes: number[];
  readonly text: string;
}

/** objdump's version line, or null when it is not installed. */
export function objdumpVersion(): string | null {
  try {
    return execFileSync("objdump", ["--version"], { encoding: "utf8" }).split("\n")[0] ?? null;
  } catch {
    return null;
  }
}

/** Parse `objdump -d` output (continuation lines of long instructions joined to theirs). */
export function parseObjdump(listing: string): ObjdumpLine[] {
  const lines: ObjdumpLine[] = [];
  for (const line of listing.split("\n")) {
    const m = /^ *([0-9a-f]+):\t((?:[0-9a-f]{2} )*[0-9a-f]{2}) *(?:\t(.*))?$/.exec(line);
    if (m === null) continue;
    const bytes = m[2]!.split(" ").map((b) => Number.parseInt(b, 16));
    if (m[3] === undefined) {
      const last = lines[lines.length - 1];
      if (last !== undefined) lines[lines.length - 1] = { ...last, bytes: [...last.bytes, ...bytes] };
      continue;
    }
    lines.push({ address: Number.parseInt(m[1]!, 16), bytes, text: m[3].trimEnd() });
  }
  return lines;
}

/** `objdump -d` (AT&T or Intel) of an ELF file. */
export function objdumpElf(path: string, syntax: "att" | "intel"): ObjdumpLine[] {
  const args = ["-d", ...(syntax === "intel" ? ["-M", "intel"] : []), path];
  return parseObjdump(execFileSync("objdump", args, { encoding: "utf8", maxBuffer: 1 << 30 }));
}

/** `objdump -D` of raw 32-bit code. */
export function objdumpRaw(code: Uint8Array, syntax: "att" | "intel"): ObjdumpLine[] {
  const dir = mkdtempSync(join(tmpdir(), "lg-disasm-"));
  try {
    const file = join(dir, "code.bin");
    writeFileSync(file, code);
    const args = ["-D", "-b", "binary", "-m", "i386", ...(syntax === "intel" ? ["-M", "intel"] : []), file];
    return parseObjdump(execFileSync("objdump", args, { encoding: "utf8", maxBuffer: 1 << 30 }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Row option bit of x86-core's opcode rows: a register form is #UD. */
const ROW_MEM_ONLY = 2;

/** x86-core's row for the instruction in `bytes` (after prefixes), or null if it does not execute it. */
export function x86CoreRow(bytes: readonly number[]): OpRow | null {
  let k = 0;
  while (k < bytes.length && [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3].includes(bytes[k]!)) k++;
  let op = bytes[k++];
  if (op === undefined) return null;
  if (op === 0x0f) op = 0x100 | (bytes[k++] ?? 0);
  const entry = OPCODES[op];
  if (entry === undefined) return null;
  const modrm = bytes[k];
  let row: OpRow | undefined;
  if ("group" in entry) {
    if (modrm === undefined) return null;
    row = entry.group[(modrm >> 3) & 7];
  } else row = entry;
  if (row === undefined) return null;
  if (row.modrm && modrm !== undefined && modrm >> 6 === 3 && (row.opts & ROW_MEM_ONLY) !== 0) return null;
  return row;
}
