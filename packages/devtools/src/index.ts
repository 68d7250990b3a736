/**
 * `@littleguest/devtools`: see inside a running littleguest machine. Everything here runs in a
 * browser as well as in Node; what needs Node (TCP, files) is in `@littleguest/devtools/node`.
 *
 * - `disasm`: a 32-bit x86 disassembler (AT&T and Intel syntax, objdump's text).
 * - `trace`: structured events from the CPU's and the Host's buses, and their summary.
 * - `inspect`: registers, descriptor tables, the Guest's page tables beside the Host's shadow.
 * - `gdb`: the GDB remote protocol over any byte stream.
 * - `journey`: the extractor of the `/*X:NNN … :*\/` tour passages.
 */
export * from "./disasm/index.js";
export * from "./trace/index.js";
export * from "./inspect/index.js";
export * from "./gdb/index.js";
export * from "./journey/index.js";
export * from "./symbols/index.js";
