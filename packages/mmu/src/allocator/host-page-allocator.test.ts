import { PhysicalMemory } from "@littleguest/x86-core";
import { describe, expect, it } from "vitest";
import { HostPageAllocator } from "./host-page-allocator.js";

function setup(count = 4) {
  const memory = new PhysicalMemory(16 * 4096);
  return { memory, alloc: new HostPageAllocator(memory, 8, count) };
}

describe("HostPageAllocator", () => {
  it("alloc → pages of the region, zeroed, count 1; -1 once exhausted", () => {
    const { memory, alloc } = setup(2);
    memory.fill(8 * 4096, 2 * 4096, 0xaa);
    const a = alloc.alloc();
    const b = alloc.alloc();
    expect([a, b].sort()).toEqual([8, 9]);
    expect(memory.read32(a * 4096 + 100)).toBe(0);
    expect(memory.read32(b * 4096 + 4092)).toBe(0);
    expect([alloc.refCount(a), alloc.inUse, alloc.alloc()]).toEqual([1, 2, -1]);
  });

  it("get/put → the page is freed only when the last reference goes, then reusable", () => {
    const { alloc } = setup(1);
    const p = alloc.alloc();
    alloc.get(p);
    alloc.put(p);
    expect([alloc.refCount(p), alloc.alloc()]).toEqual([1, -1]);
    alloc.put(p);
    expect([alloc.refCount(p), alloc.inUse]).toEqual([0, 0]);
    expect(alloc.alloc()).toBe(p);
  });

  it("allocRange → lowest contiguous run; alloc skips its pages; -1 when no run fits", () => {
    const { alloc } = setup(4);
    const single = alloc.alloc(); // 8
    const run = alloc.allocRange(2, "ram");
    expect([single, run]).toEqual([8, 9]);
    expect(alloc.alloc()).toBe(11);
    expect(alloc.alloc()).toBe(-1);
    alloc.put(9);
    alloc.put(10);
    expect(alloc.allocRange(3)).toBe(-1);
    expect(alloc.allocRange(2)).toBe(9);
  });

  it("misuse → MmuError with a code: put on a free page, get on a free page, outside the region", () => {
    const { alloc } = setup(2);
    const p = alloc.alloc();
    alloc.put(p);
    expect(() => alloc.put(p)).toThrow(expect.objectContaining({ name: "MmuError", code: "PAGE_NOT_IN_USE" }));
    expect(() => alloc.get(p)).toThrow(expect.objectContaining({ code: "PAGE_NOT_IN_USE" }));
    expect(() => alloc.get(7)).toThrow(expect.objectContaining({ code: "PAGE_OUT_OF_RANGE" }));
    expect(() => alloc.put(10)).toThrow(expect.objectContaining({ code: "PAGE_OUT_OF_RANGE" }));
  });

  it("region larger than memory → BAD_REGION", () => {
    const memory = new PhysicalMemory(4 * 4096);
    expect(() => new HostPageAllocator(memory, 2, 3)).toThrow(expect.objectContaining({ code: "BAD_REGION" }));
  });

  it("leaks → every referenced page with its count and tag", () => {
    const { alloc } = setup(4);
    const a = alloc.alloc("shadow pgdir 0");
    const b = alloc.alloc();
    alloc.get(a);
    alloc.put(b);
    expect(alloc.leaks()).toEqual([{ page: a, refs: 2, tag: "shadow pgdir 0" }]);
  });

  it("snapshot/compare → empty once every count is back, else the differing pages", () => {
    const { alloc } = setup(4);
    const ram = alloc.allocRange(2, "Guest RAM");
    const base = alloc.snapshot();
    const shadow = alloc.alloc("shadow PTE page");
    alloc.get(ram);
    expect(alloc.compare(base)).toEqual([
      { page: ram, expected: 1, actual: 2, tag: "Guest RAM" },
      { page: shadow, expected: 0, actual: 1, tag: "shadow PTE page" },
    ]);
    alloc.put(ram);
    alloc.put(shadow);
    expect(alloc.compare(base)).toEqual([]);
  });
});
