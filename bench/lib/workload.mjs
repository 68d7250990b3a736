/**
 * What the bench kernel (bench/kernel) runs: its loops in order and the fixed
 * work inside each, from bench/kernel/src/main.c and loops.c. Used to turn
 * marker-to-marker wall time into rates.
 */
import { fileURLToPath } from "node:url";

/** The prebuilt multiboot kernel every engine boots. */
export const KERNEL_PATH = fileURLToPath(new URL("../kernel/prebuilt/bench.elf", import.meta.url));

/** Checksums the kernel prints under QEMU, per scale (only some scales are listed). */
export const EXPECTED_CHECKSUMS_PATH = fileURLToPath(new URL("../kernel/expected-checksums.txt", import.meta.url));

/** Loop names in the order the kernel runs them. */
export const LOOPS = ["alu", "branch", "mem-nopaging", "mem-paging", "small-ws", "string"];

/** Kernel clamps `scale=` to this range (cmdline.c); we reject anything outside it instead. */
export const MIN_SCALE = 1;
export const MAX_SCALE = 256;

/** Guest RAM for every engine, in bytes: QEMU's `-m 64` from the kernel README (it needs ≥ 8 MiB). */
export const GUEST_RAM_BYTES = 64 * 1024 * 1024;

/**
 * Nominal instructions per loop at scale 1 (iterations × per-iteration count
 * from the kernel README). Only used when littleguest is not run, since its
 * exact retired-instruction counts are the numerator otherwise.
 */
export const NOMINAL_INSTRUCTIONS = {
  alu: 7_000_000 * 15,
  branch: 3_000_000 * 43,
  "mem-nopaging": 5_000_000 * 22,
  "mem-paging": 5_000_000 * 22,
  "small-ws": 5_000_000 * 22,
};

/** `string` at scale 1: 50,000 iterations (STRING_ITERS in main.c). */
const STRING_ITERATIONS = 50_000;
/** Each iteration: one `rep stosd` and one `rep movsd` of 1024 dwords (4 KiB) each. */
const STRING_ELEMENTS_PER_ITERATION = 2 * 1024;
/** Bytes written per iteration: 4 KiB stored plus 4 KiB copied. */
const STRING_BYTES_WRITTEN_PER_ITERATION = 2 * 4096;

/** The `string` loop's work at a scale: rep elements (dword steps) and bytes written. */
export function stringWork(scale) {
  return {
    elements: STRING_ITERATIONS * STRING_ELEMENTS_PER_ITERATION * scale,
    bytesWritten: STRING_ITERATIONS * STRING_BYTES_WRITTEN_PER_ITERATION * scale,
  };
}
