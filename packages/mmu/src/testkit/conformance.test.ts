import { describe, expect, it } from "vitest";
import type { MmuStrategyFactory } from "../strategy/mmu-strategy.js";
import { createNativeStrategy } from "../strategy/native.js";
import { type ConformanceHarness, runMmuConformance } from "./conformance.js";

/** Run the kit eagerly and return the names of the cases that failed. */
function failuresOf(factory: MmuStrategyFactory): string[] {
  const failed: string[] = [];
  const harness: ConformanceHarness = {
    describe: (_name, fn) => fn(),
    it: (name, fn) => {
      try {
        fn();
      } catch {
        failed.push(name);
      }
    },
    expect: (actual) => expect(actual),
  };
  runMmuConformance(factory, harness);
  return failed;
}

describe("runMmuConformance", () => {
  it("a correct strategy (native) → no failures", () => {
    expect(failuresOf(createNativeStrategy)).toEqual([]);
  });

  it("a strategy that ignores flushUser → the flushUser case fails", () => {
    const broken: MmuStrategyFactory = (o) => ({ ...createNativeStrategy(o), flushUser: () => {} });
    expect(failuresOf(broken)).toContain("setPte + flushUser → a changed user mapping takes effect, a removed one faults");
  });

  it("a strategy that hides every fault → the reflection cases fail", () => {
    const broken: MmuStrategyFactory = (o) => ({ ...createNativeStrategy(o), pageFault: () => "fixed" as const });
    const failed = failuresOf(broken);
    expect(failed).toContain("unmapped addresses → not-present #PF reflected to the Guest");
    expect(failed).toContain("rights violations → #PF reflected with the access's W/U bits");
  });

  it("a strategy whose counters drift between runs → the determinism case fails", () => {
    let calls = 0;
    const broken: MmuStrategyFactory = (o) => {
      const s = createNativeStrategy(o);
      const run = ++calls;
      return { ...s, counters: () => ({ ...s.counters(), shadowFills: run }) };
    };
    expect(failuresOf(broken)).toContain(
      "counters → match the events the kit caused, and equal across identical runs",
    );
  });
});
