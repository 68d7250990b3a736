/**
 * Where things sit in the bare machine's physical address space.
 *
 * The low-memory spots copy what `qemu-system-i386 -kernel` uses, so that a
 * kernel which prints its %ebx or walks the memory map sees the same numbers.
 */

/** End of conventional memory as a PC BIOS reports it (639 KiB; the EBDA follows). */
export const LOW_RAM_END = 0x9fc00;
/** Start of extended memory (1 MiB); 0x9FC00..0x100000 is EBDA, VGA and ROM. */
export const HIGH_RAM_START = 0x100000;
/** `mem_lower` in KiB: conventional memory, as QEMU reports it. */
export const MEM_LOWER_KIB = 640;

/** The multiboot memory map (QEMU's ADDR_E820_MAP). */
export const BOOT_MMAP_ADDRESS = 0x9000;
/** The multiboot information structure, handed over in %ebx (QEMU's ADDR_MBI). */
export const BOOT_INFO_ADDRESS = 0x9500;
/** Boot loader name, then the command line, as NUL-terminated strings. */
export const BOOT_STRINGS_ADDRESS = 0x9600;
/** First byte past the boot information area; kernels must not load below this and above 0x9000. */
export const BOOT_AREA_END = 0x10000;
/** Initial %esp: below the memory map, in RAM (the spec leaves %esp undefined). */
export const BOOT_STACK_TOP = BOOT_MMAP_ADDRESS;

/** Smallest RAM the bare machine accepts (4 MiB: room for a kernel at 1 MiB). */
export const MIN_RAM_BYTES = 4 * 1024 * 1024;
/** Largest RAM: 3.5 GiB, where a PC's PCI hole starts (not modelled above it). */
export const MAX_RAM_BYTES = 3584 * 1024 * 1024;
/** Default RAM when `--mem` is not given (128 MiB, like QEMU's default). */
export const DEFAULT_RAM_BYTES = 128 * 1024 * 1024;

/** Serial port COM1 base (a 16550 has eight registers from here). */
export const COM1_BASE = 0x3f8;
/** Exit port, as `-device isa-debug-exit,iobase=0xf4,iosize=0x04` puts it. */
export const EXIT_PORT_BASE = 0xf4;
/** Ports the exit device answers (iosize=0x04). */
export const EXIT_PORT_COUNT = 4;
