// Sums the vitest JSON reports of every workspace package into one closing
// line, "N passed, M failed", so CI logs end with a total a reader can trust.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const dirs = ["tests", ...readdirSync("packages").map((d) => join("packages", d))];
let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
for (const dir of dirs) {
  if (!existsSync(join(dir, "package.json"))) continue;
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  if (!pkg.scripts?.test) continue;
  const file = join(dir, ".vitest-report.json");
  if (!existsSync(file)) {
    missing.push(dir);
    continue;
  }
  const report = JSON.parse(readFileSync(file, "utf8"));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
  console.log(`test-summary: ${dir}: ${report.numPassedTests} passed, ${report.numFailedTests} failed`);
}
for (const dir of missing) console.log(`test-summary: ${dir}: no report (its test run did not finish)`);
if (skipped > 0) console.log(`test-summary: ${skipped} skipped tests (skips are defects here)`);
console.log(`${passed} passed, ${failed + missing.length} failed`);
process.exit(failed > 0 || missing.length > 0 || skipped > 0 ? 1 : 0);
