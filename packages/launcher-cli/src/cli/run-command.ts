/**
 * `lguest run [--kernel FILE] [--mem SIZE] [--append ARGS] [--stats]`: boot a Guest kernel
 * (the bundled one unless told otherwise) on the lguest Host and turn its end into an exit
 * status: the Guest's own at power-off, non-zero with the reason when it is killed.
 */
import { closeSync, fstatSync, fsyncSync, lstatSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, writeSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { HYPERCALL_NAMES } from "@littleguest/lguest-host/abi";
import { LauncherError } from "../errors.js";
import type { GuestExit, GuestMachine } from "../guest/machine.js";
import type { BlockBackend } from "../guest/block.js";
import { type CpioEntry, isCpio, S_IFDIR, S_IFREG, writeCpio } from "../guest/initramfs.js";
import { readKernelFile } from "./bare-command.js";
import type { CliIo } from "./cli-io.js";
import { parseMemSize } from "./mem-size.js";
import { RUN_USAGE } from "./usage.js";
import { createGuestTarget, type DriverStop, type MachineDriver, makeSymbolizer, readElfSymbols, type TraceCategory } from "@littleguest/devtools";
import { parseGdbPort, serveGdb } from "./gdb-option.js";
import { DEFAULT_INSPECT, type InspectView, parseInspectList, renderView } from "./inspect-views.js";
import { Monitor } from "./monitor.js";
import { parseTraceOption, startTrace } from "./trace-option.js";

/** Exit status when the Guest was killed or crashed. */
export const EXIT_GUEST_KILLED = 1;
/** Exit status when the Guest stopped with nothing that could ever wake it. */
export const EXIT_GUEST_STUCK = 4;
/** Exit status after Ctrl-C. */
const EXIT_INTERRUPTED = 130;

/** Parsed `lguest run` options. */
export interface RunOptions {
  /** Kernel path, or undefined for the bundled Guest kernel. */
  readonly kernel: string | undefined;
  /** Guest RAM in bytes. */
  readonly memoryBytes: number;
  /** Kernel command line. */
  readonly append: string;
  /** `--stats` given. */
  readonly stats: boolean;
  /** `--initrd FILE|DIR`. */
  readonly initrd: string | undefined;
  /** `--add HOSTFILE:GUESTPATH`, in order. */
  readonly add: readonly { host: string; guest: string }[];
  /** The program and arguments after `--`. */
  readonly argv: readonly string[];
  /** `--block FILE`: the Guest's /dev/vda. */
  readonly block: string | undefined;
  /** `--trace LIST`: the categories to record (empty: no tracing). */
  readonly trace: ReadonlySet<TraceCategory>;
  /** `--trace-file FILE`: JSON Lines there instead of readable lines on stderr. */
  readonly traceFile: string | undefined;
  /** `--inspect-on-exit[=VIEWS]`: what to print when the Guest ends (empty: nothing). */
  readonly inspectOnExit: readonly InspectView[];
  /** `--monitor`: Ctrl-A c opens the monitor prompt. */
  readonly monitor: boolean;
  /** `--gdb PORT`: wait for GDB on this TCP port before the first instruction (undefined: no stub). */
  readonly gdb?: number;
}

/** The bundled Guest kernel's path. */
export function bundledKernelPath(): string {
  return createRequire(import.meta.url).resolve("@littleguest/guest-kernel/prebuilt/guest.elf");
}

/** The bundled initramfs (/init, the demo, and /bin/hello). */
export function bundledInitramfsPath(): string {
  return createRequire(import.meta.url).resolve("@littleguest/guest-kernel/prebuilt/initramfs.cpio");
}

/**
 * Parse the arguments after `run`.
 * @returns the options, or "help".
 * @throws LauncherError `bad-option`, `usage` or `bad-mem`.
 */
export function parseRunArgs(args: readonly string[]): RunOptions | "help" {
  const dashes = args.indexOf("--");
  const argv = dashes < 0 ? [] : args.slice(dashes + 1);
  if (dashes >= 0 && argv.length === 0) throw new LauncherError("usage", "nothing after '--'; give the program to run, e.g. -- /bin/busybox sh");
  const { tokens } = parseArgs({
    args: dashes < 0 ? [...args] : args.slice(0, dashes),
    options: {
      kernel: { type: "string" },
      initrd: { type: "string" },
      mmu: { type: "string" },
      block: { type: "string" },
      add: { type: "string", multiple: true },
      append: { type: "string" },
      mem: { type: "string" },
      stats: { type: "boolean" },
      trace: { type: "string" },
      "trace-file": { type: "string" },
      "inspect-on-exit": { type: "string" },
      monitor: { type: "boolean" },
      gdb: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  let kernel: string | undefined;
  let append = "";
  let mem: string | undefined;
  let stats = false;
  let initrd: string | undefined;
  let block: string | undefined;
  let trace: ReadonlySet<TraceCategory> = new Set();
  let traceFile: string | undefined;
  let inspectOnExit: readonly InspectView[] = [];
  let monitor = false;
  let gdb: number | undefined;
  const add: { host: string; guest: string }[] = [];
  for (const t of tokens) {
    if (t.kind === "positional") {
      throw new LauncherError("usage", `unexpected argument '${t.value}'; give the kernel with --kernel FILE (see 'lguest run --help')`);
    }
    if (t.kind !== "option") continue;
    switch (t.name) {
      case "help":
      case "h":
        return "help";
      case "stats":
        if (t.value !== undefined) throw new LauncherError("bad-option", "--stats takes no value; write just --stats");
        stats = true;
        break;
      case "trace":
        if (t.value === undefined) throw new LauncherError("bad-option", "--trace needs a list, e.g. --trace exits,hypercalls (or --trace all)");
        trace = parseTraceOption(t.value);
        break;
      case "trace-file":
        if (t.value === undefined) throw new LauncherError("bad-option", "--trace-file needs a value: the file to write JSON Lines to");
        traceFile = t.value;
        break;
      case "inspect-on-exit":
        inspectOnExit = t.value === undefined ? [...DEFAULT_INSPECT] : parseInspectList(t.value, "--inspect-on-exit");
        break;
      case "monitor":
        if (t.value !== undefined) throw new LauncherError("bad-option", "--monitor takes no value; write just --monitor");
        monitor = true;
        break;
      case "gdb":
        gdb = parseGdbPort(t.value);
        break;
      case "block":
        if (t.value === undefined) throw new LauncherError("bad-option", "--block needs a value: the file that backs the Guest's /dev/vda");
        block = t.value;
        break;
      case "mmu":
        if (t.value !== "shadow") {
          throw new LauncherError("bad-option", `--mmu '${t.value ?? ""}' is not available; the MMU strategies of the lguest Host are: shadow`);
        }
        break;
      case "initrd":
        if (t.value === undefined) throw new LauncherError("bad-option", "--initrd needs a value: a newc cpio archive or a directory");
        initrd = t.value;
        break;
      case "add": {
        const at = t.value === undefined ? -1 : t.value.lastIndexOf(":");
        if (t.value === undefined || at <= 0 || at === t.value.length - 1 || !t.value.slice(at + 1).startsWith("/")) {
          throw new LauncherError("bad-option", `--add needs HOSTFILE:GUESTPATH with an absolute Guest path, e.g. --add ./busybox:/bin/busybox; got '${t.value ?? ""}'`);
        }
        add.push({ host: t.value.slice(0, at), guest: t.value.slice(at + 1) });
        break;
      }
      case "kernel":
      case "append":
      case "mem":
        if (t.value === undefined) {
          const example = t.name === "mem" ? "--mem 64M" : t.name === "kernel" ? "--kernel guest.elf" : "--append 'quiet'";
          throw new LauncherError("bad-option", `--${t.name} needs a value, e.g. ${example}`);
        }
        if (t.name === "kernel") kernel = t.value;
        else if (t.name === "mem") mem = t.value;
        else append = t.value;
        break;
      default:
        throw new LauncherError("bad-option", `unknown option '${t.rawName}'; the options are --kernel, --initrd, --add, --block, --mem, --mmu, --append, --stats, --trace, --trace-file, --inspect-on-exit, --monitor, --gdb (see 'lguest run --help')`);
    }
  }
  const memoryBytes = mem === undefined ? 128 << 20 : parseMemSize(mem);
  if (traceFile !== undefined && trace.size === 0) throw new LauncherError("bad-option", "--trace-file needs --trace LIST to say what to record, e.g. --trace all --trace-file run.jsonl");
  if (gdb !== undefined && monitor) throw new LauncherError("bad-option", "--gdb and --monitor both want to stop the Guest; use one of them (GDB can do all the monitor does)");
  const parsed = { kernel, memoryBytes, append, stats, initrd, add, argv, block, trace, traceFile, inspectOnExit, monitor };
  return gdb === undefined ? parsed : { ...parsed, gdb };
}

/** Read a host file for the initrd, with one-line errors. */
function readHostFile(file: string, what: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : (cause as Error).message;
    throw new LauncherError("file-unreadable", `cannot read ${what} '${file}': ${why}`, { cause });
  }
}

/** The entries of a host directory tree, as Guest paths below the root. */
function directoryEntries(dir: string, prefix = ""): CpioEntry[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (cause) {
    throw new LauncherError("file-unreadable", `cannot read the initrd directory '${dir}': ${(cause as Error).message}`, { cause });
  }
  const out: CpioEntry[] = [];
  for (const name of names) {
    const host = join(dir, name);
    const guest = prefix === "" ? name : `${prefix}/${name}`;
    const st = lstatSync(host);
    if (st.isDirectory()) {
      out.push({ name: guest, mode: S_IFDIR | (st.mode & 0o7777), data: new Uint8Array(0) });
      out.push(...directoryEntries(host, guest));
    } else if (st.isSymbolicLink()) {
      out.push({ name: guest, mode: 0o120777, data: new TextEncoder().encode(readlinkSync(host)) });
    } else if (st.isFile()) {
      out.push({ name: guest, mode: S_IFREG | (st.mode & 0o7777), data: readHostFile(host, "initrd file") });
    }
  }
  return out;
}

/** A file as the Guest's block device (whole 512-byte sectors; a shorter tail is not visible). */
function fileBackend(file: string): { backend: BlockBackend; close: () => void } {
  let fd: number;
  let readOnly = false;
  try {
    fd = openSync(file, "r+");
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    if (code !== "EACCES" && code !== "EROFS") {
      throw new LauncherError("file-unreadable", `cannot open the --block file '${file}': ${code === "ENOENT" ? "no such file" : (cause as Error).message}`, { cause });
    }
    fd = openSync(file, "r");
    readOnly = true;
  }
  const size = fstatSync(fd).size;
  if (size < 512) {
    closeSync(fd);
    throw new LauncherError("usage", `the --block file '${file}' is ${size} bytes; a block device needs at least one 512-byte sector`);
  }
  return {
    backend: {
      size: size - (size % 512),
      readOnly,
      read: (offset, buf) => void readSync(fd, buf, 0, buf.length, offset),
      write: (offset, buf) => void writeSync(fd, buf, 0, buf.length, offset),
      flush: () => fsyncSync(fd),
    },
    close: () => closeSync(fd),
  };
}

/** With nothing given, the bundled kernel boots the bundled initramfs and runs its demo. */
function defaultDemo(options: RunOptions): boolean {
  return options.kernel === undefined && options.initrd === undefined && options.add.length === 0 && options.argv.length === 0;
}

/** The initrd the options describe: an archive as given, or one built from a directory and --add files. */
export function buildInitrd(options: RunOptions): Uint8Array | undefined {
  let base: Uint8Array | undefined;
  const entries: CpioEntry[] = [];
  if (options.initrd !== undefined) {
    let st: ReturnType<typeof lstatSync>;
    try {
      st = lstatSync(options.initrd);
    } catch (cause) {
      throw new LauncherError("file-unreadable", `cannot read the initrd '${options.initrd}': no such file or directory`, { cause });
    }
    if (st.isDirectory()) entries.push(...directoryEntries(options.initrd));
    else {
      base = readHostFile(options.initrd, "the initrd");
      if (!isCpio(base)) throw new LauncherError("usage", `${options.initrd} is not a newc cpio archive (no 070701 magic); give a directory or an archive made with 'cpio -H newc'`);
    }
  }
  for (const a of options.add) {
    const data = readHostFile(a.host, "--add file");
    const mode = (lstatSync(a.host).mode & 0o111) !== 0 ? 0o755 : 0o644;
    entries.push({ name: a.guest.replace(/^\/+/, ""), mode: S_IFREG | mode, data });
  }
  if (entries.length === 0) return base;
  const built = writeCpio(entries);
  if (base === undefined) return built;
  const out = new Uint8Array(base.length + built.length);
  out.set(base);
  out.set(built, base.length);
  return out;
}

/** Run `lguest run` with the arguments after `run`. @returns the exit status. */
export async function runGuest(args: readonly string[], io: CliIo): Promise<number> {
  const options = parseRunArgs(args);
  if (options === "help") {
    io.print(RUN_USAGE);
    return 0;
  }
  const file = options.kernel ?? bundledKernelPath();
  const kernel = readKernelFile(file);
  const { GuestMachine: Machine } = await import("../guest/machine.js");
  const disk = options.block === undefined ? undefined : fileBackend(options.block);
  const machine = new Machine({
    block: disk?.backend,
    kernel,
    kernelName: options.kernel ?? "the bundled Guest kernel",
    memoryBytes: options.memoryBytes,
    cmdline: options.append,
    output: io.output,
    initrd: buildInitrd(options) ?? (defaultDemo(options) ? readHostFile(bundledInitramfsPath(), "the bundled initramfs") : undefined),
    argv: options.argv,
    acceptsInput: true,
  });
  const symbols = readElfSymbols(kernel) ?? [];
  const symbolize = makeSymbolizer(symbols);
  const monitor = options.monitor ? new Monitor(machine, io, symbols, symbolize) : null;
  const stopInput = io.input(
    (bytes) => {
      const forGuest = monitor === null ? bytes : monitor.filter(bytes);
      if (forGuest.length > 0) machine.input(forGuest);
    },
    () => {
      // While the monitor holds the input, the Guest learns of the end after the leftovers.
      if (monitor !== null && (monitor.active || monitor.pending)) monitor.inputEnded();
      else machine.inputEnd();
    },
  );
  const stopInterrupt = io.onInterrupt(() => machine.stop());
  // The views are taken as the Guest dies, before the Host releases its shadow pages.
  const lastViews: string[] = [];
  if (options.inspectOnExit.length > 0) {
    machine.guest.observer = {
      dying: () => {
        for (const view of options.inspectOnExit) lastViews.push(`lguest run: inspect ${view}:\n${renderView(machine, view)}`);
      },
    };
  }
  const stopTrace = options.trace.size > 0 ? startTrace(machine.guest, options.trace, options.traceFile, io, symbolize) : null;
  const started = io.now();
  let exit: GuestExit = { kind: "stopped" };
  let quit = false;
  let killedFromGdb = false;
  try {
    if (options.gdb !== undefined) {
      const r = await runUnderGdb(machine, options.gdb, io);
      if (r === "killed") killedFromGdb = true;
      else exit = r;
    } else exit = await machine.run();
    while (exit.kind === "stopped" && monitor?.pending === true && !machine.stopRequestedByUser) {
      const r = await monitor.session();
      if (r.kind === "ended") {
        exit = r.exit;
        break;
      }
      if (r.kind === "quit") {
        quit = true;
        break;
      }
      const rest = monitor.takeLeftover();
      if (rest.length > 0) machine.input(rest);
      if (monitor.inputHasEnded) machine.inputEnd();
      exit = await machine.run();
    }
  } finally {
    stopTrace?.();
    stopInterrupt();
    stopInput();
    disk?.close();
  }
  const seconds = io.now() - started;
  if (quit) io.error("lguest run: ended from the monitor");
  if (killedFromGdb) io.error("lguest run: killed from GDB");
  const status = quit ? EXIT_INTERRUPTED : killedFromGdb ? EXIT_GUEST_KILLED : report(exit, io);
  if (options.stats) printStats(machine, seconds, io);
  // A Guest that did not die (interrupted, stuck) is still whole: look at it now.
  if (lastViews.length === 0) for (const view of options.inspectOnExit) lastViews.push(`lguest run: inspect ${view}:\n${renderView(machine, view)}`);
  for (const text of lastViews) io.error(text);
  machine.close();
  return status;
}

/**
 * Hand the machine to GDB (`--gdb PORT`) from its first instruction. @returns how the Guest
 * ended while GDB drove it or, after a detach or disconnect, when it ran on to its end; or
 * "killed" when GDB killed it.
 */
async function runUnderGdb(machine: GuestMachine, port: number, io: CliIo): Promise<GuestExit | "killed"> {
  let final: GuestExit | null = null;
  const ended = (e: GuestExit): DriverStop => {
    final = e;
    if (e.kind === "poweroff") return { kind: "exited", status: e.status };
    return { kind: "terminated", reason: e.kind === "killed" ? e.reason : e.kind === "restart" ? `restart: ${e.message}` : e.kind };
  };
  const driver: MachineDriver = {
    async run() {
      const e = await machine.run();
      return e.kind === "stopped" ? { kind: "stopped" } : ended(e);
    },
    step() {
      const e = machine.step();
      return e === null ? { kind: "stopped" } : ended(e);
    },
    stop: () => machine.stopGuest(),
  };
  let close = () => {};
  // Ctrl-C at the Launcher's own terminal ends the session too (GDB's Ctrl-C arrives as 0x03).
  const stopInterrupt = io.onInterrupt(() => close());
  let end: Awaited<ReturnType<typeof serveGdb>>;
  try {
    end = await serveGdb(port, createGuestTarget(machine.guest, driver), io, "lguest run", (c) => {
      close = c;
    });
  } finally {
    stopInterrupt();
  }
  if (final !== null) return final;
  if (end === "killed") return "killed";
  if (machine.stopRequestedByUser) return { kind: "stopped" };
  return machine.run();
}

function report(exit: GuestExit, io: CliIo): number {
  switch (exit.kind) {
    case "poweroff":
      return exit.status;
    case "restart":
      io.error(`lguest run: the Guest asked to restart (${exit.message}); restarting is not supported yet, so the run ends`);
      return EXIT_GUEST_KILLED;
    case "killed":
      io.error(`lguest run: ${exit.reason}`);
      return EXIT_GUEST_KILLED;
    case "stuck":
      io.error("lguest run: the Guest halted with no timer armed and no device that could wake it; the run ends");
      return EXIT_GUEST_STUCK;
    case "stopped":
      io.error("lguest run: interrupted");
      return EXIT_INTERRUPTED;
  }
}

function printStats(machine: GuestMachine, seconds: number, io: CliIo): void {
  const g = machine.guest;
  const instructions = g.cpu.instructions;
  const mips = seconds > 0 ? instructions / seconds / 1e6 : 0;
  io.error(`lguest run: stats: ${instructions} instructions in ${seconds.toFixed(3)} s = ${mips.toFixed(2)} MIPS`);
  const exits = g.counters.exits
    .map((n, trap) => [trap, n] as const)
    .filter(([, n]) => n > 0)
    .map(([trap, n]) => `${trap === 256 ? "switcher" : trap} ${n}`)
    .join(", ");
  io.error(`lguest run: stats: exits by trap: ${exits || "none"}`);
  const calls = g.counters.hypercalls
    .map((n, call) => [HYPERCALL_NAMES[call] ?? `#${call}`, n] as const)
    .filter(([, n]) => n > 0)
    .map(([name, n]) => `${name} ${n}`)
    .join(", ");
  io.error(`lguest run: stats: hypercalls: ${calls || "none"} (async ${g.counters.asyncHypercalls})`);
  const s = (g.mmu as { shadowCounters?: () => Record<string, unknown> }).shadowCounters?.();
  if (s !== undefined) {
    const hits = Number(s.pgdirHits);
    const misses = Number(s.pgdirMisses);
    const rate = hits + misses > 0 ? `${((100 * hits) / (hits + misses)).toFixed(1)}%` : "n/a";
    io.error(
      `lguest run: stats: faults hidden ${s.hiddenFaults}, reflected ${s.reflectedFaults}; shadow fills ${s.shadowFills}, zaps ${s.shadowZaps}; pgdir hits ${hits}, misses ${misses} (hit rate ${rate}), evictions ${s.pgdirEvictions}`,
    );
  }
  io.error(`lguest run: stats: Host pages in use ${machine.allocator.inUse} (Guest RAM ${machine.ramBytes / 4096})`);
}
