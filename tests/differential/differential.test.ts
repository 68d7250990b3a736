/**
 * x86-core against qemu-i386-static on random instruction sequences.
 *
 * DIFF_SEED (default fixed; "random" allowed) and DIFF_CASES (default 50000) choose the run;
 * the seed is printed; DIFF_REFERENCE=native uses the host CPU instead of QEMU. Per family
 * one test runs single-family batches, then one test runs mixed sequences. Reports name the case, its bytes and source, its initial state and every
 * difference; all of them also land in a file beside the built programs.
 */
import { rmSync } from "node:fs";
import { cpus } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Checked, checkBatch } from "./batch.js";
import { FAMILIES } from "./case-generator.js";
import { type BatchSpec, type Prepared, prepareBatch } from "./prepare.js";
import { casesFromEnv, planBatches, referenceFromEnv, seedFromEnv, workDir } from "./settings.js";
import { failureMessage, summaryLine, totals } from "./summary.js";
import { missingTools } from "./toolchain.js";

const seed = seedFromEnv();
const total = casesFromEnv();
const reference = referenceFromEnv();
const specs = planBatches(seed, total, reference);
const dir = workDir();
const results: Checked[] = [];
let prepared = new Map<number, Promise<Prepared>>();

/** Builds and runs batches under QEMU a few at a time; each result is awaited by its test. */
function prepareAll(list: readonly BatchSpec[]): Map<number, Promise<Prepared>> {
  const map = new Map<number, Promise<Prepared>>();
  let slots = Math.max(2, cpus().length);
  const waiting: (() => void)[] = [];
  const acquire = (): Promise<void> => (slots-- > 0 ? Promise.resolve() : new Promise((r) => waiting.push(r)));
  const release = (): void => {
    slots++;
    waiting.shift()?.();
  };
  for (const spec of list) {
    const p = acquire().then(() => prepareBatch(spec, dir).finally(release));
    p.catch(() => {}); // reported by the test that awaits it
    map.set(spec.batch, p);
  }
  return map;
}

beforeAll(() => {
  const missing = missingTools();
  if (missing.length > 0) throw new Error(`differential tests need: ${missing.join(", ")}`);
  console.log(`differential: DIFF_SEED=${seed} DIFF_CASES=${total} DIFF_REFERENCE=${reference}, ${specs.length} batches, programs in ${dir}`);
  prepared = prepareAll(specs);
});

afterAll(() => {
  console.log(`differential (DIFF_SEED=${seed}): ${summaryLine(results)}`);
  // Keep the programs and reports only when something failed.
  const { failed } = totals(results);
  if (failed === 0 && results.length === specs.length) rmSync(dir, { recursive: true, force: true });
  else console.log(`differential: programs and reports kept in ${dir}`);
});

async function checkGroup(group: readonly BatchSpec[], reportName: string): Promise<void> {
  const mine: Checked[] = [];
  for (const spec of group) {
    const p = prepared.get(spec.batch);
    if (!p) throw new Error(`batch ${spec.batch} was not prepared`);
    try {
      mine.push(await checkBatch(await p));
    } catch (e) {
      // A batch that did not build or run under the reference counts as failed, whole.
      const failure = (e as Error).message;
      mine.push({ name: `batch ${spec.batch}`, cases: spec.cases, failure, reports: [], summaries: [], instructions: 0 });
    }
  }
  results.push(...mine);
  const failed = mine.filter((r) => r.failure || r.summaries.length > 0);
  if (failed.length > 0) expect.fail(failureMessage(mine, dir, reportName));
}

describe("x86-core matches qemu-i386-static", () => {
  for (const [, family] of FAMILIES) {
    const group = specs.filter((s) => s.families?.length === 1 && s.families[0] === family);
    const cases = group.reduce((n, s) => n + s.cases, 0);
    it(`${family}, ${cases} cases → same registers, flags and memory as qemu`, () => checkGroup(group, `report-${family}.txt`), 120_000);
  }
  const mixed = specs.filter((s) => !s.families);
  const mixedCases = mixed.reduce((n, s) => n + s.cases, 0);
  it(`mixed sequences, ${mixedCases} cases → same registers, flags and memory as qemu`, () => checkGroup(mixed, "report-mixed.txt"), 120_000);
});
