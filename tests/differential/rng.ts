/**
 * A small seeded PRNG (mulberry32) so a seed names one exact set of programs.
 *
 * Determinism matters more than quality here: the same seed must give the
 * same cases on every machine, so nothing below may consult Math.random.
 */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Next uniformly distributed unsigned 32-bit value. */
  u32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Integer in [lo, hi] inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor((this.u32() / 0x1_0000_0000) * (hi - lo + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.u32() / 0x1_0000_0000 < p;
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    const item = items[this.int(0, items.length - 1)];
    if (item === undefined) throw new Error("Rng.pick: empty list");
    return item;
  }

  /** One element chosen by weight from [weight, value] pairs. */
  weighted<T>(items: readonly (readonly [number, T])[]): T {
    let total = 0;
    for (const [w] of items) total += w;
    let r = (this.u32() / 0x1_0000_0000) * total;
    for (const [w, v] of items) {
      r -= w;
      if (r < 0) return v;
    }
    const last = items[items.length - 1];
    if (last === undefined) throw new Error("Rng.weighted: empty list");
    return last[1];
  }

  /**
   * A value of `bits` width biased towards the edges where flag logic breaks:
   * 0, 1, all-ones, the signed extremes, small numbers, then uniform.
   */
  edgy(bits: 8 | 16 | 32): number {
    const mask = bits === 32 ? 0xffffffff : (1 << bits) - 1;
    const signBit = bits === 32 ? 0x80000000 : 1 << (bits - 1);
    const v = this.weighted<() => number>([
      [3, () => 0],
      [3, () => 1],
      [3, () => mask],
      [2, () => signBit - 1],
      [2, () => signBit],
      [2, () => signBit + 1],
      [4, () => this.int(0, 16)],
      [2, () => mask - this.int(0, 16)],
      [2, () => 0x7f + this.int(0, 1)],
      [2, () => 0x7fff + this.int(0, 1)],
      [2, () => 0xff + this.int(0, 1)],
      [2, () => 0xffff + this.int(0, 1)],
      [16, () => this.u32()],
    ])();
    return (v & mask) >>> 0;
  }
}

/** Mixes a run seed with a batch number into an independent batch seed. */
export function batchSeed(seed: number, batch: number): number {
  let h = (seed ^ Math.imul(batch + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
