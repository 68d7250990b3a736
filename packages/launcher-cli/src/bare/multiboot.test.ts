import { describe, expect, it } from "vitest";
import { checkKernelFits, findMultibootHeader, readMultibootKernel } from "./multiboot.js";
import { bytes, concat, multibootHeader, tinyElf } from "./tiny-elf.testkit.js";

const MiB = 1024 * 1024;
const MB_MEMORY_INFO = 1 << 1;
const MB_VIDEO = 1 << 2;
const MB_AOUT = 1 << 16;

/** An ELF kernel whose first segment starts with a multiboot header (flags 0x3 by default). */
function elfKernel(opts: { flags?: number; entry?: number; vaddr?: number; paddr?: number; memsz?: number; body?: Uint8Array } = {}) {
  const paddr = opts.paddr ?? 0x100000;
  const data = concat(multibootHeader(opts.flags ?? 3), opts.body ?? Uint8Array.of(0xfa, 0xf4));
  return tinyElf({
    entry: opts.entry ?? paddr + 12,
    segments: [{ paddr, vaddr: opts.vaddr ?? paddr, data, memsz: opts.memsz ?? data.length }],
  });
}

describe("findMultibootHeader (spec §3.1)", () => {
  it("magic at a 32-bit aligned offset with a good checksum → found there", () => {
    const image = concat(bytes(64), multibootHeader(MB_MEMORY_INFO));
    expect(findMultibootHeader(image, "k").offset).toBe(64);
  });

  it("magic at an unaligned offset → not a multiboot kernel", () => {
    const image = concat(bytes(62), multibootHeader(0), bytes(2));
    expect(() => findMultibootHeader(image, "k")).toThrow(expect.objectContaining({ code: "not-multiboot" }));
  });

  it("header beyond the first 8192 bytes → not found", () => {
    const image = concat(bytes(8192), multibootHeader(0));
    expect(() => findMultibootHeader(image, "k")).toThrow(/first 8192 bytes/);
  });

  it("header ending exactly at byte 8192 → found", () => {
    const image = concat(bytes(8192 - 12), multibootHeader(0));
    expect(findMultibootHeader(image, "k").offset).toBe(8180);
  });

  it("magic + flags + checksum ≠ 0 → rejected, naming the checksum", () => {
    const image = concat(bytes(16), multibootHeader(0, [], 1));
    expect(() => findMultibootHeader(image, "k")).toThrow(/checksum/);
  });

  it("a bad-checksum magic followed by a good one → the good one is used", () => {
    const image = concat(multibootHeader(0, [], 1), multibootHeader(MB_MEMORY_INFO));
    expect(findMultibootHeader(image, "k")).toMatchObject({ offset: 12, flags: MB_MEMORY_INFO });
  });
});

describe("readMultibootKernel: requirement flags (bits 0..15)", () => {
  it("flags 0 and 1 (page-align modules, memory info) → accepted without warnings", () => {
    expect(readMultibootKernel(elfKernel({ flags: 3 }), "k").warnings).toEqual([]);
  });

  it("flag 2 (video mode) → accepted with one warning, as QEMU does", () => {
    const k = readMultibootKernel(elfKernel({ flags: MB_VIDEO | 3 }), "k");
    expect(k.warnings).toHaveLength(1);
    expect(k.warnings[0]).toMatch(/video/);
  });

  it("an unknown requirement bit (bit 5) → the loader must refuse", () => {
    expect(() => readMultibootKernel(elfKernel({ flags: 1 << 5 }), "k")).toThrow(expect.objectContaining({ code: "unsupported-multiboot" }));
  });

  it("an unknown optional bit (bit 20) → ignored", () => {
    expect(readMultibootKernel(elfKernel({ flags: 1 << 20 }), "k").format).toBe("elf");
  });
});

describe("readMultibootKernel: ELF kernels (flag 16 clear)", () => {
  it("PT_LOAD segments go to p_paddr, not p_vaddr", () => {
    const k = readMultibootKernel(elfKernel({ paddr: 0x200000, vaddr: 0xc0200000, entry: 0x20000c }), "k");
    expect(k.format).toBe("elf");
    expect(k.segments[0]?.paddr).toBe(0x200000);
    expect(k.entry).toBe(0x20000c);
  });

  it("a virtual e_entry inside an executable segment with vaddr ≠ paddr → translated to physical", () => {
    const k = readMultibootKernel(elfKernel({ paddr: 0x100000, vaddr: 0xc0100000, entry: 0xc010000c }), "k");
    expect(k.entry).toBe(0x10000c);
  });

  it("memsz beyond filesz is kept for zeroing", () => {
    const k = readMultibootKernel(elfKernel({ memsz: 0x3000 }), "k");
    expect(k.segments[0]?.memsz).toBe(0x3000);
    expect(k.segments[0]?.data.length).toBe(14);
  });

  it("not ELF and no flag 16 → rejected with the fix", () => {
    const image = concat(multibootHeader(0), bytes(32));
    expect(() => readMultibootKernel(image, "k.bin")).toThrow(expect.objectContaining({ code: "bad-multiboot", message: expect.stringContaining("flag 16") }));
  });
});

describe("readMultibootKernel: a.out kludge (flag 16)", () => {
  // header at file offset 16, loaded so that the header lands at 0x100010.
  const fields = (loadEnd: number, bssEnd: number) => [0x100010, 0x100000, loadEnd, bssEnd, 0x100030];

  it("header addresses place the file from (offset − (header_addr − load_addr)) at load_addr", () => {
    const image = concat(Uint8Array.of(1, 2, 3, 4), bytes(12), multibootHeader(MB_AOUT, fields(0, 0)), bytes(32, 0x90));
    const k = readMultibootKernel(image, "k");
    expect(k.format).toBe("aout-kludge");
    expect(k.entry).toBe(0x100030);
    expect(k.segments).toHaveLength(1);
    expect(k.segments[0]?.paddr).toBe(0x100000);
    // load_end_addr 0: everything to the end of the file is loaded.
    expect(Array.from(k.segments[0]!.data.subarray(0, 4))).toEqual([1, 2, 3, 4]);
    expect(k.segments[0]?.data.length).toBe(image.length);
  });

  it("load_end_addr and bss_end_addr bound the data and the zeroed tail", () => {
    const image = concat(bytes(16), multibootHeader(MB_AOUT, fields(0x100040, 0x101000)), bytes(64, 0x90));
    const k = readMultibootKernel(image, "k");
    expect(k.segments[0]?.data.length).toBe(0x40);
    expect(k.segments[0]?.memsz).toBe(0x1000);
  });

  it("flag 16 wins over the ELF program headers (as QEMU and GRUB)", () => {
    const elf = tinyElf({ entry: 0x300000, segments: [{ paddr: 0x300000, data: concat(multibootHeader(MB_AOUT, fields(0, 0)), bytes(32)) }] });
    const k = readMultibootKernel(elf, "k");
    expect(k.segments[0]?.paddr).toBe(0x100000);
    // The header (at file offset 0x60) must land at header_addr 0x100010.
    const view = new DataView(k.segments[0]!.data.buffer, k.segments[0]!.data.byteOffset);
    expect(view.getUint32(0x10, true)).toBe(0x1badb002);
  });

  it.each([
    ["header_addr below load_addr", [0x100000, 0x100010, 0, 0, 0x100010], /header_addr/],
    ["load_end_addr below load_addr", [0x100010, 0x100000, 0xff000, 0, 0x100010], /load_end_addr/],
    ["bss_end_addr below the data", [0x100010, 0x100000, 0x100040, 0x100020, 0x100010], /bss_end_addr/],
    ["load_end_addr past the file", [0x100010, 0x100000, 0x110000, 0, 0x100010], /truncated/],
  ])("%s → bad-multiboot", (_name, f, message) => {
    const image = concat(bytes(16), multibootHeader(MB_AOUT, f as number[]), bytes(64));
    expect(() => readMultibootKernel(image, "k")).toThrow(message);
  });
});

describe("checkKernelFits", () => {
  it("a kernel at 1 MiB in 4 MiB of RAM → fits", () => {
    expect(() => checkKernelFits(readMultibootKernel(elfKernel(), "k"), 4 * MiB, "k")).not.toThrow();
  });

  it("bss reaching past the end of RAM → does-not-fit suggesting a larger --mem", () => {
    const k = readMultibootKernel(elfKernel({ memsz: 4 * MiB }), "k");
    expect(() => checkKernelFits(k, 4 * MiB, "k")).toThrow(expect.objectContaining({ code: "does-not-fit", message: expect.stringMatching(/--mem 6M/) }));
  });

  it("a segment over the PC hole 0x9FC00..0x100000 → does-not-fit", () => {
    const k = readMultibootKernel(elfKernel({ paddr: 0x9f000, memsz: 0x2000, entry: 0x9f00c }), "k");
    expect(() => checkKernelFits(k, 16 * MiB, "k")).toThrow(/PC hole/);
  });

  it("a segment over the boot information area → does-not-fit", () => {
    const k = readMultibootKernel(elfKernel({ paddr: 0x8000, memsz: 0x2000, entry: 0x800c }), "k");
    expect(() => checkKernelFits(k, 16 * MiB, "k")).toThrow(/boot information/);
  });

  it("an entry point outside every segment → bad-multiboot", () => {
    const k = readMultibootKernel(elfKernel({ entry: 0x500000 }), "k");
    expect(() => checkKernelFits(k, 16 * MiB, "k")).toThrow(/entry point/);
  });
});
