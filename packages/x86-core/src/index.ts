/*P:100 littleguest is lguest — the small paravirtual hypervisor Rusty Russell
 * wrote for Linux — rebuilt so that every part of it can be taken apart and
 * read. Underneath is a machine: an IA-32 processor (this package), its
 * paging hardware (`@littleguest/mmu`), and a few devices. On that machine
 * the Host, written in TypeScript, runs a Guest kernel in ring 1 and the
 * Guest's programs in ring 3, keeping shadow page tables, answering
 * hypercalls and reflecting traps, with the Switcher mapped at the top 4 MiB
 * of every address space. The tour starts with the processor, because
 * everything lguest does is a careful use of what x86 hardware already does:
 * privilege rings, gates, the TSS and page tables. :*/
export { PAGE_SHIFT, PAGE_SIZE, PhysicalMemory } from "./memory/physical-memory.js";
export {
  CR0_AM,
  CR0_CD,
  CR0_EM,
  CR0_ET,
  CR0_MP,
  CR0_NE,
  CR0_NW,
  CR0_PE,
  CR0_PG,
  CR0_TS,
  CR0_WP,
  CR4_DE,
  CR4_MCE,
  CR4_OSFXSR,
  CR4_PAE,
  CR4_PCE,
  CR4_PGE,
  CR4_PSE,
  CR4_PVI,
  CR4_TSD,
  CR4_VME,
  ControlRegisters,
  EFER_NXE,
} from "./paging/control-registers.js";
export { FlatTranslator } from "./paging/flat-translator.js";
export { ATTR_B, ATTR_CODE, ATTR_G, ATTR_P, ATTR_S, ATTR_VALID } from "./protection/segment-bits.js";
export {
  Access,
  PF_I,
  PF_P,
  PF_RSVD,
  PF_U,
  PF_W,
  TLB_ALL,
  TLB_ENTRIES,
  TLB_FRAME_MASK,
  TLB_SUP_EXEC,
  TLB_SUP_READ,
  TLB_SUP_WRITE,
  TLB_USER_EXEC,
  TLB_USER_READ,
  TLB_USER_WRITE,
} from "./paging/translator.js";
export type { Translator } from "./paging/translator.js";
export { Cpu, BRK_CODE, BRK_EXIT, BRK_FAULT, BRK_HALT, BRK_IRQ, BRK_MODE, BRK_STOP } from "./cpu/cpu.js";
export type { CpuOptions, FlatSegmentOptions } from "./cpu/cpu.js";
export type { CpuExit, BudgetExit, HaltExit, ShutdownExit, StoppedExit, HandlerExit, IoExit } from "./cpu/exit.js";
export { EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI, ES, CS, SS, DS, FS, GS, REG32_NAMES, SEG_NAMES } from "./cpu/registers.js";
export * from "./cpu/eflags.js";
export { DE, DB, BP, OVF, UD, NM, DF_VEC, TS, NP, SS_VEC, GP, PF_VEC } from "./cpu/vectors.js";
export { PortBus } from "./bus/port-bus.js";
export type { PortDevice } from "./bus/port-bus.js";
export { FaultBus, EventKind } from "./bus/fault-bus.js";
export type { FaultClaim, FaultObserver } from "./bus/fault-bus.js";
export { HypercallBus } from "./bus/hypercall-bus.js";
export { X86CoreError } from "./errors.js";
export type { X86CoreErrorCode } from "./errors.js";
export type { HypercallArgs, HypercallHandler } from "./bus/hypercall-bus.js";
export { Insn, INSN_A32, INSN_FLOW, INSN_LOCK, INSN_MEM, INSN_O32 } from "./decoder/insn.js";
export type { Handler } from "./decoder/insn.js";
export { OPCODES } from "./decoder/opcode-table.js";
export { needsSync as opcodeNeedsSync } from "./decoder/decoder.js";
export type { OpRow, GroupRow, TableEntry } from "./decoder/table-types.js";
export { CodeCache } from "./cpu/code-cache.js";
export { Fpu, CW_DEFAULT } from "./fpu/fpu-state.js";
