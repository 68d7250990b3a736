/**
 * Placing a multiboot kernel in RAM and writing the multiboot information.
 *
 * Reference: Multiboot Specification 0.6.96, §3.3 (boot information format:
 * the 88-byte structure, its flags, the memory map whose entries carry their
 * own `size` field *before* the entry) and §3.2 (machine state). Flags and
 * values mirror `qemu-system-i386 -kernel`: memory, boot device, command
 * line, modules (none), memory map, boot loader name.
 */
import { LauncherError } from "../errors.js";
import {
  BOOT_AREA_END,
  BOOT_INFO_ADDRESS,
  BOOT_MMAP_ADDRESS,
  BOOT_STRINGS_ADDRESS,
  HIGH_RAM_START,
  LOW_RAM_END,
  MEM_LOWER_KIB,
} from "./layout.js";
import type { MultibootKernel } from "./multiboot.js";

/** Only what the loader needs from RAM; `PhysicalMemory` from x86-core fits. */
export interface BootMemory {
  /** RAM size in bytes. */
  readonly size: number;
  /** Byte view of all of RAM. */
  readonly u8: Uint8Array;
}

/** Size of the multiboot information structure (up to the VBE fields). */
export const MBI_SIZE = 88;
/** Byte offsets in the information structure (spec §3.3). */
export const MBI = {
  flags: 0,
  memLower: 4,
  memUpper: 8,
  bootDevice: 12,
  cmdline: 16,
  modsCount: 20,
  modsAddr: 24,
  mmapLength: 44,
  mmapAddr: 48,
  bootLoaderName: 64,
} as const;
/** Info flag bits we set (spec §3.3). */
export const MBI_FLAG_MEMORY = 1 << 0;
/** `boot_device` is valid. */
export const MBI_FLAG_BOOT_DEVICE = 1 << 1;
/** `cmdline` is valid. */
export const MBI_FLAG_CMDLINE = 1 << 2;
/** `mods_count`/`mods_addr` are valid. */
export const MBI_FLAG_MODS = 1 << 3;
/** `mmap_length`/`mmap_addr` are valid. */
export const MBI_FLAG_MMAP = 1 << 6;
/** `boot_loader_name` is valid. */
export const MBI_FLAG_BOOT_LOADER_NAME = 1 << 9;
/** `boot_device` value: BIOS drive 0x80, no partitions, as QEMU passes it. */
export const BOOT_DEVICE = 0x8000ffff;
/** Bytes per memory-map entry including its leading `size` field. */
export const MMAP_ENTRY_BYTES = 24;
/** Memory-map type of usable RAM. */
export const MMAP_AVAILABLE = 1;
/** Memory-map type of reserved space. */
export const MMAP_RESERVED = 2;
/** The name we put in `boot_loader_name`. */
export const BOOT_LOADER_NAME = "littleguest";

/** One memory-map entry. */
export interface MemoryRegion {
  /** First byte. */
  readonly base: number;
  /** Length in bytes. */
  readonly length: number;
  /** {@link MMAP_AVAILABLE} or {@link MMAP_RESERVED}. */
  readonly type: number;
}

/** The memory map a machine with `ramBytes` of RAM reports: low RAM, the PC hole, high RAM. */
export function memoryMap(ramBytes: number): MemoryRegion[] {
  return [
    { base: 0, length: LOW_RAM_END, type: MMAP_AVAILABLE },
    { base: LOW_RAM_END, length: HIGH_RAM_START - LOW_RAM_END, type: MMAP_RESERVED },
    { base: HIGH_RAM_START, length: ramBytes - HIGH_RAM_START, type: MMAP_AVAILABLE },
  ];
}

/**
 * The command line a multiboot kernel receives: the kernel's file name, a
 * space, then the user's text (`"%s %s"`, exactly as QEMU builds it — so
 * without `--append` it ends in a space).
 */
export function kernelCommandLine(fileName: string, append: string): string {
  return `${fileName} ${append}`;
}

/**
 * Copy the kernel's segments into RAM and zero their bss.
 *
 * Precondition: {@link checkKernelFits} accepted the kernel for this RAM size.
 */
export function placeKernel(memory: BootMemory, kernel: MultibootKernel): void {
  for (const s of kernel.segments) {
    memory.u8.set(s.data, s.paddr);
    memory.u8.fill(0, s.paddr + s.data.length, s.paddr + s.memsz);
  }
}

/*L:140 The information structure is the loader's letter to the kernel: how
 * much memory there is (mem_lower/mem_upper, and the finer memory map whose
 * entries begin with a size field that does not count itself), the command
 * line, who booted it. We write it where QEMU does, at 0x9500 with the map at
 * 0x9000, so a kernel that prints %ebx or walks the map sees QEMU's numbers. :*/

/**
 * Write the memory map, the strings and the information structure into the
 * boot area, and return the structure's physical address (for %ebx).
 *
 * @throws LauncherError `usage` when the command line does not fit the boot area.
 */
export function writeBootInfo(memory: BootMemory, cmdline: string): number {
  const u8 = memory.u8;
  const view = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  const encoder = new TextEncoder();
  const name = encoder.encode(BOOT_LOADER_NAME);
  const line = encoder.encode(cmdline);
  if (line.includes(0)) throw new LauncherError("usage", "the command line contains a NUL byte; remove it from --append");
  const nameAt = BOOT_STRINGS_ADDRESS;
  const lineAt = nameAt + name.length + 1;
  if (lineAt + line.length + 1 > BOOT_AREA_END) {
    const room = BOOT_AREA_END - lineAt - 1;
    throw new LauncherError("usage", `the kernel command line is ${line.length} bytes; at most ${room} fit, shorten --append`);
  }
  u8.fill(0, BOOT_MMAP_ADDRESS, BOOT_AREA_END);
  u8.set(name, nameAt);
  u8.set(line, lineAt);

  const regions = memoryMap(memory.size);
  regions.forEach((r, i) => {
    const at = BOOT_MMAP_ADDRESS + i * MMAP_ENTRY_BYTES;
    view.setUint32(at, MMAP_ENTRY_BYTES - 4, true); // size excludes the size field itself
    view.setBigUint64(at + 4, BigInt(r.base), true);
    view.setBigUint64(at + 12, BigInt(r.length), true);
    view.setUint32(at + 20, r.type, true);
  });

  const info = BOOT_INFO_ADDRESS;
  const flags =
    MBI_FLAG_MEMORY | MBI_FLAG_BOOT_DEVICE | MBI_FLAG_CMDLINE | MBI_FLAG_MODS | MBI_FLAG_MMAP | MBI_FLAG_BOOT_LOADER_NAME;
  view.setUint32(info + MBI.flags, flags, true);
  view.setUint32(info + MBI.memLower, MEM_LOWER_KIB, true);
  view.setUint32(info + MBI.memUpper, memory.size / 1024 - HIGH_RAM_START / 1024, true);
  view.setUint32(info + MBI.bootDevice, BOOT_DEVICE, true);
  view.setUint32(info + MBI.cmdline, lineAt, true);
  view.setUint32(info + MBI.modsCount, 0, true);
  view.setUint32(info + MBI.modsAddr, info + MBI_SIZE, true);
  view.setUint32(info + MBI.mmapLength, regions.length * MMAP_ENTRY_BYTES, true);
  view.setUint32(info + MBI.mmapAddr, BOOT_MMAP_ADDRESS, true);
  view.setUint32(info + MBI.bootLoaderName, nameAt, true);
  return info;
}
