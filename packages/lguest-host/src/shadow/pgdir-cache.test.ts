/**
 * Part (iv): switching page tables, the four-slot pgdir cache and linear_pages boot mode
 * (lguest-abi.md §6.1, §6.5, §6.7; mmu-strategies.md §1.4).
 */
import { describe, expect, it } from "vitest";
import { Mulberry32 } from "./prng.js";
import { buildWorld, G, kl, L, SPACES } from "./shadow-world.test-helper.js";

const READ = 0;
const WRITE = 1;

/** Switch through the five address spaces `rounds` times; the current slot after each switch. */
function slotTrace(seed: number, rounds: number): number[] {
  const w = buildWorld({ seed });
  const out: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const [dir] of SPACES) {
      w.pager.newPageTable(dir);
      out.push(w.pager.inspect().current);
    }
  }
  return out;
}

describe("pgdir cache", () => {
  it("switch back to a cached space → hit, its user mappings still there (no fault)", () => {
    const w = buildWorld({ victim: "lru" });
    w.access(L.user, WRITE, true);
    w.pager.newPageTable(G.pgdirB);
    w.pager.newPageTable(G.pgdirA);
    expect(w.access(L.user, WRITE, true)).toEqual({ pa: w.memBase + G.dataA, fault: -1, fixed: 0 });
    const c = w.pager.counters();
    expect([c.pgdirHits, c.pgdirMisses, c.pgdirEvictions]).toEqual([1, 2, 0]);
  });

  it("random victims → same seed, same victims", () => {
    expect(slotTrace(7, 4)).toEqual(slotTrace(7, 4));
  });

  it("random victims → some seeds choose differently", () => {
    const traces = new Set([1, 2, 3, 4, 5, 6].map((s) => slotTrace(s, 4).join(",")));
    expect(traces.size).toBeGreaterThan(1);
  });

  it("random victims → the slot chosen is the seeded generator's draw modulo 4", () => {
    // From linear mode the first switch is forced into a new slot: draw #1 picks it.
    const w = buildWorld({ seed: 99, boot: false });
    w.pager.newPageTable(G.pgdirA);
    expect(w.pager.inspect().current).toBe(new Mulberry32(99).below(4));
  });

  it("LRU → the least recently used slot is evicted, never the current one", () => {
    const w = buildWorld({ victim: "lru" });
    // Slot 0 is the linear boot space; A went to slot 1 (never used before).
    for (const dir of [G.pgdirB, G.pgdirC, G.pgdirD]) w.pager.newPageTable(dir);
    let slots = w.pager.inspect().slots.map((s) => s.gpgdir);
    expect(slots).toEqual([G.pgdirD, G.pgdirA, G.pgdirB, G.pgdirC]);
    w.pager.newPageTable(G.pgdirE);
    slots = w.pager.inspect().slots.map((s) => s.gpgdir);
    expect(slots).toEqual([G.pgdirD, G.pgdirE, G.pgdirB, G.pgdirC]);
    w.pager.newPageTable(G.pgdirC); // hit: C becomes the most recent
    w.pager.newPageTable(G.pgdirA); // evicts B (slot 2), the oldest now
    slots = w.pager.inspect().slots.map((s) => s.gpgdir);
    expect(slots).toEqual([G.pgdirD, G.pgdirE, G.pgdirA, G.pgdirC]);
    const c = w.pager.counters();
    expect([c.pgdirHits, c.pgdirMisses, c.pgdirEvictions]).toEqual([1, 6, 2]);
  });

  it("slot reused → kernel half kept, user half flushed and its page references dropped", () => {
    const w = buildWorld({ victim: "lru" });
    w.access(kl(0x30000), READ, false);
    w.access(L.user, WRITE, true);
    const shadowA = w.pager.currentShadowPgdir();
    for (const dir of [G.pgdirB, G.pgdirC, G.pgdirD, G.pgdirE]) w.pager.newPageTable(dir);
    // E reused A's slot (LRU): same shadow directory page.
    expect(w.pager.currentShadowPgdir()).toBe(shadowA);
    expect(w.spgd(L.user >>> 22)).toBe(0);
    expect(w.allocator.refCount((w.memBase + G.dataA) / 4096)).toBe(1);
    expect(w.access(kl(0x30000), READ, false)).toEqual({ pa: w.memBase + 0x30000, fault: -1, fixed: 0 });
    expect(w.access(L.user, READ, true)).toEqual({ pa: w.memBase + G.dataE, fault: -1, fixed: 1 });
    expect(w.pager.shadowCounters().flushUsers).toBe(5);
  });

  it("CR3 → always the current slot's shadow directory", () => {
    const w = buildWorld();
    for (const [dir] of SPACES) {
      w.pager.newPageTable(dir);
      expect(w.control.cr3).toBe(w.pager.currentShadowPgdir());
    }
  });
});

describe("linear_pages boot mode", () => {
  it("before the first newPageTable → identity mappings of Guest RAM, write-protected until written", () => {
    const w = buildWorld({ boot: false });
    expect(w.pager.linearMode).toBe(true);
    const view = w.pager.inspect();
    expect(view.slots.map((s) => [s.gpgdir, s.shadow !== null])).toEqual([
      [null, true],
      [null, false],
      [null, false],
      [null, false],
    ]);
    expect(w.access(0x5123, READ, false)).toEqual({ pa: w.memBase + 0x5123, fault: -1, fixed: 1 });
    expect(w.access(0x5123, WRITE, false).fixed).toBe(1);
    expect(w.pager.guestPa(0xabcde)).toBe(0xabcde);
    // Guest memory holds no tables here, so nothing was written back.
    expect(w.readGuest(0)).toBe(0);
  });

  it("user access in linear mode → reflected (the pretend PTE is supervisor-only)", () => {
    const w = buildWorld({ boot: false });
    expect(w.access(0x5000, READ, true).fault).toBeGreaterThanOrEqual(0);
  });

  it("first newPageTable → linear entries released, Guest tables used from now on", () => {
    const w = buildWorld({ boot: false });
    w.access(0x5000, WRITE, false);
    expect(w.allocator.refCount((w.memBase + 0x5000) / 4096)).toBe(2);
    w.pager.newPageTable(G.pgdirA);
    expect(w.pager.linearMode).toBe(false);
    expect(w.allocator.refCount((w.memBase + 0x5000) / 4096)).toBe(1);
    expect(w.access(0x5000, READ, false).fault).toBeGreaterThanOrEqual(0);
    expect(w.access(kl(0x5000), READ, false).pa).toBe(w.memBase + 0x5000);
    const c = w.pager.counters();
    expect([c.pgdirMisses, c.pgdirHits, c.pgdirEvictions, c.shadowZaps]).toEqual([1, 0, 0, 1]);
  });
});
