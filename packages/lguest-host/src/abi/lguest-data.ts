/**
 * `struct lguest_data`, the page a Guest shares with the Host, and the constants around it.
 *
 * Reference: lguest-abi.md §2, the i386 layout with `noirq_iret` (computed offsets, 1388
 * bytes); §4.4 (virtual interrupts), §1.4 (the async ring: 64 status bytes, then 64 records
 * of five dwords: call number and arg1..arg4).
 */
import { LHCALL_RING_SIZE } from "./hypercalls.js";

/** Byte offsets inside `struct lguest_data`. */
export const LGUEST_DATA = {
  /** Virtual EFLAGS.IF: 0x200 enabled, 0 disabled (Guest writes; Host on delivery). */
  irqEnabled: 0,
  /** Bitmap of the 32 IRQs the Guest has masked. */
  blockedInterrupts: 4,
  /** Address of the last page fault reflected to the Guest. */
  cr2: 8,
  /** Wall clock seconds (Host writes at INIT and on every interrupt delivery). */
  timeSec: 12,
  /** Wall clock nanoseconds. */
  timeNsec: 16,
  /** 0x200 when an interrupt waits for the Guest to re-enable interrupts. */
  irqPending: 20,
  /** Async ring status bytes (0xFF free/done, 0 pending). */
  hcallStatus: 24,
  /** Async ring records: five dwords each (call, arg1 … arg4). */
  hcalls: 24 + LHCALL_RING_SIZE,
  /** Bytes at the top of the address space the Guest must not use. */
  reserveMem: 24 + LHCALL_RING_SIZE + LHCALL_RING_SIZE * 20,
  /** Host TSC rate in kHz, 0 when the Guest must not use the TSC. */
  tscKhz: 1372,
  /** Address of the Guest's single `iret` where no interrupt may be injected. */
  noirqIret: 1376,
  /** PAGE_OFFSET: above it every address space maps the same. */
  kernelAddress: 1380,
  /** The vector the Guest uses for system calls. */
  syscallVec: 1384,
} as const;
/** Size of `struct lguest_data`. */
export const LGUEST_DATA_SIZE = 1388;
/** Bytes of one async ring record. */
export const HCALL_RECORD_BYTES = 20;

/** lguest_data.irq_enabled / irq_pending value meaning "set" (EFLAGS.IF). */
export const X86_EFLAGS_IF = 0x200;
/** Virtual IRQ lines (min(NR_IRQS, 32)); IRQ n arrives on vector 32 + n. */
export const LGUEST_IRQS = 32;
/** Vector of virtual IRQ 0. */
export const FIRST_EXTERNAL_VECTOR = 32;
/** The timer's IRQ. */
export const TIMER_IRQ = 0;
/** The system-call vector Linux uses (the only one this Host accepts). */
export const SYSCALL_VECTOR = 0x80;
/** The Guest kernel's PAGE_OFFSET for our Guests. */
export const PAGE_OFFSET = 0xc0000000;
