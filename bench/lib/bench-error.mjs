/** A bad option or a missing prerequisite: printed as one line, no stack trace, non-zero exit. */
export class BenchError extends Error {
  name = "BenchError";
}
