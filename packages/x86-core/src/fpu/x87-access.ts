/**
 * What every x87 handler shares: the device-not-available check, the last
 * instruction and operand pointers, and loads and stores of the memory
 * formats.
 *
 * Reference: SDM Vol. 3A §2.5 (CR0.EM/TS), Table 9-2 (#NM for ESC when EM
 * or TS is set), §6.15 (#NM); Vol. 1 §8.1.8 (FIP/FCS/FDP/FDS and the
 * 11-bit opcode), §4.2.2 (memory formats), §8.5.1.1 (stack underflow on a
 * store: the masked response stores the indefinite of the format).
 */
/*C:680 The FPU is the one piece of processor state a kernel saves lazily.
 * On a task switch Linux (and the lguest Host, through its TS hypercall)
 * sets CR0.TS instead of saving the x87 registers; the first escape the
 * new task executes faults with #NM, the handler does FNSAVE/FRSTOR (no
 * FXSR here) and clears TS with CLTS, and the instruction is restarted.
 * So the check that opens every x87 handler is the whole protocol: it
 * runs before any operand is read or any state changes, and costs
 * integer code nothing, because only the escape opcodes reach it. :*/
import type { Cpu } from "../cpu/cpu.js";
import { CS } from "../cpu/registers.js";
import { NM } from "../cpu/vectors.js";
import type { Insn } from "../decoder/insn.js";
import { CR0_EM, CR0_TS } from "../paging/control-registers.js";
import { denormalOperand, opndBits, stageBits } from "./fpu-arith.js";
import { directedSum, type F80Result, f32ToDoubleBits, f80ToDouble, isDenormal32, isDenormal64, isSNaNBits } from "./float-formats.js";
import { SW_IE, SW_PE } from "./fpu-state.js";

/** 2^32. */
const TWO_32 = 4294967296;

/**
 * #NM when CR0.EM or CR0.TS is set (the lazy-FPU protocol: the Host sets TS,
 * the first x87 instruction traps, the handler restores state and clears
 * TS). Returns true when the instruction must stop.
 */
export function unavailable(c: Cpu): boolean {
  if ((c.control.cr0 & (CR0_EM | CR0_TS)) === 0) return false;
  c.raise(NM, 0, false);
  return true;
}

/**
 * Record this instruction in FIP/FCS/FOP and, for a memory operand, FDP/FDS
 * (what FNSTENV/FNSAVE write out). Control instructions do not call it.
 */
export function note(c: Cpu, i: Insn): void {
  const f = c.fpu;
  f.fip = (c.eip - i.len) | 0;
  f.fcs = c.segSel[CS]!;
  f.fop = ((i.opcode & 7) << 8) | (i.mod << 6) | (i.reg << 3) | i.rm;
  if (i.mod !== 3) {
    f.fdp = c.ea(i);
    f.fds = c.segSel[i.seg]!;
  }
}

/** Scratch result of the 80-bit and 32-bit conversions. */
export const conv: F80Result = { lo: 0, hi: 0, invalid: false, inexact: false };

/**
 * Read an m32fp operand into operand slot `slot` (0 a, 1 b). DE for a
 * denormal. Returns false on a memory fault.
 */
export function stageM32fp(c: Cpu, i: Insn, slot: number): boolean {
  const b = c.read32(i.seg, c.ea(i));
  if (c.fault) return false;
  if (isDenormal32(b)) denormalOperand(c.fpu);
  f32ToDoubleBits(b, conv);
  stageBits(conv.lo, conv.hi, slot);
  return true;
}

/** Read an m64fp operand into operand slot `slot`. */
export function stageM64fp(c: Cpu, i: Insn, slot: number): boolean {
  const off = c.ea(i);
  const lo = c.read32(i.seg, off);
  const hi = c.read32(i.seg, (off + 4) | 0);
  if (c.fault) return false;
  if (isDenormal64(lo, hi)) denormalOperand(c.fpu);
  stageBits(lo, hi, slot);
  return true;
}

/** Read an m80fp operand into operand slot `slot` (IE for an unsupported encoding). */
export function stageM80fp(c: Cpu, i: Insn, slot: number): boolean {
  const off = c.ea(i);
  const ml = c.read32(i.seg, off);
  const mh = c.read32(i.seg, (off + 4) | 0);
  const se = c.read16(i.seg, (off + 8) | 0);
  if (c.fault) return false;
  f80ToDouble(ml, mh, se, conv);
  if (conv.invalid) c.fpu.flag(SW_IE);
  // Rounded to fit a double: PE now, where hardware would report it at the store.
  else if (conv.inexact) c.fpu.flag(SW_PE);
  stageBits(conv.lo, conv.hi, slot);
  return true;
}

const one = new Float64Array(1);
const oneBits = new Uint32Array(one.buffer);

/** Stage a number that is not a NaN. */
export function stageNumber(v: number, slot: number): void {
  one[0] = v;
  stageBits(oneBits[0]!, oneBits[1]!, slot);
}

/**
 * Read an m16int (`bytes` 2), m32int (4) or m64int (8) and return its value (0 on a
 * fault). An m64int beyond 2^53 is rounded by the control word's RC, with PE.
 */
export function readInt(c: Cpu, i: Insn, bytes: number): number {
  const off = c.ea(i);
  if (bytes === 2) return (c.read16(i.seg, off) << 16) >> 16;
  const lo = c.read32(i.seg, off);
  if (bytes === 4) return lo;
  const hi = c.read32(i.seg, (off + 4) | 0);
  const a = hi * TWO_32;
  const b = lo >>> 0;
  const v = a + b;
  if (hi === 0 || hi === -1 || b - (v - a) === 0) return v;
  c.fpu.flag(SW_PE);
  return directedSum(a, b, c.fpu.rc());
}

/**
 * A loaded floating-point operand as an FLD pushes it: an SNaN from m32fp or
 * m64fp raises IE and is quietened (m80fp loads do not signal).
 */
export function quietLoadedSNaN(c: Cpu, slot: number): void {
  const lo = opndBits[slot * 2]!;
  const hi = opndBits[slot * 2 + 1]! | 0;
  if (isSNaNBits(lo, hi)) {
    c.fpu.flag(SW_IE);
    opndBits[slot * 2 + 1] = hi | 0x80000;
  }
}

/** Write `n` dwords from `words` at ea (probed first, so nothing is written on a fault). */
export function storeDwords(c: Cpu, i: Insn, words: Uint32Array, n: number, extra16: number): boolean {
  const off = c.ea(i);
  const size = n * 4 + (extra16 >= 0 ? 2 : 0);
  if (!c.probeWrite(i.seg, off, size)) return false;
  for (let k = 0; k < n; k++) c.write32(i.seg, (off + k * 4) | 0, words[k]!);
  if (extra16 >= 0) c.write16(i.seg, (off + n * 4) | 0, extra16);
  return true;
}

/** Scratch dwords for stores. */
export const out = new Uint32Array(4);

/** Split an integer-valued double (|v| < 2^63) into two's-complement dwords in `out[0..1]`. */
export function int64Words(v: number): void {
  const hi = Math.floor(v / TWO_32);
  out[0] = v - hi * TWO_32;
  out[1] = hi;
}
