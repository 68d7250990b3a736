/**
 * The one error class of this package: Host and programmer errors only. Guest faults are
 * values (#PF error codes), never exceptions.
 */

/** Every reason an {@link MmuError} can carry. Closed: match on it, never on the message. */
export type MmuErrorCode =
  /** A page number outside the allocator's region. */
  | "PAGE_OUT_OF_RANGE"
  /** get/put on a page whose reference count is already 0. */
  | "PAGE_NOT_IN_USE"
  /** An allocator region that does not fit the physical memory. */
  | "BAD_REGION"
  /** Two strategies registered under one name (reported at seal time). */
  | "STRATEGY_CONFLICT"
  /** A strategy name nobody registered. */
  | "UNKNOWN_STRATEGY"
  /** register() after seal(). */
  | "REGISTRY_SEALED"
  /** create() before seal(). */
  | "REGISTRY_NOT_SEALED"
  /** A plugin built for another version of the MmuStrategy contract. */
  | "API_VERSION_MISMATCH"
  /** A plugin given options it cannot honour. */
  | "BAD_OPTION";

/**
 * A Host/programmer error raised by `@littleguest/mmu`.
 *
 * Invariant: `name` is always "MmuError" so callers in other packages can identify it
 * without `instanceof`; `plugin` names the strategy that caused it, when one did.
 */
export class MmuError extends Error {
  override readonly name = "MmuError";
  /** Why it happened, from a closed set. */
  readonly code: MmuErrorCode;
  /** The strategy plugin involved, if any. */
  readonly plugin: string | undefined;

  /**
   * @param code - the reason.
   * @param message - one line naming the thing and, where possible, the fix.
   * @param options - `cause` (an underlying error) and `plugin` (a strategy name).
   */
  constructor(code: MmuErrorCode, message: string, options: { cause?: unknown; plugin?: string } = {}) {
    super(options.plugin === undefined ? message : `[${options.plugin}] ${message}`, { cause: options.cause });
    this.code = code;
    this.plugin = options.plugin;
  }
}
