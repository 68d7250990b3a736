/**
 * `@littleguest/launcher-cli/machine`: the Guest machine without the `lguest` command, for
 * embedders that are not Node (a web page, a worker). Everything reachable from here runs
 * unchanged in a browser: no Node built-ins, no Node globals (scripts/check-portable.mjs
 * checks it). The Node CLI stays in the package's main entry.
 */
export { LauncherError, isLauncherError } from "./errors.js";
export type { LauncherErrorCode } from "./errors.js";
export { ARGV_FILE, DEFAULT_GUEST_RAM, GuestMachine, HOST_OVERHEAD_BYTES, isBzImage, MIN_GUEST_RAM } from "./guest/machine.js";
export type { GuestExit, GuestMachineOptions } from "./guest/machine.js";
export { isCpio, readCpio, S_IFDIR, S_IFREG, writeCpio } from "./guest/initramfs.js";
export type { CpioEntry } from "./guest/initramfs.js";
export { VIRTIO_ID_CONSOLE, VirtioConsole } from "./guest/console.js";
export { memoryBackend, SECTOR_BYTES, VIRTIO_ID_BLOCK, VirtioBlock } from "./guest/block.js";
export type { BlockBackend } from "./guest/block.js";
export { isElf, parseElf32 } from "./bare/elf.js";
export type { Elf32Image, ElfSegment } from "./bare/elf.js";
