import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { makeSymbolizer, readElfSymbols } from "./elf-symbols.js";

const guestElf = createRequire(import.meta.url).resolve("@littleguest/guest-kernel/prebuilt/guest.elf");

describe("readElfSymbols against nm", () => {
  it("finds every function and object symbol nm lists for the Guest kernel, at nm's addresses", () => {
    const syms = readElfSymbols(readFileSync(guestElf))!;
    const nm = execFileSync("nm", ["--defined-only", guestElf], { encoding: "utf8" })
      .trim()
      .split("\n")
      .map((l) => l.split(" "))
      .filter(([, t]) => /[TtDdBbRr]/.test(t!));
    expect(nm.length).toBeGreaterThan(50);
    for (const [addr, , name] of nm) {
      expect(syms.find((s) => s.name === name && s.address === Number.parseInt(addr!, 16)), name).toBeDefined();
    }
    const sym = makeSymbolizer(syms);
    const [addr, , name] = nm.find(([, t]) => t === "T")!;
    expect(sym(Number.parseInt(addr!, 16))).toBe(name);
    expect(sym(Number.parseInt(addr!, 16) + 3)).toBe(`${name}+0x3`);
  });
  it("is null for a non-ELF file and empty for one without a symbol table", () => {
    expect(readElfSymbols(new Uint8Array(64))).toBeNull();
    const stripped = new Uint8Array(readFileSync(guestElf));
    stripped.fill(0, 32, 36); // e_shoff = 0: no section headers
    expect(readElfSymbols(stripped)).toEqual([]);
  });
});
