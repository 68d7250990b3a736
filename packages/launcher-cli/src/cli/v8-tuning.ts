/**
 * V8 settings for the interpreter, applied by the `lguest` command before the
 * emulator modules load.
 *
 * The interpreter's inner loop (x86-core's generated run-chain) is one large
 * function that calls hundreds of small instruction handlers directly. V8's
 * default inlining budget is spent after the first few dozen call sites, so
 * most handlers stay out-of-line; a larger budget lets it inline the hot ones
 * (measured with `pnpm bench`: 10–20% more guest MIPS on ALU and memory loops).
 * Raising V8's absolute ceiling too (--max-inlined-bytecode-size-absolute) was
 * tried: it speeds the bench's branch loop by ~15% but slows its memory loops
 * by as much, so it is left at V8's default.
 * These flags only change optimisation heuristics, never semantics.
 */
import { setFlagsFromString } from "node:v8";

/** Inlining budget (bytecode bytes) for one optimised function, cumulative. */
export const INLINE_CUMULATIVE_BYTES = 10_000;
/** Largest single function V8 will inline. */
export const INLINE_FUNCTION_BYTES = 460;

/** Raise V8's inlining budget; call before the emulator modules are imported. */
export function tuneV8ForInterpreter(): void {
  setFlagsFromString(`--max-inlined-bytecode-size-cumulative=${INLINE_CUMULATIVE_BYTES}`);
  setFlagsFromString(`--max-inlined-bytecode-size=${INLINE_FUNCTION_BYTES}`);
}
