/**
 * What the Host did for a Guest, for `--stats`, traces and tests. Deterministic: two runs
 * with the same inputs give equal records.
 */

/** Host-side counters of one Guest. */
export interface HostCounters {
  /** Exits by trap number (index 256: a fault inside the Switcher). */
  readonly exits: number[];
  /** Hypercalls executed by number, synchronous and from the async ring. */
  readonly hypercalls: number[];
  /** Of those, how many came from the async ring. */
  asyncHypercalls: number;
  /** Traps and faults reflected into the Guest (deliver_trap). */
  reflectedTraps: number;
  /** Virtual interrupts delivered. */
  interruptsDelivered: number;
  /** #GP exits answered by emulating an instruction (in/out, cli). */
  emulatedInstructions: number;
}

/** A zeroed record. */
export function createHostCounters(): HostCounters {
  return {
    exits: new Array<number>(257).fill(0),
    hypercalls: new Array<number>(32).fill(0),
    asyncHypercalls: 0,
    reflectedTraps: 0,
    interruptsDelivered: 0,
    emulatedInstructions: 0,
  };
}
