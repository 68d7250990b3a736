/**
 * The CPU and the paging unit together never throw on garbage: random page
 * tables (2-level, PSE, PAE+NX), random code, CPL 0 and 3. Every run ends in a
 * typed exit; the page walker turns whatever it finds into a translation or a
 * #PF, and the CPU into a delivery, a #DF or a shutdown.
 */
import { PagingUnit } from "@littleguest/mmu";
import { ControlRegisters, Cpu, CR0_PG, CR0_WP, CR4_PAE, CR4_PSE, EFER_NXE, ESP, PhysicalMemory } from "@littleguest/x86-core";
import { describe, expect, it } from "vitest";

function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

const RAM = 2 << 20;

describe("random page tables and code", () => {
  it("300 machines with random tables, modes and code end in typed exits", () => {
    const next = rng(0x5eed);
    const kinds = new Map<string, number>();
    for (let k = 0; k < 300; k++) {
      const memory = new PhysicalMemory(RAM);
      for (let a = 0; a < RAM; a += 4) memory.i32[a >> 2] = next() & (k % 3 === 0 ? 0x001fffff : -1);
      const control = new ControlRegisters();
      const cpu = new Cpu({ memory, control, translator: new PagingUnit(memory, control), unclaimedPorts: "open-bus" });
      const cpl = k % 2 === 0 ? 0 : 3;
      cpu.loadFlatSegments({ cpl, codeSelector: 0x08, dataSelector: 0x10 });
      control.cr4 = (next() & 1 ? CR4_PSE : 0) | (k % 4 === 1 ? CR4_PAE : 0);
      control.efer = next() & 1 ? EFER_NXE : 0;
      control.cr3 = next() & 0x1ff000;
      control.cr0 |= CR0_PG | (next() & 1 ? CR0_WP : 0);
      cpu.translator.flush(true);
      cpu.eip = next() & 0x1fffff;
      cpu.regs[ESP] = next() & 0x1ffffc;
      cpu.idtBase = next() & 0x1fffff;
      cpu.idtLimit = 0x7ff;
      const exit = cpu.run(2000);
      kinds.set(exit.kind, (kinds.get(exit.kind) ?? 0) + 1);
    }
    expect([...kinds.keys()].every((k) => ["budget", "halt", "shutdown", "stopped", "handler", "io"].includes(k))).toBe(true);
    expect(kinds.get("shutdown") ?? 0).toBeGreaterThan(0);
  }, 120_000);
});
