/**
 * lguest hypercall numbers, the "2.6.3x / 3.x" column of lguest-abi.md §1.2 (the ABI
 * ARCHITECTURE.md fixes), and the constants their arguments use (§1.3, §1.4).
 */

/** Nothing: the trap itself makes the Host drain the async ring. */
export const LHCALL_FLUSH_ASYNC = 0;
/** Register `struct lguest_data` (arg1 = its Guest-physical address); must come first. */
export const LHCALL_LGUEST_INIT = 1;
/** Power off or restart with a message (arg1 = message address, arg2 = LGUEST_SHUTDOWN_*). */
export const LHCALL_SHUTDOWN = 2;
/** Switch to the address space whose top level is at arg1 (Guest-physical). */
export const LHCALL_NEW_PGTABLE = 4;
/** Flush the TLB: arg1 = 0 user mappings only, else everything. */
export const LHCALL_FLUSH_TLB = 5;
/** Set Guest IDT entry arg1 to the descriptor arg2 (low dword), arg3 (high dword). */
export const LHCALL_LOAD_IDT_ENTRY = 6;
/** The Guest kernel stack: arg1 = ss, arg2 = esp (top), arg3 = pages (≤ 2). */
export const LHCALL_SET_STACK = 7;
/** The Guest's wanted CR0.TS (arg1). */
export const LHCALL_TS = 8;
/** Next timer tick in arg1 nanoseconds (0 = stop). */
export const LHCALL_SET_CLOCKEVENT = 9;
/** Sleep until an interrupt. */
export const LHCALL_HALT = 10;
/** PAE: a middle-directory entry changed (the Host drops every shadow). */
export const LHCALL_SET_PMD = 13;
/** A PTE changed: arg1 = top level (Guest-physical), arg2 = linear address, arg3/arg4 = PTE low/high. */
export const LHCALL_SET_PTE = 14;
/** A top-level entry changed: arg1 = top level, arg2 = index. */
export const LHCALL_SET_PGD = 15;
/** Thread-local storage: arg1 = Guest-physical address of three descriptors, arg2 = cpu. */
export const LHCALL_LOAD_TLS = 16;
/** Tell the Launcher about Guest-physical address arg1 (a virtqueue kick, a status change). */
export const LHCALL_NOTIFY = 17;
/** Set Guest GDT entry arg1 to the descriptor arg2 (low), arg3 (high). */
export const LHCALL_LOAD_GDT_ENTRY = 18;
/** Nothing: the exit lets the Host deliver pending interrupts. */
export const LHCALL_SEND_INTERRUPTS = 19;

/** Every hypercall of this ABI by name, for tables, traces and statistics. */
export const HYPERCALL_NAMES: Readonly<Record<number, string>> = {
  [LHCALL_FLUSH_ASYNC]: "FLUSH_ASYNC",
  [LHCALL_LGUEST_INIT]: "LGUEST_INIT",
  [LHCALL_SHUTDOWN]: "SHUTDOWN",
  [LHCALL_NEW_PGTABLE]: "NEW_PGTABLE",
  [LHCALL_FLUSH_TLB]: "FLUSH_TLB",
  [LHCALL_LOAD_IDT_ENTRY]: "LOAD_IDT_ENTRY",
  [LHCALL_SET_STACK]: "SET_STACK",
  [LHCALL_TS]: "TS",
  [LHCALL_SET_CLOCKEVENT]: "SET_CLOCKEVENT",
  [LHCALL_HALT]: "HALT",
  [LHCALL_SET_PMD]: "SET_PMD",
  [LHCALL_SET_PTE]: "SET_PTE",
  [LHCALL_SET_PGD]: "SET_PGD",
  [LHCALL_LOAD_TLS]: "LOAD_TLS",
  [LHCALL_NOTIFY]: "NOTIFY",
  [LHCALL_LOAD_GDT_ENTRY]: "LOAD_GDT_ENTRY",
  [LHCALL_SEND_INTERRUPTS]: "SEND_INTERRUPTS",
};

/** SHUTDOWN arg2: power off. */
export const LGUEST_SHUTDOWN_POWEROFF = 1;
/** SHUTDOWN arg2: restart (the Launcher re-executes itself). */
export const LGUEST_SHUTDOWN_RESTART = 2;
/** Bytes of the SHUTDOWN message the Host reads. */
export const SHUTDOWN_MESSAGE_BYTES = 128;

/** Slots in the async hypercall ring. */
export const LHCALL_RING_SIZE = 64;
/** Ring status byte: slot free, or done (written by the Host). */
export const HCALL_STATUS_FREE = 0xff;
/** Ring status byte: call pending (written by the Guest). */
export const HCALL_STATUS_PENDING = 0;
