/**
 * The four-slot cache of shadow page directories, one per recently used Guest address space.
 *
 * Reference: lguest-abi.md §6.1 and §6.5 (`pgdirs[4]` tagged with the Guest's pgdir address,
 * find_pgdir needs the slot allocated, new_pgdir picks a random victim), mmu-strategies.md
 * §6.0 (the benchmark plan compares the seeded random victim with LRU).
 */
import { Mulberry32 } from "./prng.js";

/** Slots in the cache (lguest's ARRAY_SIZE(pgdirs)). */
export const PGDIR_SLOTS = 4;
/** "No slot" (find miss) and "no tag / no page" sentinel. */
export const NONE = -1;

/** How a victim slot is chosen on a miss: lguest's random choice, or least recently used. */
export type VictimPolicy = "random" | "lru";

/**
 * Tags, shadow pages and use stamps of the four slots, plus the victim choice.
 *
 * Invariants: `page[i]` is a Host page number or NONE; `gpgdir[i]` is an unsigned 32-bit
 * Guest-physical address or NONE (NONE also marks the linear boot space, which no Guest
 * pgdir can name); `current` is always a slot index. Deterministic for a given seed.
 */
export class PgdirCache {
  /** Guest-physical pgdir each slot shadows, or NONE. */
  readonly gpgdir = new Float64Array(PGDIR_SLOTS).fill(NONE);
  /** Host page number of each slot's shadow directory, or NONE. */
  readonly page = new Float64Array(PGDIR_SLOTS).fill(NONE);
  /** Use stamp of each slot (0 = never used), for LRU. */
  private readonly lastUse = new Float64Array(PGDIR_SLOTS);
  private clock = 0;
  private readonly rng: Mulberry32;
  /** The slot the hardware walks (lguest's cpu_pgd). */
  current = 0;

  /**
   * @param policy - victim choice on a miss.
   * @param seed - seed of the random victim choice.
   */
  constructor(
    readonly policy: VictimPolicy,
    seed: number,
  ) {
    this.rng = new Mulberry32(seed);
  }

  /** find_pgdir: the allocated slot tagged `gpgdir`, or NONE. */
  find(gpgdir: number): number {
    for (let i = 0; i < PGDIR_SLOTS; i++) {
      if (this.gpgdir[i] === gpgdir && this.page[i] !== NONE) return i;
    }
    return NONE;
  }

  /** Mark slot `i` as just used (switched to). */
  touch(i: number): void {
    this.lastUse[i] = ++this.clock;
  }

  /**
   * The slot a miss will reuse. Random: uniform over all four, the current one included, as
   * in lguest. LRU: the slot with the oldest use stamp (never-used slots first, lowest index
   * on ties), which is never the current slot once it has been used.
   */
  pickVictim(): number {
    if (this.policy === "random") return this.rng.below(PGDIR_SLOTS);
    let best = 0;
    for (let i = 1; i < PGDIR_SLOTS; i++) if (this.lastUse[i]! < this.lastUse[best]!) best = i;
    return best;
  }
}
