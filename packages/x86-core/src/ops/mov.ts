/**
 * Data movement: MOV (register, memory, immediate, moffs), LEA, XCHG,
 * MOVZX/MOVSX, CBW/CWDE, CWD/CDQ, CMOVcc, SETcc, NOP.
 *
 * Reference: SDM Vol. 2A CBW/CWDE, CMOVcc, CWD/CDQ, LEA; Vol. 2B MOV, MOVSX,
 * MOVZX, NOP, SETcc, XCHG. None of these touch the flags. A CMOVcc whose
 * condition is false still reads its source (and may fault), as on hardware.
 */
import type { Cpu } from "../cpu/cpu.js";
import { EAX, EDX } from "../cpu/registers.js";
import type { Insn } from "../decoder/insn.js";
import { group, Imm, row, row2, type RowMap, type TableEntry } from "../decoder/table-types.js";
import { GENERATED_HANDLERS as G } from "../generated/alu-handlers.js";
import {
  getR8,
  readE8,
  readE16,
  rmwReadE8,
  rmwReadE16,
  rmwReadE32,
  rmwWriteE8,
  rmwWriteE16,
  rmwWriteE32,
  setR8,
  setR16,
  writeE8,
  writeE16,
  writeE32,
} from "./operands.js";

export function mov_EbGb(c: Cpu, i: Insn): void {
  writeE8(c, i, getR8(c, i.reg));
}
export function mov_EwGw(c: Cpu, i: Insn): void {
  writeE16(c, i, c.regs[i.reg]!);
}
export function mov_EdGd(c: Cpu, i: Insn): void {
  if (i.mod === 3) c.regs[i.rm] = c.regs[i.reg]!;
  else c.write32(i.seg, c.ea(i), c.regs[i.reg]!);
}
export function mov_GbEb(c: Cpu, i: Insn): void {
  const v = readE8(c, i);
  if (!c.fault) setR8(c, i.reg, v);
}
export function mov_GwEw(c: Cpu, i: Insn): void {
  const v = readE16(c, i);
  if (!c.fault) setR16(c, i.reg, v);
}
export function mov_GdEd(c: Cpu, i: Insn): void {
  if (i.mod === 3) {
    c.regs[i.reg] = c.regs[i.rm]!;
    return;
  }
  const v = c.read32(i.seg, c.ea(i));
  if (!c.fault) c.regs[i.reg] = v;
}
export function mov_ZbIb(c: Cpu, i: Insn): void {
  setR8(c, i.reg, i.imm);
}
export function mov_ZwIw(c: Cpu, i: Insn): void {
  setR16(c, i.reg, i.imm);
}
export function mov_ZdId(c: Cpu, i: Insn): void {
  c.regs[i.reg] = i.imm;
}
export function mov_EbIb(c: Cpu, i: Insn): void {
  writeE8(c, i, i.imm);
}
export function mov_EwIw(c: Cpu, i: Insn): void {
  writeE16(c, i, i.imm);
}
export function mov_EdId(c: Cpu, i: Insn): void {
  writeE32(c, i, i.imm);
}
export function mov_ALOb(c: Cpu, i: Insn): void {
  const v = c.read8(i.seg, c.ea(i));
  if (!c.fault) setR8(c, EAX, v);
}
export function mov_AXOw(c: Cpu, i: Insn): void {
  const v = c.read16(i.seg, c.ea(i));
  if (!c.fault) setR16(c, EAX, v);
}
export function mov_EAXOd(c: Cpu, i: Insn): void {
  const v = c.read32(i.seg, c.ea(i));
  if (!c.fault) c.regs[EAX] = v;
}
export function mov_ObAL(c: Cpu, i: Insn): void {
  c.write8(i.seg, c.ea(i), c.regs[EAX]!);
}
export function mov_OwAX(c: Cpu, i: Insn): void {
  c.write16(i.seg, c.ea(i), c.regs[EAX]!);
}
export function mov_OdEAX(c: Cpu, i: Insn): void {
  c.write32(i.seg, c.ea(i), c.regs[EAX]!);
}

export function lea_GwM(c: Cpu, i: Insn): void {
  setR16(c, i.reg, c.ea(i));
}
export function lea_GdM(c: Cpu, i: Insn): void {
  c.regs[i.reg] = c.ea(i);
}

export function xchg_EbGb(c: Cpu, i: Insn): void {
  const a = rmwReadE8(c, i);
  if (c.fault) return;
  const b = getR8(c, i.reg);
  rmwWriteE8(c, i, b);
  setR8(c, i.reg, a);
}
export function xchg_EwGw(c: Cpu, i: Insn): void {
  const a = rmwReadE16(c, i);
  if (c.fault) return;
  const b = c.regs[i.reg]!;
  rmwWriteE16(c, i, b);
  setR16(c, i.reg, a);
}
export function xchg_EdGd(c: Cpu, i: Insn): void {
  const a = rmwReadE32(c, i);
  if (c.fault) return;
  const b = c.regs[i.reg]!;
  rmwWriteE32(c, i, b);
  c.regs[i.reg] = a;
}
export function xchg_ZwAX(c: Cpu, i: Insn): void {
  const a = c.regs[EAX]!;
  setR16(c, EAX, c.regs[i.reg]!);
  setR16(c, i.reg, a);
}
export function xchg_ZdEAX(c: Cpu, i: Insn): void {
  const a = c.regs[EAX]!;
  c.regs[EAX] = c.regs[i.reg]!;
  c.regs[i.reg] = a;
}
export function nop(_c: Cpu, _i: Insn): void {}

export function cbw(c: Cpu): void {
  setR16(c, EAX, (c.regs[EAX]! << 24) >> 24);
}
export function cwde(c: Cpu): void {
  c.regs[EAX] = (c.regs[EAX]! << 16) >> 16;
}
export function cwd(c: Cpu): void {
  setR16(c, EDX, (c.regs[EAX]! << 16) >> 31);
}
export function cdq(c: Cpu): void {
  c.regs[EDX] = c.regs[EAX]! >> 31;
}

export function movzx_GwEb(c: Cpu, i: Insn): void {
  const v = readE8(c, i);
  if (!c.fault) setR16(c, i.reg, v);
}
export function movzx_GdEb(c: Cpu, i: Insn): void {
  const v = readE8(c, i);
  if (!c.fault) c.regs[i.reg] = v;
}
export function movzx_GwEw(c: Cpu, i: Insn): void {
  const v = readE16(c, i);
  if (!c.fault) setR16(c, i.reg, v);
}
export function movzx_GdEw(c: Cpu, i: Insn): void {
  const v = readE16(c, i);
  if (!c.fault) c.regs[i.reg] = v;
}
export function movsx_GwEb(c: Cpu, i: Insn): void {
  const v = readE8(c, i);
  if (!c.fault) setR16(c, i.reg, (v << 24) >> 24);
}
export function movsx_GdEb(c: Cpu, i: Insn): void {
  const v = readE8(c, i);
  if (!c.fault) c.regs[i.reg] = (v << 24) >> 24;
}
export function movsx_GwEw(c: Cpu, i: Insn): void {
  const v = readE16(c, i);
  if (!c.fault) setR16(c, i.reg, v);
}
export function movsx_GdEw(c: Cpu, i: Insn): void {
  const v = readE16(c, i);
  if (!c.fault) c.regs[i.reg] = (v << 16) >> 16;
}


/** Condition-code mnemonic suffixes, by cc. */
export const CC_NAMES = ["o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"] as const;

function buildRows(): Record<number, TableEntry> {
  const rows: Record<number, TableEntry> = {
    0x88: row("mov_EbGb", mov_EbGb, { modrm: true }),
    0x89: row2("mov_EvGv", mov_EwGw, mov_EdGd, { modrm: true }),
    0x8a: row("mov_GbEb", mov_GbEb, { modrm: true }),
    0x8b: row2("mov_GvEv", mov_GwEw, mov_GdEd, { modrm: true }),
    0x8d: row2("lea_GvM", lea_GwM, lea_GdM, { modrm: true, memOnly: true }),
    0x86: row("xchg_EbGb", xchg_EbGb, { modrm: true }),
    0x87: row2("xchg_EvGv", xchg_EwGw, xchg_EdGd, { modrm: true }),
    0x90: row("nop", nop),
    0x98: row2("cbw", cbw, cwde),
    0x99: row2("cwd", cwd, cdq),
    0xa0: row("mov_ALOb", mov_ALOb, { imm: Imm.Ov }),
    0xa1: row2("mov_eAXOv", mov_AXOw, mov_EAXOd, { imm: Imm.Ov }),
    0xa2: row("mov_ObAL", mov_ObAL, { imm: Imm.Ov }),
    0xa3: row2("mov_OveAX", mov_OwAX, mov_OdEAX, { imm: Imm.Ov }),
    0xc6: group("grp11_EbIb", [row("mov_EbIb", mov_EbIb, { modrm: true, imm: Imm.Ib })]),
    0xc7: group("grp11_EvIz", [row2("mov_EvIz", mov_EwIw, mov_EdId, { modrm: true, imm: Imm.Iv })]),
    0x1b6: row2("movzx_GvEb", movzx_GwEb, movzx_GdEb, { modrm: true }),
    0x1b7: row2("movzx_GvEw", movzx_GwEw, movzx_GdEw, { modrm: true }),
    0x1be: row2("movsx_GvEb", movsx_GwEb, movsx_GdEb, { modrm: true }),
    0x1bf: row2("movsx_GvEw", movsx_GwEw, movsx_GdEw, { modrm: true }),
  };
  for (let r = 0; r < 8; r++) {
    rows[0xb0 + r] = row("mov_ZbIb", mov_ZbIb, { imm: Imm.Ib }); /* B0–B7 */
    rows[0xb8 + r] = row2("mov_ZvIv", mov_ZwIw, mov_ZdId, { imm: Imm.Iv }); /* B8–BF */
    if (r > 0) rows[0x90 + r] = row2("xchg_ZveAX", xchg_ZwAX, xchg_ZdEAX); /* 91–97 */
  }
  for (let cc = 0; cc < 16; cc++) {
    const n = CC_NAMES[cc];
    rows[0x140 + cc] = row2(`cmov${n}_GvEv`, G[`cmov${n}_GwEw`]!, G[`cmov${n}_GdEd`]!, { modrm: true, op: cc }); /* 0F 40–4F */
    rows[0x190 + cc] = row(`set${n}_Eb`, G[`set${n}_Eb`]!, { modrm: true, op: cc }); /* 0F 90–9F */
  }
  for (let k = 0x118; k <= 0x11f; k++) rows[k] = row("nop_Ev", nop, { modrm: true }); /* 0F 18–1F hint NOPs */
  return rows;
}

/** Opcode rows of this family. */
export const MOV_ROWS: RowMap = buildRows();
