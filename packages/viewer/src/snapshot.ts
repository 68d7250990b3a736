/**
 * One look at a running Guest, as plain data for the panels: the Host's counters, the shadow
 * pager's counters and pgdir cache, the Switcher's layout and the Guest's page tables beside
 * the shadow for a chosen range. Built in the worker between two slices of the run, read-only.
 */
import {
  comparePageTables,
  guestRegisters,
  hasShadowView,
  type PageRange,
  type PageStatus,
  pgdirCache,
  type SwitcherView,
  switcherLayout,
  trapName,
} from "@littleguest/devtools";
import type { ShadowCounters, ShadowInspection, ShadowPager } from "@littleguest/lguest-host";
import { HYPERCALL_NAMES } from "@littleguest/lguest-host/abi";
import type { GuestMachine } from "@littleguest/launcher-cli/machine";
import type { PageTableRange } from "./protocol.js";

/** Most page-table ranges a snapshot carries (the panel is for reading, not for dumps). */
export const MAX_PAGE_ROWS = 256;

/** A count with what it counts. */
export interface NamedCount {
  readonly name: string;
  readonly count: number;
}

/** The Guest's page tables beside the shadow, as far as a snapshot carries them. */
export interface PageTableView {
  /** The pgdir-cache slot compared. */
  readonly slot: number;
  /** Guest-physical address of the Guest's page directory (null: linear_pages boot mode). */
  readonly guestPgdir: number | null;
  /** Host-physical address of the shadow directory (null: none). */
  readonly shadowPgdir: number | null;
  /** The range compared. */
  readonly from: number;
  readonly to: number;
  /** The first {@link MAX_PAGE_ROWS} ranges, in address order. */
  readonly ranges: readonly PageRange[];
  /** Ranges left out after those. */
  readonly moreRanges: number;
  /** Pages per status over the whole range. */
  readonly totals: Readonly<Record<PageStatus, number>>;
}

/** Everything the panels show, at one instant of the Guest's life. */
export interface Snapshot {
  /** Instructions the CPU has retired. */
  readonly instructions: number;
  /** The Guest's virtual time in nanoseconds. */
  readonly guestTimeNs: number;
  /** Where the Guest is: its eip and ring, whether it is halted, why it died (null: alive). */
  readonly eip: number;
  readonly ring: number;
  readonly halted: boolean;
  readonly dead: string | null;
  /** Exits through the Switcher by trap (non-zero ones, in trap order) and their sum. */
  readonly exits: readonly NamedCount[];
  readonly exitTotal: number;
  /** Hypercalls by name (non-zero ones) and their sum; of those, how many came from the async ring. */
  readonly hypercalls: readonly NamedCount[];
  readonly hypercallTotal: number;
  readonly asyncHypercalls: number;
  /** Traps reflected into the Guest, virtual interrupts delivered, instructions the Host emulated. */
  readonly reflectedTraps: number;
  readonly interruptsDelivered: number;
  readonly emulatedInstructions: number;
  /** The shadow pager's counters (hidden vs reflected faults, fills, zaps, pgdir cache), or null for another MMU strategy. */
  readonly shadow: ShadowCounters | null;
  /** The pgdir cache's four slots, or null for another MMU strategy. */
  readonly pgdirs: ShadowInspection | null;
  /** The Switcher's mapping per host CPU. */
  readonly switcher: SwitcherView;
  /** The host CPU the vCPU ran on last, and its regs page (Host-physical). */
  readonly lastHostCpu: number;
  readonly regsPage: number;
  /** Guest page tables vs shadow, or null when the strategy has no shadow or the slot does not exist. */
  readonly pageTables: PageTableView | null;
  /** Host pages in use and Guest RAM in bytes. */
  readonly hostPagesInUse: number;
  readonly ramBytes: number;
}

function named(counts: readonly number[], name: (k: number) => string): NamedCount[] {
  return counts.flatMap((count, k) => (count > 0 ? [{ name: name(k), count }] : []));
}

function pageTables(machine: GuestMachine, range: PageTableRange): PageTableView | null {
  const g = machine.guest;
  if (!hasShadowView(g)) return null;
  const cache = pgdirCache(g);
  if (range.slot !== undefined && (cache === null || range.slot < 0 || range.slot >= cache.slots.length)) return null;
  const c = comparePageTables(g, machine.memory, { slot: range.slot, from: range.from, to: range.to });
  return {
    slot: c.slot,
    guestPgdir: c.guestPgdir,
    shadowPgdir: c.shadowPgdir,
    from: range.from,
    to: range.to,
    ranges: c.ranges.slice(0, MAX_PAGE_ROWS),
    moreRanges: Math.max(0, c.ranges.length - MAX_PAGE_ROWS),
    totals: c.totals,
  };
}

/*D:520 The panels never reach into the running machine from the page. The worker builds a
 * snapshot when the page asks, and it can only do so between two slices of the run: the
 * Guest is then out of the CPU, its registers are in the regs page, the shadow tables are
 * whole, and nothing moves while the inspector walks them. Every view is a read (devtools'
 * inspectors allocate their results but write nothing), so looking at a Guest never changes
 * its run: the same keystrokes give the same counters with the panels open or closed. :*/

/**
 * Look at `machine` now. Reads only; call it while the Guest is out of the CPU (between two
 * `guest.run` slices, or from the Host's `dying` observer).
 * @param range - the part of the address space the page-table view compares.
 */
export function takeSnapshot(machine: GuestMachine, range: PageTableRange): Snapshot {
  const g = machine.guest;
  const c = g.counters;
  const regs = guestRegisters(g);
  const mmu = g.mmu as unknown as Partial<Pick<ShadowPager, "shadowCounters">>;
  const exits = named(c.exits, trapName);
  const hypercalls = named(c.hypercalls, (k) => HYPERCALL_NAMES[k] ?? `#${k}`);
  return {
    instructions: g.cpu.instructions,
    guestTimeNs: g.clock.now(),
    eip: regs.regs.eip,
    ring: regs.regs.cs & 3,
    halted: regs.halted,
    dead: regs.dead,
    exits,
    exitTotal: exits.reduce((n, e) => n + e.count, 0),
    hypercalls,
    hypercallTotal: hypercalls.reduce((n, e) => n + e.count, 0),
    asyncHypercalls: c.asyncHypercalls,
    reflectedTraps: c.reflectedTraps,
    interruptsDelivered: c.interruptsDelivered,
    emulatedInstructions: c.emulatedInstructions,
    shadow: typeof mmu.shadowCounters === "function" ? { ...mmu.shadowCounters() } : null,
    pgdirs: pgdirCache(g),
    switcher: switcherLayout(machine.host.switcher, machine.memory),
    lastHostCpu: g.lastHostCpu,
    regsPage: g.regsPage,
    pageTables: pageTables(machine, range),
    hostPagesInUse: machine.allocator.inUse,
    ramBytes: machine.ramBytes,
  };
}
