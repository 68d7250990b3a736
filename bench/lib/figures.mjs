/**
 * From raw marker intervals to the figures the runner prints: instruction
 * counts per loop, rates per engine, ratios against littleguest.
 *
 * Rates: for every loop but `string`, MIPS = guest instructions / seconds,
 * with littleguest's retired-instruction count as the numerator for every
 * engine (same binary, same code path). For `string` the rate is millions of
 * rep elements (dwords) per second, from the kernel's fixed work, because
 * "instructions" for a REP differs between emulators.
 */
import { LOOPS, NOMINAL_INSTRUCTIONS, stringWork } from "./workload.mjs";

/**
 * @param {number} scale
 * @param {Record<string, {loops}>} results - by engine id (only engines that ran cleanly).
 */
export function computeFigures(scale, results) {
  const counted = results.littleguest?.loops;
  const instructions = {};
  for (const loop of LOOPS) {
    if (loop === "string") continue;
    const exact = counted?.[loop]?.instructions;
    instructions[loop] = exact ?? NOMINAL_INSTRUCTIONS[loop] * scale;
  }
  const work = stringWork(scale);
  const rates = {};
  for (const [id, result] of Object.entries(results)) {
    rates[id] = {};
    for (const loop of LOOPS) {
      const seconds = result.loops[loop]?.seconds;
      if (!(seconds > 0)) continue;
      rates[id][loop] = loop === "string" ? work.elements / seconds / 1e6 : instructions[loop] / seconds / 1e6;
    }
  }
  return {
    instructionSource: counted ? "littleguest" : "nominal",
    instructions,
    stringWork: work,
    stringRetired: counted?.string?.instructions ?? null,
    rates,
  };
}

/** rate(a) / rate(b) per loop, and their geometric mean over the loops both have. */
export function ratios(rates, a, b) {
  const perLoop = {};
  const logs = [];
  for (const loop of LOOPS) {
    const x = rates[a]?.[loop];
    const y = rates[b]?.[loop];
    if (!(x > 0 && y > 0)) continue;
    perLoop[loop] = x / y;
    logs.push(Math.log(x / y));
  }
  const geomean = logs.length ? Math.exp(logs.reduce((s, v) => s + v, 0) / logs.length) : null;
  return { perLoop, geomean };
}
