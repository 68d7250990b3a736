// Shared tail of the code generators: write a generated file, or (with
// --check, as `lint` runs it) fail when the committed copy is stale.
import { readFileSync, writeFileSync } from "node:fs";
import { relative } from "node:path";

/**
 * @param {string} tool generator name, for messages
 * @param {string} root package root
 * @param {string} out absolute path of the generated file
 * @param {string} text its new contents
 * @param {string} summary what it holds, e.g. "439 handlers"
 */
export function emitGenerated(tool, root, out, text, summary) {
  const file = relative(root, out);
  if ((process.argv[2] ?? "--write") === "--check") {
    let current = "";
    try {
      current = readFileSync(out, "utf8");
    } catch {}
    if (current !== text) {
      console.error(`${tool}: ${file} is stale; run \`pnpm --filter @littleguest/x86-core gen\``);
      process.exit(1);
    }
    console.log(`${tool}: ${file} up to date (${summary})`);
  } else {
    writeFileSync(out, text);
    console.log(`${tool}: wrote ${file} (${summary})`);
  }
}
