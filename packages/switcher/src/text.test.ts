/**
 * The Switcher's machine code, checked against GNU objdump (binutils) as the reference
 * disassembler: what the CPU will execute is what lguest's switch_to_guest does, in order.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stubCode, switchToGuestCode } from "./text.js";

function disassemble(bytes: number[]): string[] {
  const file = join(mkdtempSync(join(tmpdir(), "switcher-")), "code.bin");
  writeFileSync(file, Uint8Array.from(bytes));
  const out = execFileSync("objdump", ["-D", "-b", "binary", "-m", "i386", "-M", "intel", file], { encoding: "utf8" });
  return out
    .split("\n")
    .filter((l) => /^\s+[0-9a-f]+:\t/.test(l))
    .map((l) => l.split("\t")[2]!.replace(/\s+/g, " ").trim());
}

describe("Switcher text", () => {
  it("switch_to_guest disassembles to lguest's entry sequence", () => {
    expect(disassemble(switchToGuestCode())).toEqual([
      "lea esp,[eax+0xfb8]",
      "lgdtd [eax+0x101a]",
      "lidtd [eax+0x1014]",
      "mov edx,0x80",
      "ltr dx",
      "mov cr3,ebx",
      "pop eax",
      "pop ebx",
      "pop ecx",
      "pop edx",
      "pop esi",
      "pop edi",
      "pop ebp",
      "pop gs",
      "pop fs",
      "pop ds",
      "pop es",
      "add esp,0x8",
      "iret",
    ]);
  });

  it("stubs push a zero error code only where the CPU pushes none, then the vector", () => {
    expect(disassemble(stubCode(3))).toEqual(["push 0x0", "push 0x3", "ud2"]);
    expect(disassemble(stubCode(14))).toEqual(["push 0xe", "ud2"]);
    expect(disassemble(stubCode(0x80))).toEqual(["push 0x0", "push 0x80", "ud2"]);
  });
});
