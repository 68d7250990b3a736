import { describe, expect, it } from "vitest";
import { parseElf32 } from "./elf.js";
import { bytes, tinyElf } from "./tiny-elf.testkit.js";

const code = Uint8Array.of(0xf4); // hlt

describe("parseElf32", () => {
  it("valid i386 executable → entry and program headers read from the System V layout", () => {
    const elf = tinyElf({
      entry: 0x100010,
      segments: [{ paddr: 0x100000, vaddr: 0xc0100000, data: code, memsz: 0x2000, flags: 6 }],
    });
    const image = parseElf32(elf, "k.elf");
    expect(image.entry).toBe(0x100010);
    expect(image.segments).toHaveLength(1);
    expect(image.segments[0]).toMatchObject({ type: 1, paddr: 0x100000, vaddr: 0xc0100000, filesz: 1, memsz: 0x2000, flags: 6 });
  });

  it("no \\x7fELF magic → not-elf naming the file", () => {
    expect(() => parseElf32(bytes(64, 0x90), "boot.bin")).toThrow(expect.objectContaining({ code: "not-elf", message: expect.stringContaining("boot.bin") }));
  });

  it.each([
    ["ELFCLASS64", { elfClass: 2 }, /64-bit.*-m32/],
    ["big-endian", { data: 2 }, /little-endian/],
    ["x86-64 machine", { machine: 62 }, /x86-64.*EM_386/],
    ["ARM machine", { machine: 40 }, /machine 40/],
    ["relocatable object", { type: 1 }, /relocatable.*link/],
  ])("%s → bad-elf with the fix", (_name, o, message) => {
    const elf = tinyElf({ entry: 0x100000, segments: [{ paddr: 0x100000, data: code }], ...o });
    expect(() => parseElf32(elf, "k.elf")).toThrow(expect.objectContaining({ code: "bad-elf", message: expect.stringMatching(message) }));
  });

  it("segment data past the end of the file → bad-elf truncated", () => {
    const elf = tinyElf({ entry: 0x100000, segments: [{ paddr: 0x100000, data: bytes(100) }] });
    expect(() => parseElf32(elf.subarray(0, elf.length - 10), "k.elf")).toThrow(/truncated/);
  });

  it("file shorter than an ELF header → bad-elf truncated", () => {
    expect(() => parseElf32(Uint8Array.of(0x7f, 0x45, 0x4c, 0x46, 1, 1), "k.elf")).toThrow(/truncated/);
  });

  it("p_filesz > p_memsz → bad-elf", () => {
    const elf = tinyElf({ entry: 0x100000, segments: [{ paddr: 0x100000, data: bytes(16), memsz: 8 }] });
    expect(() => parseElf32(elf, "k.elf")).toThrow(/p_filesz larger than p_memsz/);
  });

  it("only non-PT_LOAD program headers → bad-elf no loadable segment", () => {
    const elf = tinyElf({ entry: 0x100000, segments: [{ paddr: 0x100000, data: code, type: 4 }] });
    expect(() => parseElf32(elf, "k.elf")).toThrow(/no loadable/);
  });
});
