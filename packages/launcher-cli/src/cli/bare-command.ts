/**
 * `lguest bare FILE [--append CMDLINE] [--mem SIZE] [--stats]`: boot a
 * multiboot kernel on the bare machine and turn its end into an exit status.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { LauncherError } from "../errors.js";
import { DEFAULT_RAM_BYTES } from "../bare/layout.js";
import type { BareExit, BareMachine } from "../bare/machine.js";
import { checkKernelFits, readMultibootKernel } from "../bare/multiboot.js";
import type { CliIo } from "./cli-io.js";
import { parseMemSize } from "./mem-size.js";
import { BARE_SYNOPSIS, BARE_USAGE } from "./usage.js";
import { createCpuTarget, type DriverStop, type MachineDriver } from "@littleguest/devtools";
import { parseGdbPort, serveGdb } from "./gdb-option.js";

/*L:110 `lguest bare` checks everything a user can get wrong before the CPU
 * exists: options, the --mem size, the file, its ELF and multiboot headers,
 * and whether it fits. Each refusal is a LauncherError whose message is one
 * line that says what and how to fix it; only then is the emulator loaded
 * (lazily, so that even a half-built CPU cannot spoil a usage message). :*/

/** Exit status after HLT with interrupts disabled: the machine is off, like a powered-down PC. */
export const EXIT_HALTED = 0;
/** Exit status after a triple fault. */
export const EXIT_TRIPLE_FAULT = 2;
/** Exit status after Ctrl-C (128 + SIGINT, as shells report it). */
export const EXIT_INTERRUPTED = 130;

/** Parsed `lguest bare` options. */
export interface BareOptions {
  /** Kernel path as typed (it also starts the kernel command line). */
  readonly file: string;
  /** `--append` text. */
  readonly append: string;
  /** RAM in bytes. */
  readonly memoryBytes: number;
  /** `--stats` given. */
  readonly stats: boolean;
  /** `--success-status N`: the exit-port status that means success (reported as 0), if given. */
  readonly successStatus?: number;
  /** `--gdb PORT`: wait for GDB on this TCP port before the first instruction. */
  readonly gdb?: number;
}

/**
 * Parse the arguments after `bare`.
 *
 * @returns the options, or "help" for `-h`/`--help`.
 * @throws LauncherError `bad-option`, `usage` or `bad-mem`.
 */
export function parseBareArgs(args: readonly string[]): BareOptions | "help" {
  const { tokens } = parseArgs({
    args: [...args],
    options: {
      append: { type: "string" },
      mem: { type: "string" },
      stats: { type: "boolean" },
      "success-status": { type: "string" },
      gdb: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  let append = "";
  let mem: string | undefined;
  let stats = false;
  let successStatus: number | undefined;
  let gdb: number | undefined;
  const files: string[] = [];
  for (const t of tokens) {
    if (t.kind === "positional") {
      files.push(t.value);
      continue;
    }
    if (t.kind !== "option") continue;
    switch (t.name) {
      case "help":
      case "h":
        return "help";
      case "stats":
        if (t.value !== undefined) throw new LauncherError("bad-option", `--stats takes no value; write just --stats`);
        stats = true;
        break;
      case "success-status": {
        const n = t.value === undefined ? Number.NaN : Number(t.value);
        if (!Number.isInteger(n) || n < 1 || n > 255 || n % 2 === 0) {
          throw new LauncherError(
            "bad-option",
            `--success-status needs an odd status 1..255 that the exit port can produce ((v << 1) | 1), e.g. --success-status 1; got '${t.value ?? ""}'`,
          );
        }
        successStatus = n;
        break;
      }
      case "gdb":
        gdb = parseGdbPort(t.value);
        break;
      case "append":
      case "mem":
        if (t.value === undefined) {
          throw new LauncherError("bad-option", `--${t.name} needs a value, e.g. ${t.name === "mem" ? "--mem 64M" : "--append 'console=ttyS0'"}`);
        }
        if (t.name === "mem") mem = t.value;
        else append = t.value;
        break;
      default:
        throw new LauncherError("bad-option", `unknown option '${t.rawName}'; the options are --append, --mem, --stats, --success-status, --gdb (see 'lguest bare --help')`);
    }
  }
  const [file, extra] = files;
  if (file === undefined) throw new LauncherError("usage", `missing the kernel FILE; usage: ${BARE_SYNOPSIS}`);
  if (extra !== undefined) {
    throw new LauncherError("usage", `unexpected argument '${extra}'; give one kernel FILE (quote --append text that has spaces)`);
  }
  const memoryBytes = mem === undefined ? DEFAULT_RAM_BYTES : parseMemSize(mem);
  const parsed: BareOptions = successStatus === undefined ? { file, append, memoryBytes, stats } : { file, append, memoryBytes, stats, successStatus };
  return gdb === undefined ? parsed : { ...parsed, gdb };
}

/** Read the kernel file, turning fs errors into one-line messages. */
export function readKernelFile(file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    const why =
      code === "ENOENT"
        ? "no such file; check the path"
        : code === "EISDIR"
          ? "it is a directory; give the kernel file inside it"
          : code === "EACCES"
            ? "permission denied; make it readable"
            : `${(cause as Error).message}`;
    throw new LauncherError("file-unreadable", `cannot read kernel '${file}': ${why}`, { cause });
  }
}

/**
 * Run `lguest bare` with the arguments after `bare`.
 *
 * @returns the exit status (see {@link BARE_USAGE}).
 */
export async function runBare(args: readonly string[], io: CliIo): Promise<number> {
  const options = parseBareArgs(args);
  if (options === "help") {
    io.print(BARE_USAGE);
    return 0;
  }
  const image = readKernelFile(options.file);
  // Validate before loading the CPU: a bad file is reported without touching the emulator.
  const kernel = readMultibootKernel(image, options.file);
  checkKernelFits(kernel, options.memoryBytes, options.file);
  for (const w of kernel.warnings) io.error(`lguest bare: warning: ${w}`);

  const { BareMachine: Machine } = await import("../bare/machine.js");
  const machine = new Machine({
    kernel: image,
    kernelName: options.file,
    append: options.append,
    memoryBytes: options.memoryBytes,
    output: io.output,
  });
  const stopInput = io.input((bytes) => machine.serial.receive(bytes));
  const stopInterrupt = io.onInterrupt(() => machine.stop());
  const started = io.now();
  let exit: BareExit | "killed";
  try {
    exit = options.gdb === undefined ? await machine.run() : await runUnderGdb(machine, options.gdb, io);
  } finally {
    machine.flush();
    stopInput();
    stopInterrupt();
  }
  const seconds = io.now() - started;
  if (exit === "killed") {
    io.error("lguest bare: killed from GDB");
    return EXIT_INTERRUPTED;
  }
  let status = report(exit, io);
  if (options.stats) printStats(machine, seconds, io);
  // As `bootimage`'s test-success-exit-code: the exit port can only produce odd statuses,
  // so a kernel's "all good" value is mapped to 0 for shells and CI when asked to.
  if (options.successStatus !== undefined && exit.kind === "exit-port") status = status === options.successStatus ? 0 : status;
  return status;
}

/**
 * Hand the machine to GDB (`--gdb PORT`) from the kernel's entry point. @returns how the
 * machine ended while GDB drove it or, after a detach or disconnect, when it ran on to its
 * end; or "killed" when GDB killed it.
 */
async function runUnderGdb(machine: BareMachine, port: number, io: CliIo): Promise<BareExit | "killed"> {
  let final: BareExit | null = null;
  let interrupted = false;
  const ended = (e: BareExit | undefined): DriverStop => {
    if (e === undefined || e.kind === "stopped") return { kind: "stopped" };
    final = e;
    switch (e.kind) {
      case "exit-port":
        return { kind: "exited", status: e.status & 0xff };
      case "halt":
        return { kind: "exited", status: EXIT_HALTED };
      case "shutdown":
        return { kind: "terminated", reason: e.reason };
      default:
        return { kind: "terminated", reason: e.detail };
    }
  };
  const driver: MachineDriver = {
    run: async () => ended(await machine.run()),
    step: () => ended(machine.step(1)),
    stop: () => machine.cpu.stop(),
  };
  let close = () => {};
  const stopInterrupt = io.onInterrupt(() => {
    interrupted = true;
    close();
  });
  let end: Awaited<ReturnType<typeof serveGdb>>;
  try {
    end = await serveGdb(port, createCpuTarget(machine.cpu, driver), io, "lguest bare", (c) => {
      close = c;
    });
  } finally {
    stopInterrupt();
  }
  if (final !== null) return final;
  if (end === "killed") return "killed";
  if (interrupted) return { kind: "stopped" };
  return machine.run();
}

function report(exit: BareExit, io: CliIo): number {
  switch (exit.kind) {
    case "exit-port":
      return exit.status & 0xff;
    case "halt":
      io.error(
        exit.interruptible
          ? "lguest bare: CPU halted waiting for an interrupt, but this machine has no interrupt sources; the machine is off"
          : "lguest bare: CPU halted with interrupts disabled; nothing can wake it, so the machine is off",
      );
      return EXIT_HALTED;
    case "shutdown":
      io.error(`lguest bare: ${/^triple fault/i.test(exit.reason) ? exit.reason : `triple fault: ${exit.reason}`}; a PC would reset here, so the run ends`);
      return EXIT_TRIPLE_FAULT;
    case "stopped":
      io.error("lguest bare: interrupted");
      return EXIT_INTERRUPTED;
    default:
      io.error(`lguest bare: internal error: ${exit.detail}; please report it with the kernel`);
      return 3;
  }
}

function printStats(machine: BareMachine, seconds: number, io: CliIo): void {
  const instructions = machine.cpu.instructions;
  const mips = seconds > 0 ? instructions / seconds / 1e6 : 0;
  io.error(`lguest bare: stats: ${instructions} instructions retired in ${seconds.toFixed(3)} s = ${mips.toFixed(2)} MIPS`);
  const tlb = Object.entries(machine.translator.stats)
    .filter(([, v]) => typeof v === "number")
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
  io.error(`lguest bare: stats: TLB ${tlb}`);
}
