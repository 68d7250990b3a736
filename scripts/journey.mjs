// Assembles the guided tour: every `/*X:NNN … :*/` passage in the sources, in reading order,
// into docs/journey/ (one chapter per letter, and an index). HOUSE_STYLE 12: P overview,
// C x86-core, T translation/mmu, S switcher, H lguest-host, L launcher, G guest, D devtools,
// M mastery. `node scripts/journey.mjs [--write|--check]`: --check (run by `lint`) fails on a
// duplicate number, a passage that does not close, or a stale docs/journey/.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "docs", "journey");
const ROOTS = ["packages", "bench/kernel/src"];
const SKIP = new Set(["node_modules", "dist", ".turbo", "prebuilt", "generated"]);
const EXT = /\.(ts|mjs|c|h|S)$/;

const CHAPTERS = [
  ["P", "overview", "The overview"],
  ["C", "cpu", "The processor (x86-core)"],
  ["T", "translation", "Translation and memory (mmu)"],
  ["S", "switcher", "The Switcher"],
  ["H", "host", "The Host (lguest-host)"],
  ["L", "launcher", "The Launcher and the bare machine"],
  ["G", "guest", "The Guest"],
  ["D", "devtools", "Looking inside (devtools)"],
  ["M", "mastery", "Mastery: known limits and what could come next"],
];

function files(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return SKIP.has(e.name) ? [] : files(p);
    return EXT.test(e.name) && !/\.test(-d)?\.ts$/.test(e.name) ? [p] : [];
  });
}

const problems = [];
const passages = [];
for (const file of ROOTS.flatMap((r) => files(join(root, r))).sort()) {
  const text = readFileSync(file, "utf8");
  const re = /\/\*([A-Z]):(\d{3})\s([\s\S]*?)(:\*\/|\*\/)/g;
  for (const m of text.matchAll(re)) {
    const where = `${relative(root, file)}:${text.slice(0, m.index).split("\n").length}`;
    if (m[4] !== ":*/") {
      problems.push(`${where}: passage ${m[1]}:${m[2]} ends with */ instead of :*/`);
      continue;
    }
    if (!CHAPTERS.some(([l]) => l === m[1])) {
      problems.push(`${where}: unknown chapter letter ${m[1]}`);
      continue;
    }
    const body = m[3]
      .split("\n")
      .map((l) => l.replace(/^\s*\*( |$)/, "").trimEnd())
      .join("\n")
      .trim();
    passages.push({ letter: m[1], number: Number(m[2]), body, where });
  }
}
const seen = new Map();
for (const p of passages) {
  const key = `${p.letter}:${p.number}`;
  if (seen.has(key)) problems.push(`duplicate passage ${key}: ${seen.get(key)} and ${p.where}`);
  else seen.set(key, p.where);
}

const docs = new Map();
const index = ["# The littleguest journey", "", "A guided tour of the whole system, assembled from the `/*X:NNN … :*/` passages in the", "sources by `node scripts/journey.mjs`. Read the chapters in order; each passage names the file it", "comes from, so you can read the code around it.", ""];
for (const [letter, slug, title] of CHAPTERS) {
  const mine = passages.filter((p) => p.letter === letter).sort((a, b) => a.number - b.number);
  if (mine.length === 0) continue;
  const name = `${letter.toLowerCase()}-${slug}.md`;
  index.push(`${index.length - 5}. [${title}](${name}) — ${mine.length} passage${mine.length === 1 ? "" : "s"}`);
  const lines = [`# ${title}`, ""];
  for (const p of mine) lines.push(`## ${letter}:${p.number}`, "", p.body, "", `<sub>${p.where.replace(/:\d+$/, "")}</sub>`, "");
  docs.set(name, `${lines.join("\n").trimEnd()}\n`);
}
docs.set("README.md", `${index.join("\n")}\n`);

if (problems.length > 0) {
  console.error(`journey: ${problems.length} problem(s):\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
const check = (process.argv[2] ?? "--write") === "--check";
let stale = [];
if (check) {
  let present = [];
  try {
    present = readdirSync(out).filter((f) => f.endsWith(".md"));
  } catch {}
  for (const [name, text] of docs) {
    let current = "";
    try {
      current = readFileSync(join(out, name), "utf8");
    } catch {}
    if (current !== text) stale.push(name);
  }
  stale = stale.concat(present.filter((f) => !docs.has(f)));
  if (stale.length > 0) {
    console.error(`journey: docs/journey is stale (${stale.join(", ")}); run \`node scripts/journey.mjs\``);
    process.exit(1);
  }
  console.log(`journey: docs/journey up to date (${passages.length} passages)`);
} else {
  mkdirSync(out, { recursive: true });
  for (const [name, text] of docs) writeFileSync(join(out, name), text);
  console.log(`journey: wrote ${docs.size} files to docs/journey (${passages.length} passages)`);
}
