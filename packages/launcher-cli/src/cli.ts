#!/usr/bin/env node
/**
 * Entry point of the `lguest` executable.
 *
 * Exits explicitly once output is flushed: a Guest that never reads stdin must
 * not keep the process alive waiting for a terminal.
 */
import { processIo } from "./cli/cli-io.js";
import { runCli } from "./cli/main.js";

const status = await runCli(process.argv.slice(2), processIo());
process.stdout.write("", () => process.exit(status));
