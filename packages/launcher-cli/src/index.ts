/**
 * `@littleguest/launcher-cli`: the Launcher behind the `lguest` command, and
 * the bare multiboot machine as a library.
 */
export { LauncherError, isLauncherError } from "./errors.js";
export type { LauncherErrorCode } from "./errors.js";
export { BareMachine } from "./bare/machine.js";
export type { BareExit, BareMachineOptions } from "./bare/machine.js";
export {
  MULTIBOOT_BOOTLOADER_MAGIC,
  MULTIBOOT_HEADER_MAGIC,
  checkKernelFits,
  findMultibootHeader,
  readMultibootKernel,
} from "./bare/multiboot.js";
export type { LoadSegment, MultibootHeader, MultibootKernel } from "./bare/multiboot.js";
export { BOOT_LOADER_NAME, kernelCommandLine, memoryMap, placeKernel, writeBootInfo } from "./bare/boot-info.js";
export type { BootMemory, MemoryRegion } from "./bare/boot-info.js";
export { isElf, parseElf32 } from "./bare/elf.js";
export type { Elf32Image, ElfSegment } from "./bare/elf.js";
export { Serial16550 } from "./bare/serial.js";
export type { SerialOptions } from "./bare/serial.js";
export { ExitPort, debugExitStatus } from "./bare/exit-port.js";
export { BOOT_INFO_ADDRESS, COM1_BASE, DEFAULT_RAM_BYTES, EXIT_PORT_BASE } from "./bare/layout.js";
export { parseMemSize } from "./cli/mem-size.js";
export { runCli } from "./cli/main.js";
export type { CliIo } from "./cli/cli-io.js";
export { INLINE_CUMULATIVE_BYTES, INLINE_FUNCTION_BYTES, tuneV8ForInterpreter } from "./cli/v8-tuning.js";
export { GuestMachine, DEFAULT_GUEST_RAM, HOST_OVERHEAD_BYTES, MIN_GUEST_RAM } from "./guest/machine.js";
export type { GuestExit, GuestMachineOptions } from "./guest/machine.js";
export { BOOT_PARAMS, BOOT_PARAMS_SIZE, CMDLINE_ADDRESS, writeBootParams, X86_SUBARCH_LGUEST } from "./guest/boot-params.js";
export type { InitrdPlacement } from "./guest/boot-params.js";
export { isCpio, readCpio, S_IFDIR, S_IFREG, writeCpio } from "./guest/initramfs.js";
export type { CpioEntry } from "./guest/initramfs.js";
export { LguestBus, DEVICE_PAGES } from "./guest/lguest-bus.js";
export type { BusDevice } from "./guest/lguest-bus.js";
export { VirtioConsole, VIRTIO_ID_CONSOLE } from "./guest/console.js";
export { Virtqueue, LGUEST_VRING_ALIGN, VIRTQUEUE_NUM, vringSize } from "./guest/virtqueue.js";
export type { GuestView, VirtBuffer, VirtChain } from "./guest/virtqueue.js";
export { memoryBackend, SECTOR_BYTES, VIRTIO_ID_BLOCK, VirtioBlock } from "./guest/block.js";
export type { BlockBackend } from "./guest/block.js";
