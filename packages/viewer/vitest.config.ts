import { defineConfig } from "vitest/config";

// The end-to-end test builds the page, starts a server and boots a Guest in Chromium: give it
// minutes, not seconds.
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "tests/**/*.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
