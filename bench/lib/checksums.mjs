/**
 * Checks every engine's `@end` checksums: against bench/kernel/expected-checksums.txt
 * when it lists the scale, and always against each other. A wrong checksum
 * means the emulator computed something else: the run is wrong, not fast.
 */
import { LOOPS } from "./workload.mjs";

/**
 * @param {Record<string, string> | undefined} expected - loop → checksum for this scale, if listed.
 * @param {Record<string, {loops}>} results - by engine id.
 * @param {Record<string, string>} labels - engine id → label.
 * @returns {{ reference: string, problems: string[] }}
 */
export function checkChecksums(expected, results, labels) {
  const problems = [];
  for (const loop of LOOPS) {
    const seen = new Map();
    for (const [id, result] of Object.entries(results)) {
      const got = result.loops[loop]?.checksum;
      if (got === undefined) continue;
      seen.set(id, got);
      const want = expected?.[loop];
      if (want !== undefined && got !== want) {
        problems.push(`${labels[id]}: ${loop} printed checksum ${got}, expected ${want}`);
      }
    }
    if (!expected && new Set(seen.values()).size > 1) {
      const list = [...seen].map(([id, sum]) => `${labels[id]} ${sum}`).join(", ");
      problems.push(`${loop}: emulators disagree (${list})`);
    }
  }
  const reference = expected ? "bench/kernel/expected-checksums.txt" : "each other (no reference listed for this scale)";
  return { reference, problems };
}

/** Problems with a run as a whole: no `@done`, missing loops, wrong scale, bad exit. */
export function checkRun(label, result, scale) {
  const problems = [];
  const missing = LOOPS.filter((loop) => !result.loops[loop]);
  if (missing.length) problems.push(`${label}: no measurement for ${missing.join(", ")}`);
  if (!result.done) problems.push(`${label}: the kernel never printed @done (exit: ${result.exit})`);
  if (result.kernelScale !== scale) {
    problems.push(`${label}: the kernel ran at scale=${result.kernelScale ?? "?"}, not ${scale} (command line not passed?)`);
  }
  if (result.exit !== "exit-port 0" && result.exit !== "@done") problems.push(`${label}: ended with ${result.exit}`);
  return problems;
}
