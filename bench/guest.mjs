/**
 * `pnpm bench:guest`: lmbench-style micro-benchmarks inside the littleguest Guest on the
 * lguest Host. Each benchmark runs twice, with N and 2N operations, as the Guest's first
 * process; the difference divided by N is the cost of one operation, free of boot and
 * start-up: Guest instructions, exits to the Host (by trap number), hypercalls, hidden and
 * reflected page faults, and wall-clock microseconds on this machine (after one warm-up run,
 * and noisy: compare the counts, which are exact and repeat run for run). A report, not a test.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";

const here = new URL(".", import.meta.url).pathname;
const launcher = await import(new URL("../packages/launcher-cli/dist/index.js", import.meta.url).href);
launcher.tuneV8ForInterpreter();
const { GuestMachine, writeCpio, S_IFREG } = launcher;
const require = createRequire(new URL("../packages/launcher-cli/package.json", import.meta.url));
const kernel = new Uint8Array(readFileSync(require.resolve("@littleguest/guest-kernel/prebuilt/guest.elf")));

const BENCHES = [
  ["null-syscall", 100000, "getpid through int $0x80 (a direct trap: no exit)"],
  ["ctxsw-2", 5000, "a byte between 2 processes through 2 pipes, per round trip"],
  ["ctxsw-8", 500, "a byte around a ring of 8 processes, per lap"],
  ["page-fault", 2048, "touch one fresh anonymous page (mmap, touch, munmap)"],
  ["fork-exit", 100, "fork, the child exits, the parent waits"],
  ["cow-storm", 20, "fork with a 1 MiB working set, the child writes all of it"],
];

function build() {
  const dir = mkdtempSync(join(tmpdir(), "lg-guest-bench-"));
  const out = join(dir, "bench");
  execFileSync("gcc", [
    "-m32", "-march=i686", "-mno-sse", "-mno-mmx", "-ffreestanding", "-fno-pic", "-fno-pie", "-fno-stack-protector",
    "-fno-builtin", "-O2", "-nostdlib", "-static", `-I${join(here, "../packages/guest-kernel/user")}`, "-o", out, join(here, "guest/bench.c"),
  ]);
  return new Uint8Array(readFileSync(out));
}

async function run(initrd, name, n) {
  const m = new GuestMachine({ kernel, kernelName: "guest.elf", memoryBytes: 64 << 20, initrd, argv: ["/bin/bench", name, String(n)] });
  const t0 = performance.now();
  const exit = await m.run();
  const ms = performance.now() - t0;
  if (exit.kind !== "poweroff" || exit.status !== 0) throw new Error(`${name} ${n}: ${JSON.stringify(exit)}`);
  const g = m.guest;
  const s = g.mmu.shadowCounters();
  const r = {
    ms,
    instructions: g.cpu.instructions,
    exits: g.counters.exits.reduce((a, b) => a + b, 0),
    byTrap: [...g.counters.exits],
    hypercalls: g.counters.hypercalls.reduce((a, b) => a + b, 0) + g.counters.asyncHypercalls,
    hidden: s.hiddenFaults,
    reflected: s.reflectedFaults,
  };
  m.close();
  return r;
}

const binary = build();
const initrd = writeCpio([{ name: "bin/bench", mode: S_IFREG | 0o755, data: binary }]);
const rows = [];
for (const [name, n, what] of BENCHES) {
  await run(initrd, name, n); // warm-up: V8 compiles the interpreter's paths this benchmark uses
  const a = await run(initrd, name, n);
  const b = await run(initrd, name, 2 * n);
  const per = (k) => (b[k] - a[k]) / n;
  const traps = b.byTrap
    .map((v, t) => [t, (v - a.byTrap[t]) / n])
    .filter(([, v]) => v >= 0.05)
    .map(([t, v]) => `${t === 0x1f ? "hcall" : t === 14 ? "#PF" : t === 0xef ? "tick" : t}:${v.toFixed(1)}`)
    .join(" ");
  rows.push([name, String(n), per("instructions").toFixed(0), per("exits").toFixed(2), traps || "-", per("hypercalls").toFixed(2), per("hidden").toFixed(2), per("reflected").toFixed(2), ((per("ms") * 1000)).toFixed(1), what]);
}
const head = ["benchmark", "N", "insns/op", "exits/op", "exits by trap", "hcalls/op", "hidden PF/op", "reflected PF/op", "µs/op", "what one operation is"];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => cells.map((c, i) => (i >= 1 && i <= 8 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ");
console.log(line(head));
console.log(widths.map((w) => "-".repeat(w)).join("  "));
for (const r of rows) console.log(line(r));
console.log("\nPer operation = (run with 2N - run with N) / N, so boot and start-up cancel out.");
console.log("Exits by trap: hcall = hypercall (0x1f), #PF = page fault (14), tick = the Host's slice timer (0xef).");
console.log("Fork shares pages copy-on-write: cow-storm's reflected faults are the child's first writes, each a page copy.");
