/**
 * A decoded instruction: everything the interpreter needs, computed once.
 *
 * Decoding x86 is the expensive part of interpreting it (prefixes, ModRM,
 * SIB, displacement and immediate sizes), so the decoder fills one of these
 * records per instruction and the CPU keeps it, keyed by physical address,
 * until the code page is written or the code-segment size changes. Records
 * of one page are linked through `next` so straight-line code runs without a
 * lookup per instruction. All fields are numbers or references so every
 * record has the same hidden class.
 */
/*M:100 Known limits of the processor today. It interprets: every
 * instruction costs a dispatch through the generated switch, and memory
 * operands pay for segment and TLB checks in TypeScript; a block JIT that
 * compiles chains of these records into JavaScript functions is the natural
 * next step, and the records were designed so it can start from them. Real
 * mode, virtual-8086 mode, task switching, MMX/SSE and hardware
 * debug breakpoints are not emulated; each is refused with the fault a CPU
 * without it would give. :*/
import type { Cpu } from "../cpu/cpu.js";

/** The semantic routine of an instruction; it reads its operands from the record. */
export type Handler = (cpu: Cpu, insn: Insn) => void;

/** Flag bits of {@link Insn.flags}. */
export const INSN_FLOW = 1 << 0;
/** The instruction may change CPL, CS size, paging or the code cache: the loop must look again. */
export const INSN_SERIAL = 1 << 1;
/** Operand size is 32 bits (after the 0x66 prefix was applied). */
export const INSN_O32 = 1 << 2;
/** Address size is 32 bits (after the 0x67 prefix was applied). */
export const INSN_A32 = 1 << 3;
/** A LOCK prefix was present. */
export const INSN_LOCK = 1 << 4;
/** The ModRM byte names memory (mod != 3). */
export const INSN_MEM = 1 << 5;
/** A near branch (Jcc, JMP/CALL rel or indirect, RET, LOOP): its taken target may be linked. */
export const INSN_NEAR = 1 << 6;
/**
 * The handler reads or adjusts `Cpu.instructions` (RDTSC, RDMSR/WRMSR, STI, MOV/POP SS,
 * port I/O whose devices may look at it): the run loop brings the count up to date first.
 */
export const INSN_SYNC = 1 << 7;

/** A number outside V8's small-integer range (see the Insn constructor). */
const NOT_SMALL = -0x80000000;

/** One decoded instruction. */
export class Insn {
  /** Semantic routine. */
  fn: Handler;
  /** Id of `fn` in the generated dispatch switch (0: call `fn` directly). */
  hid = 0;
  /** Physical address of the first byte (-1 when not cached). */
  pa = -1;
  /** Length in bytes (1..15). */
  len = 0;
  /** Opcode: 0x00–0xFF for the one-byte map, 0x100–0x1FF for the 0F map. */
  opcode = 0;
  /** Bit set of INSN_* flags. */
  flags = 0;
  /** Row name from the opcode table (mnemonic + operand notation), for tools. */
  name = "";
  /** Sub-operation for shared handlers (e.g. which ALU op, which condition code). */
  op = 0;
  /** ModRM.mod. */
  mod = 0;
  /** ModRM.reg (or the register encoded in the opcode). */
  reg = 0;
  /** ModRM.rm. */
  rm = 0;
  /** Base register of the effective address, or -1. */
  base = -1;
  /** Index register of the effective address, or -1. */
  index = -1;
  /** log2 of the SIB scale. */
  scale = 0;
  /** Displacement (sign-extended, int32). */
  disp = 0;
  /** Segment used by the memory operand (after overrides). */
  seg = 3;
  /** First immediate (sign- or zero-extended as the opcode defines). */
  imm = 0;
  /** Second immediate (far pointers: the selector; ENTER: the level). */
  imm2 = 0;
  /** REP prefix: 0 none, 1 REP/REPE (F3), 2 REPNE (F2). */
  rep = 0;
  /** The next instruction in the same page, once it has been looked up. */
  next: Insn | null = null;
  /** For near branches: the last taken target in the same page, once looked up. */
  target: Insn | null = null;
  /** EIP of `target`. */
  targetEip = 0;

  constructor(fn: Handler) {
    this.fn = fn;
    // Immediates and displacements are arbitrary int32 values; most fit V8's small-integer
    // range but some (0xdeadbeef) do not. Storing a non-small value first gives every record
    // the number representation from birth, so the first large immediate met halfway through
    // a run does not change the record's hidden class and deoptimise every handler.
    this.imm = NOT_SMALL;
    this.imm = 0;
    this.imm2 = NOT_SMALL;
    this.imm2 = 0;
    this.disp = NOT_SMALL;
    this.disp = 0;
  }
}
