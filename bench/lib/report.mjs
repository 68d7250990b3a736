/** The runner's printed report: seconds, rates and ratios, checksum verdict. */
import { ratios } from "./figures.mjs";
import { fixed, grouped, renderTable } from "./table.mjs";
import { LOOPS } from "./workload.mjs";

/**
 * @param {object} run - { scale, repeat, engines (with labels), results (by engine id), figures }
 * @returns {string}
 */
export function formatReport({ scale, repeat, engines, results, figures }) {
  const out = [];
  const ran = engines.filter((e) => results[e.id]);
  const lg = ran.some((e) => e.id === "littleguest");

  const best = repeat > 1 ? `, fastest of ${repeat} runs` : "";
  out.push(`Seconds between markers (scale=${scale}${best})`);
  const secondsRows = LOOPS.map((loop) => [
    loop,
    loop === "string" ? (lg ? `${grouped(figures.stringRetired)} †` : "–") : grouped(figures.instructions[loop]),
    ...ran.map((e) => fixed(results[e.id].loops[loop]?.seconds, 3)),
  ]);
  const countHeader = figures.instructionSource === "littleguest" ? "guest instructions" : "≈ guest instructions";
  out.push(renderTable(["loop", countHeader, ...ran.map((e) => `${e.label} s`)], secondsRows));
  out.push("");

  const others = ran.filter((e) => e.id !== "littleguest");
  const pairs = lg ? others.map((e) => ({ e, r: ratios(figures.rates, "littleguest", e.id) })) : [];
  const ratioNote = pairs.length ? " and littleguest ÷ other" : "";
  out.push(`Rates: MIPS (string: million rep dword elements per second)${ratioNote}`);
  const rateRows = LOOPS.map((loop) => [
    loop === "string" ? "string ‡" : loop,
    ...ran.map((e) => fixed(figures.rates[e.id]?.[loop], 1)),
    ...pairs.map(({ r }) => fixed(r.perLoop[loop], 2)),
  ]);
  if (pairs.length) rateRows.push(["geomean", ...ran.map(() => ""), ...pairs.map(({ r }) => fixed(r.geomean, 2))]);
  out.push(
    renderTable(
      ["loop", ...ran.map((e) => `${e.label} MIPS`), ...pairs.map(({ e }) => `lg/${e.label.replace(" ", "-")}`)],
      rateRows,
    ),
  );
  out.push("");

  const work = figures.stringWork;
  const mbs = ran.map((e) => {
    const s = results[e.id].loops.string?.seconds;
    return `${e.label} ${s > 0 ? fixed(work.bytesWritten / s / 1e6, 0) : "–"} MB/s`;
  });
  if (figures.instructionSource === "littleguest") {
    out.push("Instructions: guest instructions littleguest's CPU retired between the markers; the same");
    out.push("  count is the numerator for every engine (same binary, same code path).");
  } else {
    out.push("Instructions: littleguest did not run, so MIPS use the kernel README's nominal counts");
    out.push("  (iterations × instructions per iteration); run littleguest too for exact counts.");
  }
  if (lg) {
    out.push("† string: littleguest retires a REP string instruction once per batch of up to 4096");
    out.push("  iterations, so each 1024-dword rep stosd/movsd counts as 1 here.");
  }
  out.push(`‡ string rate: ${grouped(work.elements)} rep elements (2 × 1024 dwords per iteration),`);
  out.push(`  ${grouped(work.bytesWritten / 1e6)} MB written: ${mbs.join(", ")}.`);
  if (pairs.length) out.push("Ratios > 1: littleguest is faster.");
  out.push("Wall-clock figures vary between runs and hosts; compare ratios from the same run.");
  return out.join("\n");
}
