/**
 * Stack instructions: PUSH/POP (register, immediate, memory), PUSHA/POPA,
 * PUSHF/POPF, ENTER, LEAVE.
 *
 * Reference: SDM Vol. 2B POP, POPA/POPAD, POPF/POPFD, PUSH, PUSHA/PUSHAD,
 * PUSHF/PUSHFD; Vol. 2A ENTER; LEAVE. POP into ESP-relative memory uses the
 * ESP value after the pop (SDM POP "Operation"); PUSH ESP pushes the value
 * before the push. POPF applies the protected-mode privilege rules to IF and
 * IOPL; VM and RF are never set by it. Multi-write instructions probe the
 * whole stack range first so a fault leaves no partial state.
 */
import type { Cpu } from "../cpu/cpu.js";
import { BRK_IRQ } from "../cpu/cpu.js";
import { AC, ARITH_FLAGS, DF, ID, IF, IOPL, NT, TF } from "../cpu/eflags.js";
import { EBP, ESP, SS } from "../cpu/registers.js";
import type { Insn } from "../decoder/insn.js";
import { group, Imm, row2, type RowMap, type TableEntry } from "../decoder/table-types.js";
import { readE16, readE32, writeE16, writeE32 } from "./operands.js";

export function push_Zw(c: Cpu, i: Insn): void {
  c.push16(c.regs[i.reg]!);
}
export function push_Zd(c: Cpu, i: Insn): void {
  c.push32(c.regs[i.reg]!);
}
export function pop_Zw(c: Cpu, i: Insn): void {
  const v = c.pop16();
  if (!c.fault) c.regs[i.reg] = (c.regs[i.reg]! & ~0xffff) | v;
}
export function pop_Zd(c: Cpu, i: Insn): void {
  const v = c.pop32();
  if (!c.fault) c.regs[i.reg] = v;
}
export function push_Iw(c: Cpu, i: Insn): void {
  c.push16(i.imm);
}
export function push_Id(c: Cpu, i: Insn): void {
  c.push32(i.imm);
}

/** PUSH Ev (FF /6), word form. */
export function push_Ew(c: Cpu, i: Insn): void {
  const v = readE16(c, i);
  if (!c.fault) c.push16(v);
}
/** PUSH Ev (FF /6), dword form. */
export function push_Ed(c: Cpu, i: Insn): void {
  const v = readE32(c, i);
  if (!c.fault) c.push32(v);
}

export function pop_Ew(c: Cpu, i: Insn): void {
  const v = c.peek16(0);
  if (c.fault) return;
  const old = c.regs[ESP]!;
  c.adjustEsp(2);
  writeE16(c, i, v);
  if (c.fault) c.regs[ESP] = old;
}
export function pop_Ed(c: Cpu, i: Insn): void {
  const v = c.peek32(0);
  if (c.fault) return;
  const old = c.regs[ESP]!;
  c.adjustEsp(4);
  writeE32(c, i, v);
  if (c.fault) c.regs[ESP] = old;
}

export function pusha_w(c: Cpu): void {
  const sp = c.regs[ESP]!;
  if (!c.probeWrite(SS, (sp - 16) & c.stackMask, 16)) return;
  for (let r = 0; r < 8; r++) c.push16(r === ESP ? sp : c.regs[r]!);
}
export function pusha_d(c: Cpu): void {
  const sp = c.regs[ESP]!;
  if (!c.probeWrite(SS, (sp - 32) & c.stackMask, 32)) return;
  for (let r = 0; r < 8; r++) c.push32(r === ESP ? sp : c.regs[r]!);
}
export function popa_w(c: Cpu): void {
  c.peek16(14);
  if (c.fault) return;
  for (let r = 7; r >= 0; r--) {
    const v = c.pop16();
    if (r !== ESP) c.regs[r] = (c.regs[r]! & ~0xffff) | v;
  }
}
export function popa_d(c: Cpu): void {
  c.peek32(28);
  if (c.fault) return;
  for (let r = 7; r >= 0; r--) {
    const v = c.pop32();
    if (r !== ESP) c.regs[r] = v;
  }
}

function iopl(c: Cpu): number {
  return (c.flags & IOPL) >> 12;
}

export function pushf_w(c: Cpu): void {
  c.push16(c.getEflags());
}
export function pushf_d(c: Cpu): void {
  // VM and RF are cleared in the pushed image.
  c.push32(c.getEflags() & 0x00fcffff);
}

/** Apply POPF's protected-mode rules to a popped value (mask: the operand-size bits). */
export function popfValue(c: Cpu, v: number, mask: number): void {
  let writable = ARITH_FLAGS | TF | DF | NT | AC | ID;
  if (c.cpl === 0) writable |= IOPL | IF;
  else if (c.cpl <= iopl(c)) writable |= IF;
  writable &= mask;
  const old = c.getEflags();
  c.setEflags((old & ~writable) | (v & writable));
  if (c.irqVector >= 0) c.brk |= BRK_IRQ;
}

export function popf_w(c: Cpu): void {
  const v = c.pop16();
  if (!c.fault) popfValue(c, v, 0xffff);
}
export function popf_d(c: Cpu): void {
  const v = c.pop32();
  if (!c.fault) popfValue(c, v, -1);
}

function enter(c: Cpu, i: Insn, o32: boolean): void {
  const size = i.imm & 0xffff;
  const level = i.imm2 & 31;
  const unit = o32 ? 4 : 2;
  const mask = c.stackMask;
  const sp0 = c.regs[ESP]!;
  const total = unit * (1 + level) + size;
  if (!c.probeWrite(SS, (sp0 - total) & mask, total)) return;
  const bp = c.regs[EBP]!;
  if (o32) c.push32(bp);
  else c.push16(bp);
  const frame = c.regs[ESP]!;
  if (level > 0) {
    let src = bp;
    for (let k = 1; k < level; k++) {
      src = (src - unit) & (mask === -1 ? -1 : 0xffff);
      const v = o32 ? c.read32(SS, src) : c.read16(SS, src);
      if (c.fault) {
        c.regs[ESP] = sp0;
        return;
      }
      if (o32) c.push32(v);
      else c.push16(v);
    }
    if (o32) c.push32(frame);
    else c.push16(frame);
  }
  if (o32) c.regs[EBP] = frame;
  else c.regs[EBP] = (c.regs[EBP]! & ~0xffff) | (frame & 0xffff);
  c.adjustEsp(-size);
}
export function enter_w(c: Cpu, i: Insn): void {
  enter(c, i, false);
}
export function enter_d(c: Cpu, i: Insn): void {
  enter(c, i, true);
}

export function leave_w(c: Cpu): void {
  const bp = c.regs[EBP]! & c.stackMask;
  const v = c.read16(SS, bp);
  if (c.fault) return;
  c.regs[ESP] = c.stackMask === -1 ? bp + 2 : (c.regs[ESP]! & ~0xffff) | ((bp + 2) & 0xffff);
  c.regs[EBP] = (c.regs[EBP]! & ~0xffff) | v;
}
export function leave_d(c: Cpu): void {
  const bp = c.regs[EBP]! & c.stackMask;
  const v = c.read32(SS, bp);
  if (c.fault) return;
  c.regs[ESP] = c.stackMask === -1 ? (bp + 4) | 0 : (c.regs[ESP]! & ~0xffff) | ((bp + 4) & 0xffff);
  c.regs[EBP] = v;
}

function buildRows(): Record<number, TableEntry> {
  const rows: Record<number, TableEntry> = {
    0x60: row2("pusha", pusha_w, pusha_d),
    0x61: row2("popa", popa_w, popa_d),
    0x68: row2("push_Iz", push_Iw, push_Id, { imm: Imm.Iv }),
    0x6a: row2("push_Ib", push_Iw, push_Id, { imm: Imm.Ib }),
    0x8f: group("grp1a_Ev", [row2("pop_Ev", pop_Ew, pop_Ed, { modrm: true })]),
    0x9c: row2("pushf", pushf_w, pushf_d),
    0x9d: row2("popf", popf_w, popf_d, { flow: true }),
    0xc8: row2("enter_IwIb", enter_w, enter_d, { imm: Imm.IwIb }),
    0xc9: row2("leave", leave_w, leave_d),
  };
  for (let r = 0; r < 8; r++) {
    rows[0x50 + r] = row2("push_Zv", push_Zw, push_Zd); /* 50–57 */
    rows[0x58 + r] = row2("pop_Zv", pop_Zw, pop_Zd); /* 58–5F */
  }
  return rows;
}

/** Opcode rows of this family. */
export const STACK_ROWS: RowMap = buildRows();

