/**
 * The GDT fix-ups of lguest-abi.md §5.
 */
import { GDT_ENTRY_KERNEL_CS, GDT_ENTRY_TLS_MIN, GDT_ENTRY_TSS, segmentDescriptor } from "@littleguest/switcher";
import { describe, expect, it } from "vitest";
import { initialGuestGdt, loadGdtEntry, loadTls } from "./segments.js";

const dpl = (hi: number) => (hi >>> 13) & 3;
const accessed = (hi: number) => (hi >>> 8) & 1;

describe("Guest GDT entries", () => {
  it("start with flat kernel code and data at DPL 1, accessed", () => {
    const gdt = initialGuestGdt();
    const hi = gdt[GDT_ENTRY_KERNEL_CS * 2 + 1]!;
    expect([dpl(hi), accessed(hi), (hi >>> 15) & 1]).toEqual([1, 1, 1]);
  });

  it("DPL 0 becomes DPL 1 and Accessed is set; DPL 3 stays", () => {
    const gdt = initialGuestGdt();
    const d0 = segmentDescriptor(0x1000, 0xfff, 0x92, 0x4);
    const d3 = segmentDescriptor(0x1000, 0xfff, 0xf2, 0x4);
    expect(loadGdtEntry(gdt, 20, d0.lo, d0.hi)).toBe(true);
    expect(loadGdtEntry(gdt, 21, d3.lo, d3.hi)).toBe(true);
    expect([dpl(gdt[41]!), accessed(gdt[41]!), dpl(gdt[43]!)]).toEqual([1, 1, 3]);
    expect(gdt[40]).toBe(d0.lo);
  });

  it("Host-owned entries are stored but never fixed up (the Switcher never copies them)", () => {
    const gdt = initialGuestGdt();
    const d = segmentDescriptor(0, 0xfffff, 0x92, 0xc);
    loadGdtEntry(gdt, GDT_ENTRY_TSS, d.lo, d.hi);
    expect(gdt[GDT_ENTRY_TSS * 2 + 1]).toBe(d.hi);
  });

  it("an index beyond the 32 entries is refused", () => {
    expect(loadGdtEntry(initialGuestGdt(), 32, 0, 0)).toBe(false);
  });

  it("LOAD_TLS fills entries 6–8 with the fix-ups", () => {
    const gdt = initialGuestGdt();
    const d = segmentDescriptor(0xb7000000, 0xfffff, 0x92, 0xc);
    loadTls(gdt, [d.lo, d.hi, d.lo, d.hi, 0, 0]);
    expect(gdt[GDT_ENTRY_TLS_MIN * 2]).toBe(d.lo);
    expect(dpl(gdt[GDT_ENTRY_TLS_MIN * 2 + 1]!)).toBe(1);
    expect(gdt[(GDT_ENTRY_TLS_MIN + 2) * 2]).toBe(0);
  });
});
