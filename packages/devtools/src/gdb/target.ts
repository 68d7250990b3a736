/**
 * What the GDB stub needs of a machine: the consumer-side interface {@link GdbTarget}, the
 * reasons a target stops, and GDB's i386 register numbering.
 *
 * Reference: GDB manual, "Remote Protocol" → "Stop Reply Packets" (T, W, X; the `watch`,
 * `swbreak` and `hwbreak` stop reasons), "Packets" (Z0–Z4 types), and "Target Descriptions" →
 * "i386 Features" (register names and order of org.gnu.gdb.i386.core).
 */

/**
 * GDB's i386 general registers in `g` packet order (org.gnu.gdb.i386.core, numbers 0–15).
 * The x87 registers that follow (16–31) are described to GDB but reported as unavailable.
 */
export const GDB_I386_REGISTERS = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "eip", "eflags", "cs", "ss", "ds", "es", "fs", "gs"] as const;

/** How many of {@link GDB_I386_REGISTERS} a target reads and writes. */
export const GDB_I386_GENERAL_COUNT = 16;

/** Z/z packet types: 0 software breakpoint, 1 hardware breakpoint, 2 write, 3 read, 4 access watchpoint. */
export type BreakpointType = 0 | 1 | 2 | 3 | 4;

/** Why a target stopped, as the stub reports it to GDB. */
export type GdbStop =
  /** A single step finished (T05). */
  | { readonly kind: "step" }
  /** A breakpoint the stub inserted was reached: `sw` (int3) or `hw` (T05 swbreak:/hwbreak:). */
  | { readonly kind: "breakpoint"; readonly type: "sw" | "hw" }
  /** A write watchpoint fired after the instruction that wrote `address` (T05 watch:ADDR). */
  | { readonly kind: "watch"; readonly address: number }
  /** {@link GdbTarget.interrupt} took effect (T02, SIGINT). */
  | { readonly kind: "interrupted" }
  /** The machine ended with an exit status (W). */
  | { readonly kind: "exited"; readonly status: number }
  /** The machine died: killed, crashed, stuck (X with `signal`; `reason` for people). */
  | { readonly kind: "terminated"; readonly signal: number; readonly reason: string };

/**
 * A machine the GDB stub can drive. Addresses are virtual, as the program sees them, and go
 * through the machine's current page tables. Every method but {@link GdbTarget.resume} is
 * called only while the target is stopped.
 */
export interface GdbTarget {
  /** The 16 general registers in {@link GDB_I386_REGISTERS} order, as unsigned values. */
  readRegisters(out: Uint32Array): void;
  /** Set general register `index` (0–15). @returns false when this target cannot. */
  writeRegister(index: number, value: number): boolean;
  /**
   * Read up to `length` bytes at virtual `address`. @returns the readable prefix (shorter,
   * possibly empty, where a page is not mapped). Inserted breakpoints do not show.
   */
  readMemory(address: number, length: number): Uint8Array;
  /** Write bytes at virtual `address`. @returns false (and writes nothing) when any page is not mapped. */
  writeMemory(address: number, data: Uint8Array): boolean;
  /** Execute exactly one instruction. */
  step(): Promise<GdbStop>;
  /** Run until a breakpoint, a watchpoint, an interrupt or the end of the machine. */
  resume(): Promise<GdbStop>;
  /** Ask a running {@link GdbTarget.resume} to stop soon with `interrupted` (safe at any time). */
  interrupt(): void;
  /**
   * Insert (`insert` true) or remove a breakpoint or watchpoint of `length` bytes (the `kind`
   * of a Z packet). @returns true when done, false on an error (unmapped memory), null when the
   * type is not supported.
   */
  setBreakpoint(type: BreakpointType, address: number, length: number, insert: boolean): boolean | null;
  /** Remove every breakpoint and watchpoint (detach). */
  clearBreakpoints(): void;
}
