/**
 * Flag instructions and HLT: CLC STC CMC CLD STD CLI STI LAHF SAHF HLT, and
 * SALC (D6, undocumented but present on every IA-32 CPU and in QEMU).
 *
 * Reference: SDM Vol. 2A CLC/CLD/CLI/CMC, HLT, LAHF; Vol. 2B SAHF, STC/STD/STI.
 * CLI/STI need CPL <= IOPL (no VME/PVI on this CPU), else #GP(0). HLT needs
 * CPL 0. STI opens a one-instruction interrupt shadow.
 */
import type { Cpu } from "../cpu/cpu.js";
import { BRK_HALT, BRK_IRQ } from "../cpu/cpu.js";
import { AF, CF, DF, FLAG_BIT1, IF, IOPL, PF, SF, ZF } from "../cpu/eflags.js";
import { EAX } from "../cpu/registers.js";
import { row, type RowMap } from "../decoder/table-types.js";
import { setR8 } from "./operands.js";

export function clc(c: Cpu): void {
  c.settleFlags(CF);
  c.flags &= ~CF;
}
export function stc(c: Cpu): void {
  c.settleFlags(CF);
  c.flags |= CF;
}
export function cmc(c: Cpu): void {
  c.settleFlags(CF);
  c.flags ^= CF;
}
export function cld(c: Cpu): void {
  c.flags &= ~DF;
}
export function std(c: Cpu): void {
  c.flags |= DF;
}
function ioplOk(c: Cpu): boolean {
  return c.cpl <= (c.flags & IOPL) >> 12;
}
export function cli(c: Cpu): void {
  if (!ioplOk(c)) {
    c.gp(0);
    return;
  }
  c.flags &= ~IF;
}
export function sti(c: Cpu): void {
  if (!ioplOk(c)) {
    c.gp(0);
    return;
  }
  if ((c.flags & IF) === 0) {
    c.flags |= IF;
    c.shadow = true;
    c.brk |= BRK_IRQ;
  }
}
export function lahf(c: Cpu): void {
  setR8(c, 4, (c.getEflags() & (SF | ZF | AF | PF | CF)) | FLAG_BIT1);
}
export function sahf(c: Cpu): void {
  const mask = SF | ZF | AF | PF | CF;
  c.settleFlags(mask);
  c.flags = (c.flags & ~mask) | ((c.regs[EAX]! >> 8) & mask);
}
export function salc(c: Cpu): void {
  setR8(c, EAX, c.getCF() ? 0xff : 0);
}
export function hlt(c: Cpu): void {
  if (c.cpl !== 0) {
    c.gp(0);
    return;
  }
  c.halted = true;
  c.brk |= BRK_HALT;
}

/** Opcode rows of this family. */
export const FLAG_ROWS: RowMap = {
  0xf4: row("hlt", hlt, { flow: true }),
  0xf5: row("cmc", cmc),
  0xf8: row("clc", clc),
  0xf9: row("stc", stc),
  0xfa: row("cli", cli),
  0xfb: row("sti", sti),
  0xfc: row("cld", cld),
  0xfd: row("std", std),
  0x9e: row("sahf", sahf),
  0x9f: row("lahf", lahf),
  0xd6: row("salc", salc),
};
