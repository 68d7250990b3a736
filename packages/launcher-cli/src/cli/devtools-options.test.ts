/**
 * The devtools as the `lguest` command offers them, spawned from the built dist/cli.js:
 * `--trace` (readable lines, JSON Lines, `lguest trace summarize`), `--inspect-on-exit`, the
 * Ctrl-A c monitor, and `lguest journey`. Figures are checked against `--stats` of the same
 * run, which counts in the Host, not in the tracer.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
const REPO = fileURLToPath(new URL("../../../../", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "lguest-devtools-"));

/** Debian's busybox-static:i386 (CI installs it) as `cat`, the first process of the Guest. */
const cat = (...options: string[]) => ["run", ...options, "--add", "/bin/busybox:/bin/busybox", "--", "/bin/busybox", "cat"];

function lguest(args: string[], input = "") {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: "utf8", timeout: 120_000, input });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("lguest run --trace", () => {
  it("prints readable exit and hypercall lines on stderr and the Guest still runs to the end", () => {
    const r = lguest(["run", "--trace", "exits,hypercalls"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("littleguest demo: done");
    expect(r.stderr).toMatch(/^\[\s+\d+\s+[\d.]+ms\] exit\s+31 hypercall eip=0x[0-9a-f]+ <\w+/m);
    expect(r.stderr).toMatch(/hypercall\s+LGUEST_INIT\(0x[0-9a-f]+/);
    expect(r.stderr).toMatch(/exit\s+14 #PF page fault eip=.* cr2=0x/);
  });

  it("--trace-file writes JSON Lines whose summary agrees with --stats of the same run", () => {
    const file = join(dir, "run.jsonl");
    const r = lguest(["run", "--stats", "--trace", "all", "--trace-file", file]);
    expect(r.status).toBe(0);
    const lines = readFileSync(file, "utf8").trim().split("\n");
    for (const l of lines.slice(0, 50)) expect(JSON.parse(l)).toHaveProperty("insn");
    const stats = /faults hidden (\d+), reflected (\d+)/.exec(r.stderr)!;
    const s = lguest(["trace", "summarize", file]);
    expect(s.status).toBe(0);
    expect(s.stdout).toContain(`page faults: ${Number(stats[1]) + Number(stats[2])} (${stats[1]} hidden by the shadow pager, ${stats[2]} reflected to the Guest, 0 fatal)`);
    const exits14 = /exits by trap: .*\b14 (\d+)/.exec(r.stderr)!;
    expect(s.stdout).toMatch(new RegExp(`^\\s+${exits14[1]}  14 #PF page fault$`, "m"));
    expect(s.stdout).toMatch(/instructions that faulted most:\n\s+\d+ {2}0x[0-9a-f]+ <\w+/);
  });

  it("bad lists and files: one line each, status 1", () => {
    const bad = lguest(["run", "--trace", "exits,tlb"]);
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim()).toBe("lguest run: --trace: unknown trace category 'tlb'; choose from exits, hypercalls, faults, pagetables, irq, insn or all (all but insn)");
    expect(lguest(["run", "--trace-file", "x.jsonl"]).stderr.trim()).toMatch(/--trace-file needs --trace LIST/);
    const missing = lguest(["trace", "summarize", "nope.jsonl"]);
    expect([missing.status, missing.stderr.trim()]).toEqual([1, "lguest trace: cannot read the trace file 'nope.jsonl': no such file"]);
    writeFileSync(join(dir, "junk.jsonl"), '{"type":"exit","insn":1,"ns":0,"trapnum":14,"name":"x","errcode":0,"eip":0}\nhello\n');
    expect(lguest(["trace", "summarize", "junk.jsonl"]).stderr.trim()).toBe("lguest trace: junk.jsonl: line 2: not JSON (a trace file has one JSON event per line)");
  });
});

describe("lguest run --inspect-on-exit", () => {
  it("shows the Guest's last address space beside its shadow, before the Host frees it", () => {
    const r = lguest(["run", "--inspect-on-exit=registers,pgdirs,pagetables,switcher"]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/inspect registers:\n\s+eax=0x/);
    expect(r.stderr).toMatch(/\* slot \d: Guest pgdir 0x[0-9a-f]{8}\s+shadow 0x/);
    const totals = /pages: same (\d+), not-shadowed (\d+), write-protected-until-dirty (\d+), stale (\d+), differs (\d+)/.exec(r.stderr)!;
    expect(Number(totals[1])).toBeGreaterThan(0);
    expect([totals[4], totals[5]]).toEqual(["0", "0"]);
    expect(r.stderr).toContain("this vCPU's regs page (remapped)");
    expect(lguest(["run", "--inspect-on-exit=regs"]).stderr.trim()).toMatch(/unknown view 'regs'; choose from registers, counters/);
  });
});

describe("the monitor (Ctrl-A c)", () => {
  it("stops the Guest, answers info/x/step, and continue lets it finish", () => {
    // busybox cat waits for its input, so the Guest is alive when Ctrl-A c arrives.
    const r = lguest(cat("--monitor"), "\x01cinfo registers\nx/16 $eip\nstep 3\ninfo pgdirs\nbogus\ncontinue\nfor the cat\n");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\[lguest monitor: the Guest is stopped at eip 0x[0-9a-f]{8}( <\w+[^>]*>)?, ring [13];/);
    expect(r.stdout).toMatch(/\(lguest\) info registers\r\n\s+eax=0x/);
    expect(r.stdout).toMatch(/\(lguest\) x\/16 \$eip\r\n0x[0-9a-f]{8}: ([0-9a-f]{2} ){15}[0-9a-f]{2}/);
    expect(r.stdout).toMatch(/\(lguest\) step 3\r\nstopped at eip 0x/);
    expect(r.stdout).toContain("unknown command 'bogus'; type 'help'");
    // What was typed after `continue` went to the Guest.
    expect(r.stdout).toMatch(/continue\r\n[\s\S]*for the cat/);
  });

  it("x/Ni disassembles kernel code exactly as objdump -d does", () => {
    const r = lguest(cat("--monitor"), "\x01cx/6i alloc_frame\ncontinue\n");
    expect(r.status).toBe(0);
    const elf = join(REPO, "packages/guest-kernel/prebuilt/guest.elf");
    const objdump = spawnSync("objdump", ["-d", "--start-address=0xc0100980", "--stop-address=0xc0100a00", elf], { encoding: "utf8" });
    expect(objdump.status, "objdump (binutils) is the reference and must be installed").toBe(0);
    const want = objdump.stdout
      .split("\n")
      .map((l) => /^ *([0-9a-f]+):\t[0-9a-f ]+\t(.*)$/.exec(l))
      .filter((m) => m !== null)
      .slice(0, 6)
      .map((m) => [`0x${m[1]}`, m[2]!.trimEnd()]);
    expect(want).toHaveLength(6);
    const got = r.stdout
      .split("\r\n")
      .map((l) => /^(0x[0-9a-f]{8})(?: <[^>]+>)?: (?:[0-9a-f]{2} )+\s*(.*)$/.exec(l))
      .filter((m) => m !== null)
      .map((m) => [m[1], m[2]!.trimEnd()]);
    expect(got).toEqual(want);
  }, 60_000);

  it("quit ends the run with status 130; without --monitor Ctrl-A reaches the Guest", () => {
    const q = lguest(cat("--monitor"), "\x01cquit\nnot for the cat\n");
    expect(q.status).toBe(130);
    expect(q.stderr).toContain("lguest run: ended from the monitor");
    expect(q.stdout).not.toContain("not for the cat");
    const plain = lguest(cat(), "a\x01cb\n");
    expect(plain.status).toBe(0);
    expect(plain.stdout).not.toContain("lguest monitor");
    expect(plain.stdout).toContain("a\x01cb");
  }, 60_000); // two Guests, one after the other
});

describe("lguest journey", () => {
  it("--check passes on this checkout, and fails on a duplicate or unnumbered passage", () => {
    const ok = lguest(["journey", "--check", "--root", REPO]);
    expect(ok.stderr).toBe("");
    expect(ok.stdout).toMatch(/^journey: docs\/journey up to date \(\d+ passages\)/);
    expect(ok.status).toBe(0);
    const root = join(dir, "repo");
    mkdirSync(join(root, "packages", "a"), { recursive: true });
    writeFileSync(join(root, "pnpm-workspace.yaml"), "packages: []\n");
    const mark = (n: string) => `/*H${n}`;
    writeFileSync(join(root, "packages", "a", "x.ts"), `${mark(":100")} one :*/\n${mark(":100")} two :*/\n${mark(":")} three :*/\n`);
    const bad = lguest(["journey", "--check", "--root", root]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("packages/a/x.ts:3: passage marker /*H: has no three-digit number");
    expect(bad.stderr).toContain("duplicate passage H:100: packages/a/x.ts:1 and packages/a/x.ts:2");
  });
});
