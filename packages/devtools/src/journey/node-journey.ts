/**
 * The journey over a checkout: read the sources under the repository root, then write or
 * check docs/journey/. Node only (files).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { assembleJourney, extractPassages, type SourceText } from "./journey.js";

/** Where passages are looked for, relative to the repository root. */
export const JOURNEY_ROOTS: readonly string[] = ["packages", "bench/kernel/src"];
const SKIP = new Set(["node_modules", "dist", ".turbo", "prebuilt", "generated"]);
const EXT = /\.(ts|mjs|c|h|S)$/;

function sourceFiles(dir: string): string[] {
  let entries: import("node:fs").Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return SKIP.has(e.name) ? [] : sourceFiles(p);
    return EXT.test(e.name) && !/\.test(-d)?\.ts$/.test(e.name) ? [p] : [];
  });
}

/** The outcome of {@link runJourney}. */
export interface JourneyResult {
  readonly ok: boolean;
  /** One line for people (or the list of problems). */
  readonly message: string;
  readonly passages: number;
}

/**
 * Extract the tour from the sources under `root` and write docs/journey/ (`write`), or
 * compare it with what is there (`check`: any difference is a failure).
 */
export function runJourney(root: string, mode: "write" | "check"): JourneyResult {
  const sources: SourceText[] = JOURNEY_ROOTS.flatMap((r) => sourceFiles(join(root, r)))
    .sort()
    .map((f) => ({ path: relative(root, f), text: readFileSync(f, "utf8") }));
  const { passages, problems } = extractPassages(sources);
  if (problems.length > 0) return { ok: false, message: `journey: ${problems.length} problem(s):\n  ${problems.join("\n  ")}`, passages: passages.length };
  const docs = assembleJourney(passages);
  const out = join(root, "docs", "journey");
  if (mode === "write") {
    mkdirSync(out, { recursive: true });
    for (const [name, text] of docs) writeFileSync(join(out, name), text);
    return { ok: true, message: `journey: wrote ${docs.size} files to docs/journey (${passages.length} passages)`, passages: passages.length };
  }
  let present: string[] = [];
  try {
    present = readdirSync(out).filter((f) => f.endsWith(".md"));
  } catch {}
  const stale: string[] = [];
  for (const [name, text] of docs) {
    let current = "";
    try {
      current = readFileSync(join(out, name), "utf8");
    } catch {}
    if (current !== text) stale.push(name);
  }
  stale.push(...present.filter((f) => !docs.has(f)));
  if (stale.length > 0) return { ok: false, message: `journey: docs/journey is stale (${stale.join(", ")}); run \`lguest journey\` (or pnpm journey)`, passages: passages.length };
  return { ok: true, message: `journey: docs/journey up to date (${passages.length} passages)`, passages: passages.length };
}
