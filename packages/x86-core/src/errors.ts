/**
 * The one error class of x86-core, for programmer errors of its embedders
 * (HOUSE_STYLE 17). Nothing a running program does throws: Guest faults are
 * values on the fault bus. Identify errors by `name` and `code`, not by
 * `instanceof` across packages.
 */

/** Every reason x86-core throws. */
export type X86CoreErrorCode =
  /** Two devices claimed one I/O port. */
  | "port-conflict"
  /** A port range outside 0..0xFFFF. */
  | "port-range"
  /** Two fault-bus routes for one linear address. */
  | "route-conflict"
  /** A vector outside 0..255. */
  | "bad-vector"
  /** Two hypercall handlers for one number (found at seal). */
  | "hypercall-conflict"
  /** Registration after `seal()`. */
  | "hypercall-sealed"
  /** Dispatch before `seal()`. */
  | "hypercall-not-sealed"
  /** Two instruction families claimed one opcode (a build error of x86-core itself). */
  | "opcode-conflict";

/** A programmer error in using x86-core. */
export class X86CoreError extends Error {
  /** Stable error code. */
  readonly code: X86CoreErrorCode;

  constructor(code: X86CoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "X86CoreError";
    this.code = code;
  }
}
