/**
 * v86 (npm `v86`) in this process: SeaBIOS boots, then v86's multiboot option
 * ROM loads the kernel with our command line. `jit: false` sets v86's
 * `disable_jit` (its interpreter, compiled to wasm); `jit: true` lets it
 * compile hot code to wasm.
 *
 * v86 exposes no instruction counter here; only wall time between markers is
 * recorded (serial bytes arrive synchronously through `serial0-output-byte`).
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { GUEST_RAM_BYTES, KERNEL_PATH } from "../workload.mjs";
import { MarkerRecorder } from "../markers.mjs";
import { BenchError } from "../bench-error.mjs";

/** Debian's seabios package; nothing is downloaded at run time. */
export const SEABIOS_PATH = "/usr/share/seabios/bios.bin";

/** One-line reason v86 cannot run here, or null when it can. */
export function v86Missing() {
  if (!existsSync(SEABIOS_PATH)) {
    return `${SEABIOS_PATH} not found: v86 needs a BIOS image; install Debian's seabios package (apt-get install -y seabios) or run with --only littleguest`;
  }
  try {
    import.meta.resolve("v86");
  } catch {
    return "the v86 npm package is not installed; run `pnpm install` at the repository root";
  }
  return null;
}

/** v86 writes to port 0xF4 by throwing the string "HALT" out of its run loop. */
const V86_EXIT_THROW = "HALT";

function arrayBuffer(path) {
  const bytes = readFileSync(path);
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
}

/** Boot the bench kernel on v86 and record its markers until `@done`. */
export async function runV86({ scale, jit }) {
  const missing = v86Missing();
  if (missing) throw new BenchError(missing);
  const { V86 } = await import("v86");
  const wasmPath = fileURLToPath(new URL("v86.wasm", import.meta.resolve("v86")));
  const recorder = new MarkerRecorder();
  process.on("uncaughtException", (error) => {
    if (error === V86_EXIT_THROW) return;
    throw error;
  });
  return await new Promise((resolve) => {
    const emulator = new V86({
      wasm_path: wasmPath,
      bios: { buffer: arrayBuffer(SEABIOS_PATH) },
      multiboot: { buffer: arrayBuffer(KERNEL_PATH) },
      cmdline: `scale=${scale}`,
      memory_size: GUEST_RAM_BYTES,
      disable_jit: !jit,
      autostart: true,
    });
    emulator.add_listener("serial0-output-byte", (byte) => {
      recorder.byte(byte, performance.now(), null);
      if (recorder.done) {
        emulator.stop();
        resolve({ ...recorder.result(), exit: "@done" });
      }
    });
  });
}
