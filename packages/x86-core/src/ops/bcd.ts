/**
 * Decimal adjustment: DAA DAS AAA AAS AAM AAD.
 *
 * Reference: SDM Vol. 2A "AAA", "AAD", "AAM", "AAS", "DAA", "DAS" (the
 * pseudo-code there is followed step by step). AAM with an immediate of 0
 * raises #DE. The immediate of AAM/AAD is the base (10 in the documented
 * D4 0A / D5 0A forms; any base works on every IA-32 CPU).
 *
 * Undefined flags, chosen to match QEMU (TCG, checked with qemu-i386 7.2):
 * - DAA/DAS: OF is cleared.
 * - AAA/AAS: OF, SF, ZF and PF are left unchanged.
 * - AAM/AAD: CF, OF and AF are cleared (SF/ZF/PF follow AL as defined).
 */
import type { Cpu } from "../cpu/cpu.js";
import { AF, ARITH_FLAGS, CF, LF_LOGIC, PARITY } from "../cpu/eflags.js";
import { EAX } from "../cpu/registers.js";
import { DE } from "../cpu/vectors.js";
import { Imm, row, type RowMap } from "../decoder/table-types.js";
import type { Insn } from "../decoder/insn.js";
import { setR8, setR16 } from "./operands.js";

/*C:540 The BCD instructions are the 8086's pocket calculator: after adding
 * two packed-decimal bytes with ADD, DAA repairs AL using the half-carry
 * (AF) and carry the ADD left behind. That is why AF exists at all, and the
 * reason the lazy flags must reproduce it exactly for every ADD/SUB. Linux
 * never executes these, but BIOS-era code and compilers' test suites do,
 * and they are cheap to get right: the SDM's pseudo-code is short, and we
 * transcribe it. :*/

/** Replace all six arithmetic flags with `f` (concrete). */
function putFlags(c: Cpu, f: number): void {
  c.lfMask = 0;
  c.flags = (c.flags & ~ARITH_FLAGS) | f;
}

/** SF, ZF and PF of byte `v`, as flag bits. */
function szp8(v: number): number {
  return (v & 0x80) | (v === 0 ? 0x40 : 0) | PARITY[v]!;
}

export function daa(c: Cpu): void {
  const oldAl = c.regs[EAX]! & 0xff;
  const oldCf = c.getCF();
  let al = oldAl;
  let f = 0;
  if ((al & 0x0f) > 9 || c.getAF()) {
    al = (al + 6) & 0xff;
    f |= AF;
  }
  if (oldAl > 0x99 || oldCf) {
    al = (al + 0x60) & 0xff;
    f |= CF;
  }
  setR8(c, EAX, al);
  putFlags(c, f | szp8(al));
}

export function das(c: Cpu): void {
  const oldAl = c.regs[EAX]! & 0xff;
  const oldCf = c.getCF();
  let al = oldAl;
  let f = 0;
  if ((al & 0x0f) > 9 || c.getAF()) {
    // The borrow out of AL - 6 sets CF too (SDM: CF ← old CF or borrow).
    if (al < 6 || oldCf) f |= CF;
    al = (al - 6) & 0xff;
    f |= AF;
  }
  if (oldAl > 0x99 || oldCf) {
    al = (al - 0x60) & 0xff;
    f |= CF;
  }
  setR8(c, EAX, al);
  putFlags(c, f | szp8(al));
}

/** AAA/AAS: only AF and CF change, so the others are settled and kept. */
function asciiAdjust(c: Cpu, sub: boolean): void {
  const ax = c.regs[EAX]! & 0xffff;
  const adjust = (ax & 0x0f) > 9 || c.getAF() !== 0;
  c.settleFlags(ARITH_FLAGS);
  if (adjust) {
    // AX ± 0x106: the ±6 on AL may carry into AH, which the ±1 then adjusts again.
    const r = sub ? ax - 0x106 : ax + 0x106;
    setR16(c, EAX, r & 0xff0f);
    c.flags |= AF | CF;
  } else {
    setR16(c, EAX, ax & 0xff0f);
    c.flags &= ~(AF | CF);
  }
}

export function aaa(c: Cpu): void {
  asciiAdjust(c, false);
}

export function aas(c: Cpu): void {
  asciiAdjust(c, true);
}

export function aam_Ib(c: Cpu, i: Insn): void {
  const base = i.imm & 0xff;
  if (base === 0) {
    c.raise(DE, 0, false);
    return;
  }
  const al = c.regs[EAX]! & 0xff;
  const lo = al % base;
  setR16(c, EAX, (Math.floor(al / base) << 8) | lo);
  c.setLazy(LF_LOGIC, 0, 0, lo, 7);
}

export function aad_Ib(c: Cpu, i: Insn): void {
  const ax = c.regs[EAX]!;
  const al = (((ax >> 8) & 0xff) * (i.imm & 0xff) + (ax & 0xff)) & 0xff;
  setR16(c, EAX, al);
  c.setLazy(LF_LOGIC, 0, 0, al, 7);
}

/** Opcode rows of this family. */
export const BCD_ROWS: RowMap = {
  /* 27 */ [0x27]: row("daa", daa),
  /* 2F */ [0x2f]: row("das", das),
  /* 37 */ [0x37]: row("aaa", aaa),
  /* 3F */ [0x3f]: row("aas", aas),
  /* D4 */ [0xd4]: row("aam_Ib", aam_Ib, { imm: Imm.Ib }),
  /* D5 */ [0xd5]: row("aad_Ib", aad_Ib, { imm: Imm.Ib }),
};
