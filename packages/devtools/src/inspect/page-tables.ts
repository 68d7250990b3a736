/**
 * The Guest's page tables beside the Host's shadow tables for the same address space.
 *
 * Reference: lguest-abi.md §6 (shadow paging: a shadow PTE maps Host page mem_base + Guest
 * frame; it is writable only if the Guest PTE is writable *and* dirty, so the first write
 * faults and the Host sets D; _PAGE_GLOBAL is stripped; entries are filled on demand, so a
 * Guest PTE with no shadow yet is normal; slot 1023 is the Switcher's), SDM Vol. 3A §4.3
 * (2-level paging: PDE/PTE bits P=0, RW=1, US=2, A=5, D=6, PS=7, G=8).
 */
import type { LgCpu } from "@littleguest/lguest-host";
import { SWITCHER_PGD_INDEX } from "@littleguest/switcher";
import type { PhysicalMemory } from "@littleguest/x86-core";

/** PTE/PDE bit: present. */
export const PTE_PRESENT = 1 << 0;
/** PTE/PDE bit: writable. */
export const PTE_RW = 1 << 1;
/** PTE/PDE bit: user-accessible. */
export const PTE_USER = 1 << 2;
/** PTE/PDE bit: accessed. */
export const PTE_ACCESSED = 1 << 5;
/** PTE bit: dirty. */
export const PTE_DIRTY = 1 << 6;
/** PDE bit: a 4 MiB page (lguest's Guests may not use it). */
export const PDE_PSE = 1 << 7;
/** PTE bit: global. */
export const PTE_GLOBAL = 1 << 8;

/** How one page's Guest and shadow entries relate. */
export type PageStatus =
  /** Both present, same frame (Host page = mem_base + Guest frame) and the rights lguest gives. */
  | "same"
  /** The Guest maps it; the shadow has no entry yet (filled at the first touch). */
  | "not-shadowed"
  /** The Guest maps it writable but not dirty; the shadow maps it read-only until the first write. */
  | "write-protected-until-dirty"
  /** The shadow maps a page the Guest does not (the Guest changed a PTE without telling the Host). */
  | "stale"
  /** Both present but the frame or the rights disagree with lguest's rules. */
  | "differs";

/** Every {@link PageStatus}, in display order. */
export const PAGE_STATUSES: readonly PageStatus[] = ["same", "not-shadowed", "write-protected-until-dirty", "stale", "differs"];

/** A run of consecutive pages with the same status, the same flags and contiguous frames. */
export interface PageRange {
  /** First Guest-virtual address. */
  readonly vaddr: number;
  /** Number of 4 KiB pages. */
  readonly pages: number;
  /** What the Guest's PTE of the first page says (0: not present). */
  readonly guestPte: number;
  /** The shadow PTE of the first page (0: none). */
  readonly shadowPte: number;
  /** Guest-physical frame address of the first page, or -1. */
  readonly guestPhys: number;
  /** Host-physical frame address of the first page in the shadow, or -1. */
  readonly hostPhys: number;
  readonly status: PageStatus;
}

/** The Guest's address space beside its shadow, as {@link comparePageTables} returns it. */
export interface PageTableComparison {
  /** The pgdir-cache slot compared. */
  readonly slot: number;
  /** Guest-physical address of the Guest's page directory (null: linear_pages boot mode). */
  readonly guestPgdir: number | null;
  /** Host-physical address of the shadow directory (null: none allocated). */
  readonly shadowPgdir: number | null;
  /** Host-physical address of Guest-physical 0. */
  readonly memBase: number;
  /** Ranges in address order (the Switcher's slot is left out). */
  readonly ranges: readonly PageRange[];
  /** Pages per status. */
  readonly totals: Readonly<Record<PageStatus, number>>;
}

/** Options of {@link comparePageTables}. */
export interface CompareOptions {
  /** The pgdir-cache slot (default: the one the hardware walks now). */
  readonly slot?: number;
  /** First address to look at (default 0). */
  readonly from?: number;
  /** Address to stop before (default the Switcher, 0xFFC00000). */
  readonly to?: number;
}

/** The bits of the shadow pager's state a comparison needs (ShadowPager.inspect()). */
interface ShadowView {
  inspect(): {
    readonly slots: readonly { readonly gpgdir: number | null; readonly shadow: number | null }[];
    readonly current: number;
    readonly linearMode: boolean;
  };
}

/** Whether the Guest's MMU strategy can show its shadow tables (lguest's `shadow` can). */
export function hasShadowView(guest: LgCpu): boolean {
  return typeof (guest.mmu as unknown as Partial<ShadowView>).inspect === "function";
}

/**
 * What lguest's rules say about one page: `guest` and `shadow` are the PTEs (0 when absent),
 * `memBase` maps Guest frames to Host frames.
 */
export function classifyPage(guest: number, shadow: number, memBase: number): PageStatus | null {
  const g = (guest & PTE_PRESENT) !== 0;
  const s = (shadow & PTE_PRESENT) !== 0;
  if (!g && !s) return null;
  if (!s) return "not-shadowed";
  if (!g) return "stale";
  const frameOk = (shadow & ~0xfff) >>> 0 === (memBase + (guest & ~0xfff)) >>> 0;
  const userOk = (guest & PTE_USER) === (shadow & PTE_USER);
  if (!frameOk || !userOk || (shadow & PTE_GLOBAL) !== 0) return "differs";
  const gw = (guest & PTE_RW) !== 0;
  const sw = (shadow & PTE_RW) !== 0;
  if (sw && !(gw && (guest & PTE_DIRTY) !== 0)) return "differs";
  if (gw && !sw) return (guest & PTE_DIRTY) === 0 ? "write-protected-until-dirty" : "differs";
  return "same";
}

/*D:400 The most instructive picture of shadow paging is two page tables side by side. The
 * Guest's say what it believes; the shadow says what the hardware walks. They are never
 * equal and must never disagree: the shadow is a lazily filled, stricter copy. A page the
 * Guest maps and the shadow lacks is simply not touched yet; a writable page the Guest has
 * not dirtied is read-only in the shadow, so the first write comes to the Host, which sets
 * the dirty bit the hardware would have set. The inspector walks both tables for one slot
 * of the pgdir cache and sorts every page into those cases, plus the two that mean a bug:
 * a shadow entry the Guest no longer has (it changed a PTE without telling the Host), and
 * one whose frame or rights break the rules. :*/

/**
 * Walk the Guest's page tables and the shadow tables of one pgdir-cache slot and classify
 * every page either maps. Reads memory only (allocates the result; not for hot paths).
 * @param memory - the Host's RAM (the shadow tables are Host pages; Guest RAM starts at `guest.memBase`).
 */
export function comparePageTables(guest: LgCpu, memory: PhysicalMemory, options: CompareOptions = {}): PageTableComparison {
  const view = (guest.mmu as unknown as ShadowView).inspect();
  const slot = options.slot ?? view.current;
  const info = view.slots[slot];
  if (info === undefined) throw new RangeError(`pgdir-cache slot ${slot} does not exist (0..${view.slots.length - 1})`);
  const memBase = guest.memBase;
  const ramBytes = guest.pfnLimit * 4096;
  const linear = view.linearMode;
  const gpgdir = linear ? null : info.gpgdir;
  const spgdir = info.shadow;
  const from = Math.max(0, Math.floor((options.from ?? 0) / 4096));
  const to = Math.min(SWITCHER_PGD_INDEX * 1024, Math.ceil((options.to ?? SWITCHER_PGD_INDEX * 0x400000) / 4096));
  const guestRead = (gpa: number): number => (gpa >= 0 && gpa + 4 <= ramBytes ? memory.read32(memBase + gpa) : 0);
  const totals: Record<PageStatus, number> = { same: 0, "not-shadowed": 0, "write-protected-until-dirty": 0, stale: 0, differs: 0 };
  const ranges: PageRange[] = [];
  let open: { vaddr: number; pages: number; guestPte: number; shadowPte: number; guestPhys: number; hostPhys: number; status: PageStatus } | null = null;
  for (let pdi = from >>> 10; pdi < Math.ceil(to / 1024); pdi++) {
    const gpde = linear ? 0 : gpgdir === null ? 0 : guestRead(gpgdir + pdi * 4);
    const spde = spgdir === null ? 0 : memory.read32(spgdir + pdi * 4);
    const linearHere = linear && pdi * 0x400000 < ramBytes;
    if (!linearHere && (gpde & PTE_PRESENT) === 0 && (spde & PTE_PRESENT) === 0) {
      open = null;
      continue;
    }
    for (let pti = 0; pti < 1024; pti++) {
      const page = pdi * 1024 + pti;
      if (page < from || page >= to) continue;
      const vaddr = page * 4096;
      let g = 0;
      if (linearHere) g = vaddr < ramBytes ? (vaddr | PTE_PRESENT | PTE_RW | PTE_USER | PTE_ACCESSED | PTE_DIRTY) >>> 0 : 0;
      else if ((gpde & PTE_PRESENT) !== 0) {
        // A 4 MiB Guest page is something lguest refuses; show it as the Guest sees it.
        g = (gpde & PDE_PSE) !== 0 ? ((gpde & 0xffc00000) + pti * 4096) | (gpde & 0x1ff) : guestRead((gpde & ~0xfff) + pti * 4);
      }
      const s = (spde & PTE_PRESENT) !== 0 ? memory.read32((spde & ~0xfff) + pti * 4) : 0;
      const status = classifyPage(g, s, memBase);
      if (status === null) {
        open = null;
        continue;
      }
      totals[status]++;
      const gp = (g & PTE_PRESENT) !== 0 ? (g & ~0xfff) >>> 0 : -1;
      const hp = (s & PTE_PRESENT) !== 0 ? (s & ~0xfff) >>> 0 : -1;
      if (
        open !== null &&
        open.status === status &&
        open.vaddr + open.pages * 4096 === vaddr &&
        (open.guestPte & 0xfff & ~(PTE_ACCESSED | PTE_DIRTY)) === (g & 0xfff & ~(PTE_ACCESSED | PTE_DIRTY)) &&
        (open.shadowPte & 0xfff & ~(PTE_ACCESSED | PTE_DIRTY)) === (s & 0xfff & ~(PTE_ACCESSED | PTE_DIRTY)) &&
        (gp < 0 ? open.guestPhys < 0 : open.guestPhys + open.pages * 4096 === gp) &&
        (hp < 0 ? open.hostPhys < 0 : open.hostPhys + open.pages * 4096 === hp)
      ) {
        open.pages++;
        continue;
      }
      open = { vaddr, pages: 1, guestPte: g >>> 0, shadowPte: s >>> 0, guestPhys: gp, hostPhys: hp, status };
      ranges.push(open);
    }
  }
  return { slot, guestPgdir: gpgdir, shadowPgdir: spgdir, memBase, ranges, totals };
}

/** `rwuad`-style letters of a PTE's flags, "-" where a bit is clear ("" when not present). */
export function pteFlags(pte: number): string {
  if ((pte & PTE_PRESENT) === 0) return "";
  const f = (bit: number, c: string) => ((pte & bit) !== 0 ? c : "-");
  return `${f(PTE_RW, "w")}${f(PTE_USER, "u")}${f(PTE_ACCESSED, "a")}${f(PTE_DIRTY, "d")}${f(PTE_GLOBAL, "g")}`;
}
