/**
 * A strict reader for the parts of an ELF32 executable a boot loader needs.
 *
 * Reference: System V ABI, "Object Files" (ELF header, program header) and its
 * Intel386 supplement (EM_386, ELFCLASS32, ELFDATA2LSB). Only the file header
 * and the program headers are read; sections are a linker's business.
 */
import { hex, LauncherError } from "../errors.js";

/** Size of an ELF32 file header in bytes. */
export const ELF32_EHDR_SIZE = 52;
/** Size of an ELF32 program header in bytes. */
export const ELF32_PHDR_SIZE = 32;
/** `e_machine` of Intel 80386 code. */
export const EM_386 = 3;
/** `e_machine` of x86-64 code (named in errors only). */
export const EM_X86_64 = 62;
/** Program header type of a loadable segment. */
export const PT_LOAD = 1;
/** Program header flag: the segment is executable. */
export const PF_X = 1;
/** `e_type` of an executable file. */
export const ET_EXEC = 2;
/** `e_type` of a shared object / position-independent executable. */
export const ET_DYN = 3;

/** One program header, every field unsigned. */
export interface ElfSegment {
  /** `p_type` (PT_LOAD = 1). */
  readonly type: number;
  /** File offset of the segment's first byte. */
  readonly offset: number;
  /** Virtual address the program was linked for. */
  readonly vaddr: number;
  /** Physical address: where a boot loader places the segment. */
  readonly paddr: number;
  /** Bytes present in the file. */
  readonly filesz: number;
  /** Bytes in memory; the tail past `filesz` is zero (bss). */
  readonly memsz: number;
  /** `p_flags` (PF_X = 1, PF_W = 2, PF_R = 4). */
  readonly flags: number;
}

/** What {@link parseElf32} found: the header fields a loader uses and the program headers. */
export interface Elf32Image {
  /** `e_type` (ET_EXEC or ET_DYN). */
  readonly type: number;
  /** `e_entry`, as linked (a virtual address). */
  readonly entry: number;
  /** All program headers in file order. */
  readonly segments: readonly ElfSegment[];
}

/** True when `bytes` starts with the ELF magic `\x7fELF`. */
export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

/**
 * Parse and validate an ELF32 little-endian i386 executable.
 *
 * @param bytes - the whole file.
 * @param name - how to name the file in error messages.
 * @throws LauncherError `not-elf` without the magic, `bad-elf` for the wrong
 *   class, byte order, machine or type, or headers that point outside the file.
 */
export function parseElf32(bytes: Uint8Array, name: string): Elf32Image {
  if (!isElf(bytes)) {
    throw new LauncherError("not-elf", `${name} is not an ELF file (no \\x7fELF magic); give a multiboot ELF kernel`);
  }
  if (bytes.length < ELF32_EHDR_SIZE) {
    throw new LauncherError("bad-elf", `${name} is truncated: ${bytes.length} bytes, shorter than an ELF header`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const cls = bytes[4];
  if (cls === 2) {
    throw new LauncherError("bad-elf", `${name} is a 64-bit ELF (ELFCLASS64); build the kernel for i386 (e.g. gcc -m32)`);
  }
  if (cls !== 1) throw new LauncherError("bad-elf", `${name} has an unknown ELF class ${cls}; expected ELFCLASS32`);
  if (bytes[5] !== 1) {
    throw new LauncherError("bad-elf", `${name} is not little-endian (EI_DATA ${bytes[5]}); build the kernel for i386`);
  }
  const type = view.getUint16(16, true);
  const machine = view.getUint16(18, true);
  if (machine !== EM_386) {
    const what = machine === EM_X86_64 ? "x86-64" : `machine ${machine}`;
    throw new LauncherError("bad-elf", `${name} is built for ${what}, not i386 (EM_386); build it with gcc -m32`);
  }
  if (type !== ET_EXEC && type !== ET_DYN) {
    const what = type === 1 ? "a relocatable object (ET_REL); link it into an executable" : `of ELF type ${type}`;
    throw new LauncherError("bad-elf", `${name} is ${what}, not an executable`);
  }
  const entry = view.getUint32(24, true);
  const phoff = view.getUint32(28, true);
  const phentsize = view.getUint16(42, true);
  const phnum = view.getUint16(44, true);
  if (phnum > 0 && phentsize < ELF32_PHDR_SIZE) {
    throw new LauncherError("bad-elf", `${name} has program headers of ${phentsize} bytes; ELF32 needs ${ELF32_PHDR_SIZE}`);
  }
  if (phoff + phnum * phentsize > bytes.length) {
    throw new LauncherError("bad-elf", `${name} is truncated: its program headers run past the end of the file`);
  }
  const segments: ElfSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    const segment: ElfSegment = {
      type: view.getUint32(at, true),
      offset: view.getUint32(at + 4, true),
      vaddr: view.getUint32(at + 8, true),
      paddr: view.getUint32(at + 12, true),
      filesz: view.getUint32(at + 16, true),
      memsz: view.getUint32(at + 20, true),
      flags: view.getUint32(at + 24, true),
    };
    if (segment.type === PT_LOAD) {
      if (segment.filesz > segment.memsz) {
        throw new LauncherError("bad-elf", `${name}: segment ${i} has p_filesz larger than p_memsz`);
      }
      if (segment.offset + segment.filesz > bytes.length) {
        throw new LauncherError("bad-elf", `${name} is truncated: segment ${i} (at ${hex(segment.paddr)}) runs past the end of the file`);
      }
    }
    segments.push(segment);
  }
  if (!segments.some((s) => s.type === PT_LOAD && s.memsz > 0)) {
    throw new LauncherError("bad-elf", `${name} has no loadable (PT_LOAD) segment`);
  }
  return { type, entry, segments };
}
