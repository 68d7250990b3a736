/**
 * QEMU (`qemu-system-i386`, TCG) as an external process, the kernel README's
 * command line plus `-accel tcg`. Serial output comes through a pipe, so each
 * chunk is timestamped when it reaches us: marker times carry pipe latency
 * (well under a millisecond on an idle host) and no instruction counts.
 */
import { spawn, spawnSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import { GUEST_RAM_BYTES, KERNEL_PATH } from "../workload.mjs";
import { MarkerRecorder } from "../markers.mjs";

export const QEMU_BINARY = "qemu-system-i386";

/** True when `qemu-system-i386` runs here. */
export function qemuAvailable() {
  const probe = spawnSync(QEMU_BINARY, ["--version"], { stdio: "ignore" });
  return probe.status === 0;
}

/** Boot the bench kernel on QEMU and record its markers; rejects on a timeout. */
export function runQemu({ scale, timeoutSeconds }) {
  const args = [
    "-kernel", KERNEL_PATH,
    "-append", `scale=${scale}`,
    "-accel", "tcg",
    "-display", "none",
    "-serial", "stdio",
    "-monitor", "none",
    "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
    "-no-reboot",
    "-m", String(GUEST_RAM_BYTES / 1024 / 1024),
  ];
  const recorder = new MarkerRecorder();
  return new Promise((resolve, reject) => {
    const child = spawn(QEMU_BINARY, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`QEMU did not finish within ${timeoutSeconds} s`));
    }, timeoutSeconds * 1000);
    child.stdout.on("data", (chunk) => {
      const now = performance.now();
      for (const byte of chunk) recorder.byte(byte, now, null);
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      // isa-debug-exit: QEMU exits with (v << 1) | 1; the kernel writes 0.
      const exit = code === 1 ? "exit-port 0" : `status ${code}${stderr ? `: ${stderr.trim()}` : ""}`;
      resolve({ ...recorder.result(), exit });
    });
  });
}
