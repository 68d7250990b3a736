/**
 * Run settings from the environment: DIFF_SEED (a number, or "random"), DIFF_CASES (total
 * cases), and the split of those cases into batches.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FAMILIES } from "./case-generator.js";
import type { BatchSpec } from "./prepare.js";

/** Default seed: fixed, so CI runs are reproducible; set DIFF_SEED to explore. */
export const DEFAULT_SEED = 0x1a6e57;
/** Default total cases: well over 5000, ~20 s on 2 cores, inside the 2–3 minute CI budget. */
export const DEFAULT_CASES = 50000;
/** Cases per program: enough to amortise process start, small enough to report quickly. */
export const BATCH_CASES = 500;
/** Share of cases in single-family batches (the rest are mixed sequences). */
const FAMILY_SHARE = 0.5;

/** Reads the seed; "random" draws one (it is printed, so the run can be repeated). */
export function seedFromEnv(): number {
  const raw = process.env.DIFF_SEED;
  if (raw === undefined || raw === "") return DEFAULT_SEED;
  if (raw === "random") return (Date.now() ^ (process.pid << 16)) >>> 0;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`DIFF_SEED must be an integer 0..4294967295 or "random", got "${raw}"`);
  return n;
}

/** Reads the case count. */
export function casesFromEnv(): number {
  const raw = process.env.DIFF_CASES;
  if (raw === undefined || raw === "") return DEFAULT_CASES;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`DIFF_CASES must be a positive integer, got "${raw}"`);
  return n;
}

/** Reads DIFF_REFERENCE: "qemu" (default) or "native" (run the programs on the host CPU). */
export function referenceFromEnv(): "qemu" | "native" {
  const raw = process.env.DIFF_REFERENCE || "qemu";
  if (raw === "qemu" || raw === "native") return raw;
  throw new Error(`DIFF_REFERENCE must be "qemu" or "native", got "${raw}"`);
}

function split(total: number): number[] {
  const sizes: number[] = [];
  for (let left = total; left > 0; left -= BATCH_CASES) sizes.push(Math.min(BATCH_CASES, left));
  return sizes;
}

/**
 * The batches of a run: per family an equal share of single-family batches (so a failure
 * there names the family), then mixed batches. Batch numbers are unique within the run.
 */
export function planBatches(seed: number, total: number, reference: "qemu" | "native" = "qemu"): BatchSpec[] {
  const specs: BatchSpec[] = [];
  let n = 0;
  const perFamily = Math.max(1, Math.floor((total * FAMILY_SHARE) / FAMILIES.length));
  for (const [, family] of FAMILIES) {
    for (const cases of split(perFamily)) specs.push({ seed, batch: n++, cases, families: [family], reference });
  }
  for (const cases of split(Math.max(1, total - perFamily * FAMILIES.length))) specs.push({ seed, batch: n++, cases, reference });
  return specs;
}

/** A fresh temporary directory for a run's programs (kept for inspection of failures). */
export function workDir(): string {
  return mkdtempSync(join(tmpdir(), "littleguest-diff-"));
}
