import { describe, expect, it } from "vitest";
import { assembleJourney, extractPassages } from "./journey.js";

// Built from pieces so this file itself holds no passage markers.
const open = (x: string) => `/*${x}`;
const close = ":*/";

describe("extractPassages", () => {
  it("takes passages in number order per chapter, strips the comment decoration, and names the file and line", () => {
    const text = `x\n${open("H:120")} Second\n * line two ${close}\n${open("H:110")} First ${close}\n${open("C:100")} Cpu ${close}`;
    const { passages, problems } = extractPassages([{ path: "a.ts", text }]);
    expect(problems).toEqual([]);
    expect(passages.map((p) => [p.letter, p.number, p.body, p.where])).toEqual([
      ["H", 120, "Second\nline two", "a.ts:2"],
      ["H", 110, "First", "a.ts:4"],
      ["C", 100, "Cpu", "a.ts:5"],
    ]);
    const docs = assembleJourney(passages);
    expect([...docs.keys()]).toEqual(["c-cpu.md", "h-host.md", "README.md"]);
    expect(docs.get("h-host.md")!.indexOf("## H:110")).toBeLessThan(docs.get("h-host.md")!.indexOf("## H:120"));
    expect(docs.get("README.md")).toContain("1. [The processor (x86-core)](c-cpu.md) — 1 passage\n2. [The Host (lguest-host)](h-host.md) — 2 passages");
  });

  it("fails on a duplicate number, a missing or malformed number, a passage closed with */ and an unknown letter", () => {
    const a = `${open("D:100")} one ${close}\n${open("D:")} no number ${close}\n${open("D:12")} two digits ${close}`;
    const b = `${open("D:100")} again ${close}\n${open("S:200")} unclosed */\n${open("Q:100")} who ${close}`;
    const { problems } = extractPassages([
      { path: "a.ts", text: a },
      { path: "b.ts", text: b },
    ]);
    expect(problems).toEqual([
      "a.ts:2: passage marker /*D: has no three-digit number",
      "a.ts:3: passage marker /*D:12 has no three-digit number",
      "b.ts:2: passage S:200 ends with */ instead of :*/",
      "b.ts:3: unknown chapter letter Q",
      "duplicate passage D:100: a.ts:1 and b.ts:1",
    ]);
  });
});
