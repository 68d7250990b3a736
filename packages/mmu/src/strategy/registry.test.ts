import { describe, expect, it } from "vitest";
import type { MmuStrategyFactory } from "./mmu-strategy.js";
import { createNativeStrategy } from "./native.js";
import { MmuStrategyRegistry } from "./registry.js";
import { buildGuestWorld } from "../testkit/guest-world.js";

/** Real options from the conformance world, so factories run for real. */
function options() {
  let captured: Parameters<MmuStrategyFactory>[0] | undefined;
  buildGuestWorld((o) => {
    captured = o;
    return createNativeStrategy(o);
  }, 0);
  return captured!;
}

describe("MmuStrategyRegistry", () => {
  it("register + seal + create → the named strategy", () => {
    const r = new MmuStrategyRegistry();
    r.register("native", createNativeStrategy);
    r.seal();
    expect(r.create("native", options()).name).toBe("native");
    expect(r.names()).toEqual(["native"]);
  });

  it("two registrations of one name → STRATEGY_CONFLICT at seal time, naming the plugin", () => {
    const r = new MmuStrategyRegistry();
    r.register("native", createNativeStrategy);
    r.register("native", createNativeStrategy); // accepted now...
    expect(() => r.seal()).toThrow(expect.objectContaining({ code: "STRATEGY_CONFLICT", plugin: "native" }));
    expect(r.sealed).toBe(false);
  });

  it("disposer → withdraws the registration, resolving a conflict", () => {
    const r = new MmuStrategyRegistry();
    r.register("native", createNativeStrategy);
    const dispose = r.register("native", createNativeStrategy);
    dispose();
    r.seal();
    expect(r.names()).toEqual(["native"]);
    expect(() => dispose()).toThrow(expect.objectContaining({ code: "REGISTRY_SEALED" }));
  });

  it("misuse → REGISTRY_SEALED, REGISTRY_NOT_SEALED, UNKNOWN_STRATEGY", () => {
    const r = new MmuStrategyRegistry();
    expect(() => r.create("native", options())).toThrow(expect.objectContaining({ code: "REGISTRY_NOT_SEALED" }));
    r.seal();
    expect(() => r.register("x", createNativeStrategy)).toThrow(expect.objectContaining({ code: "REGISTRY_SEALED" }));
    expect(() => r.create("shadow", options())).toThrow(expect.objectContaining({ code: "UNKNOWN_STRATEGY" }));
  });

  it("plugin with another API version or name → API_VERSION_MISMATCH naming the plugin", () => {
    const r = new MmuStrategyRegistry();
    r.register("old", (o) => ({ ...createNativeStrategy(o), name: "old", apiVersion: 0 }));
    r.register("liar", (o) => createNativeStrategy(o));
    r.seal();
    expect(() => r.create("old", options())).toThrow(expect.objectContaining({ code: "API_VERSION_MISMATCH", plugin: "old" }));
    expect(() => r.create("liar", options())).toThrow(expect.objectContaining({ code: "API_VERSION_MISMATCH", plugin: "liar" }));
  });
});
