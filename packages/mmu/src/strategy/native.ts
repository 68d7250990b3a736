/**
 * The `native` MMU strategy: the Guest's own page tables are what the hardware walks.
 *
 * Reference: mmu-strategies.md §6.0 ("native": gPA = hPA, no exits). It is the baseline the
 * other strategies are measured against: no shadow, no hidden faults, n references per walk.
 */
import { PagingUnit } from "../paging/paging-unit.js";
import { MmuError } from "../mmu-error.js";
import {
  createMmuCounters,
  MMU_STRATEGY_API_VERSION,
  type MmuCounters,
  type MmuStrategy,
  type MmuStrategyOptions,
  type PageFaultOutcome,
  snapshotCounters,
} from "./mmu-strategy.js";

/** The registry name of {@link createNativeStrategy}. */
export const NATIVE_STRATEGY_NAME = "native";

/*T:310 The native strategy is the control group of every MMU experiment. The Guest's tables
 * go straight into CR3, so a fault the hardware raises is always the Guest's own (there is no
 * stale shadow that could explain it) and the answer is always "reflect". Page-table updates
 * need no work either: the hardware reads the Guest's memory at the next walk, and the Guest
 * already owes the TLB a flush, which is the only event that does something here. :*/

/**
 * Make a `native` strategy: a {@link PagingUnit} over the Guest's tables, events ignored
 * except page-table switches and flushes.
 *
 * Precondition: `options.guest.memBase` is 0 (Guest-physical = Host-physical), else
 * MmuError BAD_OPTION naming the plugin. Invariant: takes no page references, so
 * `guestDeath` leaves the allocator as it found it.
 */
export function createNativeStrategy(options: MmuStrategyOptions): MmuStrategy {
  if (options.guest.memBase !== 0) {
    throw new MmuError("BAD_OPTION", `needs Guest RAM at Host-physical 0, got memBase ${options.guest.memBase}`, {
      plugin: NATIVE_STRATEGY_NAME,
    });
  }
  const { control } = options;
  const unit = new PagingUnit(options.memory, control);
  const c = createMmuCounters();
  return {
    name: NATIVE_STRATEGY_NAME,
    apiVersion: MMU_STRATEGY_API_VERSION,
    translator: unit,
    pageFault(): PageFaultOutcome {
      c.exits.pageFault++;
      c.reflectedFaults++;
      return "reflect";
    },
    setPte(): void {
      c.exits.setPte++;
    },
    setPgd(): void {
      c.exits.setPgd++;
    },
    setPmd(): void {
      c.exits.setPmd++;
    },
    newPageTable(pgdir: number): void {
      c.exits.newPageTable++;
      control.cr3 = pgdir | 0;
      unit.flush(false);
    },
    flushUser(): void {
      c.exits.flushUser++;
      unit.flush(false);
    },
    flushAll(): void {
      c.exits.flushAll++;
      unit.flush(true);
    },
    pinStack(): void {},
    guestDeath(): void {
      unit.flush(true);
    },
    counters(): MmuCounters {
      c.tlbFlushes = unit.stats.flushes + unit.stats.globalFlushes;
      c.walkRefs = unit.stats.walkRefs;
      return snapshotCounters(c);
    },
  };
}
