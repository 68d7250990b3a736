/**
 * Time inside a Guest.
 *
 * ARCHITECTURE.md "Portability and determinism": time is virtual by default, derived from
 * the instructions the Guest retired, so the same inputs give the same run bit for bit; a
 * Launcher may supply a wall clock instead. lguest-abi.md §4.5: the Guest's clock event is a
 * one-shot timer in nanoseconds raising IRQ 0; lguest_data.time carries wall time.
 */
import type { Cpu } from "@littleguest/x86-core";

/** The Guest's clock. */
export interface GuestClock {
  /** Nanoseconds since the Guest started. */
  now(): number;
  /** How many Guest instructions until `ns` (an estimate for wall clocks; ≥ 0). */
  instructionsUntil(ns: number): number;
  /**
   * The Guest is halted until `ns`: jump there if this clock can (virtual time skips idle
   * periods). @returns false when the caller must really wait.
   */
  skipTo(ns: number): boolean;
  /** Wall-clock time at {@link GuestClock.now} = 0, in whole seconds since 1970. */
  readonly epochSeconds: number;
}

/** Nanoseconds of virtual time per retired instruction: a 100-MIPS machine. */
export const VIRTUAL_NS_PER_INSTRUCTION = 10;
/** The virtual clock's wall time at boot: 2026-01-01T00:00:00Z, fixed so runs repeat. */
export const VIRTUAL_EPOCH_SECONDS = 1_767_225_600;

/*H:130 The Guest's clock ticks with its instructions: ten nanoseconds each, as on a 100-MIPS
 * machine, whatever the emulator's real speed. A halted Guest waiting for its timer costs no
 * time at all: the clock jumps to the expiry. That makes a Guest's whole life reproducible,
 * which is what lets a test compare two runs counter for counter. :*/

/** Virtual time from retired instructions plus skipped idle time. */
export class VirtualClock implements GuestClock {
  readonly epochSeconds = VIRTUAL_EPOCH_SECONDS;
  private skipped = 0;
  private readonly base: number;

  /** @param cpu - whose retired instructions are the clock. */
  constructor(private readonly cpu: Cpu) {
    this.base = cpu.instructions;
  }

  now(): number {
    return (this.cpu.instructions - this.base) * VIRTUAL_NS_PER_INSTRUCTION + this.skipped;
  }

  instructionsUntil(ns: number): number {
    return Math.max(0, Math.ceil((ns - this.now()) / VIRTUAL_NS_PER_INSTRUCTION));
  }

  skipTo(ns: number): boolean {
    const now = this.now();
    if (ns > now) this.skipped += ns - now;
    return true;
  }
}
