/**
 * The fault bus: where exceptions and interrupts meet the outside world.
 *
 * Three hook kinds (HOUSE_STYLE 6):
 * - *observe*: every exception or interrupt the CPU is about to deliver is
 *   shown to observers (devtools), synchronously, read-only.
 * - *first*: claim handlers per vector; the first that returns true has
 *   handled the event in TypeScript and the CPU does not deliver it. With no
 *   claim, the event goes to the machine's own IDT, as on hardware.
 * - *route*: after the CPU has done the hardware part of a delivery
 *   (privilege check, TSS stack switch, frame push), if the gate's target is a
 *   linear address registered here, `run()` returns a `handler` exit with its
 *   id. This is how the Switcher's entry points hand control to the Host.
 */
import type { Cpu } from "../cpu/cpu.js";
import { X86CoreError } from "../errors.js";

/** How an event arose. */
export const enum EventKind {
  /** A processor exception (fault, trap or abort). */
  Exception = 0,
  /** INT n, INT3 or INTO. */
  Software = 1,
  /** An external (maskable) interrupt. */
  External = 2,
}

/**
 * Observer of every delivery; arguments are primitives so nothing is allocated.
 * `eip` is the return address that will be pushed.
 */
export type FaultObserver = (vector: number, errorCode: number, hasErrorCode: boolean, kind: EventKind, eip: number) => void;

/** A claim handler: return true when the event was handled and must not be delivered. */
export type FaultClaim = (cpu: Cpu, vector: number, errorCode: number) => boolean;

/** Observers, claims and routes for exceptions and interrupts. */
export class FaultBus {
  /** @internal observers in registration order. */
  observers: FaultObserver[] = [];
  /** @internal claims per vector. */
  readonly claims: (FaultClaim[] | undefined)[] = new Array(256).fill(undefined);
  /** @internal handler routes: linear address → id. */
  readonly routes = new Map<number, number>();

  /** Watch every delivery. @returns a disposer. */
  observe(fn: FaultObserver): () => void {
    this.observers = [...this.observers, fn];
    return () => {
      this.observers = this.observers.filter((o) => o !== fn);
    };
  }

  /** Claim a vector (first claim returning true wins). @returns a disposer. */
  claim(vector: number, fn: FaultClaim): () => void {
    if (!Number.isInteger(vector) || vector < 0 || vector > 255) {
      throw new X86CoreError("bad-vector", `vector ${vector} is not in 0..255`);
    }
    this.claims[vector] = [...(this.claims[vector] ?? []), fn];
    return () => {
      const list = (this.claims[vector] ?? []).filter((c) => c !== fn);
      this.claims[vector] = list.length > 0 ? list : undefined;
    };
  }

  /**
   * Make deliveries whose target linear address is `linear` end `run()` with a
   * `handler` exit carrying `id`. @returns a disposer.
   */
  routeTo(linear: number, id: number): () => void {
    const key = linear >>> 0;
    const existing = this.routes.get(key);
    if (existing !== undefined) {
      throw new X86CoreError("route-conflict", `address 0x${key.toString(16)} already routes to handler ${existing}`);
    }
    this.routes.set(key, id);
    return () => {
      if (this.routes.get(key) === id) this.routes.delete(key);
    };
  }
}
