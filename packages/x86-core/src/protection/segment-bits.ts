/**
 * Bits of the hidden segment-cache attribute word and of `Cpu.segFast`.
 *
 * Reference: SDM Vol. 3A §3.4.5 (segment descriptor access byte and flags).
 * A leaf module (no imports) so the bundler can fold these into the hot paths.
 */

/** Attribute bit: the register holds a usable (non-null) segment. */
export const ATTR_VALID = 1 << 16;
/** Attribute bit: D/B (32-bit default operand size / big stack). */
export const ATTR_B = 1 << 10;
/** Attribute bit: G (limit in 4 KiB units; already applied in the cache). */
export const ATTR_G = 1 << 11;
/** Access-byte bit: present. */
export const ATTR_P = 1 << 7;
/** Access-byte bit: S (code/data rather than system). */
export const ATTR_S = 1 << 4;
/** Access-byte bit: code (with S). */
export const ATTR_CODE = 1 << 3;

/** `segFast` bit: reads need no segment check. */
export const SEG_READ_FAST = 1;
/** `segFast` bit: writes need no segment check. */
export const SEG_WRITE_FAST = 2;

