/**
 * One engine configuration in its own process, so each starts with a cold
 * JavaScript JIT and its own heap: `node child.mjs ENGINE SCALE`, where ENGINE
 * is littleguest, v86-interp or v86-jit. Sends `{ ok, result | message }` to
 * the parent over IPC and exits.
 */
import { BenchError } from "./bench-error.mjs";
import { runLittleguest } from "./engines/littleguest.mjs";
import { runV86 } from "./engines/v86.mjs";

const RUNNERS = {
  littleguest: (scale) => runLittleguest({ scale }),
  "v86-interp": (scale) => runV86({ scale, jit: false }),
  "v86-jit": (scale) => runV86({ scale, jit: true }),
};

const [engine, scaleText] = process.argv.slice(2);

function reply(message) {
  process.send(message, () => process.exit(0));
}

try {
  const run = RUNNERS[engine];
  if (!run) throw new BenchError(`child: unknown engine "${engine}"`);
  reply({ ok: true, result: await run(Number(scaleText)) });
} catch (error) {
  const oneLine = error instanceof BenchError;
  reply({ ok: false, message: oneLine ? error.message : String(error?.stack ?? error) });
}
