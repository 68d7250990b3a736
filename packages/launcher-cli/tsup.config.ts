import { defineConfig } from "tsup";

// `machine` must run in a browser (the web viewer's worker imports it): it reaches only the
// core packages and src/guest, src/bare/elf.ts and src/errors.ts, which check-portable keeps
// free of Node. `index` and `cli` are the Node command.
export default defineConfig({
  entry: ["src/index.ts", "src/cli.ts", "src/machine.ts"],
  format: ["esm"],
  dts: { entry: ["src/index.ts", "src/machine.ts"] },
  sourcemap: true,
  clean: true,
  target: "node20",
  platform: "node",
  banner: ({ format }) => (format === "esm" ? {} : {}),
});
