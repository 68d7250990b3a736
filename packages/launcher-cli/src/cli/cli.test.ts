/**
 * The `lguest` executable as a user meets it: spawned from the built
 * dist/cli.js. Bad input must give one line on stderr that names the thing
 * and the fix, a non-zero status, and no stack trace.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { bytes, concat, multibootHeader, tinyElf } from "../bare/tiny-elf.testkit.js";

const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "lguest-cli-"));

function lguest(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: "utf8", timeout: 50_000, input: "" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The contract for bad input: status 1, nothing on stdout, exactly one stderr line matching `message`. */
function expectOneLineError(r: ReturnType<typeof lguest>, message: RegExp) {
  expect(r.status).toBe(1);
  expect(r.stdout).toBe("");
  const lines = r.stderr.split("\n").filter((l) => l !== "");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

function file(name: string, content: Uint8Array): string {
  writeFileSync(join(dir, name), content);
  return name;
}

const goodKernel = () =>
  tinyElf({ entry: 0x10000c, segments: [{ paddr: 0x100000, data: concat(multibootHeader(3), Uint8Array.of(0xfa, 0xf4)) }] });

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build the package first (npx tsup)`);
});

describe("lguest help", () => {
  it("--help → usage naming the bare command on stdout, status 0", () => {
    const r = lguest("--help");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: lguest <command>/);
    expect(r.stdout).toMatch(/bare FILE/);
  });

  it("bare --help → options, exit statuses and halt/triple-fault behaviour", () => {
    const r = lguest("bare", "--help");
    expect(r.status).toBe(0);
    for (const word of ["--append", "--mem", "--stats", "0x3F8", "0xF4", "triple fault", "HLT", "(v << 1) | 1"]) {
      expect(r.stdout).toContain(word);
    }
  });

  it("bare -h with a file → help, nothing run", () => {
    expect(lguest("bare", "nothing.elf", "-h").status).toBe(0);
  });
});

describe("lguest command errors", () => {
  it("no command → one line pointing at --help", () => {
    expectOneLineError(lguest(), /^lguest: missing command.*--help/);
  });

  it("unknown subcommand → one line naming it and the known command", () => {
    expectOneLineError(lguest("boot", "x"), /^lguest: unknown command 'boot'.*bare/);
  });

  it("unknown top-level option → one line", () => {
    expectOneLineError(lguest("--frob"), /unknown option '--frob'/);
  });
});

describe("lguest bare: bad arguments", () => {
  it("no FILE → usage line", () => {
    expectOneLineError(lguest("bare"), /^lguest bare: missing the kernel FILE; usage: lguest bare FILE/);
  });

  it("two files → names the extra one", () => {
    expectOneLineError(lguest("bare", "a.elf", "b.elf"), /unexpected argument 'b.elf'/);
  });

  it("unknown option → names it and lists the options", () => {
    expectOneLineError(lguest("bare", "k.elf", "--memory", "64M"), /unknown option '--memory'.*--mem/);
  });

  it("--mem without a value → shows an example", () => {
    expectOneLineError(lguest("bare", file("k1.elf", goodKernel()), "--mem"), /--mem needs a value, e\.g\. --mem 64M/);
  });

  it.each([
    ["lots", /--mem 'lots' is not a size; write it like 64M/],
    ["2M", /--mem 2M is below the 4M minimum/],
    ["8G", /above the .* maximum/],
  ])("--mem %s → bad size", (size, message) => {
    expectOneLineError(lguest("bare", file("k2.elf", goodKernel()), "--mem", size), message);
  });
});

describe("lguest bare: bad kernel files", () => {
  it("missing file → names it and says to check the path", () => {
    expectOneLineError(lguest("bare", "nope.elf"), /cannot read kernel 'nope.elf': no such file; check the path/);
  });

  it("a directory → says so", () => {
    mkdirSync(join(dir, "kdir"), { recursive: true });
    expectOneLineError(lguest("bare", "kdir"), /cannot read kernel 'kdir': it is a directory/);
  });

  it("no multiboot header → not a multiboot kernel, add a header", () => {
    expectOneLineError(lguest("bare", file("plain.bin", bytes(4096, 0x90))), /plain\.bin is not a multiboot kernel.*add a multiboot header/);
  });

  it("multiboot header but not ELF and no load addresses → link it as ELF", () => {
    expectOneLineError(lguest("bare", file("raw.bin", concat(multibootHeader(0), bytes(64)))), /raw\.bin is neither ELF.*link it as ELF/);
  });

  it("64-bit ELF → asks for an i386 build", () => {
    const elf = tinyElf({ entry: 0x10000c, elfClass: 2, segments: [{ paddr: 0x100000, data: concat(multibootHeader(3), bytes(8)) }] });
    expectOneLineError(lguest("bare", file("k64.elf", elf)), /k64\.elf is a 64-bit ELF.*-m32/);
  });

  it("kernel larger than RAM → does not fit, suggests a larger --mem", () => {
    const big = tinyElf({ entry: 0x10000c, segments: [{ paddr: 0x100000, data: concat(multibootHeader(3), bytes(4)), memsz: 8 * 1024 * 1024 }] });
    expectOneLineError(lguest("bare", file("big.elf", big), "--mem", "4M"), /big\.elf: segment .* beyond the end of RAM \(4M\); use --mem 10M/);
  });

  it("unknown multiboot requirement flag → refuses, naming the bits", () => {
    const elf = tinyElf({ entry: 0x10000c, segments: [{ paddr: 0x100000, data: concat(multibootHeader(1 << 8), bytes(4)) }] });
    expectOneLineError(lguest("bare", file("req.elf", elf)), /requires multiboot features .*0x100/);
  });
});

/** A flat multiboot image (flag 16) with `code` at its entry 0x100020 and a zeroed bss up to 0x100200. */
const flat = (code: number[]) =>
  concat(multibootHeader(1 << 16, [0x100000, 0x100000, 0, 0x100200, 0x100020]), Uint8Array.of(...code));

describe("lguest bare: how a run ends (documented exit statuses)", () => {
  it("cli; hlt → status 0 and one stderr line saying the CPU halted with interrupts disabled", () => {
    const r = lguest("bare", file("halt.bin", flat([0xfa, 0xf4])));
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("lguest bare: CPU halted with interrupts disabled; nothing can wake it, so the machine is off\n");
  });

  it("triple fault (ud2 with an empty IDT) → status 2 and one stderr line naming it", () => {
    // lidt [0x100100] (six zero bytes in the bss) ; ud2
    const r = lguest("bare", file("tf.bin", flat([0x0f, 0x01, 0x1d, 0x00, 0x01, 0x10, 0x00, 0x0f, 0x0b])));
    expect(r.status).toBe(2);
    const lines = r.stderr.split("\n").filter((l) => l !== "");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^lguest bare: triple fault.*a PC would reset here/);
  });

  it("--stats → instructions, seconds, MIPS and the TLB counters on stderr", () => {
    const r = lguest("bare", file("halt2.bin", flat([0x90, 0x90, 0xfa, 0xf4])), "--stats");
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/stats: [1-9]\d* instructions retired in \d+\.\d{3} s = \d+\.\d{2} MIPS/);
    expect(r.stderr).toMatch(/stats: TLB misses [1-9]\d*, walks \d+, walkRefs \d+, fills \d+, flushes \d+/);
  });

  it("flag 2 (video mode) → a warning line on stderr, and the kernel still runs", () => {
    const image = concat(multibootHeader((1 << 16) | 4, [0x100000, 0x100000, 0, 0, 0x100030, 0, 0, 0, 0]), Uint8Array.of(0xfa, 0xf4));
    const r = lguest("bare", file("vbe.bin", image));
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^lguest bare: warning: vbe\.bin asks for a video mode/);
  });
});

describe("lguest bare: Ctrl-C", () => {
  it("SIGINT during an endless loop → status 130 and 'interrupted' on stderr", async () => {
    const child = spawn(process.execPath, [CLI, "bare", file("spin.bin", flat([0xeb, 0xfe]))], { cwd: dir });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    setTimeout(() => child.kill("SIGINT"), 1000); // well after start-up, while it spins
    const status = await new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    expect(status).toBe(130);
    expect(stderr).toBe("lguest bare: interrupted\n");
  });
});

/** A Guest run spawns node and boots the kernel (~20M instructions): slow when CI runs every package at once. */
const RUN_TIMEOUT = 60_000;

describe("lguest run", () => {
  it("with nothing given: the bundled kernel and initramfs run the demo (fork, pipe, execve, page faults)", () => {
    const r = lguest("run", "--mem", "32M");
    expect(r.status).toBe(0);
    for (const line of [
      "pid 1: the first process (a static i386 ELF from the initramfs)",
      'parent read "hello through a pipe"; the child exited with 3',
      "pid 3: /bin/hello, started by execve with argv: /bin/hello from execve",
      "touched 256 fresh pages (checksum 32640)",
    ]) {
      expect(r.stdout).toContain(line);
    }
    expect(r.stderr).toBe("");
  }, RUN_TIMEOUT);

  it("--kernel alone boots the kernel's own demo, which reads its command line", () => {
    const kernel = createRequire(import.meta.url).resolve("@littleguest/guest-kernel/prebuilt/guest.elf");
    const r = lguest("run", "--kernel", kernel, "--mem", "32M", "--append", "hello from the test");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("littleguest Guest kernel on lguest: 32 MiB RAM");
    expect(r.stdout).toContain("command line: hello from the test\n");
  }, RUN_TIMEOUT);

  it("--stats reports exits by trap, hypercalls by name, hidden/reflected faults and the pgdir hit rate", () => {
    const r = lguest("run", "--mem", "16M", "--stats");
    expect(r.status).toBe(0);
    for (const want of [
      /exits by trap: 14 \d+, 31 \d+/,
      /hypercalls: .*LGUEST_INIT 1, SHUTDOWN 1, NEW_PGTABLE \d+, FLUSH_TLB \d+, LOAD_IDT_ENTRY \d+, .*SET_PTE \d+, .*NOTIFY \d+.* \(async \d+\)/,
      /faults hidden \d+, reflected \d+/,
      /pgdir hits \d+, misses \d+ \(hit rate \d+\.\d%\)/,
      /MIPS/,
    ]) {
      expect(r.stderr).toMatch(want);
    }
  }, RUN_TIMEOUT);

  it("a kernel that is not an lguest Guest: one line naming the file, status 1", () => {
    expectOneLineError(lguest("run", "--kernel", file("bad.bin", new Uint8Array(16))), /^lguest run: bad\.bin is neither an ELF kernel nor a bzImage/);
    expectOneLineError(lguest("run", "--kernel", "missing.elf"), /^lguest run: cannot read kernel 'missing\.elf': no such file/);
    expectOneLineError(lguest("run", "--mem", "2M"), /^lguest run: --mem 2M is below the 4M minimum/);
    expectOneLineError(lguest("run", "extra"), /^lguest run: unexpected argument 'extra'/);
  }, RUN_TIMEOUT);

  it("--add a program and -- ARGS: it runs as the first process and its exit status is lguest's", () => {
    const src = join(dir, "exit42.S");
    writeFileSync(src, ".globl _start\n_start:\n\tmovl $1, %eax\n\tmovl $42, %ebx\n\tint $0x80\n");
    spawnSync("gcc", ["-m32", "-nostdlib", "-static", "-o", join(dir, "exit42"), src]);
    const r = lguest("run", "--mem", "16M", "--add", "exit42:/bin/exit42", "--", "/bin/exit42");
    expect([r.status, r.stdout, r.stderr]).toEqual([42, "", ""]);
  }, RUN_TIMEOUT);

  it("bad --add, --initrd and -- arguments: one line each, status 1", () => {
    expectOneLineError(lguest("run", "--add", "nocolon"), /^lguest run: --add needs HOSTFILE:GUESTPATH/);
    expectOneLineError(lguest("run", "--add", "x:relative"), /^lguest run: --add needs HOSTFILE:GUESTPATH with an absolute Guest path/);
    expectOneLineError(lguest("run", "--initrd", file("notcpio.bin", new Uint8Array(32))), /^lguest run: notcpio\.bin is not a newc cpio archive/);
    expectOneLineError(lguest("run", "--"), /^lguest run: nothing after '--'/);
    expectOneLineError(lguest("run", "--block", "nodisk.img"), /^lguest run: cannot open the --block file 'nodisk\.img': no such file/);
    expectOneLineError(lguest("run", "--mmu", "nested"), /^lguest run: --mmu 'nested' is not available; the MMU strategies of the lguest Host are: shadow/);
    expectOneLineError(lguest("run", "--add", "missing:/bin/x", "--", "/bin/x"), /^lguest run: cannot read --add file 'missing': no such file/);
  }, RUN_TIMEOUT);

  /**
   * Run `lguest run … -- /bin/busybox sh -c SHELL` on a pseudo-terminal (util-linux's
   * script(1)) and type `keys` once the Guest has printed "ready" (so the Launcher has
   * already put the terminal in raw mode).
   */
  function onTerminal(shell: string, keys: string): Promise<{ status: number | null; output: string }> {
    const cmd = `${process.execPath} ${CLI} run --mem 16M --add /bin/busybox:/bin/busybox -- /bin/busybox sh -c '${shell}'`;
    return new Promise((resolve, reject) => {
      const child = spawn("script", ["-qec", cmd, "/dev/null"], { cwd: dir });
      let output = "";
      let typed = false;
      child.on("error", (e) => reject(new Error(`script(1) from util-linux is needed for this test: ${e.message}`)));
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString("latin1");
        if (!typed && output.includes("ready")) {
          typed = true;
          child.stdin.write(keys);
        }
      });
      child.on("close", (status) => resolve({ status, output }));
    });
  }

  it("on a terminal stdin is raw: one Ctrl-C is a byte for the Guest, not the end of the Launcher", async () => {
    const r = await onTerminal('echo ready; read x; echo "got $x" | wc -c', "\u0003abc\n");
    expect(r.output).toMatch(/\b9\r?\n/); // "got " + ^C + "abc" + newline: the ^C arrived as a byte
    expect(r.status).toBe(0);
  }, RUN_TIMEOUT);

  it("on a terminal three Ctrl-C within a second end the run with 130", async () => {
    const r = await onTerminal("echo ready; read x; echo never", "\u0003\u0003\u0003");
    expect(r.status).toBe(130);
    expect(r.output).not.toContain("never");
  }, RUN_TIMEOUT);

  it("run --help lists the options and exit statuses", () => {
    const r = lguest("run", "--help");
    expect(r.status).toBe(0);
    for (const word of ["--kernel", "--mem", "--append", "--stats", "power", "killed"]) expect(r.stdout).toContain(word);
  }, RUN_TIMEOUT);
});
