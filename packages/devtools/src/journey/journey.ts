/**
 * The journey: every `/*X:NNN … :*\/` passage of the sources, in reading order, assembled
 * into chapters (HOUSE_STYLE 12: P overview, C x86-core, T translation/mmu, S switcher,
 * H lguest-host, L launcher, G guest, D devtools, M mastery). Pure functions over file texts,
 * so the extractor runs wherever the sources can be read.
 */

/** The chapters: letter, file slug, title, in reading order. */
export const JOURNEY_CHAPTERS: readonly (readonly [string, string, string])[] = [
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

/** One passage of the tour. */
export interface Passage {
  readonly letter: string;
  readonly number: number;
  /** The text, comment decoration removed. */
  readonly body: string;
  /** `path:line` where it starts. */
  readonly where: string;
}

/** A source file as the extractor sees it. */
export interface SourceText {
  /** Path relative to the repository root (shown in the tour). */
  readonly path: string;
  readonly text: string;
}

/*D:600 The tour is written where the code is, so it cannot drift far from it, and assembled
 * by a program, so nobody has to keep a second copy in step. The extractor is strict about
 * the few things that would make the tour lie: two passages with one number (which comes
 * first?), a marker whose number is missing or malformed (where does it go?), and a passage
 * that never closes. CI runs it in check mode, so a stale docs/journey/ fails the build. :*/

/**
 * Find every passage and every problem (duplicate numbers, markers without a three-digit
 * number, passages closed with `*\/` instead of `:*\/`, unknown chapter letters).
 */
export function extractPassages(sources: readonly SourceText[]): { passages: Passage[]; problems: string[] } {
  const problems: string[] = [];
  const passages: Passage[] = [];
  const letters = new Set(JOURNEY_CHAPTERS.map(([l]) => l));
  for (const { path, text } of sources) {
    const lineOf = (index: number) => text.slice(0, index).split("\n").length;
    for (const m of text.matchAll(/\/\*([A-Z]):(\S*)/g)) {
      if (!/^\d{3}$/.test(m[2] ?? "") && letters.has(m[1]!)) {
        problems.push(`${path}:${lineOf(m.index)}: passage marker /*${m[1]}:${m[2]} has no three-digit number`);
      }
    }
    for (const m of text.matchAll(/\/\*([A-Z]):(\d{3})\s([\s\S]*?)(:\*\/|\*\/)/g)) {
      const where = `${path}:${lineOf(m.index)}`;
      if (m[4] !== ":*/") {
        problems.push(`${where}: passage ${m[1]}:${m[2]} ends with */ instead of :*/`);
        continue;
      }
      if (!letters.has(m[1]!)) {
        problems.push(`${where}: unknown chapter letter ${m[1]}`);
        continue;
      }
      const body = m[3]!
        .split("\n")
        .map((l) => l.replace(/^\s*\*( |$)/, "").trimEnd())
        .join("\n")
        .trim();
      passages.push({ letter: m[1]!, number: Number(m[2]), body, where });
    }
  }
  const seen = new Map<string, string>();
  for (const p of passages) {
    const key = `${p.letter}:${p.number}`;
    const first = seen.get(key);
    if (first !== undefined) problems.push(`duplicate passage ${key}: ${first} and ${p.where}`);
    else seen.set(key, p.where);
  }
  return { passages, problems };
}

/** The files of docs/journey/: one Markdown chapter per letter that has passages, and README.md. */
export function assembleJourney(passages: readonly Passage[]): Map<string, string> {
  const docs = new Map<string, string>();
  const intro = [
    "# The littleguest journey",
    "",
    "A guided tour of the whole system, assembled from the `/*X:NNN … :*/` passages in the",
    "sources by `node scripts/journey.mjs`. Read the chapters in order; each passage names the file it",
    "comes from, so you can read the code around it.",
    "",
  ];
  const index = [...intro];
  let chapter = 0;
  for (const [letter, slug, title] of JOURNEY_CHAPTERS) {
    const mine = passages.filter((p) => p.letter === letter).sort((a, b) => a.number - b.number);
    if (mine.length === 0) continue;
    const name = `${letter.toLowerCase()}-${slug}.md`;
    chapter++;
    index.push(`${chapter}. [${title}](${name}) — ${mine.length} passage${mine.length === 1 ? "" : "s"}`);
    const lines = [`# ${title}`, ""];
    for (const p of mine) lines.push(`## ${letter}:${p.number}`, "", p.body, "", `<sub>${p.where.replace(/:\d+$/, "")}</sub>`, "");
    docs.set(name, `${lines.join("\n").trimEnd()}\n`);
  }
  docs.set("README.md", `${index.join("\n")}\n`);
  return docs;
}
