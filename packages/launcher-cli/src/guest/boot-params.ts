/**
 * The zero page a Launcher writes for an lguest Guest: `struct boot_params` at Guest-physical
 * 0 and the command line right after it.
 *
 * Reference: the Linux x86 boot protocol (zero-page.txt, boot.txt 2.07): e820_entries at
 * 0x1E8, e820 table at 0x2D0 (addr u64, size u64, type u32), setup_header version 0x206,
 * type_of_loader 0x210, loadflags 0x211 (KEEP_SEGMENTS 0x40), ramdisk_image 0x218,
 * ramdisk_size 0x21C, cmd_line_ptr 0x228, hardware_subarch 0x23C; lguest-abi.md §8.2 (one
 * e820 RAM entry, cmd_line_ptr just after boot_params, version 0x207, hardware_subarch 1,
 * KEEP_SEGMENTS, initrd at the top of RAM, type_of_loader 0xFF).
 */

/** Byte offsets inside `struct boot_params`. */
export const BOOT_PARAMS = {
  e820Entries: 0x1e8,
  version: 0x206,
  typeOfLoader: 0x210,
  loadflags: 0x211,
  ramdiskImage: 0x218,
  ramdiskSize: 0x21c,
  cmdLinePtr: 0x228,
  kernelAlignment: 0x230,
  hardwareSubarch: 0x23c,
  e820Table: 0x2d0,
} as const;
/** Size of `struct boot_params`. */
export const BOOT_PARAMS_SIZE = 4096;
/** Guest-physical address of the command line. */
export const CMDLINE_ADDRESS = BOOT_PARAMS_SIZE;
/** Longest command line the zero page holds (the rest of its page, NUL included). */
export const CMDLINE_MAX = 4095;
/** hardware_subarch of an lguest Guest (X86_SUBARCH_LGUEST). */
export const X86_SUBARCH_LGUEST = 1;
/** e820 type of usable RAM. */
export const E820_RAM = 1;
/** loadflags bit: the kernel must not reload segment registers at entry. */
export const KEEP_SEGMENTS = 0x40;

/** An initial RAM disk placed in Guest memory. */
export interface InitrdPlacement {
  /** Guest-physical address. */
  readonly address: number;
  /** Bytes. */
  readonly size: number;
}

/**
 * Fill the zero page in `guest` (Guest-physical memory from address 0): one e820 entry for
 * `ramBytes`, the command line, the lguest subarch, and the initrd if any.
 * Precondition: `cmdline` encodes to at most {@link CMDLINE_MAX} bytes (the caller checks).
 */
export function writeBootParams(guest: Uint8Array, ramBytes: number, cmdline: Uint8Array, initrd?: InitrdPlacement): void {
  const view = new DataView(guest.buffer, guest.byteOffset, BOOT_PARAMS_SIZE * 2);
  guest.fill(0, 0, BOOT_PARAMS_SIZE * 2);
  view.setUint8(BOOT_PARAMS.e820Entries, 1);
  view.setUint32(BOOT_PARAMS.e820Table, 0, true);
  view.setUint32(BOOT_PARAMS.e820Table + 4, 0, true);
  view.setUint32(BOOT_PARAMS.e820Table + 8, ramBytes, true);
  view.setUint32(BOOT_PARAMS.e820Table + 12, 0, true);
  view.setUint32(BOOT_PARAMS.e820Table + 16, E820_RAM, true);
  view.setUint16(BOOT_PARAMS.version, 0x207, true);
  view.setUint8(BOOT_PARAMS.typeOfLoader, 0xff);
  view.setUint8(BOOT_PARAMS.loadflags, KEEP_SEGMENTS);
  view.setUint32(BOOT_PARAMS.kernelAlignment, 16 << 20, true);
  view.setUint32(BOOT_PARAMS.cmdLinePtr, CMDLINE_ADDRESS, true);
  view.setUint32(BOOT_PARAMS.hardwareSubarch, X86_SUBARCH_LGUEST, true);
  if (initrd !== undefined) {
    view.setUint32(BOOT_PARAMS.ramdiskImage, initrd.address, true);
    view.setUint32(BOOT_PARAMS.ramdiskSize, initrd.size, true);
  }
  guest.set(cmdline.subarray(0, CMDLINE_MAX), CMDLINE_ADDRESS);
}
