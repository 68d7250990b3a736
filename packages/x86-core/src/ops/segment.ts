/**
 * Segment-register instructions: MOV Sreg,Ew and Ew,Sreg; PUSH/POP of ES, CS,
 * SS, DS, FS, GS; LDS, LES, LSS, LFS, LGS.
 *
 * Reference: SDM Vol. 2B MOV (segment forms), POP, PUSH; Vol. 2A LDS/LES/LFS/
 * LGS/LSS. Loads go through `loadSegment` (protection/descriptor.ts) with all
 * its checks. MOV SS and POP SS open a one-instruction interrupt shadow
 * (Vol. 3A §6.8.3) so that the following `mov esp` completes the switch.
 * MOV to CS is #UD. MOV r32,Sreg zero-extends (P6 and later); the memory form
 * always writes 16 bits. PUSH Sreg with a 32-bit operand size moves ESP by 4
 * and writes the selector zero-extended (the SDM leaves the upper half to the
 * implementation; recent Intel CPUs write only 16 bits — software must not
 * care). A POP Sreg or LxS that faults leaves ESP and the registers unchanged.
 */
import type { Cpu } from "../cpu/cpu.js";
import { BRK_IRQ } from "../cpu/cpu.js";
import { CS, DS, ES, ESP, FS, GS, SS } from "../cpu/registers.js";
import { INSN_A32, INSN_O32, type Insn } from "../decoder/insn.js";
import { row, row2, type RowMap, type TableEntry } from "../decoder/table-types.js";
import { loadSegment } from "../protection/descriptor.js";

/** After SS was loaded: hold interrupts (and single-step) for one instruction. */
function stackLoaded(c: Cpu): void {
  c.shadow = true;
  c.brk |= BRK_IRQ;
}

export function mov_SwEw(c: Cpu, i: Insn): void {
  const seg = i.reg;
  if (seg === CS || seg > GS) {
    c.ud();
    return;
  }
  const v = i.mod === 3 ? c.regs[i.rm]! & 0xffff : c.read16(i.seg, c.ea(i));
  if (c.fault) return;
  if (loadSegment(c, seg, v) && seg === SS) stackLoaded(c);
}

export function mov_EwSw(c: Cpu, i: Insn): void {
  if (i.reg > GS) {
    c.ud();
    return;
  }
  const v = c.segSel[i.reg]! & 0xffff;
  if (i.mod !== 3) c.write16(i.seg, c.ea(i), v);
  else if (i.flags & INSN_O32) c.regs[i.rm] = v;
  else c.regs[i.rm] = (c.regs[i.rm]! & ~0xffff) | v;
}

export function push_Sw(c: Cpu, i: Insn): void {
  c.push16(c.segSel[i.op]!);
}
export function push_Sd(c: Cpu, i: Insn): void {
  c.push32(c.segSel[i.op]! & 0xffff);
}

function popSeg(c: Cpu, seg: number, unit: number): void {
  const v = unit === 4 ? c.peek32(0) : c.peek16(0);
  if (c.fault) return;
  // ESP moves by the old stack's address size, even when SS itself is reloaded.
  const esp = c.regs[ESP]!;
  const wide = c.stackMask === -1;
  if (!loadSegment(c, seg, v & 0xffff)) return;
  c.regs[ESP] = wide ? (esp + unit) | 0 : (esp & ~0xffff) | ((esp + unit) & 0xffff);
  if (seg === SS) stackLoaded(c);
}
export function pop_Sw(c: Cpu, i: Insn): void {
  popSeg(c, i.op, 2);
}
export function pop_Sd(c: Cpu, i: Insn): void {
  popSeg(c, i.op, 4);
}

/** LDS/LES/LSS/LFS/LGS Gv,Mp: segment from the pointer's selector, register from its offset. */
export function loadFar(c: Cpu, i: Insn): void {
  const o32 = (i.flags & INSN_O32) !== 0;
  const ea = c.ea(i);
  const offset = o32 ? c.read32(i.seg, ea) : c.read16(i.seg, ea);
  if (c.fault) return;
  const at = i.flags & INSN_A32 ? (ea + (o32 ? 4 : 2)) | 0 : (ea + (o32 ? 4 : 2)) & 0xffff;
  const selector = c.read16(i.seg, at);
  if (c.fault) return;
  if (!loadSegment(c, i.op, selector)) return;
  if (o32) c.regs[i.reg] = offset;
  else c.regs[i.reg] = (c.regs[i.reg]! & ~0xffff) | offset;
}

const LOAD_FAR = { modrm: true, memOnly: true } as const;

function buildRows(): Record<number, TableEntry> {
  const rows: Record<number, TableEntry> = {};
  /* 06 */ rows[0x06] = row2("push_ES", push_Sw, push_Sd, { op: ES });
  /* 07 */ rows[0x07] = row2("pop_ES", pop_Sw, pop_Sd, { op: ES });
  /* 0E */ rows[0x0e] = row2("push_CS", push_Sw, push_Sd, { op: CS });
  /* 16 */ rows[0x16] = row2("push_SS", push_Sw, push_Sd, { op: SS });
  /* 17 */ rows[0x17] = row2("pop_SS", pop_Sw, pop_Sd, { op: SS });
  /* 1E */ rows[0x1e] = row2("push_DS", push_Sw, push_Sd, { op: DS });
  /* 1F */ rows[0x1f] = row2("pop_DS", pop_Sw, pop_Sd, { op: DS });
  /* 8C */ rows[0x8c] = row("mov_EwSw", mov_EwSw, { modrm: true });
  /* 8E */ rows[0x8e] = row("mov_SwEw", mov_SwEw, { modrm: true });
  /* C4 */ rows[0xc4] = row("les_GvMp", loadFar, { ...LOAD_FAR, op: ES });
  /* C5 */ rows[0xc5] = row("lds_GvMp", loadFar, { ...LOAD_FAR, op: DS });
  /* 0F A0 */ rows[0x1a0] = row2("push_FS", push_Sw, push_Sd, { op: FS });
  /* 0F A1 */ rows[0x1a1] = row2("pop_FS", pop_Sw, pop_Sd, { op: FS });
  /* 0F A8 */ rows[0x1a8] = row2("push_GS", push_Sw, push_Sd, { op: GS });
  /* 0F A9 */ rows[0x1a9] = row2("pop_GS", pop_Sw, pop_Sd, { op: GS });
  /* 0F B2 */ rows[0x1b2] = row("lss_GvMp", loadFar, { ...LOAD_FAR, op: SS });
  /* 0F B4 */ rows[0x1b4] = row("lfs_GvMp", loadFar, { ...LOAD_FAR, op: FS });
  /* 0F B5 */ rows[0x1b5] = row("lgs_GvMp", loadFar, { ...LOAD_FAR, op: GS });
  return rows;
}

/** Opcode rows of this family. */
export const SEGMENT_ROWS: RowMap = buildRows();
