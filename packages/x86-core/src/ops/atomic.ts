/**
 * The locked-update primitives: CMPXCHG, XADD, CMPXCHG8B.
 *
 * Reference: SDM Vol. 2A "CMPXCHG", "CMPXCHG8B/CMPXCHG16B"; Vol. 2B "XADD";
 * Vol. 3A §8.1.2 (bus locking). CMPXCHG sets the flags as CMP accumulator,
 * destination would, and always writes the destination (its old value when
 * the comparison fails), so a read-only destination faults either way.
 * CMPXCHG8B changes only ZF; its register form is #UD. This CPU is the only
 * bus master, so LOCK needs nothing beyond doing each update in one step.
 */
import type { Cpu } from "../cpu/cpu.js";
import { LF_ADD, LF_SUB, ZF } from "../cpu/eflags.js";
import { EAX, EBX, ECX, EDX } from "../cpu/registers.js";
import { INSN_A32, type Insn } from "../decoder/insn.js";
import { group, row, row2, type RowMap } from "../decoder/table-types.js";
import {
  getR8,
  rmwReadE8,
  rmwReadE16,
  rmwReadE32,
  rmwWriteE8,
  rmwWriteE16,
  rmwWriteE32,
  setR8,
  setR16,
} from "./operands.js";

/*C:550 Spinlocks, reference counts and the Guest's interrupt-enable word
 * all come down to these three instructions. With one virtual CPU there is
 * no other bus master to race with, so "atomic" just means "all or
 * nothing": the destination is read with `rmwRead`, which already proved it
 * writable, so once the comparison is made no fault can interrupt the
 * update half way. CMPXCHG8B touches eight bytes that may straddle a page:
 * it probes the whole quadword for writing before it reads any of it. :*/

export function cmpxchg_EbGb(c: Cpu, i: Insn): void {
  const d = rmwReadE8(c, i);
  if (c.fault) return;
  const acc = c.regs[EAX]! & 0xff;
  c.setLazy(LF_SUB, acc, d, (acc - d) | 0, 7);
  if (acc === d) rmwWriteE8(c, i, getR8(c, i.reg));
  else {
    rmwWriteE8(c, i, d);
    setR8(c, EAX, d);
  }
}

export function cmpxchg_EwGw(c: Cpu, i: Insn): void {
  const d = rmwReadE16(c, i);
  if (c.fault) return;
  const acc = c.regs[EAX]! & 0xffff;
  c.setLazy(LF_SUB, acc, d, (acc - d) | 0, 15);
  if (acc === d) rmwWriteE16(c, i, c.regs[i.reg]!);
  else {
    rmwWriteE16(c, i, d);
    setR16(c, EAX, d);
  }
}

export function cmpxchg_EdGd(c: Cpu, i: Insn): void {
  const d = rmwReadE32(c, i);
  if (c.fault) return;
  const acc = c.regs[EAX]!;
  c.setLazy(LF_SUB, acc, d, (acc - d) | 0, 31);
  if (acc === d) rmwWriteE32(c, i, c.regs[i.reg]!);
  else {
    rmwWriteE32(c, i, d);
    c.regs[EAX] = d;
  }
}

// XADD: TEMP ← SRC + DEST; SRC ← DEST; DEST ← TEMP. When both operands are the
// same register the destination write comes last and wins.
export function xadd_EbGb(c: Cpu, i: Insn): void {
  const d = rmwReadE8(c, i);
  if (c.fault) return;
  const s = getR8(c, i.reg);
  const r = (d + s) | 0;
  c.setLazy(LF_ADD, d, s, r, 7);
  setR8(c, i.reg, d);
  rmwWriteE8(c, i, r);
}

export function xadd_EwGw(c: Cpu, i: Insn): void {
  const d = rmwReadE16(c, i);
  if (c.fault) return;
  const s = c.regs[i.reg]! & 0xffff;
  const r = (d + s) | 0;
  c.setLazy(LF_ADD, d, s, r, 15);
  setR16(c, i.reg, d);
  rmwWriteE16(c, i, r);
}

export function xadd_EdGd(c: Cpu, i: Insn): void {
  const d = rmwReadE32(c, i);
  if (c.fault) return;
  const s = c.regs[i.reg]!;
  const r = (d + s) | 0;
  c.setLazy(LF_ADD, d, s, r, 31);
  c.regs[i.reg] = d;
  rmwWriteE32(c, i, r);
}

export function cmpxchg8b_Mq(c: Cpu, i: Insn): void {
  const off = c.ea(i);
  const offHi = i.flags & INSN_A32 ? (off + 4) | 0 : (off + 4) & 0xffff;
  if (!c.probeWrite(i.seg, off, 8)) return;
  const lo = c.read32(i.seg, off);
  if (c.fault) return;
  const hi = c.read32(i.seg, offHi);
  if (c.fault) return;
  c.settleFlags(ZF);
  if (lo === c.regs[EAX]! && hi === c.regs[EDX]!) {
    c.write32(i.seg, off, c.regs[EBX]!);
    c.write32(i.seg, offHi, c.regs[ECX]!);
    c.flags |= ZF;
  } else {
    c.write32(i.seg, off, lo);
    c.write32(i.seg, offHi, hi);
    c.regs[EAX] = lo;
    c.regs[EDX] = hi;
    c.flags &= ~ZF;
  }
}

/** Opcode rows of this family. */
export const ATOMIC_ROWS: RowMap = {
  /* 0F B0 */ [0x1b0]: row("cmpxchg_EbGb", cmpxchg_EbGb, { modrm: true }),
  /* 0F B1 */ [0x1b1]: row2("cmpxchg_EvGv", cmpxchg_EwGw, cmpxchg_EdGd, { modrm: true }),
  /* 0F C0 */ [0x1c0]: row("xadd_EbGb", xadd_EbGb, { modrm: true }),
  /* 0F C1 */ [0x1c1]: row2("xadd_EvGv", xadd_EwGw, xadd_EdGd, { modrm: true }),
  /* 0F C7 */ [0x1c7]: group("grp9", [
    undefined,
    row("cmpxchg8b_Mq", cmpxchg8b_Mq, { modrm: true, memOnly: true }),
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
  ]),
};
