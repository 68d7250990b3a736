/**
 * The messages between the page and the worker that owns the Guest machine. Everything in
 * them is plain data (numbers, strings, arrays, byte arrays), so the structured clone of
 * `postMessage` carries them and byte arrays can be transferred instead of copied.
 */
import type { Snapshot } from "./snapshot.js";

/** Which part of the address space the page-table panel compares. */
export interface PageTableRange {
  /** pgdir-cache slot (undefined: the one the hardware walks now). */
  readonly slot?: number;
  /** First Guest-virtual address. */
  readonly from: number;
  /** Address to stop before (at most the Switcher's 0xFFC00000). */
  readonly to: number;
}

/** What to boot: the kernel and, when there is one, the initramfs and the first program. */
export interface BootFiles {
  /** The Guest kernel (ELF or bzImage). */
  readonly kernel: Uint8Array;
  /** How to name the kernel in errors. */
  readonly kernelName: string;
  /** A newc cpio archive, or undefined for none. */
  readonly initrd?: Uint8Array;
  /** The first program and its arguments (empty: the initramfs's /init). */
  readonly argv: readonly string[];
  /** Guest RAM in bytes. */
  readonly memoryBytes: number;
  /** The kernel command line. */
  readonly cmdline: string;
}

/** From the page to the worker. */
export type ToWorker =
  /** Build the machine and run it until it ends or is stopped. Sent once per worker. */
  | { readonly type: "start"; readonly boot: BootFiles }
  /** Console input (keystrokes as the terminal encodes them). */
  | { readonly type: "input"; readonly bytes: Uint8Array }
  /** Stop the run at its next look (the machine is kept, so the panels still show it). */
  | { readonly type: "stop" }
  /** Ask for a snapshot; the answer carries the same `id`. */
  | { readonly type: "snapshot"; readonly id: number; readonly range: PageTableRange };

/** From the worker to the page. */
export type FromWorker =
  /** The machine is built and running. */
  | { readonly type: "started" }
  /** Console output. */
  | { readonly type: "output"; readonly bytes: Uint8Array }
  /** The run ended; `summary` is one line for people. */
  | { readonly type: "ended"; readonly kind: string; readonly summary: string }
  /** The machine could not be built (a bad kernel, too little memory). */
  | { readonly type: "error"; readonly message: string }
  /** The answer to a `snapshot` request (null: no machine yet). */
  | { readonly type: "snapshot"; readonly id: number; readonly snapshot: Snapshot | null };
