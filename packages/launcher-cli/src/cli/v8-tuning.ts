/**
 * V8 settings for the interpreter, applied by the `lguest` command before the
 * emulator modules load.
 *
 * The interpreter's inner loop (x86-core's generated run-chain) is one large
 * function that calls hundreds of small instruction handlers directly. V8's
 * default inlining budget is spent after the first few dozen call sites, so
 * most handlers stay out-of-line; a larger budget lets it inline more of them.
 * Since the commonest instructions got inline fast paths in the switch itself
 * (x86-core tour C:210), the budget matters less: `pnpm bench` shows a few
 * percent, about the size of run-to-run noise. Raising V8's absolute ceiling
 * too (--max-inlined-bytecode-size-absolute) made the memory loops slower, so
 * it is left at V8's default.
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
