/**
 * The external reference side: GNU as/ld build the programs, qemu-i386-static runs them,
 * objdump shows instruction bytes for reports. A missing tool is a test failure with a
 * message naming the Debian package, never a skip.
 */
import { execFile, spawnSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { TEXT_BASE } from "./layout.js";
import { hex } from "./operands.js";

const run = promisify(execFile);

/** Wall-clock limit for one qemu run; a batch finishes in well under a second. */
export const QEMU_TIMEOUT_MS = 30_000;
/** Upper bound of one program's output (a batch of 2000 cases is ~1.1 MB). */
const MAX_OUTPUT_BYTES = 64 << 20;

const TOOLS = [
  ["as", ["--version"], "binutils"],
  ["ld", ["--version"], "binutils"],
  ["objdump", ["--version"], "binutils"],
  ["qemu-i386-static", ["--version"], "qemu-user-static"],
] as const;

/** Names every missing tool with the package that provides it; empty when all are there. */
export function missingTools(): string[] {
  const missing: string[] = [];
  for (const [tool, args, pkg] of TOOLS) {
    const r = spawnSync(tool, args, { stdio: "ignore" });
    if (r.error || r.status !== 0) missing.push(`${tool} (install the Debian package ${pkg})`);
  }
  return missing;
}

/** Assembles and links `source` into a static i386 ELF; returns its path. */
export async function buildProgram(dir: string, name: string, source: string, memory: Uint8Array, memoryFile: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const asm = join(dir, `${name}.s`);
  const obj = join(dir, `${name}.o`);
  const elf = join(dir, name);
  await writeFile(join(dir, memoryFile), memory);
  await writeFile(asm, source);
  await run("as", ["--32", "-I", dir, "-o", obj, asm]);
  await run("ld", ["-m", "elf_i386", "-static", `-Ttext-segment=${hex(TEXT_BASE)}`, "-z", "noexecstack", "--no-warn-rwx-segments", "-e", "_start", "-o", elf, obj]);
  return elf;
}

/** Runs the program under qemu-i386-static and returns its stdout; throws on a non-zero exit. */
export async function runQemu(elf: string): Promise<Uint8Array> {
  const { stdout } = await run("qemu-i386-static", [elf], { encoding: "buffer", maxBuffer: MAX_OUTPUT_BYTES, timeout: QEMU_TIMEOUT_MS, killSignal: "SIGKILL" });
  return new Uint8Array(stdout.buffer, stdout.byteOffset, stdout.byteLength);
}

/**
 * Runs the program directly on the host CPU (x86-64 Linux with IA-32 emulation). Not the
 * default reference — CI hosts may lack 32-bit support and Intel/AMD differ in undefined
 * flags — but a way to check QEMU itself (DIFF_REFERENCE=native).
 */
export async function runNative(elf: string): Promise<Uint8Array> {
  const { stdout } = await run(elf, [], { encoding: "buffer", maxBuffer: MAX_OUTPUT_BYTES, timeout: QEMU_TIMEOUT_MS, killSignal: "SIGKILL" });
  return new Uint8Array(stdout.buffer, stdout.byteOffset, stdout.byteLength);
}

/** `objdump -d` text of the program (for reports only). */
export async function disassemble(elf: string): Promise<string> {
  const { stdout } = await run("objdump", ["-d", "-w", "-M", "suffix", elf], { maxBuffer: MAX_OUTPUT_BYTES });
  return stdout;
}
