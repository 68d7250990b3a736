#!/usr/bin/env node
/**
 * `pnpm bench`: boots bench/kernel/prebuilt/bench.elf on littleguest's bare
 * machine, on v86 (interpreter and JIT) and, when installed, on QEMU TCG;
 * times each loop between its serial markers; prints seconds, MIPS and
 * littleguest's ratio to each; checks the checksums. A report, not a test:
 * it exits non-zero only when a run is wrong (bad checksum, crash, no @done)
 * or an option or prerequisite is bad. See bench/README.md.
 */
import { cpus } from "node:os";
import { writeFileSync } from "node:fs";
import { BenchError } from "./lib/bench-error.mjs";
import { checkChecksums, checkRun } from "./lib/checksums.mjs";
import { ENGINES, keepFastest, runEngine } from "./lib/engines.mjs";
import { qemuAvailable } from "./lib/engines/qemu.mjs";
import { v86Missing } from "./lib/engines/v86.mjs";
import { readExpectedChecksums } from "./lib/expected.mjs";
import { computeFigures, ratios } from "./lib/figures.mjs";
import { parseOptions, USAGE } from "./lib/options.mjs";
import { formatReport } from "./lib/report.mjs";
import { EXPECTED_CHECKSUMS_PATH } from "./lib/workload.mjs";

function selectEngines(options, notes) {
  const wanted = (group) => (options.only ? options.only.includes(group) : true);
  const engines = [];
  for (const engine of ENGINES) {
    if (!wanted(engine.group)) continue;
    if (engine.group === "v86") {
      const missing = v86Missing();
      if (missing) throw new BenchError(missing);
    }
    if (engine.group === "qemu" && !qemuAvailable()) {
      const note = "qemu-system-i386 not found: QEMU column skipped (optional; apt-get install -y qemu-system-x86)";
      if (options.only) throw new BenchError(note.replace("column skipped (optional; ", "(").replace(/\)$/, ")"));
      notes.push(note);
      continue;
    }
    engines.push(engine);
  }
  return engines;
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const notes = [];
  const engines = selectEngines(options, notes);
  const expected = readExpectedChecksums(EXPECTED_CHECKSUMS_PATH).get(options.scale);
  const labels = Object.fromEntries(ENGINES.map((e) => [e.id, e.label]));
  const host = `node ${process.version}, ${cpus()[0]?.model.trim() ?? "unknown CPU"} × ${cpus().length}`;
  console.log(`bench kernel, scale=${options.scale}; ${host}`);
  for (const note of notes) console.log(`note: ${note}`);

  const results = {};
  const problems = [];
  const failed = new Set();
  for (let round = 1; round <= options.repeat; round++) {
    for (const engine of engines) {
      if (failed.has(engine.id)) continue;
      const tag = options.repeat > 1 ? ` (${round}/${options.repeat})` : "";
      process.stdout.write(`running ${engine.label}${tag} … `);
      let runProblems;
      try {
        const result = await runEngine(engine, options);
        runProblems = checkRun(engine.label, result, options.scale);
        console.log(`${result.wallSeconds.toFixed(1)} s in all${runProblems.length ? " — FAILED" : ""}`);
        if (!runProblems.length) results[engine.id] = keepFastest(results[engine.id], result);
      } catch (error) {
        console.log("FAILED");
        runProblems = [error.message];
      }
      if (runProblems.length) {
        problems.push(...runProblems);
        failed.add(engine.id);
        delete results[engine.id];
      }
    }
  }
  for (const [id, result] of Object.entries(results)) {
    for (const what of result.inconsistent) problems.push(`${labels[id]}: checksums differ between runs: ${what}`);
  }

  const checksums = checkChecksums(expected, results, labels);
  problems.push(...checksums.problems);
  const figures = computeFigures(options.scale, results);
  console.log("");
  console.log(formatReport({ scale: options.scale, repeat: options.repeat, engines, results, figures }));
  console.log("");
  const ranIds = Object.keys(results);
  if (checksums.problems.length === 0 && ranIds.length) {
    const names = ranIds.map((id) => labels[id]).join(", ");
    console.log(
      expected
        ? `Checksums: all loops match bench/kernel/expected-checksums.txt on ${names}.`
        : ranIds.length > 1
          ? `Checksums: expected-checksums.txt lists no scale=${options.scale}; ${names} agree with each other.`
          : `Checksums: expected-checksums.txt lists no scale=${options.scale}, and one engine ran: not checked.`,
    );
  }

  if (options.json) {
    const comparisons = Object.fromEntries(
      ranIds.filter((id) => id !== "littleguest" && results.littleguest).map((id) => [id, ratios(figures.rates, "littleguest", id)]),
    );
    const record = {
      date: new Date().toISOString(),
      host,
      scale: options.scale,
      repeat: options.repeat,
      rateUnits: { default: "MIPS (littleguest retired instructions / s / 1e6)", string: "million rep dword elements / s" },
      figures,
      littleguestOver: comparisons,
      results: Object.fromEntries(Object.entries(results).map(([id, r]) => [id, { label: labels[id], ...r }])),
      checksumReference: checksums.reference,
      problems,
      notes,
    };
    writeFileSync(options.json, `${JSON.stringify(record, null, 2)}\n`);
    console.log(`Figures written to ${options.json}.`);
  }

  if (problems.length) {
    console.error("");
    console.error("!!! BENCH RUN IS WRONG — these figures cannot be trusted:");
    for (const problem of problems) console.error(`!!!   ${problem}`);
    return 1;
  }
  return 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  if (error instanceof BenchError) {
    console.error(`bench: ${error.message}`);
    process.exitCode = 2;
  } else {
    throw error;
  }
}
