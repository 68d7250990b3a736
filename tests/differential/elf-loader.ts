/**
 * Minimal ELF32 loader for the test programs: checks the header, copies every PT_LOAD
 * segment to its physical (= linear, flat) address and zeroes its .bss tail.
 * Reference: System V ABI (ELF header, program header table), i386 supplement (EM_386 = 3).
 */
import type { PhysicalMemory } from "@littleguest/x86-core";

const PT_LOAD = 1;
const EM_386 = 3;

/** Loads `image` into `memory`; returns the entry point. Throws on anything but a static i386 executable. */
export function loadElf(image: Uint8Array, memory: PhysicalMemory): number {
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  if (view.getUint32(0, false) !== 0x7f454c46) throw new Error("elf-loader: not an ELF file");
  if (image[4] !== 1 || image[5] !== 1) throw new Error("elf-loader: not a 32-bit little-endian ELF");
  if (view.getUint16(18, true) !== EM_386) throw new Error("elf-loader: not an i386 ELF");
  const entry = view.getUint32(24, true);
  const phoff = view.getUint32(28, true);
  const phentsize = view.getUint16(42, true);
  const phnum = view.getUint16(44, true);
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (view.getUint32(ph, true) !== PT_LOAD) continue;
    const offset = view.getUint32(ph + 4, true);
    const vaddr = view.getUint32(ph + 8, true);
    const filesz = view.getUint32(ph + 16, true);
    const memsz = view.getUint32(ph + 20, true);
    if (vaddr + memsz > memory.size) throw new Error(`elf-loader: segment at 0x${vaddr.toString(16)} does not fit ${memory.size} bytes of RAM`);
    memory.u8.set(image.subarray(offset, offset + filesz), vaddr);
    memory.u8.fill(0, vaddr + filesz, vaddr + memsz);
  }
  return entry;
}

const SHT_SYMTAB = 2;

/** Symbol name → value from the ELF's .symtab (the harness's case labels live there). */
export function elfSymbols(image: Uint8Array): Map<string, number> {
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const shoff = view.getUint32(32, true);
  const shentsize = view.getUint16(46, true);
  const shnum = view.getUint16(48, true);
  const symbols = new Map<string, number>();
  const decoder = new TextDecoder();
  for (let i = 0; i < shnum; i++) {
    const sh = shoff + i * shentsize;
    if (view.getUint32(sh + 4, true) !== SHT_SYMTAB) continue;
    const offset = view.getUint32(sh + 16, true);
    const size = view.getUint32(sh + 20, true);
    const strtab = shoff + view.getUint32(sh + 24, true) * shentsize;
    const strOffset = view.getUint32(strtab + 16, true);
    const entsize = view.getUint32(sh + 36, true);
    for (let at = offset; at < offset + size; at += entsize) {
      const nameAt = strOffset + view.getUint32(at, true);
      let end = nameAt;
      while (image[end] !== 0) end++;
      if (end > nameAt) symbols.set(decoder.decode(image.subarray(nameAt, end)), view.getUint32(at + 4, true));
    }
  }
  return symbols;
}
