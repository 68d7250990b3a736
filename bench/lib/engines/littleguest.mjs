/**
 * littleguest's `bare` machine (packages/launcher-cli): x86-core's interpreter
 * with the mmu paging unit, a 16550 at 0x3F8 and the exit port at 0xF4.
 *
 * What is counted: `onSerialByte` reports the CPU's retired-instruction count
 * at each serial byte. x86-core retires a REP string instruction once per
 * batch of up to REP_BATCH (4096) iterations, so the kernel's 1024-dword
 * `rep stosd`/`rep movsd` each count as one instruction, not 1024.
 */
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { GUEST_RAM_BYTES, KERNEL_PATH } from "../workload.mjs";
import { MarkerRecorder } from "../markers.mjs";
import { BenchError } from "../bench-error.mjs";

const LAUNCHER_DIST = new URL("../../../packages/launcher-cli/dist/index.js", import.meta.url);

/** Boot the bench kernel on BareMachine and record its markers. */
export async function runLittleguest({ scale }) {
  let BareMachine;
  try {
    let tuneV8ForInterpreter;
    ({ BareMachine, tuneV8ForInterpreter } = await import(LAUNCHER_DIST.href));
    // The same V8 settings the `lguest` command applies, so the figures are what users get.
    tuneV8ForInterpreter();
  } catch (cause) {
    throw new BenchError(`cannot load packages/launcher-cli/dist/index.js (${cause.code ?? cause.message}); run \`pnpm -s build\` first, or use \`pnpm bench\``);
  }
  const recorder = new MarkerRecorder();
  const machine = new BareMachine({
    kernel: readFileSync(KERNEL_PATH),
    kernelName: "bench.elf",
    append: `scale=${scale}`,
    memoryBytes: GUEST_RAM_BYTES,
    onSerialByte: (byte, instructions) => recorder.byte(byte, performance.now(), instructions),
  });
  const exit = await machine.run();
  const ok = exit.kind === "exit-port" && exit.status === 1;
  return { ...recorder.result(), exit: ok ? "exit-port 0" : JSON.stringify(exit) };
}
