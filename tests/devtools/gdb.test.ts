/**
 * The GDB stub end to end, with Debian's GDB as the client (CI installs it; without it these
 * tests fail, they never skip). Every address expected is the one binutils' `nm` and `objdump`
 * give for the kernel's ELF, and every value one GDB prints from the live machine: the
 * stub is judged by the real debugger, not by itself.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const CLI = fileURLToPath(new URL("../../packages/launcher-cli/dist/cli.js", import.meta.url));
const GUEST_ELF = fileURLToPath(new URL("../../packages/guest-kernel/prebuilt/guest.elf", import.meta.url));
const DEMO_ELF = fileURLToPath(new URL("../../packages/launcher-cli/kernels/demo/prebuilt/demo.elf", import.meta.url));

/** Fail (never skip) when a reference tool is missing. */
function requireTool(tool: string): void {
  const r = spawnSync(tool, ["--version"], { encoding: "utf8" });
  expect(r.error === undefined && r.status === 0, `${tool} is required for this test (CI installs it with apt-get; see .ci/run)`).toBe(true);
}

/** Address of `symbol` in `elf` according to `nm`. */
function nm(elf: string, symbol: string): number {
  const out = spawnSync("nm", [elf], { encoding: "utf8" }).stdout;
  const m = new RegExp(`^([0-9a-f]+) \\w ${symbol}$`, "m").exec(out);
  expect(m, `nm finds ${symbol} in ${elf}`).not.toBeNull();
  return Number.parseInt(m![1]!, 16);
}

/** Address of the instruction after the one at `address`, according to `objdump -d`. */
function nextInstruction(elf: string, address: number): number {
  const out = spawnSync("objdump", ["-d", elf, `--start-address=0x${address.toString(16)}`, `--stop-address=0x${(address + 32).toString(16)}`], { encoding: "utf8" }).stdout;
  const addresses = [...out.matchAll(/^\s*([0-9a-f]+):\t/gm)].map((m) => Number.parseInt(m[1]!, 16));
  expect(addresses[0]).toBe(address);
  return addresses[1]!;
}

/** A TCP port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => resolve(typeof a === "object" && a !== null ? a.port : 0));
    });
  });
}

interface Launched {
  readonly child: ChildProcess;
  readonly stderr: () => string;
  readonly stdout: () => string;
  readonly exited: Promise<number | null>;
}

const children: ChildProcess[] = [];
// A failed expectation must not leave a Launcher waiting for a debugger behind.
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill();
});

/** Start the built `lguest` with `args` and wait until its stub listens. */
async function launch(args: string[], port: number): Promise<Launched> {
  // --gdb goes right after the command: anything after `--` belongs to the Guest's program.
  const child = spawn(process.execPath, [CLI, args[0]!, "--gdb", String(port), ...args.slice(1)], { stdio: ["pipe", "pipe", "pipe"] });
  children.push(child);
  let err = "";
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on("data", (d: Buffer) => {
      err += d.toString();
      if (err.includes(`gdb: waiting for a connection on 127.0.0.1:${port} (target remote :${port})`)) resolve();
    });
    child.on("exit", () => reject(new Error(`lguest ended before listening: ${err}`)));
  });
  return { child, stderr: () => err, stdout: () => out, exited };
}

/** Run GDB in batch mode on `elf` with these commands; resolves with what it printed. */
function gdb(elf: string, port: number, commands: string[], whileRunning?: (g: ChildProcess) => void): Promise<{ status: number | null; output: string; errors: string }> {
  // No source files here: GDB's complaints about them go to stderr, kept apart from the answers.
  const args = ["-batch", "-nx", "-ex", "set architecture i386", "-ex", `target remote :${port}`, ...commands.flatMap((c) => ["-ex", c]), elf];
  const g = spawn("gdb", args, { stdio: ["ignore", "pipe", "pipe"] });
  children.push(g);
  let output = "";
  let errors = "";
  g.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  g.stderr!.on("data", (d: Buffer) => (errors += d.toString()));
  whileRunning?.(g);
  return new Promise((resolve) => g.on("exit", (status) => resolve({ status, output, errors })));
}

/** The value GDB prints for `info registers NAME`. */
function register(output: string, name: string, nth = 0): number {
  const all = [...output.matchAll(new RegExp(`^${name}\\s+0x([0-9a-f]+)`, "gm"))];
  expect(all.length, `GDB printed ${name} at least ${nth + 1} times:\n${output}`).toBeGreaterThan(nth);
  return Number.parseInt(all[nth]![1]!, 16);
}

describe("lguest run --gdb", () => {
  it("GDB breaks at start_kernel, reads registers and the stack, steps, watches a global, uses a hardware breakpoint and kills", async () => {
    requireTool("gdb");
    const port = await freePort();
    const lg = await launch(["run"], port);
    const startKernel = nm(GUEST_ELF, "start_kernel");
    const schedule = nm(GUEST_ELF, "schedule");
    const r = await gdb(GUEST_ELF, port, [
      "info registers eip",
      "break start_kernel",
      "continue",
      "info registers eip esp",
      "x/4xw $esp",
      "stepi",
      "info registers eip",
      "watch frames_in_use",
      "continue",
      "continue",
      "delete",
      "hbreak schedule",
      "continue",
      "info registers eip",
      "kill",
    ]);
    const out = r.output;
    // Stopped before the first instruction, at the ELF's (physical) entry point.
    expect(register(out, "eip", 0)).toBe(0x100000);
    expect(out).toMatch(/Breakpoint 1, start_kernel \(\)/);
    expect(register(out, "eip", 1)).toBe(startKernel);
    // x/4xw $esp shows four words at the address `info registers esp` gave.
    const esp = register(out, "esp", 0);
    expect(out).toMatch(new RegExp(`^0x0*${esp.toString(16)}(?: <[^>]+>)?:\\t0x[0-9a-f]{8}\\t0x[0-9a-f]{8}\\t0x[0-9a-f]{8}\\t0x[0-9a-f]{8}$`, "m"));
    // One instruction on: where objdump says the next instruction starts.
    expect(register(out, "eip", 2)).toBe(nextInstruction(GUEST_ELF, startKernel));
    // GDB chose a hardware watchpoint (the stub accepted Z2) and saw each write with old and new values.
    expect(out).toContain("Hardware watchpoint 2: frames_in_use");
    expect(out).toMatch(/Old value = 0\nNew value = 1\n/);
    expect(out).toMatch(/Old value = 1\nNew value = 2\n/);
    expect(out).toMatch(/Hardware assisted breakpoint 3 at 0x([0-9a-f]+)/);
    expect(out).toMatch(/Breakpoint 3, schedule \(\)/);
    expect(register(out, "eip", 3)).toBe(schedule);
    expect(out).toContain("[Inferior 1 (Remote target) killed]");
    expect(await lg.exited).toBe(1);
    expect(lg.stderr()).toContain("lguest run: killed from GDB");
  });

  it("Ctrl-C in GDB stops a Guest waiting for input; after detach it runs on and powers off normally", async () => {
    requireTool("gdb");
    const port = await freePort();
    // busybox cat as the first process waits on the console until its input ends.
    const lg = await launch(["run", "--add", "/bin/busybox:/bin/busybox", "--", "/bin/busybox", "cat"], port);
    const r = await gdb(GUEST_ELF, port, ["continue", "info registers eip", "detach"], (g) => {
      // GDB passes a SIGINT to the target as the interrupt byte (what Ctrl-C at its prompt does).
      setTimeout(() => g.kill("SIGINT"), 3000);
    });
    expect(r.output).toContain("Program received signal SIGINT, Interrupt.");
    // Stopped inside the Guest kernel (its text is at 0xc0100000 and up), not in the Host.
    expect(register(r.output, "eip")).toBeGreaterThanOrEqual(nm(GUEST_ELF, "_start"));
    expect(r.output).toContain("[Inferior 1 (Remote target) detached]");
    lg.child.stdin!.end("after the debugger\n");
    expect(await lg.exited).toBe(0);
    expect(lg.stdout()).toContain("after the debugger");
  });

  it("a Guest that powers off under GDB is reported as exited and the Launcher keeps its status", async () => {
    requireTool("gdb");
    const port = await freePort();
    const lg = await launch(["run"], port);
    const r = await gdb(GUEST_ELF, port, ["continue"]);
    expect(r.output).toContain("[Inferior 1 (Remote target) exited normally]");
    expect(await lg.exited).toBe(0);
    expect(lg.stdout()).toContain("littleguest demo: done");
  });
});

describe("lguest bare --gdb", () => {
  it("GDB breaks at kmain with the multiboot magic on the stack, steps, and sees the exit port's status", async () => {
    requireTool("gdb");
    const port = await freePort();
    const lg = await launch(["bare", DEMO_ELF], port);
    const kmain = nm(DEMO_ELF, "kmain");
    const r = await gdb(DEMO_ELF, port, ["info registers eip eax", "break kmain", "continue", "info registers eip", "x/4xw $esp", "stepi", "info registers eip", "continue"]);
    const out = r.output;
    // Multiboot's hand-over: EIP at the ELF entry, EAX = 0x2BADB002.
    expect(register(out, "eip", 0)).toBe(nm(DEMO_ELF, "_start"));
    expect(register(out, "eax", 0)).toBe(0x2badb002);
    expect(out).toMatch(/Breakpoint 1, kmain \(/);
    expect(register(out, "eip", 1)).toBe(kmain);
    // kmain(magic, mbi): after the return address, its first argument is the multiboot magic.
    expect(out).toMatch(/^0x[0-9a-f]+:\t0x[0-9a-f]{8}\t0x2badb002\t0x[0-9a-f]{8}\t0x[0-9a-f]{8}$/m);
    expect(register(out, "eip", 2)).toBe(nextInstruction(DEMO_ELF, kmain));
    // The demo writes 0 to the exit port: QEMU's status (0 << 1) | 1.
    expect(out).toContain("[Inferior 1 (Remote target) exited with code 01]");
    expect(await lg.exited).toBe(1);
    expect(lg.stdout()).toContain("demo: all 19 checks passed");
  });
});
