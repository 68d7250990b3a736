/**
 * Part (iii): the Guest's page-table hypercalls (guest_set_pte, guest_set_pgd, PAE set_pmd),
 * lguest-abi.md §6.6 and mmu-strategies.md §1.3.
 */
import { PTE_A, PTE_D, PTE_P, PTE_RW, PTE_US } from "@littleguest/mmu";
import { describe, expect, it } from "vitest";
import { buildWorld, G, kl, L, type World } from "./shadow-world.test-helper.js";

const READ = 0;
const WRITE = 1;
const FLAGS = 0xfff;
const USER_RW = PTE_P | PTE_RW | PTE_US;

/** LRU world where A (slot 1) and B (slot 2) both shadow kl(0x30000) and their user page; A current. */
function twoSpaces(): { w: World; shadowA: number; shadowB: number } {
  const w = buildWorld({ victim: "lru" });
  w.access(kl(0x30000), READ, false);
  w.access(L.user, READ, true);
  w.pager.newPageTable(G.pgdirB);
  w.access(kl(0x30000), READ, false);
  w.access(L.user, READ, true);
  w.pager.newPageTable(G.pgdirA);
  const slots = w.pager.inspect().slots;
  return { w, shadowA: slots[1]!.shadow!, shadowB: slots[2]!.shadow! };
}

describe("setPte", () => {
  it("kernel address → applied to every cached pgdir", () => {
    const { w, shadowA, shadowB } = twoSpaces();
    const pte = G.spare | PTE_P | PTE_RW | PTE_A | PTE_D;
    w.writeGuest(G.kernelPt + 0x30 * 4, pte);
    w.pager.setPte(G.pgdirB, kl(0x30000), pte, 0);
    for (const dir of [shadowA, shadowB]) {
      const spte = w.spteIn(dir, kl(0x30000));
      expect([spte & ~FLAGS, spte & PTE_RW]).toEqual([w.memBase + G.spare, PTE_RW]);
    }
    // The old page lost both shadow references; the new one gained two.
    expect(w.allocator.refCount((w.memBase + 0x30000) / 4096)).toBe(1);
    expect(w.allocator.refCount((w.memBase + G.spare) / 4096)).toBe(3);
  });

  it("user address → applied only to the pgdir it names", () => {
    const { w, shadowA, shadowB } = twoSpaces();
    const pte = G.spare | USER_RW | PTE_A;
    w.pager.setPte(G.pgdirB, L.user, pte, 0);
    expect(w.spteIn(shadowB, L.user) & ~FLAGS).toBe(w.memBase + G.spare);
    expect(w.spteIn(shadowA, L.user) & ~FLAGS).toBe(w.memBase + G.dataA);
  });

  it("user address of an uncached pgdir → nothing changes", () => {
    const { w, shadowA, shadowB } = twoSpaces();
    const before = [w.spteIn(shadowA, L.user), w.spteIn(shadowB, L.user)];
    w.pager.setPte(G.pgdirE, L.user, G.spare | USER_RW | PTE_A | PTE_D, 0);
    expect([w.spteIn(shadowA, L.user), w.spteIn(shadowB, L.user)]).toEqual(before);
    expect(w.killed).toEqual([]);
  });

  it("Accessed set → installed at once, read-only while not Dirty; the next read needs no Host", () => {
    const w = buildWorld();
    w.access(L.user, READ, true);
    const pte = G.spare | USER_RW | PTE_A;
    w.writeGuest(G.userPtA, pte);
    w.pager.setPte(G.pgdirA, L.user, pte, 0);
    expect(w.spte(L.user) & (PTE_P | PTE_RW)).toBe(PTE_P);
    expect(w.access(L.user, READ, true)).toEqual({ pa: w.memBase + G.spare, fault: -1, fixed: 0 });
    expect(w.access(L.user, WRITE, true).fixed).toBe(1);
  });

  it("Dirty set → installed writable; a write needs no Host", () => {
    const w = buildWorld();
    w.access(L.user, READ, true);
    const pte = G.spare | USER_RW | PTE_A | PTE_D;
    w.writeGuest(G.userPtA, pte);
    w.pager.setPte(G.pgdirA, L.user, pte, 0);
    expect(w.access(L.user, WRITE, true)).toEqual({ pa: w.memBase + G.spare, fault: -1, fixed: 0 });
  });

  it("neither Accessed nor Dirty → shadow PTE zeroed and its page reference dropped", () => {
    const w = buildWorld();
    w.access(L.user, WRITE, true);
    const pte = G.spare | USER_RW;
    w.writeGuest(G.userPtA, pte);
    w.pager.setPte(G.pgdirA, L.user, pte, 0);
    expect(w.spte(L.user)).toBe(0);
    expect(w.allocator.refCount((w.memBase + G.dataA) / 4096)).toBe(1);
    expect(w.access(L.user, READ, true)).toEqual({ pa: w.memBase + G.spare, fault: -1, fixed: 1 });
  });

  it("mapping removed (0) → the next access is the Guest's fault", () => {
    const w = buildWorld();
    w.access(L.user, READ, true);
    w.writeGuest(G.userPtA, 0);
    w.pager.setPte(G.pgdirA, L.user, 0, 0);
    expect(w.access(L.user, READ, true).fault).toBeGreaterThanOrEqual(0);
  });

  it("no shadow table for the address yet → nothing installed, nothing allocated", () => {
    const w = buildWorld();
    const inUse = w.allocator.inUse;
    w.pager.setPte(G.pgdirA, L.user, G.spare | USER_RW | PTE_A | PTE_D, 0);
    expect([w.spgd(L.user >>> 22), w.allocator.inUse]).toEqual([0, inUse]);
  });
});

describe("setPgd", () => {
  it("cached pgdir → that shadow slot released, its table freed and references dropped", () => {
    const w = buildWorld();
    w.access(L.user, WRITE, true);
    const inUse = w.allocator.inUse;
    w.pager.setPgd(G.pgdirA, L.user >>> 22, 0);
    expect(w.spgd(L.user >>> 22)).toBe(0);
    expect(w.allocator.inUse).toBe(inUse - 1);
    expect(w.allocator.refCount((w.memBase + G.dataA) / 4096)).toBe(1);
  });

  it("uncached pgdir → nothing happens", () => {
    const w = buildWorld();
    w.access(L.user, WRITE, true);
    const spgd = w.spgd(L.user >>> 22);
    w.pager.setPgd(G.pgdirE, L.user >>> 22, 0);
    expect(w.spgd(L.user >>> 22)).toBe(spgd);
  });
});

describe("setPmd", () => {
  it("on this 2-level Host → a clear_all", () => {
    const w = buildWorld();
    w.access(kl(0x30000), READ, false);
    w.pager.setPmd(G.pgdirA, 0, 0);
    expect(w.spgd(kl(0x30000) >>> 22)).toBe(0);
    expect(w.pager.shadowCounters().clearAlls).toBe(1);
    expect(w.pager.counters().exits.setPmd).toBe(1);
  });
});
