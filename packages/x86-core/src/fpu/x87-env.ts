/**
 * The x87 environment and state images: FNSTENV/FLDENV (28 bytes, or 14
 * with a 16-bit operand size) and FNSAVE/FRSTOR (108 or 94 bytes).
 *
 * Reference: SDM Vol. 1 §8.1.10 "Saving the x87 FPU's State with
 * FSTENV/FNSTENV and FSAVE/FNSAVE", Figure 8-9 (32-bit protected-mode
 * environment: FCW, FSW, FTW, FIP, FCS with the opcode in bits 16–26,
 * FDP, FDS, each in a dword) and Figure 8-11 (16-bit protected mode);
 * Vol. 2A FSTENV ("masks all floating-point exceptions" after storing),
 * FSAVE (then initialises the FPU as FNINIT), FLDENV, FRSTOR.
 * The reserved upper halves are written as zero (as QEMU does; hardware
 * leaves them implementation-specific).
 */
import type { Cpu } from "../cpu/cpu.js";
import type { Insn } from "../decoder/insn.js";
import { INSN_O32 } from "../decoder/insn.js";
import { f80ToDouble } from "./float-formats.js";
import { conv } from "./x87-access.js";

const img = new Uint32Array(3);

/** Bytes of the environment for the instruction's operand size. */
function envBytes(i: Insn): number {
  return i.flags & INSN_O32 ? 28 : 14;
}

/** Write the environment at ea (+ `off`); the caller has probed the whole area. */
function writeEnv(c: Cpu, i: Insn, base: number): void {
  const f = c.fpu;
  const seg = i.seg;
  if (i.flags & INSN_O32) {
    c.write32(seg, base, f.cw & 0xffff);
    c.write32(seg, (base + 4) | 0, f.statusWord());
    c.write32(seg, (base + 8) | 0, f.tagWord());
    c.write32(seg, (base + 12) | 0, f.fip);
    c.write32(seg, (base + 16) | 0, (f.fcs & 0xffff) | ((f.fop & 0x7ff) << 16));
    c.write32(seg, (base + 20) | 0, f.fdp);
    c.write32(seg, (base + 24) | 0, f.fds & 0xffff);
  } else {
    c.write16(seg, base, f.cw);
    c.write16(seg, (base + 2) | 0, f.statusWord());
    c.write16(seg, (base + 4) | 0, f.tagWord());
    c.write16(seg, (base + 6) | 0, f.fip);
    c.write16(seg, (base + 8) | 0, f.fcs);
    c.write16(seg, (base + 10) | 0, f.fdp);
    c.write16(seg, (base + 12) | 0, f.fds);
  }
}

/** FNSTENV m14/28byte: store the environment, then mask every exception. */
export function fnstenv(c: Cpu, i: Insn): void {
  const off = c.ea(i);
  if (!c.probeWrite(i.seg, off, envBytes(i))) return;
  writeEnv(c, i, off);
  c.fpu.cw |= 0x3f;
}

/** Read the environment at ea; returns false on a fault (nothing loaded). */
function readEnv(c: Cpu, i: Insn, base: number): boolean {
  const f = c.fpu;
  const seg = i.seg;
  const o32 = (i.flags & INSN_O32) !== 0;
  const step = o32 ? 4 : 2;
  const rd = (k: number): number => (o32 ? c.read32(seg, (base + k * step) | 0) : c.read16(seg, (base + k * step) | 0));
  const cw = rd(0);
  const sw = rd(1);
  const tw = rd(2);
  const fip = rd(3);
  const fcs = rd(4);
  const fdp = rd(5);
  const fds = rd(6);
  if (c.fault) return false;
  f.cw = cw & 0xffff; // kept as written, reserved bits included (as FLDCW)
  f.setStatusWord(sw & 0xffff);
  f.setTagWord(tw & 0xffff);
  f.fip = fip;
  f.fcs = fcs & 0xffff;
  f.fop = o32 ? (fcs >>> 16) & 0x7ff : 0;
  f.fdp = fdp;
  f.fds = fds & 0xffff;
  return true;
}

/** FLDENV m14/28byte. */
export function fldenv(c: Cpu, i: Insn): void {
  readEnv(c, i, c.ea(i));
}

/** FNSAVE m94/108byte: environment and ST(0)…ST(7) as 80-bit values, then FNINIT. */
export function fnsave(c: Cpu, i: Insn): void {
  const f = c.fpu;
  const off = c.ea(i);
  const env = envBytes(i);
  if (!c.probeWrite(i.seg, off, env + 80)) return;
  writeEnv(c, i, off);
  for (let k = 0; k < 8; k++) {
    f.toF80(k, img);
    const at = (off + env + k * 10) | 0;
    c.write32(i.seg, at, img[0]!);
    c.write32(i.seg, (at + 4) | 0, img[1]!);
    c.write16(i.seg, (at + 8) | 0, img[2]!);
  }
  f.init();
}

/** FRSTOR m94/108byte: environment, then the eight registers (narrowed to doubles). */
export function frstor(c: Cpu, i: Insn): void {
  const f = c.fpu;
  const off = c.ea(i);
  const env = envBytes(i);
  // Read the register images first so a fault leaves the FPU untouched.
  const regs = saved;
  for (let k = 0; k < 8; k++) {
    const at = (off + env + k * 10) | 0;
    regs[k * 3] = c.read32(i.seg, at);
    regs[k * 3 + 1] = c.read32(i.seg, (at + 4) | 0);
    regs[k * 3 + 2] = c.read16(i.seg, (at + 8) | 0);
  }
  if (c.fault) return;
  const empty = f.empty;
  if (!readEnv(c, i, off)) return;
  const nowEmpty = f.empty;
  f.empty = empty;
  for (let k = 0; k < 8; k++) {
    f80ToDouble(regs[k * 3]!, regs[k * 3 + 1]!, regs[k * 3 + 2]!, conv);
    f.setBits(k, conv.lo, conv.hi);
  }
  f.empty = nowEmpty;
}

const saved = new Uint32Array(24);
