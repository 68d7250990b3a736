/**
 * The conformance testkit every MMU strategy must pass (HOUSE_STYLE 21: one matrix, not one
 * suite per strategy). Test-runner agnostic: the caller passes describe/it/expect.
 */
import { PF_I, PF_P, PF_RSVD, PF_U, PF_W } from "@littleguest/x86-core";
import { PTE_A, PTE_D, PTE_G, PTE_P, PTE_RW, PTE_US } from "../paging/entry-bits.js";
import { MMU_STRATEGY_API_VERSION, type MmuCounters, type MmuStrategyFactory } from "../strategy/mmu-strategy.js";
import { buildGuestWorld, GPA, type GuestWorld, kernelLinear, LIN } from "./guest-world.js";

/** The assertions the kit uses; vitest's and jest's `expect` both fit. */
export interface ConformanceExpectation {
  /** Strict equality (Object.is). */
  toBe(expected: unknown): void;
  /** Deep equality. */
  toEqual(expected: unknown): void;
}

/** The test-runner functions the kit needs. */
export interface ConformanceHarness {
  /** Group tests. */
  describe(name: string, fn: () => void): void;
  /** Declare one synchronous test. */
  it(name: string, fn: () => void): void;
  /** Start an assertion. */
  expect(actual: unknown): ConformanceExpectation;
}

/** Knobs of {@link runMmuConformance}. */
export interface ConformanceOptions {
  /**
   * Host pages allocated before Guest RAM, so Guest-physical != Host-physical (default 0;
   * strategies that translate Guest-physical addresses should run with a non-zero value too).
   */
  readonly leadingPages?: number;
}

const READ = 0;
const WRITE = 1;
/** Error-code bits compared for reflected faults; P is left out (see the kit's notes). */
const CODE_BITS = PF_W | PF_U | PF_RSVD | PF_I;

/*T:320 What must every strategy get right, whatever it does inside? The Guest's view. Each
 * case below builds a Guest from scratch, runs accesses the way the CPU makes them (TLB first,
 * translate on a miss, the strategy's pageFault on a #PF, retry while it says "fixed") and
 * checks only what a Guest could observe: which page an address reaches, which faults it is
 * shown, what its own Accessed and Dirty bits say, and that every page reference is returned
 * when it dies. The P bit of a reflected error code is not compared: a shadow pager that
 * reflects a fault before it has filled the shadow reports P=0 where the Guest's tables would
 * say P=1, exactly as lguest did, and Guests do not depend on it. :*/

/**
 * Declare the conformance tests for `factory` on the given harness.
 *
 * Precondition: call at test-collection time (inside or outside a describe block).
 * Invariant: every test builds its own Guest; nothing is shared between tests.
 */
export function runMmuConformance(
  factory: MmuStrategyFactory,
  t: ConformanceHarness,
  options: ConformanceOptions = {},
): void {
  const leading = options.leadingPages ?? 0;
  const world = (): GuestWorld => buildGuestWorld(factory, leading);
  const { describe, it, expect } = t;

  describe("MmuStrategy conformance", () => {
    it("identifies itself with a name and the current API version", () => {
      const w = world();
      expect(typeof w.strategy.name === "string" && w.strategy.name.length > 0).toBe(true);
      expect(w.strategy.apiVersion).toBe(MMU_STRATEGY_API_VERSION);
    });

    it("Guest tables → kernel and user addresses reach the pages they name", () => {
      const w = world();
      expect(w.access(kernelLinear(0x123456), READ, false).pa).toBe(w.memBase + 0x123456);
      expect(w.access(LIN.userRw + 0x10, READ, true).pa).toBe(w.memBase + GPA.userRwA + 0x10);
      expect(w.access(LIN.userRo + 0x20, READ, true).pa).toBe(w.memBase + GPA.userRo + 0x20);
      expect(w.access(LIN.supervisorRw + 0x30, WRITE, false).pa).toBe(w.memBase + GPA.supervisorRw + 0x30);
      // Asked twice, the answer does not change (the second time it may come from the TLB).
      expect(w.access(LIN.userRw + 0x10, READ, true).pa).toBe(w.memBase + GPA.userRwA + 0x10);
      expect(w.killed).toEqual([]);
    });

    it("read then write → Guest PDE and PTE Accessed, then PTE Dirty", () => {
      const w = world();
      const pde = GPA.pgdirA + (LIN.userRw >>> 22) * 4;
      const pte = GPA.userPtA;
      w.access(LIN.userRw, READ, true);
      expect([(w.readGuest(pde) & PTE_A) !== 0, (w.readGuest(pte) & (PTE_A | PTE_D)) === PTE_A]).toEqual([true, true]);
      // The page was just read, so a write must still reach the Guest's Dirty bit.
      expect(w.access(LIN.userRw + 4, WRITE, true).pa).toBe(w.memBase + GPA.userRwA + 4);
      expect(w.readGuest(pte) & PTE_D).toBe(PTE_D);
    });

    it("unmapped addresses → not-present #PF reflected to the Guest", () => {
      const w = world();
      const a = w.access(LIN.notPresent, READ, true);
      const b = w.access(LIN.noTable, WRITE, false);
      expect([a.fault & (PF_P | CODE_BITS), b.fault & (PF_P | CODE_BITS)]).toEqual([PF_U, PF_W]);
      expect(w.strategy.counters().reflectedFaults).toBe(w.tally.reflected);
    });

    it("rights violations → #PF reflected with the access's W/U bits", () => {
      const w = world();
      const userReadsSupervisor = w.access(LIN.supervisorRw, READ, true).fault;
      const userWritesReadOnly = w.access(LIN.userRo, WRITE, true).fault;
      const supervisorWritesReadOnly = w.access(LIN.supervisorRo, WRITE, false).fault; // CR0.WP = 1
      expect([userReadsSupervisor & CODE_BITS, userWritesReadOnly & CODE_BITS, supervisorWritesReadOnly & CODE_BITS]).toEqual(
        [PF_U, PF_W | PF_U, PF_W],
      );
      // A read-only page stays readable, and the failed write left Dirty clear.
      expect(w.access(LIN.userRo, READ, true).pa).toBe(w.memBase + GPA.userRo);
      expect(w.readGuest(GPA.userPtA + 4) & PTE_D).toBe(0);
    });

    it("setPte + flushUser → a changed user mapping takes effect, a removed one faults", () => {
      const w = world();
      w.access(LIN.userRw, WRITE, true);
      const moved = GPA.spare | PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D;
      w.writeGuest(GPA.userPtA, moved);
      w.strategy.setPte(GPA.pgdirA, LIN.userRw, moved, 0);
      w.strategy.flushUser();
      expect(w.access(LIN.userRw, WRITE, true).pa).toBe(w.memBase + GPA.spare);
      w.writeGuest(GPA.userPtA, 0);
      w.strategy.setPte(GPA.pgdirA, LIN.userRw, 0, 0);
      w.strategy.flushUser();
      expect(w.access(LIN.userRw, READ, true).fault & (PF_P | CODE_BITS)).toBe(PF_U);
    });

    it("setPte + flushAll → a changed global kernel mapping takes effect", () => {
      const w = world();
      const lin = kernelLinear(0x100000);
      expect(w.access(lin, READ, false).pa).toBe(w.memBase + 0x100000);
      const moved = GPA.kernelSpare | PTE_P | PTE_RW | PTE_G | PTE_A | PTE_D;
      w.writeGuest(GPA.kernelPt + (0x100000 >>> 12) * 4, moved);
      w.strategy.setPte(GPA.pgdirA, lin, moved, 0);
      w.strategy.flushAll();
      expect(w.access(lin, READ, false).pa).toBe(w.memBase + GPA.kernelSpare);
    });

    it("newPageTable → user mappings follow the address space, kernel mappings are shared", () => {
      const w = world();
      expect(w.access(LIN.userRw, READ, true).pa).toBe(w.memBase + GPA.userRwA);
      w.strategy.newPageTable(GPA.pgdirB);
      expect(w.access(LIN.userRw, READ, true).pa).toBe(w.memBase + GPA.userRwB);
      expect(w.access(LIN.userRo, READ, true).fault & (PF_P | CODE_BITS)).toBe(PF_U);
      expect(w.access(kernelLinear(0x5000), READ, false).pa).toBe(w.memBase + 0x5000);
      w.strategy.newPageTable(GPA.pgdirA);
      expect(w.access(LIN.userRw, READ, true).pa).toBe(w.memBase + GPA.userRwA);
    });

    it("pinStack → the kernel stack is writable with no fault, even after flushAll", () => {
      const w = world();
      w.strategy.pinStack(LIN.stackTop, 2);
      w.strategy.flushAll();
      w.strategy.newPageTable(GPA.pgdirB);
      for (const lin of [LIN.stackTop - 4, LIN.stackTop - 4096 - 4]) {
        expect(w.strategy.translator.translate(lin, WRITE, false)).toBe(w.memBase + (lin - LIN.kernel));
      }
    });

    it("guestDeath → every page reference is back to the baseline", () => {
      const w = world();
      scenario(w);
      w.strategy.guestDeath();
      expect(w.allocator.compare(w.baseline)).toEqual([]);
    });

    it("counters → match the events the kit caused, and equal across identical runs", () => {
      const a = world();
      const b = world();
      scenario(a);
      scenario(b);
      const ca: MmuCounters = a.strategy.counters();
      expect(ca).toEqual(b.strategy.counters());
      expect([ca.reflectedFaults, ca.hiddenFaults, ca.exits.pageFault]).toEqual([
        a.tally.reflected,
        a.tally.fixed,
        a.tally.reflected + a.tally.fixed,
      ]);
      expect([ca.exits.setPte, ca.exits.newPageTable, ca.exits.flushUser, ca.exits.flushAll]).toEqual([1, 3, 1, 1]);
      expect(ca.walkRefs > 0 && ca.tlbFlushes > 0).toBe(true);
    });
  });
}

/** A fixed mix of every event, for the death and determinism cases. */
function scenario(w: GuestWorld): void {
  w.access(LIN.userRw, READ, true);
  w.access(LIN.userRw, WRITE, true);
  w.access(kernelLinear(0x4000), WRITE, false);
  w.access(LIN.notPresent, READ, true);
  w.access(LIN.userRo, WRITE, true);
  w.strategy.newPageTable(GPA.pgdirB);
  w.access(LIN.userRw, WRITE, true);
  w.strategy.newPageTable(GPA.pgdirA);
  const moved = GPA.spare | PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D;
  w.writeGuest(GPA.userPtA, moved);
  w.strategy.setPte(GPA.pgdirA, LIN.userRw, moved, 0);
  w.strategy.flushUser();
  w.access(LIN.userRw, READ, true);
  w.strategy.flushAll();
  w.access(kernelLinear(0x4000), READ, false);
}
