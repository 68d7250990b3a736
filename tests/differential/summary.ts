/**
 * Run-level reporting: the `N passed, M failed` line, mismatches grouped by what the
 * failing cases contain (single-instruction cases first: they name the culprit), and a
 * full report file beside the programs.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Checked } from "./batch.js";

/** Mismatch reports included in a failing test's message (the rest go to the file). */
const REPORTS_IN_MESSAGE = 12;

/** Totals over checked batches. */
export function totals(results: readonly Checked[]): { cases: number; failed: number } {
  let cases = 0;
  let failed = 0;
  for (const r of results) {
    cases += r.cases;
    failed += r.failure ? r.cases : r.summaries.length;
  }
  return { cases, failed };
}

/** The one-line summary. */
export function summaryLine(results: readonly Checked[]): string {
  const { cases, failed } = totals(results);
  return `${cases - failed} passed, ${failed} failed`;
}

/** Counts failing cases per item-key combination, single-item combinations first. */
export function groupFailures(results: readonly Checked[]): string[] {
  const counts = new Map<string, number>();
  for (const r of results) for (const s of r.summaries) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts.entries()]
    .sort(([a, x], [b, y]) => Number(a.includes(";")) - Number(b.includes(";")) || y - x || a.localeCompare(b))
    .map(([k, n]) => `${String(n).padStart(5)} × ${k}`);
}

/** Writes every report to `dir/name` and returns a failure message for the test. */
export function failureMessage(results: readonly Checked[], dir: string, name: string): string {
  const file = join(dir, name);
  const all = results.flatMap((r) => {
    if (r.failure) return [`${r.name}: ${r.failure}`];
    const more = r.summaries.length - r.reports.length;
    return more > 0 ? [...r.reports, `(${r.name}: ${more} more mismatching cases, counted above)`] : r.reports;
  });
  writeFileSync(file, `${summaryLine(results)}\n\n${groupFailures(results).join("\n")}\n\n${all.join("\n\n")}\n`);
  const shown = all.slice(0, REPORTS_IN_MESSAGE);
  return [
    `${summaryLine(results)} (all reports: ${file})`,
    "failing cases by content (single instructions first):",
    ...groupFailures(results).slice(0, 40),
    "",
    ...shown,
    all.length > shown.length ? `… ${all.length - shown.length} more in ${file}` : "",
  ].join("\n");
}
