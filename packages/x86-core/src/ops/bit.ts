/**
 * Bit instructions: BT BTS BTR BTC (register and immediate offset), BSF,
 * BSR, BSWAP.
 *
 * Reference: SDM Vol. 2A "BSF", "BSR", "BSWAP", "BT", "BTC", "BTR", "BTS";
 * Vol. 2A §3.1.1.9 (bit-offset operands). With a register bit offset and a
 * memory operand, the offset is signed and reaches outside the operand:
 * the word (dword) at EA + 2 * (offset >> 4) (EA + 4 * (offset >> 5)) is
 * accessed. An immediate offset is taken modulo the operand size.
 *
 * Undefined results:
 * - BT*: OF, SF, AF and PF are left unchanged, and so is ZF (which newer
 *   SDMs define as unaffected), as Bochs does; QEMU's values here depend on
 *   the flags state of its translation block, so it is no reference.
 * - BSF/BSR: a zero source sets ZF and leaves the destination unchanged
 *   (Intel CPUs and QEMU); CF, OF and AF are cleared and SF/PF follow the
 *   source, as QEMU computes them (a logic op on the source).
 * - BSWAP with a 16-bit operand swaps the full 32-bit register, as
 *   qemu-i386 7.2 does (it ignores the operand-size prefix).
 */
import type { Cpu } from "../cpu/cpu.js";
import { CF, LF_LOGIC } from "../cpu/eflags.js";
import { INSN_A32, type Insn } from "../decoder/insn.js";
import { group, Imm, row2, type RowMap } from "../decoder/table-types.js";
import { readE16, readE32, setR16 } from "./operands.js";

/*C:530 BT with a register offset is the one ordinary instruction whose
 * memory operand is not where ModRM says. The offset is a signed 16- or
 * 32-bit number, so `bts [bitmap], eax` with EAX = 1000 sets bit 8 of the
 * dword at bitmap + 124; with EAX = -1 it touches bitmap - 4. Kernels lean
 * on this for large bitmaps (page allocators, interrupt masks), so the
 * address must be computed before any access and can fault anywhere within
 * 256 MiB of the operand. :*/

/** Bit operation selected by `Insn.op`: 0 BT, 1 BTS, 2 BTR, 3 BTC. Returns the new value. */
function apply(op: number, v: number, mask: number): number {
  switch (op) {
    case 1:
      return v | mask;
    case 2:
      return v & ~mask;
    case 3:
      return v ^ mask;
    default:
      return v;
  }
}

/** Put the tested bit into CF; every other flag is kept. */
function setCF(c: Cpu, bit: number): void {
  c.settleFlags(CF);
  c.flags = (c.flags & ~CF) | bit;
}

function btOnW(c: Cpu, i: Insn, bit: number, memDelta: number): void {
  const mask = 1 << bit;
  if (i.mod === 3) {
    const v = c.regs[i.rm]! & 0xffff;
    setCF(c, (v >> bit) & 1);
    if (i.op !== 0) setR16(c, i.rm, apply(i.op, v, mask));
    return;
  }
  let off = c.ea(i) + memDelta;
  off = i.flags & INSN_A32 ? off | 0 : off & 0xffff;
  if (i.op === 0) {
    const v = c.read16(i.seg, off);
    if (!c.fault) setCF(c, (v >> bit) & 1);
    return;
  }
  const v = c.rmwRead(i.seg, off, 2);
  if (c.fault) return;
  setCF(c, (v >> bit) & 1);
  c.rmwWrite(2, apply(i.op, v, mask));
}

function btOnD(c: Cpu, i: Insn, bit: number, memDelta: number): void {
  const mask = 1 << bit;
  if (i.mod === 3) {
    const v = c.regs[i.rm]!;
    setCF(c, (v >>> bit) & 1);
    if (i.op !== 0) c.regs[i.rm] = apply(i.op, v, mask);
    return;
  }
  let off = c.ea(i) + memDelta;
  off = i.flags & INSN_A32 ? off | 0 : off & 0xffff;
  if (i.op === 0) {
    const v = c.read32(i.seg, off);
    if (!c.fault) setCF(c, (v >>> bit) & 1);
    return;
  }
  const v = c.rmwRead(i.seg, off, 4);
  if (c.fault) return;
  setCF(c, (v >>> bit) & 1);
  c.rmwWrite(4, apply(i.op, v, mask));
}

export function bt_EwGw(c: Cpu, i: Insn): void {
  const offset = (c.regs[i.reg]! << 16) >> 16;
  btOnW(c, i, offset & 15, (offset >> 4) * 2);
}
export function bt_EdGd(c: Cpu, i: Insn): void {
  const offset = c.regs[i.reg]!;
  btOnD(c, i, offset & 31, (offset >> 5) * 4);
}
export function bt_EwIb(c: Cpu, i: Insn): void {
  btOnW(c, i, i.imm & 15, 0);
}
export function bt_EdIb(c: Cpu, i: Insn): void {
  btOnD(c, i, i.imm & 31, 0);
}

// ------------------------------------------------------------ BSF BSR BSWAP

export function bsf_GwEw(c: Cpu, i: Insn): void {
  const v = readE16(c, i);
  if (c.fault) return;
  c.setLazy(LF_LOGIC, 0, 0, v, 15);
  if (v !== 0) setR16(c, i.reg, 31 - Math.clz32(v & -v));
}
export function bsf_GdEd(c: Cpu, i: Insn): void {
  const v = readE32(c, i);
  if (c.fault) return;
  c.setLazy(LF_LOGIC, 0, 0, v, 31);
  if (v !== 0) c.regs[i.reg] = 31 - Math.clz32(v & -v);
}
export function bsr_GwEw(c: Cpu, i: Insn): void {
  const v = readE16(c, i);
  if (c.fault) return;
  c.setLazy(LF_LOGIC, 0, 0, v, 15);
  if (v !== 0) setR16(c, i.reg, 31 - Math.clz32(v));
}
export function bsr_GdEd(c: Cpu, i: Insn): void {
  const v = readE32(c, i);
  if (c.fault) return;
  c.setLazy(LF_LOGIC, 0, 0, v, 31);
  if (v !== 0) c.regs[i.reg] = 31 - Math.clz32(v);
}

export function bswap_Zd(c: Cpu, i: Insn): void {
  const v = c.regs[i.reg]!;
  c.regs[i.reg] = (v << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
}

const BT_NAMES = ["bt", "bts", "btr", "btc"] as const;

function buildRows(): Record<number, ReturnType<typeof row2> | ReturnType<typeof group>> {
  const rows: Record<number, ReturnType<typeof row2> | ReturnType<typeof group>> = {};
  BT_NAMES.forEach((n, op) => {
    rows[0x1a3 + op * 8] = row2(`${n}_EvGv`, bt_EwGw, bt_EdGd, { modrm: true, op }); /* 0F A3 AB B3 BB */
  });
  const grp8 = BT_NAMES.map((n, op) => row2(`${n}_EvIb`, bt_EwIb, bt_EdIb, { modrm: true, imm: Imm.Ib, op }));
  rows[0x1ba] = group("grp8_EvIb", [undefined, undefined, undefined, undefined, ...grp8]); /* 0F BA */
  rows[0x1bc] = row2("bsf_GvEv", bsf_GwEw, bsf_GdEd, { modrm: true }); /* 0F BC */
  rows[0x1bd] = row2("bsr_GvEv", bsr_GwEw, bsr_GdEd, { modrm: true }); /* 0F BD */
  for (let r = 0; r < 8; r++) rows[0x1c8 + r] = row2("bswap_Zv", bswap_Zd, bswap_Zd); /* 0F C8–CF */
  return rows;
}

/** Opcode rows of this family. */
export const BIT_ROWS: RowMap = buildRows();
