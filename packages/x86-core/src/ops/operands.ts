/**
 * Operand access shared by the instruction families: 8/16-bit register
 * views and the ModRM "E" operand (register or memory) at each size.
 *
 * Reference: SDM Vol. 2A §2.1.5 (ModRM encodings; 8-bit registers 4–7 are
 * AH/CH/DH/BH). Memory reads return 0 with `cpu.fault` set on a fault: a
 * handler checks `cpu.fault` before it changes any state.
 */
import type { Cpu } from "../cpu/cpu.js";
import type { Insn } from "../decoder/insn.js";

/** Read 8-bit register `r` (AL, CL, DL, BL, AH, CH, DH, BH). */
export function getR8(c: Cpu, r: number): number {
  return r < 4 ? c.regs[r]! & 0xff : (c.regs[r - 4]! >> 8) & 0xff;
}

/** Write 8-bit register `r`. */
export function setR8(c: Cpu, r: number, v: number): void {
  if (r < 4) c.regs[r] = (c.regs[r]! & ~0xff) | (v & 0xff);
  else c.regs[r - 4] = (c.regs[r - 4]! & ~0xff00) | ((v & 0xff) << 8);
}

/** Read 16-bit register `r`. */
export function getR16(c: Cpu, r: number): number {
  return c.regs[r]! & 0xffff;
}

/** Write 16-bit register `r` (upper half kept). */
export function setR16(c: Cpu, r: number, v: number): void {
  c.regs[r] = (c.regs[r]! & ~0xffff) | (v & 0xffff);
}

/** Read the byte E operand. */
export function readE8(c: Cpu, i: Insn): number {
  return i.mod === 3 ? getR8(c, i.rm) : c.read8(i.seg, c.ea(i));
}

/** Read the word E operand. */
export function readE16(c: Cpu, i: Insn): number {
  return i.mod === 3 ? c.regs[i.rm]! & 0xffff : c.read16(i.seg, c.ea(i));
}

/** Read the dword E operand. */
export function readE32(c: Cpu, i: Insn): number {
  return i.mod === 3 ? c.regs[i.rm]! : c.read32(i.seg, c.ea(i));
}

/** Write the byte E operand. */
export function writeE8(c: Cpu, i: Insn, v: number): void {
  if (i.mod === 3) setR8(c, i.rm, v);
  else c.write8(i.seg, c.ea(i), v);
}

/** Write the word E operand. */
export function writeE16(c: Cpu, i: Insn, v: number): void {
  if (i.mod === 3) setR16(c, i.rm, v);
  else c.write16(i.seg, c.ea(i), v);
}

/** Write the dword E operand. */
export function writeE32(c: Cpu, i: Insn, v: number): void {
  if (i.mod === 3) c.regs[i.rm] = v;
  else c.write32(i.seg, c.ea(i), v);
}

/**
 * Read the E operand for read-modify-write: for memory the address is checked
 * for writing and remembered, so {@link rmwWriteE8} cannot fault.
 */
export function rmwReadE8(c: Cpu, i: Insn): number {
  return i.mod === 3 ? getR8(c, i.rm) : c.rmwRead(i.seg, c.ea(i), 1);
}

/** Word form of {@link rmwReadE8}. */
export function rmwReadE16(c: Cpu, i: Insn): number {
  return i.mod === 3 ? c.regs[i.rm]! & 0xffff : c.rmwRead(i.seg, c.ea(i), 2);
}

/** Dword form of {@link rmwReadE8}. */
export function rmwReadE32(c: Cpu, i: Insn): number {
  return i.mod === 3 ? c.regs[i.rm]! : c.rmwRead(i.seg, c.ea(i), 4);
}

/** Complete a read-modify-write of the byte E operand. */
export function rmwWriteE8(c: Cpu, i: Insn, v: number): void {
  if (i.mod === 3) setR8(c, i.rm, v);
  else c.rmwWrite(1, v);
}

/** Complete a read-modify-write of the word E operand. */
export function rmwWriteE16(c: Cpu, i: Insn, v: number): void {
  if (i.mod === 3) setR16(c, i.rm, v);
  else c.rmwWrite(2, v);
}

/** Complete a read-modify-write of the dword E operand. */
export function rmwWriteE32(c: Cpu, i: Insn, v: number): void {
  if (i.mod === 3) c.regs[i.rm] = v;
  else c.rmwWrite(4, v);
}
