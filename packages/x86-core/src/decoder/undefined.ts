/**
 * The handler of opcodes this CPU does not implement: #UD when executed.
 *
 * Reference: SDM Vol. 3A §6.15 "Interrupt 6—Invalid Opcode". Decoding an
 * undefined opcode is not an error; executing it is.
 */
import type { Cpu } from "../cpu/cpu.js";

/** Raise #UD. */
export function handleUd(cpu: Cpu): void {
  cpu.ud();
}
