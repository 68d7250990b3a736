/**
 * Part (i): demand paging, write-protect-until-dirty, Accessed/Dirty write-back, reflection.
 * Expectations come from lguest's demand_page (lguest-abi.md §6.3) and SDM Vol. 3A §4.3–4.8.
 */
import { PTE_A, PTE_D, PTE_G, PTE_P, PTE_PS, PTE_RW, PTE_US } from "@littleguest/mmu";
import { PF_P, PF_U, PF_W } from "@littleguest/x86-core";
import { describe, expect, it } from "vitest";
import { buildWorld, G, kl, L } from "./shadow-world.test-helper.js";

const READ = 0;
const WRITE = 1;
const FLAGS = 0xfff;

describe("demand_page", () => {
  it("user read of a clean RW page → hidden fault, shadow read-only, Guest PTE and PDE Accessed", () => {
    const w = buildWorld();
    const r = w.access(L.user + 0x10, READ, true);
    expect(r).toEqual({ pa: w.memBase + G.dataA + 0x10, fault: -1, fixed: 1 });
    expect(w.readGuest(G.userPtA) & (PTE_A | PTE_D)).toBe(PTE_A);
    expect(w.readGuest(G.pgdirA + (L.user >>> 22) * 4) & PTE_A).toBe(PTE_A);
    const spte = w.spte(L.user);
    expect(spte & ~FLAGS).toBe(w.memBase + G.dataA);
    expect(spte & (PTE_P | PTE_RW | PTE_US)).toBe(PTE_P | PTE_US);
  });

  it("write after a read → a second hidden fault, Guest PTE Dirty, shadow writable", () => {
    const w = buildWorld();
    w.access(L.user, READ, true);
    const r = w.access(L.user + 4, WRITE, true);
    expect(r).toEqual({ pa: w.memBase + G.dataA + 4, fault: -1, fixed: 1 });
    expect(w.readGuest(G.userPtA) & (PTE_A | PTE_D)).toBe(PTE_A | PTE_D);
    expect(w.spte(L.user) & (PTE_P | PTE_RW | PTE_D)).toBe(PTE_P | PTE_RW | PTE_D);
    // The old read-only copy was released: one reference by the Launcher, one by the shadow.
    expect(w.allocator.refCount((w.memBase + G.dataA) / 4096)).toBe(2);
    // Now the write goes through without the Host.
    expect(w.access(L.user + 8, WRITE, true).fixed).toBe(0);
  });

  it("first access a write → one hidden fault, Guest PTE Accessed and Dirty", () => {
    const w = buildWorld();
    expect(w.access(L.user, WRITE, true).fixed).toBe(1);
    expect(w.readGuest(G.userPtA) & (PTE_A | PTE_D)).toBe(PTE_A | PTE_D);
  });

  it("kernel page with Global → shadow PTE without Global (the Host has no PGE)", () => {
    const w = buildWorld();
    expect(w.access(kl(0x30000), READ, false).pa).toBe(w.memBase + 0x30000);
    expect(w.readGuest(G.kernelPt + 0x30 * 4) & (PTE_G | PTE_A)).toBe(PTE_G | PTE_A);
    expect(w.spte(kl(0x30000)) & PTE_G).toBe(0);
  });

  it("shadow PDE → flags copied from the Guest PDE, table in a Host page outside Guest RAM", () => {
    const w = buildWorld();
    w.access(L.user, READ, true);
    const spgd = w.spgd(L.user >>> 22);
    expect(spgd & (PTE_P | PTE_RW | PTE_US)).toBe(PTE_P | PTE_RW | PTE_US);
    const table = (spgd & ~FLAGS) >>> 0;
    expect(table < w.memBase || table >= w.memBase + 256 * 4096).toBe(true);
  });

  it("not-present PTE, write to read-only, user to supervisor → reflected, Guest PTE untouched", () => {
    const w = buildWorld();
    const before = [w.readGuest(G.userPtA + 4), w.readGuest(G.userPtA + 8)];
    expect(w.access(L.userNone, READ, true).fault & (PF_W | PF_U)).toBe(PF_U);
    expect(w.access(L.userRo, WRITE, true).fault & (PF_W | PF_U)).toBe(PF_W | PF_U);
    expect(w.access(L.userSup, READ, true).fault & (PF_W | PF_U)).toBe(PF_U);
    expect([w.readGuest(G.userPtA + 4), w.readGuest(G.userPtA + 8)]).toEqual(before);
    expect(w.pager.counters().reflectedFaults).toBe(3);
    expect(w.killed).toEqual([]);
  });

  it("not-present Guest PDE → reflected, no shadow table allocated", () => {
    const w = buildWorld();
    const inUse = w.allocator.inUse;
    expect(w.access(0x00800000, WRITE, false).fault & PF_P).toBe(0);
    expect(w.allocator.inUse).toBe(inUse);
  });

  it("supervisor write to a read-only page → reflected (the Host runs with CR0.WP)", () => {
    const w = buildWorld();
    expect(w.access(L.userRo, WRITE, false).fault & (PF_W | PF_U)).toBe(PF_W);
    expect(w.readGuest(G.userPtA + 4) & PTE_D).toBe(0);
  });

  it("user access under a supervisor-only Guest PDE → reflected (rights AND over both levels), supervisor fixed", () => {
    const w = buildWorld();
    w.writeGuest(G.pgdirA + 2 * 4, 0xc000 | PTE_P | PTE_RW);
    w.writeGuest(0xc000, G.dataB | PTE_P | PTE_RW | PTE_US);
    expect(w.access(0x00800000, READ, true).fault & PF_U).toBe(PF_U);
    expect(w.access(0x00800000, READ, false)).toEqual({ pa: w.memBase + G.dataB, fault: -1, fixed: 1 });
  });

  it("pageFault on an already valid entry with a stale TLB → fixed again, nothing leaked", () => {
    const w = buildWorld();
    w.access(L.user, WRITE, true);
    expect(w.pager.pageFault(L.user, PF_W | PF_U)).toBe("fixed");
    expect(w.allocator.refCount((w.memBase + G.dataA) / 4096)).toBe(2);
  });

  it("Guest PSE bit in a PTE it never touches → no kill (only shadowed entries are checked)", () => {
    const w = buildWorld();
    w.writeGuest(G.userPtA + 12, G.spare | PTE_P | PTE_PS);
    w.access(L.user, READ, true);
    expect(w.killed).toEqual([]);
  });
});
