import { defineConfig } from "tsup";

// `index` must run in a browser (the web viewer uses it); `node` holds what needs Node
// (the GDB stub's TCP server, files).
export default defineConfig({
  entry: ["src/index.ts", "src/node.ts"],
  format: ["esm"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "es2022",
});
