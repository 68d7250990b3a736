/**
 * What `Cpu.run` returns: why the CPU stopped running instructions.
 *
 * The boundary is pull-style (HOUSE_STYLE 4): the embedder calls `run`, the
 * CPU executes until something outside it must act, and says what.
 */

/** The instruction budget given to `run` is used up; call `run` again to go on. */
export interface BudgetExit {
  readonly kind: "budget";
}
/** HLT: nothing to do until an interrupt. `interruptible` is false when IF=0: only NMI/reset could wake it. */
export interface HaltExit {
  readonly kind: "halt";
  readonly interruptible: boolean;
}
/** Triple fault (or an unrecoverable delivery failure): a real board resets here. */
export interface ShutdownExit {
  readonly kind: "shutdown";
  readonly reason: string;
}
/** `Cpu.stop()` was called (by a device, a fault-bus handler or the embedder). */
export interface StoppedExit {
  readonly kind: "stopped";
}
/**
 * An exception or interrupt was delivered through the IDT to an address that
 * a handler was registered behind (`FaultBus.routeTo`): the hardware part is
 * done (privilege switch, stack switch, frame pushed) and TypeScript takes over.
 */
export interface HandlerExit {
  readonly kind: "handler";
  readonly id: number;
  readonly vector: number;
}
/** An IN/OUT touched a port nobody claimed (with `unclaimedPorts: "exit"`); EIP is at that instruction. */
export interface IoExit {
  readonly kind: "io";
  readonly port: number;
  readonly size: 1 | 2 | 4;
  readonly write: boolean;
  readonly value: number;
}

/** Why `Cpu.run` returned. */
export type CpuExit = BudgetExit | HaltExit | ShutdownExit | StoppedExit | HandlerExit | IoExit;
