/**
 * Multiboot (version 1) kernels: find the header, decide what goes where.
 *
 * Reference: Multiboot Specification 0.6.96, §3.1 (OS image format: header
 * magic 0x1BADB002 in the first 8192 bytes, 32-bit aligned; flags; checksum;
 * the a.out-kludge address fields of bit 16) and the behaviour of
 * `qemu-system-i386 -kernel`, whose results we must reproduce.
 */
import { hex, LauncherError } from "../errors.js";
import { type Elf32Image, isElf, PF_X, PT_LOAD, parseElf32 } from "./elf.js";
import { BOOT_AREA_END, BOOT_MMAP_ADDRESS, HIGH_RAM_START, LOW_RAM_END } from "./layout.js";

/** The magic value in the OS image's header. */
export const MULTIBOOT_HEADER_MAGIC = 0x1badb002;
/** The magic value the boot loader leaves in %eax. */
export const MULTIBOOT_BOOTLOADER_MAGIC = 0x2badb002;
/** The header must lie completely within this many leading bytes. */
export const MULTIBOOT_SEARCH_BYTES = 8192;
/** Header flag 0: align modules on 4 KiB (we load none, so it always holds). */
export const MB_FLAG_PAGE_ALIGN = 1 << 0;
/** Header flag 1: mem_* (and mmap) must be passed (we always do). */
export const MB_FLAG_MEMORY_INFO = 1 << 1;
/** Header flag 2: a video mode table must be passed (no display here: warn, as QEMU does). */
export const MB_FLAG_VIDEO_MODE = 1 << 2;
/** Header flag 16: the address fields are valid (the "a.out kludge"). */
export const MB_FLAG_AOUT_KLUDGE = 1 << 16;
/** Bits 0..15 are requirements: a loader that does not know one must refuse. */
const REQUIREMENT_MASK = 0xffff;
const KNOWN_REQUIREMENTS = MB_FLAG_PAGE_ALIGN | MB_FLAG_MEMORY_INFO | MB_FLAG_VIDEO_MODE;

/** The multiboot header, every field unsigned. Address fields are 0 unless flag 16 is set. */
export interface MultibootHeader {
  /** Byte offset of the header in the file. */
  readonly offset: number;
  /** Header flags. */
  readonly flags: number;
  /** Physical address the header's magic is loaded to (flag 16). */
  readonly headerAddr: number;
  /** Physical address of the first byte loaded (flag 16). */
  readonly loadAddr: number;
  /** End of the loaded data; 0 = to the end of the file (flag 16). */
  readonly loadEndAddr: number;
  /** End of the zeroed bss; 0 = no bss (flag 16). */
  readonly bssEndAddr: number;
  /** Physical entry point (flag 16). */
  readonly entryAddr: number;
}

/** One piece of the kernel to place in RAM: `data` at `paddr`, then zeros up to `memsz`. */
export interface LoadSegment {
  /** Physical address of the first byte. */
  readonly paddr: number;
  /** Bytes copied from the file (a view into it). */
  readonly data: Uint8Array;
  /** Total bytes in memory; the tail past `data` is zeroed (bss). */
  readonly memsz: number;
}

/** Everything needed to place and start a multiboot kernel. */
export interface MultibootKernel {
  /** The header found in the image. */
  readonly header: MultibootHeader;
  /** Which addresses were used: the ELF program headers, or the header's (flag 16). */
  readonly format: "elf" | "aout-kludge";
  /** Segments to place, in file order. */
  readonly segments: readonly LoadSegment[];
  /** Physical address to jump to. */
  readonly entry: number;
  /** Non-fatal remarks for the user (one line each). */
  readonly warnings: readonly string[];
}

/*L:120 A multiboot kernel announces itself with twelve bytes: a magic number,
 * flags and a checksum that makes the three sum to zero. The low sixteen flag
 * bits are demands: a loader that does not understand one must refuse rather
 * than boot a kernel that relies on something it never got. The high bits are
 * offers, and bit 16 is the famous one: "ignore my file format, here are my
 * load addresses", which is how flat binaries and a.out kernels boot. :*/

/**
 * Find the multiboot header: the first 32-bit aligned magic in the leading
 * 8192 bytes whose checksum makes magic + flags + checksum == 0 (mod 2^32).
 *
 * @throws LauncherError `not-multiboot` when there is none.
 */
export function findMultibootHeader(image: Uint8Array, name: string): MultibootHeader {
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const limit = Math.min(image.length, MULTIBOOT_SEARCH_BYTES);
  let badChecksumAt = -1;
  for (let at = 0; at + 12 <= limit; at += 4) {
    if (view.getUint32(at, true) !== MULTIBOOT_HEADER_MAGIC) continue;
    const flags = view.getUint32(at + 4, true);
    const sum = (MULTIBOOT_HEADER_MAGIC + flags + view.getUint32(at + 8, true)) >>> 0;
    if (sum !== 0) {
      if (badChecksumAt < 0) badChecksumAt = at;
      continue;
    }
    const field = (k: number): number => (at + 4 * k + 4 <= limit ? view.getUint32(at + 4 * k, true) : 0);
    if (flags & MB_FLAG_AOUT_KLUDGE && at + 32 > limit) {
      throw new LauncherError("bad-multiboot", `${name}: the multiboot header at ${hex(at)} is cut off by the 8192-byte limit; move it nearer the start`);
    }
    return {
      offset: at,
      flags,
      headerAddr: field(3),
      loadAddr: field(4),
      loadEndAddr: field(5),
      bssEndAddr: field(6),
      entryAddr: field(7),
    };
  }
  if (badChecksumAt >= 0) {
    throw new LauncherError("not-multiboot", `${name}: multiboot magic at ${hex(badChecksumAt)} has a wrong checksum; it must make magic + flags + checksum = 0`);
  }
  throw new LauncherError("not-multiboot", `${name} is not a multiboot kernel (no 0x1BADB002 header in its first 8192 bytes); add a multiboot header`);
}

/**
 * Read a multiboot kernel image: find its header, check the flags it
 * requires, and work out the segments and the entry point.
 *
 * With flag 16 the header's addresses win (as in QEMU and GRUB), whatever the
 * file format; otherwise the file must be ELF and PT_LOAD segments go to
 * their `p_paddr`. An ELF entry point inside an executable segment whose
 * virtual and physical addresses differ is translated to physical, as QEMU's
 * and GRUB 2's loaders do for higher-half kernels.
 *
 * @throws LauncherError for a missing or unsupported header, or a malformed file.
 */
export function readMultibootKernel(image: Uint8Array, name: string): MultibootKernel {
  const header = findMultibootHeader(image, name);
  const unknown = header.flags & REQUIREMENT_MASK & ~KNOWN_REQUIREMENTS;
  if (unknown !== 0) {
    throw new LauncherError("unsupported-multiboot", `${name} requires multiboot features this loader does not know (flags ${hex(unknown)}); clear those bits in its header`);
  }
  const warnings: string[] = [];
  if (header.flags & MB_FLAG_VIDEO_MODE) {
    warnings.push(`${name} asks for a video mode (multiboot flag 2); this machine has no display, so no video information is passed`);
  }
  if (header.flags & MB_FLAG_AOUT_KLUDGE) return { ...aoutKludge(image, header, name), header, warnings };
  if (!isElf(image)) {
    throw new LauncherError("bad-multiboot", `${name} is neither ELF nor has load addresses in its multiboot header (flag 16); link it as ELF`);
  }
  return { ...fromElf(parseElf32(image, name), image), header, warnings };
}

function aoutKludge(image: Uint8Array, h: MultibootHeader, name: string): Pick<MultibootKernel, "format" | "segments" | "entry"> {
  if (h.headerAddr < h.loadAddr) {
    throw new LauncherError("bad-multiboot", `${name}: multiboot header_addr ${hex(h.headerAddr)} lies below load_addr ${hex(h.loadAddr)}`);
  }
  const fileStart = h.offset - (h.headerAddr - h.loadAddr);
  if (fileStart < 0) {
    throw new LauncherError("bad-multiboot", `${name}: multiboot load_addr ${hex(h.loadAddr)} would start before the beginning of the file`);
  }
  let loadSize = image.length - fileStart;
  if (h.loadEndAddr !== 0) {
    if (h.loadEndAddr < h.loadAddr) {
      throw new LauncherError("bad-multiboot", `${name}: multiboot load_end_addr ${hex(h.loadEndAddr)} lies below load_addr ${hex(h.loadAddr)}`);
    }
    loadSize = h.loadEndAddr - h.loadAddr;
    if (fileStart + loadSize > image.length) {
      throw new LauncherError("bad-multiboot", `${name} is truncated: load_end_addr asks for ${loadSize} bytes, the file has ${image.length - fileStart}`);
    }
  }
  let memsz = loadSize;
  if (h.bssEndAddr !== 0) {
    if (h.bssEndAddr < h.loadAddr + loadSize) {
      throw new LauncherError("bad-multiboot", `${name}: multiboot bss_end_addr ${hex(h.bssEndAddr)} lies below the end of the loaded data`);
    }
    memsz = h.bssEndAddr - h.loadAddr;
  }
  const data = image.subarray(fileStart, fileStart + loadSize);
  return { format: "aout-kludge", segments: [{ paddr: h.loadAddr, data, memsz }], entry: h.entryAddr };
}

/*L:130 Without bit 16, the loader reads ELF program headers and puts each
 * PT_LOAD segment at its *physical* address, zeroing the tail that the file
 * does not carry (the bss). Higher-half kernels link at 0xC0100000 but load at
 * 1 MiB, and their e_entry is virtual: since the CPU starts with paging off,
 * QEMU and GRUB 2 translate it through the executable segment, and so do we. :*/
function fromElf(elf: Elf32Image, image: Uint8Array): Pick<MultibootKernel, "format" | "segments" | "entry"> {
  const loads = elf.segments.filter((s) => s.type === PT_LOAD && s.memsz > 0);
  let entry = elf.entry;
  for (const s of loads) {
    const inside = entry >= s.vaddr && entry - s.vaddr < s.filesz;
    if (s.flags & PF_X && s.vaddr !== s.paddr && inside) {
      entry = (entry - s.vaddr + s.paddr) >>> 0;
      break;
    }
  }
  const segments = loads.map((s) => ({ paddr: s.paddr, data: image.subarray(s.offset, s.offset + s.filesz), memsz: s.memsz }));
  return { format: "elf", segments, entry };
}

/**
 * Check that every segment lies in RAM of `ramBytes`, outside the PC hole
 * (0x9FC00..1 MiB) and outside the boot information area, and that the entry
 * point lies inside a segment.
 *
 * @throws LauncherError `does-not-fit` naming the segment and the fix.
 */
export function checkKernelFits(kernel: MultibootKernel, ramBytes: number, name: string): void {
  for (const s of kernel.segments) {
    const end = s.paddr + s.memsz;
    const range = `${hex(s.paddr)}..${hex(end)}`;
    if (end > ramBytes) {
      const need = Math.ceil(end / (1024 * 1024));
      throw new LauncherError("does-not-fit", `${name}: segment ${range} lies beyond the end of RAM (${ramBytes / 1024 / 1024}M); use --mem ${need + 1}M or more`);
    }
    if (s.paddr < HIGH_RAM_START && end > LOW_RAM_END) {
      throw new LauncherError("does-not-fit", `${name}: segment ${range} overlaps the PC hole ${hex(LOW_RAM_END)}..${hex(HIGH_RAM_START)}; link the kernel at 1 MiB`);
    }
    if (s.paddr < BOOT_AREA_END && end > BOOT_MMAP_ADDRESS) {
      throw new LauncherError("does-not-fit", `${name}: segment ${range} overlaps the boot information at ${hex(BOOT_MMAP_ADDRESS)}..${hex(BOOT_AREA_END)}; link the kernel at 1 MiB`);
    }
  }
  if (!kernel.segments.some((s) => kernel.entry >= s.paddr && kernel.entry < s.paddr + s.memsz)) {
    throw new LauncherError("bad-multiboot", `${name}: entry point ${hex(kernel.entry)} is outside every loaded segment`);
  }
}
