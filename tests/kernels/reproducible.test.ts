/**
 * The committed kernel images are what their build scripts produce: rebuilding
 * the demo, benchmark and Guest kernels with the machine's gcc -m32 / ld -m elf_i386
 * gives the same bytes as prebuilt/. A drifting image (sources edited without
 * a rebuild, or a build that leaks paths or timestamps) fails here.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "lg-kernels-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const KERNELS = [
  { name: "demo", dir: "packages/launcher-cli/kernels/demo", image: "demo.elf" },
  { name: "bench", dir: "bench/kernel", image: "bench.elf" },
  { name: "guest", dir: "packages/guest-kernel", image: "guest.elf" },
  { name: "guest-initramfs", dir: "packages/guest-kernel", image: "initramfs.cpio" },
] as const;

describe("prebuilt kernels are reproducible", () => {
  for (const k of KERNELS) {
    it(`${k.name}: build.sh rebuilds prebuilt/${k.image} byte for byte`, () => {
      const out = join(scratch, k.name);
      const r = spawnSync("sh", [join(ROOT, k.dir, "build.sh"), out], { encoding: "utf8", timeout: 120_000 });
      if (r.status !== 0) {
        throw new Error(`${k.dir}/build.sh failed (status ${r.status}); it needs gcc with -m32 and binutils:\n${r.stderr}`);
      }
      const rebuilt = readFileSync(join(out, k.image));
      const committed = readFileSync(join(ROOT, k.dir, "prebuilt", k.image));
      expect(rebuilt.length).toBe(committed.length);
      expect(Buffer.compare(rebuilt, committed)).toBe(0);
    }, 130_000);
  }
});
