/**
 * The engine configurations the runner knows, in the order it runs them, and
 * how to run each: littleguest and v86 in a child process per configuration,
 * QEMU as its own process.
 */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { runQemu } from "./engines/qemu.mjs";

/** Configurations: `group` is what `--only` selects. */
export const ENGINES = [
  { id: "littleguest", label: "littleguest", group: "littleguest" },
  { id: "v86-interp", label: "v86 interp", group: "v86" },
  { id: "v86-jit", label: "v86 JIT", group: "v86" },
  { id: "qemu", label: "QEMU TCG", group: "qemu" },
];

const CHILD = fileURLToPath(new URL("child.mjs", import.meta.url));

/**
 * Run one configuration to `@done` (or failure).
 * @returns {Promise<{loops, kernelScale, done, transcript, exit, wallSeconds}>}
 * @throws Error with a message naming the engine on a crash, a timeout or a bad exit.
 */
export async function runEngine(engine, { scale, timeoutSeconds }) {
  const started = performance.now();
  const result =
    engine.id === "qemu" ? await runQemu({ scale, timeoutSeconds }) : await runChild(engine, scale, timeoutSeconds);
  return { ...result, wallSeconds: (performance.now() - started) / 1000 };
}

function runChild(engine, scale, timeoutSeconds) {
  return new Promise((resolve, reject) => {
    const child = fork(CHILD, [engine.id, String(scale)], { stdio: ["ignore", "pipe", "pipe", "ipc"] });
    let output = "";
    let reply = null;
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${engine.label} did not finish within ${timeoutSeconds} s (raise --timeout)`));
    }, timeoutSeconds * 1000);
    child.on("message", (message) => {
      reply = message;
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (reply?.ok) resolve(reply.result);
      else if (reply) reject(new Error(`${engine.label}: ${reply.message}`));
      else if (signal !== "SIGKILL") {
        const tail = output.trim().split("\n").slice(-5).join("\n");
        reject(new Error(`${engine.label}: child exited (${signal ?? `status ${code}`}) without a result${tail ? `\n${tail}` : ""}`));
      }
    });
  });
}

/**
 * Fold another run of the same engine into `best`: each loop keeps its
 * fastest time (the run least disturbed by the host) and all samples.
 */
export function keepFastest(best, next) {
  if (!best) {
    const loops = Object.fromEntries(Object.entries(next.loops).map(([name, m]) => [name, { ...m, samples: [m.seconds] }]));
    return { ...next, loops, wallSeconds: [next.wallSeconds], inconsistent: [] };
  }
  for (const [name, m] of Object.entries(next.loops)) {
    const kept = best.loops[name];
    kept.samples.push(m.seconds);
    if (m.checksum !== kept.checksum) best.inconsistent.push(`${name} printed ${kept.checksum}, then ${m.checksum}`);
    if (m.seconds < kept.seconds) kept.seconds = m.seconds;
  }
  best.wallSeconds.push(next.wallSeconds);
  return best;
}
