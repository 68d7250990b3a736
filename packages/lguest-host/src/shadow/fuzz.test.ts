/**
 * Property test: random Guest page tables and random event sequences (seeded, so failures
 * replay) never throw, keep every page reference accounted for, and leave the allocator at
 * its baseline after guestDeath.
 */
import { PTE_A, PTE_D, PTE_G, PTE_P, PTE_PS, PTE_RW, PTE_US } from "@littleguest/mmu";
import { describe, expect, it } from "vitest";
import { Mulberry32 } from "./prng.js";
import { buildWorld, G, GUEST_PAGES, KERNEL, L, SPACES, type World } from "./shadow-world.test-helper.js";

const TABLE_PAGES = [G.kernelPt, G.userPtA, G.userPtB, G.userPtC, G.userPtD, G.userPtE];
const PGDIRS = SPACES.map(([dir]) => dir);

/** A Guest entry: mostly plausible, sometimes hostile. */
function randomEntry(r: Mulberry32, table: boolean, hostile: boolean): number {
  const roll = hostile ? r.below(100) : 7 + r.below(93);
  if (roll < 3) return r.nextU32() | 0;
  if (roll < 5) return ((r.below(GUEST_PAGES) * 4096) | PTE_P | PTE_PS) >>> 0;
  if (roll < 7) return ((GUEST_PAGES + r.below(64)) * 4096) | PTE_P | PTE_RW;
  if (roll < 12) return 0;
  const frame = table ? TABLE_PAGES[r.below(TABLE_PAGES.length)]! : r.below(GUEST_PAGES) * 4096;
  const flags = PTE_P | (r.nextU32() & (PTE_RW | PTE_US | PTE_A | PTE_D | (table ? 0 : PTE_G)));
  return frame | flags;
}

function randomLinear(r: Mulberry32): number {
  const roll = r.below(10);
  if (roll < 4) return (L.user + r.below(16) * 4096 + r.below(4096)) >>> 0;
  if (roll < 8) return (KERNEL + r.below(GUEST_PAGES) * 4096) >>> 0;
  if (roll < 9) return (r.below(8) << 22) + r.below(1024) * 4096;
  return r.nextU32();
}

/** Host references each Guest page should have: 1 (Launcher) + present shadow PTEs mapping it. */
function checkReferences(w: World): void {
  const base = w.memBase / 4096;
  const expected = new Int32Array(GUEST_PAGES).fill(1);
  for (const slot of w.pager.inspect().slots) {
    if (slot.shadow === null) continue;
    for (let i = 0; i < 1023; i++) {
      const pde = w.memory.read32(slot.shadow + i * 4);
      if ((pde & PTE_P) === 0) continue;
      const table = (pde & ~0xfff) >>> 0;
      expect(w.allocator.refCount(table / 4096)).toBe(1);
      for (let j = 0; j < 1024; j++) {
        const pte = w.memory.read32(table + j * 4);
        if ((pte & PTE_P) === 0) continue;
        const page = (pte >>> 12) - base;
        expect(page >= 0 && page < GUEST_PAGES).toBe(true);
        expected[page]!++;
      }
    }
  }
  for (let p = 0; p < GUEST_PAGES; p++) {
    if (w.allocator.refCount(base + p) !== expected[p]) {
      expect({ page: p, refs: w.allocator.refCount(base + p) }).toEqual({ page: p, refs: expected[p] });
    }
  }
}

function fuzz(seed: number, events: number): World {
  const r = new Mulberry32(seed);
  // Hostile lives get bad entries, bad pgdirs and bad addresses; benign ones only valid
  // (if chaotic) tables, so that long lives are exercised too.
  const hostile = r.below(2) === 0;
  const w = buildWorld({ seed, victim: r.below(2) === 0 ? "random" : "lru", boot: !hostile || r.below(4) !== 0 });
  const switcherPage = w.allocator.alloc("fuzz: switcher PTE page");
  const p = w.pager;
  for (let n = 0; n < events; n++) {
    const roll = r.below(100);
    if (roll < 15) {
      const table = r.below(3) === 0;
      const page = table ? PGDIRS[r.below(PGDIRS.length)]! : TABLE_PAGES[r.below(TABLE_PAGES.length)]!;
      const index = table ? (r.below(2) === 0 ? 1 : 768 + r.below(4)) : r.below(1024);
      // A benign Guest leaves its kernel stack's mapping alone.
      if (!hostile && (table ? index === 768 : page === G.kernelPt && index >= 0x0e && index <= 0x0f)) continue;
      w.writeGuest(page + index * 4, randomEntry(r, table, hostile));
    } else if (roll < 50) {
      const linear = randomLinear(r);
      const kind = r.below(3) as 0 | 1 | 2;
      const user = r.below(2) === 0;
      for (let t = 0; t < 3; t++) {
        if (p.translator.translate(linear, kind, user) >= 0) break;
        if (p.pageFault(linear, p.translator.faultCode) === "reflect") break;
      }
    } else if (roll < 62) {
      const linear = randomLinear(r);
      // Pages 0xE and 0xF of the kernel map are the stack (an aligned pair: one 8 KiB block).
      if (!hostile && (linear >= 0xffc00000 || linear >>> 13 === (KERNEL + 0xe000) >>> 13)) continue;
      p.setPte(PGDIRS[r.below(PGDIRS.length)]!, linear, randomEntry(r, false, hostile), 0);
    } else if (roll < 67) {
      p.setPgd(PGDIRS[r.below(PGDIRS.length)]!, r.below(1100), 0);
    } else if (roll < 80) {
      p.newPageTable(hostile && r.below(50) === 0 ? r.nextU32() : PGDIRS[r.below(PGDIRS.length)]!);
    } else if (roll < 84) {
      p.flushUser();
    } else if (roll < 86) {
      p.flushAll();
    } else if (roll < 87) {
      p.setPmd(0, 0, 0);
    } else if (roll < 91) {
      if (hostile) p.pinStack(r.below(8) === 0 ? randomLinear(r) : L.stackTop, r.below(r.below(20) === 0 ? 5 : 3));
      else p.pinStack(L.stackTop, r.below(3));
    } else if (roll < 95) {
      if (!hostile || r.below(2) === 0) p.tryGuestPa(randomLinear(r));
      else p.guestPa(randomLinear(r));
    } else if (roll < 98) {
      p.mapSwitcher(switcherPage * 4096);
    } else if (roll < 99) {
      p.clearAll();
    } else {
      p.setKernelAddress(hostile && r.below(4) === 0 ? r.nextU32() : KERNEL);
    }
    if (n % 64 === 0) checkReferences(w);
  }
  checkReferences(w);
  p.guestDeath();
  w.allocator.put(switcherPage);
  return w;
}

describe("fuzz", () => {
  it("200 seeded random lives → no throw, references accounted for, baseline after death", () => {
    let survivors = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const w = fuzz(seed, 400);
      expect(w.allocator.compare(w.baseline)).toEqual([]);
      if (w.killed.length === 0) survivors++;
    }
    // The mix must exercise long lives too, not only early kills.
    expect(survivors).toBeGreaterThan(50);
  }, 60_000); // ~1 s alone; CI runs every package's tests at once on two cores

  it("same seed → same kills and same counters", () => {
    const a = fuzz(4242, 400);
    const b = fuzz(4242, 400);
    expect([a.killed, a.pager.shadowCounters()]).toEqual([b.killed, b.pager.shadowCounters()]);
  });
});
