/** What the CLI touches of the process, so that it can be driven from tests and embedders. */
export interface CliIo {
  /** Write help or other requested text to stdout. */
  print(text: string): void;
  /** Write one diagnostic line to stderr (a newline is added). */
  error(line: string): void;
  /** Write Guest serial output to stdout, in order. */
  output(bytes: Uint8Array): void;
  /** Deliver terminal input to `sink` (and `onEnd` at its end) until the returned function is called. */
  input(sink: (bytes: Uint8Array) => void, onEnd?: () => void): () => void;
  /** Call `handler` on Ctrl-C until the returned function is called. */
  onInterrupt(handler: () => void): () => void;
  /** Wall-clock seconds (only for `--stats`). */
  now(): number;
}

/** Exit status when stdout's reader went away (128 + SIGPIPE, what a shell shows for `| head`). */
const EXIT_BROKEN_PIPE = 141;

/** Ctrl-C presses within this many milliseconds that end the run when the terminal is raw. */
const TRIPLE_CTRL_C_MS = 1000;

/*L:620 On a terminal the Launcher puts stdin in raw mode, so that every key reaches the
 * Guest as typed (its shell does the line editing and the echo) — Ctrl-C included, which is
 * then just a byte for the Guest. To get out of a Guest that will not stop, press Ctrl-C
 * three times within a second, as lguest's Launcher let you. :*/

/** The real process: stdout, stderr, stdin (raw on a TTY) and SIGINT. */
export function processIo(): CliIo {
  const interruptHandlers = new Set<() => void>();
  // `lguest bare k.elf | head` closes our stdout early: end quietly, as a tool killed by SIGPIPE would.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(EXIT_BROKEN_PIPE);
    throw e;
  });
  return {
    print: (text) => void process.stdout.write(text),
    error: (line) => void process.stderr.write(`${line}\n`),
    output: (bytes) => void process.stdout.write(bytes),
    input(sink, onEnd) {
      const raw = process.stdin.isTTY === true;
      if (raw) process.stdin.setRawMode(true);
      const presses: number[] = [];
      const onData = (chunk: Buffer): void => {
        if (raw) {
          for (const byte of chunk) {
            if (byte !== 3) continue;
            const now = performance.now();
            presses.push(now);
            while (presses.length > 0 && now - presses[0]! > TRIPLE_CTRL_C_MS) presses.shift();
            if (presses.length >= 3) for (const h of interruptHandlers) h();
          }
        }
        sink(chunk);
      };
      const ended = (): void => onEnd?.();
      process.stdin.on("data", onData);
      process.stdin.on("end", ended);
      process.stdin.on("error", () => {});
      return () => {
        process.stdin.off("data", onData);
        process.stdin.off("end", ended);
        if (raw) process.stdin.setRawMode(false);
        process.stdin.pause();
      };
    },
    onInterrupt(handler) {
      interruptHandlers.add(handler);
      process.once("SIGINT", handler);
      return () => {
        interruptHandlers.delete(handler);
        process.off("SIGINT", handler);
      };
    },
    now: () => performance.now() / 1000,
  };
}
