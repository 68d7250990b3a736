/**
 * `--trace LIST [--trace-file FILE]` of `lguest run`: events as readable lines on stderr, or
 * as JSON Lines in a file; and `lguest trace summarize FILE`.
 */
import { closeSync, openSync, readFileSync, writeSync } from "node:fs";
import {
  formatTraceEvent,
  formatTraceSummary,
  makeSymbolizer,
  parseTraceCategories,
  parseTraceLine,
  readElfSymbols,
  type TraceCategory,
  type TraceEvent,
  TraceSummarizer,
  traceEventToJson,
  traceGuest,
} from "@littleguest/devtools";
import type { LgCpu } from "@littleguest/lguest-host";
import { LauncherError } from "../errors.js";
import type { CliIo } from "./cli-io.js";
import { TRACE_USAGE } from "./usage.js";

/** Bytes of JSON lines gathered before one write to the trace file. */
const TRACE_BUFFER_BYTES = 1 << 20;

/** Parse `--trace`'s list. @throws LauncherError bad-option with the categories. */
export function parseTraceOption(list: string): Set<TraceCategory> {
  try {
    return parseTraceCategories(list);
  } catch (e) {
    throw new LauncherError("bad-option", `--trace: ${(e as Error).message}`);
  }
}

/**
 * Start tracing the Guest: readable lines to `io.error`, or JSON Lines to `file`.
 * @returns a function that stops tracing, flushes and closes the file.
 */
export function startTrace(
  guest: LgCpu,
  categories: ReadonlySet<TraceCategory>,
  file: string | undefined,
  io: CliIo,
  symbolize: (a: number) => string | null,
): () => void {
  if (file === undefined) {
    const stop = traceGuest(guest, { categories, sink: (e) => io.error(formatTraceEvent(e, symbolize)) });
    return stop;
  }
  let fd: number;
  try {
    fd = openSync(file, "w");
  } catch (cause) {
    throw new LauncherError("file-unreadable", `cannot write the trace file '${file}': ${(cause as Error).message}`, { cause });
  }
  let chunks: string[] = [];
  let size = 0;
  const flush = () => {
    if (chunks.length === 0) return;
    writeSync(fd, chunks.join(""));
    chunks = [];
    size = 0;
  };
  const stop = traceGuest(guest, {
    categories,
    sink: (e: TraceEvent) => {
      const line = `${traceEventToJson(e)}\n`;
      chunks.push(line);
      size += line.length;
      if (size >= TRACE_BUFFER_BYTES) flush();
    },
  });
  return () => {
    stop();
    flush();
    closeSync(fd);
  };
}

/** `lguest trace summarize FILE [--symbols ELF] [--top N]`. @returns the exit status. */
export function runTraceCommand(args: readonly string[], io: CliIo, bundledKernel: () => string): number {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === "-h" || sub === "--help") {
    io.print(TRACE_USAGE);
    return sub === undefined ? 1 : 0;
  }
  if (sub !== "summarize") throw new LauncherError("usage", `unknown 'lguest trace' command '${sub}'; the command is: summarize (see 'lguest trace --help')`);
  let file: string | undefined;
  let symbolsFile: string | undefined;
  let topN = 10;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === "--symbols" || a === "--top") {
      const v = rest[++i];
      if (v === undefined) throw new LauncherError("bad-option", `${a} needs a value`);
      if (a === "--symbols") symbolsFile = v;
      else {
        topN = Number(v);
        if (!Number.isInteger(topN) || topN < 1) throw new LauncherError("bad-option", `--top needs a positive whole number, got '${v}'`);
      }
    } else if (a === "-h" || a === "--help") {
      io.print(TRACE_USAGE);
      return 0;
    } else if (a.startsWith("-")) throw new LauncherError("bad-option", `unknown option '${a}'; the options are --symbols ELF and --top N`);
    else if (file === undefined) file = a;
    else throw new LauncherError("usage", `one trace file at a time; got '${file}' and '${a}'`);
  }
  if (file === undefined) throw new LauncherError("usage", "give the trace file: lguest trace summarize FILE (written by lguest run --trace LIST --trace-file FILE)");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    throw new LauncherError("file-unreadable", `cannot read the trace file '${file}': ${(cause as { code?: string }).code === "ENOENT" ? "no such file" : (cause as Error).message}`, { cause });
  }
  const elf = symbolsFile ?? bundledKernel();
  let symbols: ReturnType<typeof readElfSymbols> = null;
  try {
    symbols = readElfSymbols(readFileSync(elf));
  } catch (cause) {
    if (symbolsFile !== undefined) throw new LauncherError("file-unreadable", `cannot read the symbols file '${symbolsFile}': ${(cause as Error).message}`, { cause });
  }
  if (symbols === null && symbolsFile !== undefined) throw new LauncherError("bad-elf", `${symbolsFile} is not a 32-bit ELF file; --symbols needs the Guest kernel's ELF`);
  const sum = new TraceSummarizer();
  let n = 0;
  for (const line of text.split("\n")) {
    n++;
    if (line.trim() === "") continue;
    try {
      sum.add(parseTraceLine(line, n));
    } catch (e) {
      throw new LauncherError("usage", `${file}: ${(e as Error).message}`);
    }
  }
  io.print(`${formatTraceSummary(sum.result(topN), symbols === null ? undefined : makeSymbolizer(symbols))}\n`);
  return 0;
}
