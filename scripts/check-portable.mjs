// The core packages must run unchanged in a browser (ARCHITECTURE.md,
// "Portability and determinism"): no Node built-ins, no Node globals and no
// wall-clock or unseeded randomness in their sources (tests may use Node).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const CORE = ["packages/x86-core/src", "packages/mmu/src", "packages/switcher/src", "packages/lguest-host/src", "packages/devtools/src"];
// launcher-cli's `machine` entry (the web viewer's worker imports it) and everything it reaches:
// the Guest machine and its devices, the ELF reader, the error type. The rest of launcher-cli
// is the Node command.
const LAUNCHER_MACHINE = [
  "packages/launcher-cli/src/machine.ts",
  "packages/launcher-cli/src/errors.ts",
  "packages/launcher-cli/src/bare/elf.ts",
  "packages/launcher-cli/src/guest",
];
// The web viewer's page and worker are browser code by definition (its Vite config and tests
// are not under src/).
const VIEWER = ["packages/viewer/src"];
// devtools' Node entry and what only it re-exports may use Node (files, TCP): `src/node.ts` and
// files named `node-*.ts`. Everything else in devtools must run in a browser.
const NODE_ONLY = /packages\/devtools\/src\/(node\.ts|.*\/node-[^/]*\.ts)$/;
const RULES = [
  [/from\s+["']node:|require\(|from\s+["'](fs|path|os|child_process|worker_threads|crypto|util)["']/, "imports a Node built-in"],
  [/\bprocess\.|\bBuffer\b|__dirname|__filename/, "uses a Node global"],
  [/\bDate\.now\(|\bnew Date\(|Math\.random\(|performance\.now\(/, "reads the wall clock or unseeded randomness (runs must be deterministic)"],
];

function files(dir) {
  if (/\.ts$/.test(dir)) return [dir];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === "testing" ? [] : files(p);
    return /\.ts$/.test(e.name) && !/\.test(-d)?\.ts$|\.test-helper\.ts$|testkit\.ts$/.test(e.name) && !NODE_ONLY.test(p) ? [p] : [];
  });
}

const problems = [];
for (const dir of [...CORE, ...LAUNCHER_MACHINE, ...VIEWER]) {
  for (const file of files(dir)) {
    readFileSync(file, "utf8")
      .split("\n")
      .forEach((line, k) => {
        if (/^\s*(\*|\/\/)/.test(line)) return;
        for (const [re, why] of RULES) if (re.test(line)) problems.push(`${file}:${k + 1}: ${why}: ${line.trim()}`);
      });
  }
}
if (problems.length > 0) {
  console.error(`check-portable: ${problems.length} problem(s):\n${problems.join("\n")}`);
  process.exit(1);
}
console.log("check-portable: core packages, devtools' browser entry, launcher-cli's machine entry and the web viewer use no Node built-ins, globals, wall clock or unseeded randomness");
