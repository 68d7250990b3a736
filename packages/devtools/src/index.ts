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
/*M:200 What the devtools do not see, yet. The disassembler stops where x86-core stops: no
 * SSE, no MMX, so glibc's vector string routines read as `(bad)` even though objdump names
 * them, and the hint-NOP space is spelled as what x86-core runs rather than as the newer
 * extensions objdump knows. The GDB stub debugs one vCPU and its watchpoints compare memory
 * after each instruction, which is exact but slow; access watchpoints would want a hook in
 * the CPU's memory path, which the per-instruction rules keep empty today. The tracer's
 * instruction trace names each instruction by reading it again, fine for thousands of
 * instructions, too slow for a whole boot. And the viewer shows one Guest on one Host; a
 * second Guest beside it, sharing the Switcher, would make the per-CPU pages come alive. :*/
export * from "./disasm/index.js";
export * from "./trace/index.js";
export * from "./inspect/index.js";
export * from "./gdb/index.js";
export * from "./journey/index.js";
export * from "./symbols/index.js";
