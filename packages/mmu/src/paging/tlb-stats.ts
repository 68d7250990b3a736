/**
 * Counters of one translator's TLB and page walker.
 *
 * The CPU's fast path reads the TLB without calling the translator, so hits are invisible
 * here by design (counting them would put a store on every memory access). An embedder that
 * wants a hit rate derives it: `hits = accesses - misses`, with `accesses` counted by the CPU
 * or the harness.
 */

/**
 * A plain mutable record of counters; every field only ever grows until {@link resetTlbStats}.
 *
 * Invariant: `walks <= misses`; `fills <= misses`; `faults <= walks`.
 */
export interface TlbStats {
  /** Calls of `translate` (TLB misses and permission misses seen by the CPU). */
  misses: number;
  /** Page walks performed (translate calls with CR0.PG = 1). */
  walks: number;
  /** Paging-structure entries read from memory by walks (PDPTEs excluded: see DESIGN.md). */
  walkRefs: number;
  /** TLB entries installed. */
  fills: number;
  /** `flush(false)` calls (CR3 loads). */
  flushes: number;
  /** `flush(true)` calls. */
  globalFlushes: number;
  /** `invlpg` calls. */
  invlpgs: number;
  /** Walks that ended in a #PF. */
  faults: number;
}

/** A zeroed {@link TlbStats}. */
export function createTlbStats(): TlbStats {
  return { misses: 0, walks: 0, walkRefs: 0, fills: 0, flushes: 0, globalFlushes: 0, invlpgs: 0, faults: 0 };
}

/** Zero every counter of `stats` in place. */
export function resetTlbStats(stats: TlbStats): void {
  stats.misses = 0;
  stats.walks = 0;
  stats.walkRefs = 0;
  stats.fills = 0;
  stats.flushes = 0;
  stats.globalFlushes = 0;
  stats.invlpgs = 0;
  stats.faults = 0;
}
