/**
 * Debian's busybox-static (i386), unmodified, inside the littleguest Guest kernel on the
 * lguest Host: `sh -c` scripts with pipes, loops, fork/exec, sort, sed, awk and exit codes.
 * The reference is the same busybox binary run natively on this (x86-64) host, which runs
 * i386 programs directly. .ci/run installs busybox-static:i386 after
 * `dpkg --add-architecture i386`.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { GuestMachine } from "@littleguest/launcher-cli";
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

async function inGuest(image: Uint8Array, script: string, stdin?: string, argv = [BUSYBOX, "sh", "-c", script]) {
  const out: Uint8Array[] = [];
  const m = new GuestMachine({
    kernel,
    kernelName: "guest.elf",
    memoryBytes: 64 << 20,
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

function natively(script: string, stdin = "") {
  const r = spawnSync(BUSYBOX, ["sh", "-c", script], { encoding: "latin1", env: { PATH: "/bin:/usr/bin", HOME: "/" }, cwd: "/", input: stdin });
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

  it("30 fork/exec/exit cycles", async () => {
    const script = "for i in $(seq 30); do /bin/busybox true; done; echo done";
    const guest = await inGuest(image, script);
    expect(guest.stdout).toBe("done\n");
    expect(guest.exit).toEqual({ kind: "poweroff", status: 0 });
  });
});
