/**
 * The Launcher's error type: every failure caused by what a user handed us
 * (a file, an option) or by the host running out of something.
 *
 * The CLI prints `message` as one line and exits; library callers switch on
 * `code`. Identify it by `name === "LauncherError"` and `code`, not by
 * `instanceof`, so that two copies of the package still agree.
 */

/** Every reason a Launcher operation can refuse; a closed set. */
export type LauncherErrorCode =
  | "usage"
  | "bad-option"
  | "bad-mem"
  | "file-unreadable"
  | "not-elf"
  | "bad-elf"
  | "not-multiboot"
  | "bad-multiboot"
  | "unsupported-multiboot"
  | "does-not-fit"
  | "out-of-memory"
  /** The GDB stub's TCP port is taken or not allowed. */
  | "port-unavailable";

/**
 * A user-facing failure of the Launcher.
 *
 * Invariant: `message` is a single line that names the offending thing and,
 * where there is one, the fix. It never contains a newline.
 */
export class LauncherError extends Error {
  /** Machine-readable reason. */
  readonly code: LauncherErrorCode;

  /**
   * @param code - the reason, from {@link LauncherErrorCode}.
   * @param message - one line: what is wrong and how to fix it.
   * @param options - `cause` keeps the underlying error (an fs error, a RangeError) for debugging.
   */
  constructor(code: LauncherErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "LauncherError";
    this.code = code;
  }
}

/** True when `e` is a {@link LauncherError} (works across package copies). */
export function isLauncherError(e: unknown): e is LauncherError {
  return e instanceof Error && e.name === "LauncherError" && typeof (e as { code?: unknown }).code === "string";
}

/** Format a 32-bit value as `0x…` hex for messages. */
export function hex(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}
