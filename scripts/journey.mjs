// The guided tour: `node scripts/journey.mjs [--write|--check]` assembles docs/journey/ from the
// `/*X:NNN … :*/` passages in the sources (see packages/devtools/src/journey/, which this runs;
// `lguest journey` is the same). --check (run by `lint`) fails on a duplicate number, a marker
// without a three-digit number, a passage that does not close, or a stale docs/journey/.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const entry = join(root, "packages", "devtools", "dist", "node.js");
if (!existsSync(entry)) {
  console.error("journey: packages/devtools is not built yet; run `pnpm -s build` first");
  process.exit(1);
}
const { runJourney } = await import(pathToFileURL(entry).href);
const mode = (process.argv[2] ?? "--write") === "--check" ? "check" : "write";
const result = runJourney(root, mode);
(result.ok ? console.log : console.error)(result.message);
process.exit(result.ok ? 0 : 1);
