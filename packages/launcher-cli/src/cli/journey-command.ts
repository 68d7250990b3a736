/**
 * `lguest journey [--check] [--root DIR]`: assemble the guided tour into docs/journey/, or
 * check that it is up to date (what CI runs).
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { runJourney } from "@littleguest/devtools/node";
import { LauncherError } from "../errors.js";
import type { CliIo } from "./cli-io.js";
import { JOURNEY_USAGE } from "./usage.js";

/** The nearest directory at or above `from` that holds `pnpm-workspace.yaml` (a littleguest checkout). */
function findRoot(from: string): string | null {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, "pnpm-workspace.yaml")) && existsSync(join(dir, "packages"))) return dir;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

/** Run `lguest journey`. @returns the exit status. */
export function runJourneyCommand(args: readonly string[], io: CliIo): number {
  let check = false;
  let root: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--check") check = true;
    else if (a === "--root") {
      root = args[++i];
      if (root === undefined) throw new LauncherError("bad-option", "--root needs a directory: a littleguest checkout");
    } else if (a === "-h" || a === "--help") {
      io.print(JOURNEY_USAGE);
      return 0;
    } else throw new LauncherError("bad-option", `unknown argument '${a}'; the options are --check and --root DIR`);
  }
  const dir = root ?? findRoot(process.cwd());
  if (dir === null || !existsSync(join(dir, "packages"))) {
    throw new LauncherError("usage", `${root ?? "this directory"} is not inside a littleguest checkout (no pnpm-workspace.yaml and packages/ above it); give --root DIR`);
  }
  const r = runJourney(dir, check ? "check" : "write");
  if (r.ok) io.print(`${r.message}\n`);
  else io.error(r.message);
  return r.ok ? 0 : 1;
}
