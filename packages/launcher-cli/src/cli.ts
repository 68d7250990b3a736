#!/usr/bin/env node
/**
 * Entry point of the `lguest` executable.
 *
 * Tunes V8 before anything of the emulator is loaded (see cli/v8-tuning.ts),
 * then runs the command. Exits explicitly once output is flushed: a Guest that
 * never reads stdin must not keep the process alive waiting for a terminal.
 */
import { tuneV8ForInterpreter } from "./cli/v8-tuning.js";

tuneV8ForInterpreter();
const { processIo } = await import("./cli/cli-io.js");
const { runCli } = await import("./cli/main.js");
const status = await runCli(process.argv.slice(2), processIo());
process.stdout.write("", () => process.exit(status));
