/** What the CLI touches of the process, so that it can be driven from tests and embedders. */
export interface CliIo {
  /** Write help or other requested text to stdout. */
  print(text: string): void;
  /** Write one diagnostic line to stderr (a newline is added). */
  error(line: string): void;
  /** Write Guest serial output to stdout, in order. */
  output(bytes: Uint8Array): void;
  /** Deliver terminal input to `sink` until the returned function is called. */
  input(sink: (bytes: Uint8Array) => void): () => void;
  /** Call `handler` on Ctrl-C until the returned function is called. */
  onInterrupt(handler: () => void): () => void;
  /** Wall-clock seconds (only for `--stats`). */
  now(): number;
}

/** Exit status when stdout's reader went away (128 + SIGPIPE, what a shell shows for `| head`). */
const EXIT_BROKEN_PIPE = 141;

/** The real process: stdout, stderr, stdin and SIGINT. */
export function processIo(): CliIo {
  // `lguest bare k.elf | head` closes our stdout early: end quietly, as a tool killed by SIGPIPE would.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(EXIT_BROKEN_PIPE);
    throw e;
  });
  return {
    print: (text) => void process.stdout.write(text),
    error: (line) => void process.stderr.write(`${line}\n`),
    output: (bytes) => void process.stdout.write(bytes),
    input(sink) {
      const onData = (chunk: Buffer): void => sink(chunk);
      process.stdin.on("data", onData);
      process.stdin.on("error", () => {});
      return () => {
        process.stdin.off("data", onData);
        process.stdin.pause();
      };
    },
    onInterrupt(handler) {
      process.once("SIGINT", handler);
      return () => void process.off("SIGINT", handler);
    },
    now: () => performance.now() / 1000,
  };
}
