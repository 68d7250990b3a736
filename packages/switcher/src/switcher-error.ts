/**
 * The one error class of this package: Host and programmer errors only. A Guest's faults
 * are values in its regs page, never exceptions.
 */

/** Every reason a {@link SwitcherError} can carry. Closed: match on it, never on the message. */
export type SwitcherErrorCode =
  /** An option out of range (e.g. the number of host CPUs). */
  | "BAD_OPTION"
  /** A host CPU number the Switcher was not built for. */
  | "BAD_CPU"
  /** A layout that does not fit its page (a build error). */
  | "LAYOUT";

/**
 * A Host/programmer error raised by `@littleguest/switcher`.
 *
 * Invariant: `name` is always "SwitcherError" so callers can identify it without `instanceof`.
 */
export class SwitcherError extends Error {
  override readonly name = "SwitcherError";
  /** Why it happened, from a closed set. */
  readonly code: SwitcherErrorCode;

  /**
   * @param code - the reason.
   * @param message - one line naming the thing and, where possible, the fix.
   */
  constructor(code: SwitcherErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
