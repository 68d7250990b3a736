/**
 * Writes a batch as one static i386 Linux program (GNU as syntax, no libc).
 *
 * Per case: EFLAGS via `pushl; popfl` on a harness stack, %esp/%ebp at the middle of the
 * case's stack/scratch areas, the six other registers from immediates, the items between
 * labels cN_b and cN_e (so objdump can show their bytes), then the eight registers and
 * EFLAGS stored with absolute moves. Label cN_s starts case N's set-up and all_done the
 * final system calls: a runner that survives a fault resumes at the next such label. At the end: write(1, out, size); exit(0). The memory
 * windows are initialised by `.incbin` of the batch's bytes, so the program depends on
 * nothing the kernel or QEMU put in registers or on the initial stack.
 */
import type { Batch } from "./case-generator.js";
import { CASE_MEM_BYTES, LATE_ONE, REG_NAMES, REG_RECORD_BYTES, SCRATCH_BIAS, SCRATCH_BYTES, STACK_BIAS } from "./layout.js";
import { hex } from "./operands.js";

/** Linux i386 system call numbers used by the harness. */
const SYS_EXIT = 1;
const SYS_WRITE = 4;
/** Bytes of the harness's own stack (only pushfl/popfl use it). */
const HARNESS_STACK_BYTES = 64;

/** Symbol of case N's %ebp value (middle of its scratch area). */
export function scratchSymbol(n: number): string {
  return `scr${n}`;
}

/**
 * GNU as wants pseudo-prefixes such as `{disp32}` before the mnemonic, but the operand
 * pickers attach them to the memory operand they shape; move them to the front.
 */
export function hoistPseudoPrefixes(line: string): string {
  const found = line.match(/\{[a-z0-9]+\} /g);
  if (!found || line.startsWith(found.join(""))) return line;
  return `${found.join("")}${line.replace(/\{[a-z0-9]+\} /g, "")}`;
}

/** Assembly text of the program; `memoryFile` is the path `.incbin` reads the windows from. */
export function writeProgram(batch: Batch, memoryFile: string): string {
  // Code goes in a writable and executable section (the SMC family patches it), page-aligned
  // so that stores to the data never share a page with code.
  const out: string[] = [`\t.section .smc,"awx",@progbits`, "\t.balign 4096", "\t.globl _start", "_start:"];
  for (const c of batch.cases) {
    const n = c.index;
    const rec = `regs_out+${n * REG_RECORD_BYTES}`;
    out.push(
      `# case ${n}`,
      `c${n}_s:`,
      "\tmovl $hstack_top, %esp",
      `\tpushl $${hex(c.eflags)}`,
      "\tpopfl",
      `\tmovl $stk${n}, %esp`,
      `\tmovl $${scratchSymbol(n)}, %ebp`,
    );
    for (const [r, name] of REG_NAMES.entries()) {
      if (name !== "esp" && name !== "ebp") out.push(`\tmovl $${hex(c.regs[r]!)}, %${name}`);
    }
    out.push(`c${n}_b:`);
    for (const item of c.items) {
      for (const line of item.prelude) out.push(`\t${hoistPseudoPrefixes(line)}`);
      for (const line of item.body) out.push(line.endsWith(":") ? line : `\t${hoistPseudoPrefixes(line)}`);
    }
    out.push(`c${n}_e:`);
    for (const [r, name] of REG_NAMES.entries()) out.push(`\tmovl %${name}, ${rec}+${r * 4}`);
    out.push("\tmovl $hstack_top, %esp", "\tpushfl", `\tpopl ${rec}+32`);
  }
  out.push(
    "# write(1, out_begin, out_end - out_begin); exit(0)",
    "all_done:",
    `\tmovl $${SYS_WRITE}, %eax`,
    "\tmovl $1, %ebx",
    "\tmovl $out_begin, %ecx",
    "\tmovl $(out_end - out_begin), %edx",
    "\tint $0x80",
    `\tmovl $${SYS_EXIT}, %eax`,
    "\tmovl $0, %ebx",
    "\tint $0x80",
    "\thlt",
    "\t.balign 4096",
    "\t.data",
    "\t.p2align 4",
    "out_begin:",
    `regs_out:\t.space ${batch.cases.length * REG_RECORD_BYTES}`,
    `case_mem:\t.incbin "${memoryFile}"`,
    "out_end:",
    "\t.bss",
    "\t.p2align 4",
    `\t.space ${HARNESS_STACK_BYTES}`,
    "hstack_top:",
  );
  out.push(`\t.set ${LATE_ONE}, 1`);
  for (const c of batch.cases) {
    const base = c.index * CASE_MEM_BYTES;
    out.push(`\t.set ${scratchSymbol(c.index)}, case_mem + ${base + SCRATCH_BIAS}`);
    out.push(`\t.set stk${c.index}, case_mem + ${base + SCRATCH_BYTES + STACK_BIAS}`);
  }
  return `${out.join("\n")}\n`;
}
