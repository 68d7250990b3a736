import { ControlRegisters, PhysicalMemory } from "@littleguest/x86-core";
import { describe, expect, it } from "vitest";
import { HostPageAllocator } from "../allocator/host-page-allocator.js";
import { runMmuConformance } from "../testkit/conformance.js";
import { createNativeStrategy } from "./native.js";

describe("native strategy", () => {
  runMmuConformance(createNativeStrategy, { describe, it, expect });

  it("Guest RAM not at Host-physical 0 → BAD_OPTION naming the plugin", () => {
    const memory = new PhysicalMemory(64 * 4096);
    const options = {
      memory,
      control: new ControlRegisters(),
      allocator: new HostPageAllocator(memory, 0, 64),
      guest: { memBase: 0x10000, pfnLimit: 16, kernelAddress: 0xc0000000 },
      killGuest: () => {},
      seed: 0,
    };
    expect(() => createNativeStrategy(options)).toThrow(expect.objectContaining({ code: "BAD_OPTION", plugin: "native" }));
  });
});
