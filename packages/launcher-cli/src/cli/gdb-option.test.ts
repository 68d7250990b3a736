/**
 * `--gdb PORT` as the built `lguest` command parses it: a bad value or a port that cannot be
 * listened on is one line on stderr and status 1, before anything runs. (The debugging itself
 * is tested with Debian's GDB in tests/devtools/gdb.test.ts.)
 */
import { spawnSync } from "node:child_process";
import { createServer, type Server } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseGdbPort } from "./gdb-option.js";

const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
const DEMO = fileURLToPath(new URL("../../kernels/demo/prebuilt/demo.elf", import.meta.url));

function lguest(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 60_000 });
  return { status: r.status, stderr: r.stderr.trim() };
}

describe("--gdb PORT", () => {
  let busy: Server;
  let busyPort = 0;
  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((r) => busy.listen(0, "127.0.0.1", r));
    const a = busy.address();
    busyPort = typeof a === "object" && a !== null ? a.port : 0;
  });
  afterAll(() => new Promise<void>((r) => busy.close(() => r())));

  it("accepts 0..65535 and refuses anything else with the fix", () => {
    expect([parseGdbPort("1234"), parseGdbPort("0"), parseGdbPort("65535")]).toEqual([1234, 0, 65535]);
    for (const bad of ["65536", "-1", "12ab", "", "1e3"]) expect(() => parseGdbPort(bad)).toThrow(/is not a TCP port; give a number 1\.\.65535/);
    expect(() => parseGdbPort(undefined)).toThrow("--gdb needs a TCP port, e.g. --gdb 1234");
  });

  it("a bad port: one line, status 1, for run and bare", () => {
    expect(lguest(["run", "--gdb", "http"])).toEqual({ status: 1, stderr: "lguest run: --gdb 'http' is not a TCP port; give a number 1..65535 (or 0 for any free port), e.g. --gdb 1234" });
    expect(lguest(["bare", DEMO, "--gdb", "99999"]).stderr).toBe("lguest bare: --gdb '99999' is not a TCP port; give a number 1..65535 (or 0 for any free port), e.g. --gdb 1234");
  });

  it("a port in use: one line naming it, status 1, no stack trace", () => {
    const r = lguest(["bare", DEMO, "--gdb", String(busyPort)]);
    expect(r).toEqual({ status: 1, stderr: `lguest bare: --gdb ${busyPort}: cannot listen on 127.0.0.1:${busyPort}: it is in use; pick another port` });
    const g = lguest(["run", "--gdb", String(busyPort)]);
    expect(g).toEqual({ status: 1, stderr: `lguest run: --gdb ${busyPort}: cannot listen on 127.0.0.1:${busyPort}: it is in use; pick another port` });
  });

  it("--gdb with --monitor is refused: both would stop the Guest", () => {
    expect(lguest(["run", "--gdb", "1234", "--monitor"]).stderr).toBe("lguest run: --gdb and --monitor both want to stop the Guest; use one of them (GDB can do all the monitor does)");
  });
});
