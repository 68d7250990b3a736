/**
 * Memory and output layout shared by the program writer, the runners and the comparer.
 *
 * Each case owns a window of CASE_MEM_BYTES in the program's .data: a scratch area that
 * %ebp points into (at its middle, so disp8 reaches all of it) followed by a stack area
 * that %esp points into (also at its middle, so pops read defined bytes). The program
 * writes the register records and then every window to fd 1 in one write(2).
 */

/** Bytes of scratch memory per case (addressed as -128..127 from %ebp). */
export const SCRATCH_BYTES = 256;
/** Offset of %ebp inside the scratch area: the middle, so disp8 covers it. */
export const SCRATCH_BIAS = 128;
/** Bytes of stack per case; %esp starts at STACK_BIAS into it. */
export const STACK_BYTES = 256;
/** Offset of the initial %esp inside the stack area. */
export const STACK_BIAS = 128;
/** How far generated code may move %esp from its start (pusha + enter fit twice). */
export const ESP_SLACK = 72;
/** Bytes of memory compared per case. */
export const CASE_MEM_BYTES = SCRATCH_BYTES + STACK_BYTES;
/** Output record per case: eax ecx edx ebx esp ebp esi edi eflags + one pad dword. */
export const REG_RECORD_BYTES = 40;
/** Register names in encoding order, which is also the record order. */
export const REG_NAMES = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"] as const;
/** Index of EFLAGS in the record (in dwords). */
export const EFLAGS_SLOT = 8;
/** Linked address of the text segment: low, so 16 MiB of x86-core RAM holds the program. */
export const TEXT_BASE = 0x00400000;

/** Total size of a batch's output for `cases` cases. */
export function outputBytes(cases: number): number {
  return cases * (REG_RECORD_BYTES + CASE_MEM_BYTES);
}

/** Register encoding number of a 32-bit register name (without %). */
export function regIndex(name: string): number {
  const i = (REG_NAMES as readonly string[]).indexOf(name);
  if (i < 0) throw new Error(`layout: unknown register ${name}`);
  return i;
}

/**
 * A symbol the program writer defines as 1 at the very end. GNU as turns `shl $1` into the
 * shift-by-one opcode (D0/D1); an immediate it cannot fold yet keeps the imm8 form (C0/C1).
 */
export const LATE_ONE = "late_one";
