/**
 * The near-jump primitive shared by every branch handler.
 *
 * Reference: SDM Vol. 2A JMP "Operation": a target outside the CS limit
 * raises #GP(0) at the branch instruction itself.
 */
import type { Cpu } from "../cpu/cpu.js";
import { SEG_READ_FAST } from "../protection/descriptor.js";

/** Transfer to `target` (an offset in CS) after the limit check; false when #GP was raised. */
export function jumpTo(c: Cpu, target: number): boolean {
  if ((c.flatReads & 2) === 0 && (c.segFast[1]! & SEG_READ_FAST) === 0 && target >>> 0 > c.segLimit[1]! >>> 0) {
    c.gp(0);
    return false;
  }
  c.eip = target;
  return true;
}
