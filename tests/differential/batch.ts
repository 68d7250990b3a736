/**
 * The x86-core half of a batch: run the program QEMU already ran, compare the outputs,
 * and format a report per mismatching case.
 */
import { compareBatch } from "./compare.js";
import { runOnCore } from "./core-runner.js";
import { CASE_MEM_BYTES, outputBytes } from "./layout.js";
import { batchName, type Prepared } from "./prepare.js";
import { caseListings, caseSummary, formatMismatch, opcodeKey, parseListingLine } from "./report.js";
import { disassemble } from "./toolchain.js";

/** Full reports kept per batch; further mismatches are only counted and grouped. */
const REPORTS_PER_BATCH = 25;

/** Outcome of one batch on x86-core. */
export interface Checked {
  readonly name: string;
  readonly cases: number;
  /** Whole-run failure (crash, wrong output size) — then no per-case results. */
  readonly failure: string | null;
  /** Full reports of the first mismatching cases (at most REPORTS_PER_BATCH). */
  readonly reports: readonly string[];
  /** One line per mismatching case (faulting opcode, or the case's item keys), for grouping. */
  readonly summaries: readonly string[];
  readonly instructions: number;
}

/** Runs a prepared batch on x86-core and compares it with QEMU's output. */
export async function checkBatch(p: Prepared): Promise<Checked> {
  const name = batchName(p.spec);
  const cases = p.spec.cases;
  let run: ReturnType<typeof runOnCore>;
  try {
    run = runOnCore(p.elf, cases);
  } catch (e) {
    return { name, cases, failure: `x86-core threw: ${(e as Error).stack ?? e}`, reports: [], summaries: [], instructions: 0 };
  }
  if (run.output.length !== outputBytes(cases) || run.ending !== "exit(0)") {
    const failure = `x86-core printed ${run.output.length} bytes (expected ${outputBytes(cases)}), ended with ${run.ending} after ${run.instructions} instructions; program ${p.elfPath}`;
    return { name, cases, failure, reports: [], summaries: [], instructions: run.instructions };
  }
  // A case x86-core faulted in has no results of its own: report the fault instead.
  const faulted = new Map(run.faults.filter((f) => f.caseIndex >= 0).map((f) => [f.caseIndex, f]));
  const mismatches = [
    ...[...faulted.values()].map((f) => ({ caseIndex: f.caseIndex, diffs: [`x86-core raised ${f.text}; qemu did not`] })),
    ...compareBatch(p.batch, p.expected, run.output).filter((m) => !faulted.has(m.caseIndex)),
  ].sort((a, b) => a.caseIndex - b.caseIndex);
  if (mismatches.length === 0) return { name, cases, failure: null, reports: [], summaries: [], instructions: run.instructions };
  const listings = caseListings(await disassemble(p.elfPath));
  const reports = mismatches.slice(0, REPORTS_PER_BATCH).map((m) => {
    const memory = p.batch.memory.subarray(m.caseIndex * CASE_MEM_BYTES, (m.caseIndex + 1) * CASE_MEM_BYTES);
    return formatMismatch(p.batch.cases[m.caseIndex]!, m, listings.get(m.caseIndex), `${name}, ${p.elfPath}`, memory);
  });
  // Faults group by the instruction that raised them; other mismatches by case content.
  const summaries = mismatches.map((m) => {
    const f = faulted.get(m.caseIndex);
    if (!f) return caseSummary(p.batch.cases[m.caseIndex]!);
    const at = `${f.eip.toString(16)}: `;
    const line = listings.get(m.caseIndex)?.find((l) => l.startsWith(at));
    const { bytes, mnemonic } = parseListingLine(line ?? "");
    const what = line ? `${opcodeKey(bytes)} ${mnemonic}` : f.bytes;
    return `[x86-core ${f.text.split(" ")[0]}] ${what}`;
  });
  return { name, cases, failure: null, reports, summaries, instructions: run.instructions };
}
