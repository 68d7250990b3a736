/**
 * Parts (ii), (v), (vi), (vii): stack pinning, flush_user vs clear_all, the Switcher slot,
 * kernel_address at LGUEST_INIT, guest_pa and Guest death (lguest-abi.md §3.7, §4.7, §6.2,
 * §6.4).
 */
import { PTE_A, PTE_D, PTE_P, PTE_RW, PTE_US } from "@littleguest/mmu";
import { describe, expect, it } from "vitest";
import { buildWorld, G, kl, L } from "./shadow-world.test-helper.js";

const READ = 0;
const WRITE = 1;

describe("flushUser and flushAll", () => {
  it("flushUser → the current space's user half goes, the kernel half stays", () => {
    const w = buildWorld();
    w.access(L.user, READ, true);
    w.access(kl(0x30000), READ, false);
    w.pager.flushUser();
    expect(w.spgd(L.user >>> 22)).toBe(0);
    expect(w.spgd(kl(0x30000) >>> 22) & PTE_P).toBe(PTE_P);
    expect(w.access(kl(0x30000), READ, false).fixed).toBe(0);
    expect(w.access(L.user, READ, true).fixed).toBe(1);
  });

  it("flushUser → other cached spaces keep their user half", () => {
    const w = buildWorld({ victim: "lru" });
    w.access(L.user, READ, true);
    const shadowA = w.pager.currentShadowPgdir();
    w.pager.newPageTable(G.pgdirB);
    w.pager.flushUser();
    expect(w.spteIn(shadowA, L.user) & PTE_P).toBe(PTE_P);
  });

  it("flushAll → every space loses both halves; counted as one clear_all", () => {
    const w = buildWorld({ victim: "lru" });
    w.access(kl(0x30000), READ, false);
    const shadowA = w.pager.currentShadowPgdir();
    w.pager.newPageTable(G.pgdirB);
    w.access(kl(0x30000), READ, false);
    w.access(L.user, READ, true);
    w.pager.flushAll();
    expect(w.spteIn(shadowA, kl(0x30000))).toBe(0);
    expect([w.spgd(kl(0x30000) >>> 22), w.spgd(L.user >>> 22)]).toEqual([0, 0]);
    expect(w.allocator.refCount((w.memBase + 0x30000) / 4096)).toBe(1);
    const s = w.pager.shadowCounters();
    expect([s.clearAlls, s.exits.flushAll]).toEqual([1, 1]);
  });

  it("clearAll called by the Host → a clear_all that is not counted as a Guest exit", () => {
    const w = buildWorld();
    w.pager.clearAll();
    const s = w.pager.shadowCounters();
    expect([s.clearAlls, s.exits.flushAll]).toEqual([1, 0]);
  });
});

describe("stack pinning", () => {
  it("pinStack → both stack pages writable in the shadow, Guest PTEs Dirty", () => {
    const w = buildWorld();
    w.pager.pinStack(L.stackTop, 2);
    expect([w.pager.pageWritable(L.stackTop - 4), w.pager.pageWritable(L.stackTop - 4096 - 4)]).toEqual([true, true]);
    expect(w.pager.pageWritable(L.stackTop - 2 * 4096 - 4)).toBe(false);
    expect(w.readGuest(G.kernelPt + 0x0f * 4) & (PTE_A | PTE_D)).toBe(PTE_A | PTE_D);
    expect(w.readGuest(G.kernelPt + 0x0e * 4) & (PTE_A | PTE_D)).toBe(PTE_A | PTE_D);
  });

  it("pinned stack → survives flushAll, newPageTable (miss and hit) and a clear_all of other slots", () => {
    const w = buildWorld();
    w.pager.pinStack(L.stackTop, 2);
    w.pager.flushAll();
    expect(w.pager.pageWritable(L.stackTop - 4)).toBe(true);
    for (const dir of [G.pgdirB, G.pgdirC, G.pgdirA, G.pgdirD, G.pgdirE, G.pgdirB]) {
      w.pager.newPageTable(dir);
      w.pager.flushAll();
      w.pager.newPageTable(G.pgdirA);
      expect([w.pager.pageWritable(L.stackTop - 4), w.pager.pageWritable(L.stackTop - 4100)]).toEqual([true, true]);
      expect(w.pager.translator.translate(L.stackTop - 4, WRITE, false)).toBe(w.memBase + 0x10000 - 4);
    }
    expect(w.killed).toEqual([]);
  });

  it("pinPage on a page the Guest maps read-only → kill 'bad stack page 0x…'", () => {
    const w = buildWorld();
    w.writeGuest(G.kernelPt + 0x40 * 4, 0x40000 | PTE_P);
    w.pager.pinPage(kl(0x40000));
    expect(w.killed).toEqual(["bad stack page 0xc0040000"]);
  });
});

describe("the Switcher slot", () => {
  it("mapSwitcher → slot 1023 points at the Switcher's table, kernel-only, in every space switched to", () => {
    const w = buildWorld();
    const table = w.allocator.alloc("test: switcher PTE page") * 4096;
    w.pager.mapSwitcher(table);
    expect(w.spgd(1023)).toBe(table | PTE_P | PTE_RW | PTE_A);
    expect(w.spgd(1023) & PTE_US).toBe(0);
    w.pager.newPageTable(G.pgdirB);
    expect(w.spgd(1023)).toBe(table | PTE_P | PTE_RW | PTE_A);
  });

  it("clearAll, flushUser, setPgd(…, 1023) and guestDeath → the Switcher slot and its page untouched", () => {
    const w = buildWorld();
    const page = w.allocator.alloc("test: switcher PTE page");
    w.pager.mapSwitcher(page * 4096);
    w.pager.clearAll();
    w.pager.flushUser();
    w.pager.setPgd(G.pgdirA, 1023, 0);
    w.pager.setPgd(G.pgdirA, 4000, 0);
    expect(w.spgd(1023)).toBe(page * 4096 + (PTE_P | PTE_RW | PTE_A));
    w.pager.guestDeath();
    expect(w.allocator.refCount(page)).toBe(1);
    w.allocator.put(page);
    expect(w.allocator.compare(w.baseline)).toEqual([]);
    expect(w.killed).toEqual([]);
  });

  it("demand fault at 0xFFC01000 → not fixed, kill 'attempt to access switcher pages'", () => {
    const w = buildWorld();
    expect(w.pager.pageFault(0xffc01000, 0)).toBe("reflect");
    expect(w.killed).toEqual(["attempt to access switcher pages"]);
  });
});

describe("kernel address and guest_pa", () => {
  it("setKernelAddress below the Switcher, then clearAll (LGUEST_INIT) → adopted, split moves", () => {
    const w = buildWorld();
    w.access(kl(0x30000), READ, false);
    w.pager.setKernelAddress(0x80000000);
    expect([w.pager.kernelAddress, w.pager.shadowCounters().clearAlls]).toEqual([0x80000000, 0]);
    w.pager.clearAll();
    expect(w.spgd(kl(0x30000) >>> 22)).toBe(0);
    // 0xC0000000 is still kernel under the new split: flushUser keeps it.
    w.access(kl(0x30000), READ, false);
    w.pager.flushUser();
    expect(w.spgd(kl(0x30000) >>> 22) & PTE_P).toBe(PTE_P);
  });

  it("setKernelAddress at the Switcher → kill 'bad kernel address 0xffc00000', old one kept", () => {
    const w = buildWorld();
    w.pager.setKernelAddress(0xffc00000);
    expect(w.killed).toEqual(["bad kernel address 0xffc00000"]);
    expect(w.pager.kernelAddress).toBe(0xc0000000);
  });

  it("guestPa → walks the Guest's current tables", () => {
    const w = buildWorld();
    expect(w.pager.guestPa(L.user + 0x123)).toBe(G.dataA + 0x123);
    expect(w.pager.guestPa(kl(0x4567))).toBe(0x4567);
    w.pager.newPageTable(G.pgdirB);
    expect(w.pager.guestPa(L.user)).toBe(G.dataB);
    expect(w.killed).toEqual([]);
  });

  it("tryGuestPa of an unmapped address → -1, nobody killed", () => {
    const w = buildWorld();
    expect([w.pager.tryGuestPa(L.userNone), w.pager.tryGuestPa(0x00800000)]).toEqual([-1, -1]);
    expect(w.killed).toEqual([]);
  });
});

describe("guestDeath", () => {
  it("after a busy life → allocator back to the baseline; twice is harmless", () => {
    const w = buildWorld();
    w.pager.pinStack(L.stackTop, 2);
    w.access(L.user, WRITE, true);
    for (const dir of [G.pgdirB, G.pgdirC, G.pgdirD, G.pgdirE]) {
      w.pager.newPageTable(dir);
      w.access(L.user, READ, true);
      w.access(kl(0x30000), WRITE, false);
    }
    w.pager.guestDeath();
    expect(w.allocator.compare(w.baseline)).toEqual([]);
    w.pager.guestDeath();
    expect(w.allocator.compare(w.baseline)).toEqual([]);
  });

  it("hooks after death → harmless, nothing allocated or referenced", () => {
    const w = buildWorld();
    w.pager.guestDeath();
    expect(w.pager.pageFault(L.user, 0)).toBe("reflect");
    w.pager.setPte(G.pgdirA, kl(0x30000), 0x30000 | PTE_P | PTE_A, 0);
    w.pager.newPageTable(G.pgdirB);
    w.pager.pinStack(L.stackTop, 2);
    w.pager.flushUser();
    w.pager.flushAll();
    w.pager.setPmd(0, 0, 0);
    expect(w.allocator.compare(w.baseline)).toEqual([]);
  });
});
