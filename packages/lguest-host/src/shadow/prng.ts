/**
 * A tiny seeded pseudo-random generator for the shadow pager's victim choice.
 *
 * Reference: lguest-abi.md §6.1 (the pgdir cache picks a random victim slot; lguest used the
 * kernel's random32/prandom_u32). The algorithm here is mulberry32, a 32-bit state generator:
 * good enough to spread victims evenly, and identical on every JavaScript engine, so that
 * two runs with one seed evict the same slots.
 */

/**
 * A deterministic 32-bit generator (mulberry32).
 *
 * Invariant: the sequence depends only on the seed; every seed, including 0, gives a usable
 * sequence. No allocation per draw.
 */
export class Mulberry32 {
  private state: number;

  /** @param seed - any number; only its low 32 bits are used. */
  constructor(seed: number) {
    this.state = seed | 0;
  }

  /** The next value, uniform in [0, 2^32). */
  nextU32(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = Math.imul(this.state ^ (this.state >>> 15), 1 | this.state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** The next value in [0, n); precondition: n is a positive integer below 2^32. */
  below(n: number): number {
    return this.nextU32() % n;
  }
}
