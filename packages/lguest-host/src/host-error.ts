/**
 * The one error class of this package: Host and programmer errors only. A Guest's mistakes
 * kill that Guest (`LgCpu.kill`) and never throw.
 */

/** Every reason a {@link HostError} can carry. Closed: match on it, never on the message. */
export type HostErrorCode =
  /** LHREQ_INITIALIZE with a region or entry point that cannot work. */
  | "BAD_SETUP";

/**
 * A Host/programmer error raised by `@littleguest/lguest-host`.
 *
 * Invariant: `name` is always "HostError" so callers can identify it without `instanceof`.
 */
export class HostError extends Error {
  override readonly name = "HostError";
  /** Why it happened, from a closed set. */
  readonly code: HostErrorCode;

  /**
   * @param code - the reason.
   * @param message - one line naming the thing and, where possible, the fix.
   */
  constructor(code: HostErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
