/**
 * Counters: one scripted scenario with every count worked out by hand from lguest's
 * algorithm (LRU victims so that the slots are known), and run-to-run determinism.
 */
import { PTE_A, PTE_D, PTE_P, PTE_RW } from "@littleguest/mmu";
import { describe, expect, it } from "vitest";
import { buildWorld, G, kl, L, SPACES, type World } from "./shadow-world.test-helper.js";

const READ = 0;
const WRITE = 1;

/** The script; comments give the running totals (hidden/reflected, fills/zaps). */
function script(w: World): void {
  w.access(0x5000, READ, false); // linear: hidden 1, fill 1
  w.pager.newPageTable(G.pgdirA); // miss 1 → slot 1 (blank); release_all zaps 1; flush_user 1
  w.access(L.user, READ, true); // hidden 2, fill 2 (read-only)
  w.access(L.user, WRITE, true); // hidden 3: zap 2, fill 3 (writable)
  w.access(kl(0x30000), WRITE, false); // hidden 4, fill 4
  w.access(L.userNone, READ, true); // reflected 1
  w.access(L.userRo, WRITE, true); // reflected 2
  w.pager.newPageTable(G.pgdirB); // miss 2 → slot 2 (blank); flush_user 2
  w.access(L.user, READ, true); // hidden 5, fill 5
  w.access(kl(0x30000), READ, false); // hidden 6, fill 6 (B's kernel half was blank)
  w.pager.newPageTable(G.pgdirA); // hit 1
  w.access(L.user, WRITE, true); // already writable: no fault
  w.pager.newPageTable(G.pgdirC); // miss 3 → slot 3; flush_user 3
  w.pager.newPageTable(G.pgdirD); // miss 4 → slot 0 (linear, untagged: no eviction); flush_user 4
  w.pager.newPageTable(G.pgdirE); // miss 5 → slot 2 (B, LRU): eviction 1; flush_user 5 zaps 3
  w.access(kl(0x30000), READ, false); // kernel half kept: no fault
  w.access(L.user, READ, true); // hidden 7, fill 7
  const pte = G.spare | PTE_P | PTE_RW | PTE_A | PTE_D;
  w.writeGuest(G.kernelPt + 0x30 * 4, pte);
  w.pager.setPte(G.pgdirD, kl(0x30000), pte, 0); // slots 1 and 2 hold it: zaps 4–5, fills 8–9
  w.pager.setPte(G.pgdirE, L.user, 0, 0); // zap 6
  w.pager.setPte(G.pgdirB, L.user, 0, 0); // B no longer cached: nothing
  w.pager.flushUser(); // flush_user 6 (E's user table is empty by now)
  w.pager.flushAll(); // clear_all 1: A's user page and kernel page, E's kernel page: zaps 7–9
}

describe("counters", () => {
  it("scripted scenario → exactly the counts lguest's algorithm implies", () => {
    const w = buildWorld({ victim: "lru", boot: false });
    script(w);
    const s = w.pager.shadowCounters();
    expect({ ...s, exits: { ...s.exits }, tlbFlushes: 0, walkRefs: 0 }).toEqual({
      exits: { pageFault: 9, setPte: 3, setPgd: 0, setPmd: 0, newPageTable: 6, flushUser: 1, flushAll: 1 },
      hiddenFaults: 7,
      reflectedFaults: 2,
      shadowFills: 9,
      shadowZaps: 9,
      pgdirHits: 1,
      pgdirMisses: 5,
      pgdirEvictions: 1,
      tlbFlushes: 0,
      walkRefs: 0,
      clearAlls: 1,
      flushUsers: 6,
    });
    expect(s.tlbFlushes > 0 && s.walkRefs > 0).toBe(true);
    w.pager.guestDeath();
    expect(w.allocator.compare(w.baseline)).toEqual([]);
  });

  it("two identical runs (random victims) → identical counters, TLB figures included", () => {
    const run = () => {
      const w = buildWorld({ seed: 12345, boot: false });
      script(w);
      for (let i = 0; i < 3; i++) for (const [dir] of SPACES) w.pager.newPageTable(dir);
      return w.pager.shadowCounters();
    };
    expect(run()).toEqual(run());
  });

  it("counters() → the common set only, equal to shadowCounters() minus the extras", () => {
    const w = buildWorld();
    script(w);
    const { clearAlls: _c, flushUsers: _f, ...common } = w.pager.shadowCounters();
    expect(w.pager.counters()).toEqual(common);
  });
});
