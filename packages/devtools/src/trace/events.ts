/**
 * Trace events: what the CPU's fault bus and the Host's observer report, as plain
 * JSON-ready records. Every event carries `insn` (instructions retired, the machine's clock)
 * and `ns` (the Guest's virtual time), so two runs of the same Guest give the same trace.
 *
 * Reference: lguest-abi.md §1 (hypercall numbers and arguments), §4.2 (which vectors reach
 * the Host), §6 (page-table hypercalls), §7.2 (trap numbers on exit), SDM Vol. 3A §6.3
 * (exception vectors and mnemonics).
 */

/** The categories `--trace` accepts. */
export const TRACE_CATEGORIES = ["exits", "hypercalls", "faults", "pagetables", "irq", "insn"] as const;
/** One category. */
export type TraceCategory = (typeof TRACE_CATEGORIES)[number];

interface Stamp {
  /** Instructions retired when it happened (Switcher code included). */
  readonly insn: number;
  /** The Guest's virtual time in ns. */
  readonly ns: number;
}

/** The Guest left through the Switcher. */
export interface ExitEvent extends Stamp {
  readonly type: "exit";
  readonly trapnum: number;
  /** What the trap number means to the Host ("page fault", "hypercall", "host timer" …). */
  readonly name: string;
  readonly errcode: number;
  readonly eip: number;
  /** For page faults: the faulting address. */
  readonly cr2?: number;
}

/** A hypercall ran. */
export interface HypercallEvent extends Stamp {
  readonly type: "hypercall";
  readonly call: number;
  readonly name: string;
  readonly args: readonly [number, number, number, number];
  /** It came from the async ring rather than `int $0x1f`. */
  readonly async: boolean;
}

/** The CPU delivered an exception or software interrupt (before any Host involvement). */
export interface FaultEvent extends Stamp {
  readonly type: "fault";
  readonly vector: number;
  readonly name: string;
  readonly errcode: number | null;
  /** EIP of the frame (the faulting instruction for faults, the next one for traps). */
  readonly eip: number;
  readonly kind: "exception" | "software";
  /** Delivered straight to the Guest's handler (a direct trap) rather than into the Switcher. */
  readonly direct: boolean;
}

/** The Host reflected a trap other than a page fault into the Guest. */
export interface TrapEvent extends Stamp {
  readonly type: "trap";
  readonly trapnum: number;
  readonly name: string;
  readonly errcode: number;
  readonly eip: number;
}

/** A page fault and what the shadow pager made of it. */
export interface PageFaultEvent extends Stamp {
  readonly type: "pagefault";
  readonly cr2: number;
  readonly errcode: number;
  readonly eip: number;
  readonly outcome: "hidden" | "reflected" | "killed";
}

/** A page-table hypercall (NEW_PGTABLE, SET_PTE, SET_PGD, SET_PMD, FLUSH_TLB), decoded. */
export interface PageTableEvent extends Stamp {
  readonly type: "pagetable";
  readonly op: "new_pgtable" | "set_pte" | "set_pgd" | "set_pmd" | "flush_tlb";
  /** Guest-physical page directory (NEW_PGTABLE, SET_PTE, SET_PGD, SET_PMD). */
  readonly pgdir?: number;
  /** Guest-virtual address (SET_PTE) or directory index (SET_PGD). */
  readonly vaddr?: number;
  readonly index?: number;
  /** The new PTE (SET_PTE). */
  readonly pte?: number;
  /** FLUSH_TLB: kernel mappings too. */
  readonly all?: boolean;
}

/** A virtual interrupt raised by the Launcher or delivered to the Guest. */
export interface IrqEvent extends Stamp {
  readonly type: "irq";
  readonly irq: number;
  readonly op: "raised" | "delivered";
  /** Where the Guest was when it was interrupted (delivered only). */
  readonly eip?: number;
}

/** One instruction about to execute. */
export interface InsnEvent extends Stamp {
  readonly type: "insn";
  readonly eip: number;
  /** Ring 0 is the Switcher; the Guest runs in rings 1 and 3. */
  readonly cpl: number;
  /** The instruction in objdump's AT&T syntax, when its bytes could be read. */
  readonly text?: string;
}

/** Any trace event. */
export type TraceEvent = ExitEvent | HypercallEvent | FaultEvent | TrapEvent | PageFaultEvent | PageTableEvent | IrqEvent | InsnEvent;

const VECTOR_NAMES = [
  "#DE divide error",
  "#DB debug",
  "NMI",
  "#BP breakpoint",
  "#OF overflow",
  "#BR bound",
  "#UD invalid opcode",
  "#NM device not available",
  "#DF double fault",
  "coprocessor overrun",
  "#TS invalid TSS",
  "#NP segment not present",
  "#SS stack fault",
  "#GP general protection",
  "#PF page fault",
  "reserved 15",
  "#MF x87 error",
  "#AC alignment check",
  "#MC machine check",
  "#XM SIMD error",
];

/** What trap number `n` means on an lguest exit (or a CPU delivery). */
export function trapName(n: number): string {
  if (n < VECTOR_NAMES.length) return VECTOR_NAMES[n]!;
  if (n === 0x1f) return "hypercall";
  if (n === 0x80) return "system call";
  if (n === 0xef) return "host timer";
  if (n === 256) return "fault in the Switcher";
  if (n >= 32 && n < 32 + 32) return `irq ${n - 32}`;
  return `vector ${n}`;
}
