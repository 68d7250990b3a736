import { runMmuConformance } from "@littleguest/mmu";
import { describe, expect, it } from "vitest";
import { createShadowStrategy } from "./shadow-pager.js";

describe("shadow strategy, Guest RAM at Host-physical 0", () => {
  runMmuConformance(createShadowStrategy, { describe, it, expect });
});

describe("shadow strategy, Guest RAM after 37 Host pages (Guest-physical ≠ Host-physical)", () => {
  runMmuConformance(createShadowStrategy, { describe, it, expect }, { leadingPages: 37 });
});

describe("shadow strategy with LRU victims", () => {
  runMmuConformance((o) => createShadowStrategy({ ...o, victim: "lru" }), { describe, it, expect }, { leadingPages: 5 });
});
