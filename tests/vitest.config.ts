import { defineConfig } from "vitest/config";

// Test Guests run millions of emulated instructions; CI runs every package's tests at once on
// two cores, so the 5 s default is too tight for the slowest of them (about 1 s alone).
export default defineConfig({ test: { testTimeout: 60_000 } });
