#!/usr/bin/env node
// Runs the differential suite with a chosen seed and size and prints "N passed, M failed".
// Usage (from the repository root or tests/): node tests/differential/run.mjs [--seed N|random] [--cases N]
// It is a thin wrapper: the suite itself is TypeScript run by vitest (Node 20 cannot strip types).
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);
const env = { ...process.env };
for (let i = 0; i < args.length; i += 2) {
  const [flag, value] = [args[i], args[i + 1]];
  if (flag === "--seed" && value) env.DIFF_SEED = value;
  else if (flag === "--cases" && value) env.DIFF_CASES = value;
  else {
    console.error(`run.mjs: unknown argument "${flag}"; use --seed N|random and --cases N`);
    process.exit(2);
  }
}
const testsDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const r = spawnSync("npx", ["vitest", "run", "differential/differential.test.ts"], { cwd: testsDir, env, stdio: "inherit" });
process.exit(r.status ?? 1);
