/**
 * End to end: the demo kernel (kernels/demo) through the built `lguest` CLI,
 * against the output and exit status qemu-system-i386 produced for it
 * (`-kernel demo.elf -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04 -m 64`).
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
const DEMO = fileURLToPath(new URL("../../kernels/demo/prebuilt/demo.elf", import.meta.url));
const EXPECTED = fileURLToPath(new URL("../../kernels/demo/expected-output.txt", import.meta.url));
/** QEMU's status: the demo writes 0 to the exit port on success, and (0 << 1) | 1 = 1. */
const QEMU_STATUS = 1;

describe("demo kernel under lguest bare", () => {
  it("prints exactly what QEMU printed and exits with QEMU's status", () => {
    const r = spawnSync(process.execPath, [CLI, "bare", DEMO, "--mem", "64M"], { encoding: "latin1", timeout: 120_000, input: "" });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(readFileSync(EXPECTED, "latin1"));
    expect(r.status).toBe(QEMU_STATUS);
  }, 130_000);

  it("--stats adds instructions, seconds, MIPS and TLB counters on stderr, output unchanged", () => {
    const r = spawnSync(process.execPath, [CLI, "bare", DEMO, "--mem", "64M", "--stats"], { encoding: "latin1", timeout: 120_000, input: "" });
    expect(r.status).toBe(QEMU_STATUS);
    expect(r.stdout).toBe(readFileSync(EXPECTED, "latin1"));
    expect(r.stderr).toMatch(/stats: [1-9]\d* instructions retired in \d+\.\d{3} s = \d+\.\d{2} MIPS/);
    expect(r.stderr).toMatch(/stats: TLB misses [1-9]\d*, walks [1-9]\d*, walkRefs \d+, fills \d+/);
  }, 130_000);

  it("--success-status 1 maps the demo's success (port value 0 → status 1) to exit status 0", () => {
    const r = spawnSync(process.execPath, [CLI, "bare", DEMO, "--success-status", "1"], { encoding: "latin1", timeout: 120_000, input: "" });
    expect(r.stdout).toBe(readFileSync(EXPECTED, "latin1"));
    expect(r.status).toBe(0);
  }, 130_000);

  it("--success-status with another status leaves the real status visible", () => {
    const r = spawnSync(process.execPath, [CLI, "bare", DEMO, "--success-status", "3"], { encoding: "latin1", timeout: 120_000, input: "" });
    expect(r.status).toBe(QEMU_STATUS);
  }, 130_000);

  it("--success-status rejects an even status the exit port cannot produce, in one line", () => {
    const r = spawnSync(process.execPath, [CLI, "bare", DEMO, "--success-status", "2"], { encoding: "latin1", timeout: 120_000, input: "" });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/--success-status needs an odd status/);
  }, 130_000);
});
