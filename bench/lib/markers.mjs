/**
 * Turns the kernel's serial output into per-loop measurements.
 *
 * Protocol (bench/kernel/README.md): `@begin NAME\n`, the loop, then
 * `@end NAME CHECKSUM\n`, …, `@done\n`. A loop's interval runs from the
 * newline that ends its `@begin` line to the first byte of its `@end` line, so
 * it covers the loop and only the few instructions that print the first
 * marker byte. Every engine feeds bytes here with its own clock reading (and,
 * where it has one, its retired-instruction count) at the moment the byte left
 * the Guest.
 */

const NEWLINE = 0x0a;
const BEGIN = /^@begin (\S+)$/;
const END = /^@end (\S+) ([0-9a-f]{8})$/;
const BANNER = /^littleguest bench kernel, scale=(\d+)$/;

/** Collects loops, checksums and the banner's scale from a stream of serial bytes. */
export class MarkerRecorder {
  /** Finished loops by name: seconds, instructions (or null) and checksum. */
  loops = {};
  /** The scale the kernel says it parsed, or null before the banner. */
  kernelScale = null;
  /** True once `@done` arrived. */
  done = false;
  /** Everything the Guest printed, for error messages and --json. */
  transcript = "";
  #line = "";
  #lineStartMs = 0;
  #lineStartInstructions = null;
  #open = null;

  /**
   * Feed one byte.
   * @param {number} byte - the byte the Guest wrote.
   * @param {number} nowMs - performance.now() when it was written.
   * @param {number | null} instructions - retired instructions then, when the engine counts them.
   */
  byte(byte, nowMs, instructions = null) {
    if (byte !== NEWLINE) {
      if (this.#line === "") {
        this.#lineStartMs = nowMs;
        this.#lineStartInstructions = instructions;
      }
      this.#line += String.fromCharCode(byte);
      return;
    }
    const line = this.#line.replace(/\r$/, "");
    this.#line = "";
    this.transcript += `${line}\n`;
    this.#onLine(line, nowMs, instructions);
  }

  #onLine(line, nowMs, instructions) {
    let m = BEGIN.exec(line);
    if (m) {
      this.#open = { name: m[1], ms: nowMs, instructions };
      return;
    }
    m = END.exec(line);
    if (m && this.#open?.name === m[1]) {
      const open = this.#open;
      const counted = open.instructions !== null && this.#lineStartInstructions !== null;
      this.loops[m[1]] = {
        seconds: (this.#lineStartMs - open.ms) / 1000,
        instructions: counted ? this.#lineStartInstructions - open.instructions : null,
        checksum: m[2],
      };
      this.#open = null;
      return;
    }
    m = BANNER.exec(line);
    if (m) {
      this.kernelScale = Number(m[1]);
      return;
    }
    if (line === "@done") this.done = true;
  }

  /** The measurements as a plain object (what a child process sends back). */
  result() {
    return { loops: this.loops, kernelScale: this.kernelScale, done: this.done, transcript: this.transcript };
  }
}
