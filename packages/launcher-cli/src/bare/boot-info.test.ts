import { describe, expect, it } from "vitest";
import { kernelCommandLine, placeKernel, writeBootInfo } from "./boot-info.js";
import { readMultibootKernel } from "./multiboot.js";
import { bytes, concat, multibootHeader, tinyElf } from "./tiny-elf.testkit.js";

const MiB = 1024 * 1024;

function ram(size: number) {
  const u8 = new Uint8Array(size);
  return { size, u8, view: new DataView(u8.buffer) };
}

function cString(u8: Uint8Array, at: number): string {
  const end = u8.indexOf(0, at);
  return new TextDecoder().decode(u8.subarray(at, end));
}

describe("writeBootInfo: the multiboot information structure (spec 0.6.96 §3.3)", () => {
  const m = ram(64 * MiB);
  const info = writeBootInfo(m, kernelCommandLine("demo.elf", "console=ttyS0 debug"));
  const u32 = (offset: number) => m.view.getUint32(info + offset, true);

  it("flags: mem_* (0), boot_device (1), cmdline (2), mods (3), mmap (6), boot_loader_name (9)", () => {
    expect(u32(0)).toBe((1 << 0) | (1 << 1) | (1 << 2) | (1 << 3) | (1 << 6) | (1 << 9));
  });

  it("mem_lower at offset 4 is 640 KiB; mem_upper at offset 8 is KiB above 1 MiB", () => {
    expect(u32(4)).toBe(640);
    expect(u32(8)).toBe(64 * 1024 - 1024);
  });

  it("cmdline at offset 16 is the file name, a space, then the --append text, NUL-terminated", () => {
    expect(cString(m.u8, u32(16))).toBe("demo.elf console=ttyS0 debug");
  });

  it("mods_count at offset 20 is 0", () => {
    expect(u32(20)).toBe(0);
  });

  it("boot_loader_name at offset 64 is 'littleguest'", () => {
    expect(cString(m.u8, u32(64))).toBe("littleguest");
  });

  it("mmap_length (44) / mmap_addr (48): entries of size 20 + the size field, RAM, the PC hole, RAM above 1 MiB", () => {
    const length = u32(44);
    const addr = u32(48);
    const entries: { size: number; base: bigint; len: bigint; type: number }[] = [];
    // Walk it the way the spec tells a kernel to: the size field does not count itself.
    for (let at = addr; at < addr + length; at += m.view.getUint32(at, true) + 4) {
      entries.push({
        size: m.view.getUint32(at, true),
        base: m.view.getBigUint64(at + 4, true),
        len: m.view.getBigUint64(at + 12, true),
        type: m.view.getUint32(at + 20, true),
      });
    }
    expect(entries).toEqual([
      { size: 20, base: 0n, len: 0x9fc00n, type: 1 },
      { size: 20, base: 0x9fc00n, len: 0x100000n - 0x9fc00n, type: 2 },
      { size: 20, base: 0x100000n, len: BigInt(64 * MiB - 0x100000), type: 1 },
    ]);
  });

  it("everything the structure points at lies in low memory, below 1 MiB and in the mmap's first RAM range", () => {
    for (const p of [info, u32(16), u32(48), u32(64)]) expect(p).toBeLessThan(0x9fc00);
  });
});

describe("kernelCommandLine", () => {
  it("without --append → file name and a trailing space, as QEMU's \"%s %s\"", () => {
    expect(kernelCommandLine("k.elf", "")).toBe("k.elf ");
  });
});

describe("writeBootInfo: limits", () => {
  it("a command line longer than the boot area → usage error asking to shorten --append", () => {
    expect(() => writeBootInfo(ram(4 * MiB), "x".repeat(40000))).toThrow(expect.objectContaining({ code: "usage", message: expect.stringMatching(/--append/) }));
  });
});

describe("placeKernel", () => {
  it("copies file bytes to p_paddr and zeroes the bss up to p_memsz, even over old RAM contents", () => {
    const body = Uint8Array.of(0xde, 0xad, 0xbe, 0xef);
    const data = concat(multibootHeader(3), body);
    const elf = tinyElf({ entry: 0x20000c, segments: [{ paddr: 0x200000, vaddr: 0xc0200000, data, memsz: 0x100 }] });
    const m = ram(4 * MiB);
    m.u8.fill(0x55);
    placeKernel(m, readMultibootKernel(elf, "k"));
    expect(Array.from(m.u8.subarray(0x20000c, 0x200010))).toEqual([0xde, 0xad, 0xbe, 0xef]);
    expect(m.u8.subarray(0x200010, 0x200100).every((b) => b === 0)).toBe(true);
    expect(m.u8[0x200100]).toBe(0x55);
    expect(m.u8[0x1fffff]).toBe(0x55);
  });

  it("a.out kludge: bss between load_end_addr and bss_end_addr is zeroed", () => {
    const image = concat(multibootHeader(1 << 16, [0x100000, 0x100000, 0x100030, 0x100080, 0x100020]), bytes(64, 0x90));
    const m = ram(4 * MiB);
    m.u8.fill(0x55);
    placeKernel(m, readMultibootKernel(image, "k"));
    expect(m.u8[0x10002f]).toBe(0x90); // last loaded byte (the header is 32 bytes)
    expect(m.u8.subarray(0x100030, 0x100080).every((b) => b === 0)).toBe(true);
    expect(m.u8[0x100080]).toBe(0x55);
  });
});
