/**
 * Debian's busybox-static (i386), unmodified, inside the littleguest Guest kernel on the
 * lguest Host: `sh -c` scripts with pipes, loops, fork/exec, sort, sed, awk and exit codes.
 * The reference is the same busybox binary run natively on this (x86-64) host, which runs
 * i386 programs directly. .ci/run installs busybox-static:i386 after
 * `dpkg --add-architecture i386`.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { createHash } from "node:crypto";
import { GuestMachine, memoryBackend } from "@littleguest/launcher-cli";
import { describe, expect, it } from "vitest";

const BUSYBOX = "/bin/busybox";

function busybox(): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(BUSYBOX));
  } catch {
    throw new Error(`${BUSYBOX} is missing: install it with 'dpkg --add-architecture i386 && apt-get update && apt-get install busybox-static:i386' (.ci/run does)`);
  }
  if (bytes[4] !== 1 || bytes[18] !== 3) throw new Error(`${BUSYBOX} is not an i386 ELF: install busybox-static:i386, not the amd64 package`);
  return bytes;
}

const kernel = new Uint8Array(readFileSync(createRequire(import.meta.url).resolve("@littleguest/guest-kernel/prebuilt/guest.elf")));

/** newc archive with one file, /bin/busybox. */
function initrd(binary: Uint8Array): Uint8Array {
  const enc = new TextEncoder();
  const entry = (name: string, mode: number, data: Uint8Array) => {
    const nameBytes = enc.encode(`${name}\0`);
    const fields = [1, mode, 0, 0, 1, 0, data.length, 0, 0, 0, 0, nameBytes.length, 0];
    const head = enc.encode(`070701${fields.map((f) => f.toString(16).padStart(8, "0")).join("")}`);
    const pad = (n: number) => (4 - (n % 4)) % 4;
    const out = new Uint8Array(head.length + nameBytes.length + pad(head.length + nameBytes.length) + data.length + pad(data.length));
    out.set(head);
    out.set(nameBytes, head.length);
    out.set(data, head.length + nameBytes.length + pad(head.length + nameBytes.length));
    return out;
  };
  const parts = [entry("bin", 0o40755, new Uint8Array(0)), entry("bin/busybox", 0o100755, binary), entry("TRAILER!!!", 0, new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

async function inGuest(image: Uint8Array, script: string, stdin?: string, argv = [BUSYBOX, "sh", "-c", script], cmdline = "") {
  const out: Uint8Array[] = [];
  const m = new GuestMachine({
    kernel,
    kernelName: "guest.elf",
    memoryBytes: 64 << 20,
    cmdline,
    initrd: image,
    argv,
    output: (b) => out.push(b),
    acceptsInput: stdin !== undefined,
  });
  const running = m.run();
  if (stdin !== undefined) {
    m.input(new TextEncoder().encode(stdin));
    m.inputEnd();
  }
  const exit = await running;
  const frames = m.allocator.inUse;
  m.close();
  return { exit, stdout: Buffer.concat(out).toString("latin1"), frames };
}

/**
 * Run natively. Scripts that write files `cd ${T:-/tmp}`: natively T is a fresh directory,
 * in the Guest it is unset.
 */
function natively(script: string, stdin = "") {
  const T = mkdtempSync(join(tmpdir(), "busybox-native-"));
  // The Guest's console is both stdout and stderr: merge them natively too, in order.
  const r = spawnSync(BUSYBOX, ["sh", "-c", `exec 2>&1; ${script}`], { encoding: "latin1", env: { PATH: "/bin:/usr/bin", HOME: "/", T }, cwd: "/", input: stdin });
  return { status: r.status, stdout: r.stdout };
}

const SCRIPTS: [string, string][] = [
  ["a pipe", "echo hi | wc -c"],
  ["an exit status", "exit 7"],
  ["a loop into sort -r", "for i in 1 2 3 4; do echo line $i; done | sort -r"],
  ["sed", "echo hello world | sed s/world/guest/"],
  ["sort, tr and a here-string of lines", "printf 'pear\\napple\\nfig\\n' | sort | tr a-z A-Z"],
  ["grep -c over seq", "seq 1 100 | grep -c 7"],
  ["sort -n", "echo 10 9 100 1 | tr ' ' '\\n' | sort -n | head -3"],
  ["awk with doubles", "seq 1 10 | awk '{ s += $1 } END { printf \"%d %.2f\\n\", s, s / 7 }'"],
  ["true/false and $?", "true && echo yes; false || echo no; (exit 3); echo status $?"],
  ["arithmetic without forks", "x=0; while [ $x -lt 200 ]; do x=$((x + 3)); done; echo $x"],
  ["cut and head", "printf 'a:b:c\\nd:e:f\\n' | cut -d: -f2 | head -1"],
  ["expr and command substitution", "echo $(expr 6 \\* 7)"],
  [
    "files: create, append, move, list, remove",
    `cd \${T:-/tmp} && echo hello > a && echo world >> a && cat a && mkdir d && mv a d/b && ls d && wc -l d/b && rm d/b && rmdir d && ls && echo empty`,
  ],
  // ls prints columns on a terminal: the Guest's console is one, the native run's pipe is not.
  ["ls and find over a tree the script builds", `cd \${T:-/tmp} && mkdir -p x/y && touch x/a x/y/b && echo 1 > x/c && ls x | cat && ls -l x | wc -l && find x | sort && cat x/c`],
  ["a bigger file: seq, wc, tail, sort -rn", `cd \${T:-/tmp} && seq 1 2000 > big && wc -c big && tail -1 big && sort -rn big | head -3`],
  ["signals: a trap handler, kill -9 and the shell's report", "trap 'echo got USR1' USR1; kill -USR1 $$; echo after; sh -c 'kill -9 $$'; echo status $?"],
  ["background jobs and wait (sorted: their order is the scheduler's)", "(for i in 3 1 2; do (echo job $i) & done; wait; echo all done) | sort"],
  ["errors: a missing file and a non-empty directory", `cd \${T:-/tmp} && cat nothing; echo $?; mkdir x; echo 1 > x/f; rmdir x; echo $?`],
];

describe("busybox-static (i386) in the Guest, against the same binary run natively", () => {
  const image = initrd(busybox());
  for (const [name, script] of SCRIPTS) {
    it(`${name}: ${script}`, async () => {
      const guest = await inGuest(image, script);
      const host = natively(script);
      expect(guest.stdout).toBe(host.stdout);
      expect(guest.exit).toEqual({ kind: "poweroff", status: host.status });
    });
  }

  it("console input: a script reads its stdin through the virtio console, then sees end-of-file", async () => {
    const script = "while read a b; do echo \"$b $a\"; done; echo end";
    const input = "one 1\ntwo 2\nthree 3\n";
    const guest = await inGuest(image, script, input);
    expect(guest.stdout).toBe(natively(script, input).stdout);
    expect(guest.exit).toEqual({ kind: "poweroff", status: 0 });
  });

  it("an interactive shell fed through stdin runs each command and exits with the status asked for", async () => {
    const guest = await inGuest(image, "", "echo one\necho two | wc -c\nexit 5\n", [BUSYBOX, "sh"]);
    expect(guest.stdout).toContain("one\n");
    expect(guest.stdout).toContain("4\n");
    expect(guest.exit).toEqual({ kind: "poweroff", status: 5 });
  });

  it("a virtio block device: /dev/vda reads back the host's bytes (md5sum) and takes a write at an offset", async () => {
    const disk = new Uint8Array(64 * 1024);
    for (let i = 0; i < disk.length; i++) disk[i] = (i * 7 + (i >> 9)) & 0xff;
    const md5 = createHash("md5").update(disk).digest("hex");
    const out: Uint8Array[] = [];
    const script = "md5sum /dev/vda; echo -n 'written by the guest' | dd of=/dev/vda bs=1 seek=3000 conv=notrunc 2>/dev/null; wc -c < /dev/vda";
    const m = new GuestMachine({
      kernel,
      kernelName: "guest.elf",
      memoryBytes: 64 << 20,
      initrd: image,
      argv: [BUSYBOX, "sh", "-c", script],
      block: memoryBackend(disk),
      output: (b) => out.push(b),
    });
    expect(await m.run()).toEqual({ kind: "poweroff", status: 0 });
    expect(Buffer.concat(out).toString("latin1")).toBe(`${md5}  /dev/vda\n65536\n`);
    expect(new TextDecoder().decode(disk.subarray(3000, 3020))).toBe("written by the guest");
    expect(disk[2999]).toBe((2999 * 7 + (2999 >> 9)) & 0xff); // the bytes around it are untouched
    expect(disk[3020]).toBe((3020 * 7 + (3020 >> 9)) & 0xff);
    m.close();
  });

  it("sleep waits in the Guest's virtual time: two seconds pass on its clock, none on ours", async () => {
    const guest = await inGuest(image, "a=$(date +%s); sleep 2; b=$(date +%s); echo $((b - a))");
    expect(guest.stdout).toBe("2\n");
  });

  it("stress: 200 fork/exec/exit cycles, and every page comes back", async () => {
    const script = "for i in $(seq 200); do /bin/busybox true; done; echo done";
    const guest = await inGuest(image, script, undefined, [BUSYBOX, "sh", "-c", script], "lguest.debug");
    expect(guest.stdout).toMatch(/^done\n/m);
    const m = /frames in use: (\d+) before the first process, (\d+) after the last/.exec(guest.stdout);
    expect(m?.[2]).toBe(m?.[1]);
    expect(guest.exit).toEqual({ kind: "poweroff", status: 0 });
  });

  it("stress: 10 processes at once (more than the Host's 4 cached page directories), each computing its own sum", async () => {
    const script =
      "for i in $(seq 10); do (s=0; j=0; while [ $j -lt 150 ]; do j=$((j + 1)); s=$((s + j * i)); done; echo $i $s) & done; wait";
    const guest = await inGuest(image, `(${script}) | sort -n`);
    const host = natively(`(${script}) | sort -n`);
    expect(guest.stdout).toBe(host.stdout);
    expect(guest.stdout.split("\n")[9]).toBe(`10 ${10 * ((150 * 151) / 2)}`);
  });

  it("fork gives the child its own copy of memory: the parent's variables are untouched", async () => {
    const script = "x=1; (x=2; echo child $x); echo parent $x; y=$(x=3; echo $x); echo $y $x";
    const guest = await inGuest(image, script);
    expect(guest.stdout).toBe(natively(script).stdout);
  });
});
