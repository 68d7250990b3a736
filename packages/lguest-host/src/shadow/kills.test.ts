/**
 * Every way a Guest value kills the Guest, with lguest's reason, and that nothing leaks:
 * after guestDeath the allocator is back to its baseline (lguest-abi.md §6.2–6.6, §4.7, §7.3).
 */
import { PTE_A, PTE_D, PTE_P, PTE_PS, PTE_RW, PTE_US } from "@littleguest/mmu";
import { PF_U, PF_W } from "@littleguest/x86-core";
import { describe, expect, it } from "vitest";
import { buildWorld, G, GUEST_PAGES, kl, L, type World } from "./shadow-world.test-helper.js";

const USER_RW = PTE_P | PTE_RW | PTE_US;

interface KillCase {
  readonly name: string;
  readonly reason: string;
  readonly boot?: boolean;
  run(w: World): void;
}

const CASES: readonly KillCase[] = [
  {
    name: "Guest PTE with PSE",
    reason: "bad page table entry",
    run: (w) => {
      w.writeGuest(G.userPtA, G.dataA | USER_RW | PTE_PS);
      expect(w.pager.pageFault(L.user, PF_U)).toBe("reflect");
    },
  },
  {
    name: "Guest PTE frame at pfn_limit",
    reason: "bad page table entry",
    run: (w) => {
      w.writeGuest(G.userPtA, (GUEST_PAGES * 4096) | USER_RW);
      expect(w.pager.pageFault(L.user, PF_U)).toBe("reflect");
    },
  },
  {
    name: "setPte installing a PTE beyond pfn_limit",
    reason: "bad page table entry",
    run: (w) => {
      w.access(L.user, 0, true);
      w.pager.setPte(G.pgdirA, L.user, 0xfffff000 | USER_RW | PTE_A, 0);
    },
  },
  {
    name: "linear mode past the end of Guest RAM",
    reason: "bad page table entry",
    boot: false,
    run: (w) => {
      expect(w.pager.pageFault(GUEST_PAGES * 4096, PF_W)).toBe("reflect");
    },
  },
  {
    name: "Guest PDE with PSE (a 4 MiB page)",
    reason: "bad page directory entry",
    run: (w) => {
      w.writeGuest(G.pgdirA + 4, G.userPtA | USER_RW | PTE_PS);
      w.pager.setPgd(G.pgdirA, 1, 0);
      expect(w.pager.pageFault(L.user, PF_U)).toBe("reflect");
    },
  },
  {
    name: "Guest PDE with a table beyond pfn_limit",
    reason: "bad page directory entry",
    run: (w) => {
      w.writeGuest(G.pgdirA + 4, (GUEST_PAGES * 4096) | USER_RW);
      w.pager.setPgd(G.pgdirA, 1, 0);
      expect(w.pager.pageFault(L.user, PF_U)).toBe("reflect");
    },
  },
  {
    name: "Guest PDE with Global set",
    reason: "bad page directory entry",
    run: (w) => {
      w.writeGuest(G.pgdirA + 4, G.userPtA | USER_RW | 0x100);
      w.pager.setPgd(G.pgdirA, 1, 0);
      expect(w.pager.pageFault(L.user, PF_U)).toBe("reflect");
    },
  },
  {
    name: "demand fault in the Switcher's 4 MiB",
    reason: "attempt to access switcher pages",
    run: (w) => {
      expect(w.pager.pageFault(0xffc01000, 0)).toBe("reflect");
    },
  },
  {
    name: "setPte in the Switcher's 4 MiB",
    reason: "attempt to access switcher pages",
    run: (w) => w.pager.setPte(G.pgdirA, 0xffc00000, 0x1000 | PTE_P | PTE_A, 0),
  },
  {
    name: "pageWritable in the Switcher's 4 MiB",
    reason: "attempt to access switcher pages",
    run: (w) => {
      expect(w.pager.pageWritable(0xfffff000)).toBe(false);
    },
  },
  {
    name: "stack page the Guest does not map",
    reason: "bad stack page 0x7fffff",
    run: (w) => w.pager.pinStack(0x00800000, 1),
  },
  {
    name: "second stack page read-only",
    reason: "bad stack page 0xc000efff",
    run: (w) => {
      w.writeGuest(G.kernelPt + 0x0e * 4, 0xe000 | PTE_P);
      w.pager.pinStack(L.stackTop, 2);
    },
  },
  {
    name: "more than two stack pages",
    reason: "bad stack pages",
    run: (w) => w.pager.pinStack(L.stackTop, 3),
  },
  {
    name: "guestPa of an unmapped address",
    reason: "Bad address 0x403000",
    run: (w) => {
      expect(w.pager.guestPa(L.userNone)).toBe(-1);
    },
  },
  {
    name: "page directory outside Guest RAM",
    reason: `bad read address 0x${(GUEST_PAGES * 4096 + 4).toString(16)} len 4`,
    run: (w) => {
      w.pager.newPageTable(GUEST_PAGES * 4096);
      expect(w.pager.pageFault(L.user, 0)).toBe("reflect");
    },
  },
  {
    name: "kernel address inside the Switcher",
    reason: "bad kernel address 0xffe00000",
    run: (w) => w.pager.setKernelAddress(0xffe00000),
  },
];

describe("kill paths", () => {
  for (const k of CASES) {
    it(`${k.name} → kill '${k.reason}', then guestDeath leaves no page reference behind`, () => {
      const w = buildWorld({ boot: k.boot ?? true });
      w.pager.pinStack(L.stackTop, 0);
      w.access(kl(0x30000), 1, false);
      w.access(L.user, 1, true);
      k.run(w);
      expect(w.killed[0]).toBe(k.reason);
      w.pager.guestDeath();
      expect(w.allocator.compare(w.baseline)).toEqual([]);
    });
  }

  it("bad Guest PDE while its shadow slot is still filled → not checked until the slot is refilled (as lguest)", () => {
    const w = buildWorld();
    w.access(L.user, 0, true);
    w.writeGuest(G.pgdirA + 4, G.userPtA | USER_RW | PTE_PS);
    expect(w.pager.pageFault(L.user, PF_U | PF_W)).toBe("fixed");
    expect(w.killed).toEqual([]);
  });

  it("after a kill → Guest-driven hooks do nothing, faults are reflected, nothing allocated", () => {
    const w = buildWorld();
    w.pager.pageFault(0xffc00000, 0);
    const inUse = w.allocator.inUse;
    expect(w.pager.pageFault(L.user, PF_U)).toBe("reflect");
    w.pager.setPte(G.pgdirA, kl(0x5000), 0x5000 | PTE_P | PTE_A | PTE_D, 0);
    w.pager.newPageTable(G.pgdirB);
    w.pager.pinStack(L.stackTop, 2);
    expect([w.allocator.inUse, w.killed.length]).toEqual([inUse, 1]);
    expect(w.pager.counters().exits.pageFault).toBe(2);
  });
});
