/**
 * The `lguest` command: dispatch to a subcommand and turn failures into one
 * line on stderr and an exit status. Bad input never shows a stack trace.
 */
import { isLauncherError } from "../errors.js";
import { runBare } from "./bare-command.js";
import { bundledKernelPath, runGuest } from "./run-command.js";
import { runJourneyCommand } from "./journey-command.js";
import { runTraceCommand } from "./trace-option.js";
import type { CliIo } from "./cli-io.js";
import { MAIN_USAGE } from "./usage.js";

/** Exit status for bad command lines and unusable input files. */
export const EXIT_USAGE = 1;
/** Exit status for bugs of the emulator itself. */
export const EXIT_INTERNAL = 3;

/*L:100 The Launcher is where a user meets littleguest, so it speaks their
 * language: one command, `lguest`, with subcommands. `run` is lguest's Launcher:
 * it loads a Guest kernel, builds its memory and devices, and loops on the Host.
 * `bare` boots a multiboot kernel straight on the emulated CPU with no Host in
 * between; it is how we check the CPU against QEMU and how we time it. `trace`
 * and `journey` are the devtools' own: reading a recorded trace, and assembling
 * this tour. Being the one place that wires concrete parts together, the Launcher
 * is also where the devtools attach to a running Guest. :*/

/**
 * Run the `lguest` command with `argv` (without the node and script paths).
 *
 * @returns the process exit status.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined) {
      io.error("lguest: missing command; run 'lguest --help' (for example: lguest bare kernel.elf)");
      return EXIT_USAGE;
    }
    if (command === "-h" || command === "--help" || command === "help") {
      io.print(MAIN_USAGE);
      return 0;
    }
    if (command === "bare") return await runBare(rest, io);
    if (command === "run") return await runGuest(rest, io);
    if (command === "trace") return runTraceCommand(rest, io, bundledKernelPath);
    if (command === "journey") return runJourneyCommand(rest, io);
    const what = command.startsWith("-") ? `unknown option '${command}'` : `unknown command '${command}'`;
    io.error(`lguest: ${what}; the commands are: run, bare, trace, journey (run 'lguest --help')`);
    return EXIT_USAGE;
  } catch (e) {
    const where = command === "bare" || command === "run" || command === "trace" || command === "journey" ? `lguest ${command}` : "lguest";
    if (isLauncherError(e)) {
      io.error(`${where}: ${e.message}`);
      return EXIT_USAGE;
    }
    const detail = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    io.error(`${where}: internal error (${detail.split("\n")[0]}); please report it with the command line`);
    if (process.env.LGUEST_DEBUG) io.error(e instanceof Error ? String(e.stack) : detail);
    return EXIT_INTERNAL;
  }
}
