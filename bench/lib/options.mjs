/**
 * Command-line options of bench/run.mjs. Bad input throws a BenchError whose
 * message names the option and the fix.
 */
import { BenchError } from "./bench-error.mjs";
import { MAX_SCALE, MIN_SCALE } from "./workload.mjs";

export const USAGE = `usage: pnpm bench [--scale N] [--repeat N] [--only littleguest|v86|qemu[,…]] [--json FILE] [--timeout SECONDS]
  --scale N          kernel command line scale=N (${MIN_SCALE}..${MAX_SCALE}, default 1): multiplies every loop
  --repeat N         run every engine N times, round-robin, and keep each loop's fastest time (default 1)
  --only LIST        run only these engines (comma-separated); default: all, QEMU if installed
  --json FILE        also write the figures to FILE
  --timeout SECONDS  per engine run, default 600 × scale`;

const GROUPS = ["littleguest", "v86", "qemu"];

/** Parse argv (without node and the script). */
export function parseOptions(argv) {
  const options = { scale: 1, repeat: 1, only: null, json: null, timeoutSeconds: null, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      const next = argv[++i];
      if (next === undefined) throw new BenchError(`${flag} needs a value (see --help)`);
      return next;
    };
    switch (flag) {
      case "--scale": {
        const text = value();
        const n = Number(text);
        if (!Number.isInteger(n) || n < MIN_SCALE || n > MAX_SCALE) {
          throw new BenchError(`--scale ${text}: give a whole number from ${MIN_SCALE} to ${MAX_SCALE}`);
        }
        options.scale = n;
        break;
      }
      case "--repeat": {
        const text = value();
        const n = Number(text);
        if (!Number.isInteger(n) || n < 1) throw new BenchError(`--repeat ${text}: give a whole number ≥ 1`);
        options.repeat = n;
        break;
      }
      case "--only": {
        const text = value();
        const groups = text.split(",").filter(Boolean);
        const bad = groups.filter((g) => !GROUPS.includes(g));
        if (bad.length || !groups.length) throw new BenchError(`--only ${text}: choose from ${GROUPS.join(", ")}`);
        options.only = groups;
        break;
      }
      case "--json":
        options.json = value();
        break;
      case "--timeout": {
        const text = value();
        const n = Number(text);
        if (!(n > 0)) throw new BenchError(`--timeout ${text}: give a positive number of seconds`);
        options.timeoutSeconds = n;
        break;
      }
      case "--help":
      case "-h":
        options.help = true;
        break;
      case "--":
        break;
      default:
        throw new BenchError(`unknown option ${arg} (see --help)`);
    }
  }
  options.timeoutSeconds ??= 600 * options.scale;
  return options;
}
