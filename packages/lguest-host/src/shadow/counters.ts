/**
 * The shadow pager's counters: the common MMU set plus the two lguest-specific flush kinds.
 *
 * Reference: mmu-strategies.md §6.2 (flush_user and clear_all events are counted apart,
 * because they explain most of a shadow pager's refault cost).
 */
import type { MmuCounters } from "@littleguest/mmu";

/**
 * What {@link ShadowPager.shadowCounters} reports.
 *
 * Invariant: like every {@link MmuCounters} field, the two extras only grow during a Guest's
 * life and are equal across two runs with the same inputs and seed.
 */
export interface ShadowCounters extends MmuCounters {
  /** guest_pagetable_clear_all executions, whatever asked for them (flushAll, setPmd, LGUEST_INIT). */
  readonly clearAlls: number;
  /** flush_user_mappings executions, whatever asked for them (flushUser, a reused pgdir slot). */
  readonly flushUsers: number;
}

/** The mutable extras a {@link ShadowPager} keeps beside the common counters. */
export interface ShadowExtraCounters {
  /** See {@link ShadowCounters.clearAlls}. */
  clearAlls: number;
  /** See {@link ShadowCounters.flushUsers}. */
  flushUsers: number;
}

/** Zeroed extras. */
export function createShadowExtraCounters(): ShadowExtraCounters {
  return { clearAlls: 0, flushUsers: 0 };
}

/** A frozen {@link ShadowCounters} made of a common snapshot and the extras. */
export function snapshotShadowCounters(common: MmuCounters, extra: ShadowExtraCounters): ShadowCounters {
  return Object.freeze({ ...common, clearAlls: extra.clearAlls, flushUsers: extra.flushUsers });
}
