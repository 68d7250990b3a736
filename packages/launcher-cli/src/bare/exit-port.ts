/**
 * The exit port: how a test kernel ends the run with a status.
 *
 * Reference: QEMU's `isa-debug-exit` device (hw/misc/debugexit.c): a write of
 * value v, of any width, makes QEMU exit with status (v << 1) | 1 — so a kernel
 * can never produce status 0 this way, and success is conventionally odd.
 * Reads return 0. Our default placement matches
 * `-device isa-debug-exit,iobase=0xf4,iosize=0x04`.
 */

/*L:170 A test kernel needs a way to say "passed" or "failed" to the shell that
 * started it. QEMU's isa-debug-exit is the de-facto answer, and its odd rule
 * (status = value * 2 + 1) comes with it: we copy the rule so that the same
 * kernel and the same CI script work unchanged on both. :*/

/** The status QEMU's isa-debug-exit computes for a write of `value` (before the OS keeps the low 8 bits). */
export function debugExitStatus(value: number): number {
  return (value >>> 0) * 2 + 1;
}

/**
 * A port device that reports a Guest's request to exit.
 *
 * The device only records and signals; the machine stops the CPU and the
 * process decides what exiting means.
 */
export class ExitPort {
  /** Status requested by the first write, or undefined while none happened. */
  status: number | undefined = undefined;
  private readonly onExit: (status: number) => void;

  /** @param onExit - called on every write with the QEMU-style status. */
  constructor(onExit: (status: number) => void) {
    this.onExit = onExit;
  }

  /** Reads return 0, as isa-debug-exit does. */
  read(_port: number, _size: 1 | 2 | 4): number {
    return 0;
  }

  /** Any write requests an exit with {@link debugExitStatus} of the value written. */
  write(_port: number, size: 1 | 2 | 4, value: number): void {
    const mask = size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
    const status = debugExitStatus((value & mask) >>> 0);
    this.status ??= status;
    this.onExit(status);
  }
}
