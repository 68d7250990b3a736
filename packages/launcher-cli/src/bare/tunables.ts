/** Tunables of the bare machine, each with its unit and the reason for its value. */

/** Instructions per `cpu.run()` slice: big enough to amortise the call, small enough (~10–50 ms) that output flushes and Ctrl-C stay prompt. */
export const SLICE_INSTRUCTIONS = 2_000_000;
/** Bytes of serial output gathered before a flush: one write per 4 KiB keeps a chatty Guest cheap without long delays. */
export const OUTPUT_BUFFER_BYTES = 4096;
