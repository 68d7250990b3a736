/**
 * System instructions: descriptor-table registers (group 6 and 7), LAR, LSL,
 * ARPL, control and debug registers, CLTS, INVD, WBINVD, INVLPG, UD2, MSRs,
 * RDTSC, RDPMC, SYSENTER/SYSEXIT and CPUID.
 *
 * Reference: SDM Vol. 2A ARPL, CLTS, CPUID, INVD, INVLPG, LAR, LGDT/LIDT,
 * LLDT, LMSW; Vol. 2B LSL, LTR, MOV (control and debug registers), RDMSR,
 * RDPMC, RDTSC, SGDT, SIDT, SLDT, SMSW, STR, SYSENTER, SYSEXIT, UD2,
 * VERR/VERW, WBINVD, WRMSR; Vol. 3A §2.5 (CR0/CR4 bits), §17.2 (DR6/DR7
 * reserved bits). Privileged ones raise #GP(0) above CPL 0. The stores
 * (SGDT, SIDT, SLDT, STR, SMSW) work at any CPL: this CPU predates UMIP.
 *
 * Choices where the SDM leaves room (documented, P6-like): SLDT/STR/SMSW to a
 * 32-bit register zero-extend (SMSW r32 stores the whole CR0, as P6 does);
 * SGDT/SIDT with a 16-bit operand size store a 24-bit base and a zero byte.
 * Reserved CR0/CR3 bits are ignored on a write ("remain clear"); reserved
 * CR4 bits raise #GP(0). DR7.GD (general detect) is not emulated. RDPMC
 * always raises #GP(0): there are no performance counters.
 */
/*C:460 Why does the Guest kernel not simply run in ring 0? Because everything
 * in this file would then be open to it: reloading CR3 to map the Host's
 * memory, LGDT to forge a ring-0 code segment, WRMSR to move SYSENTER into
 * its own code. At CPL 1 each of these raises #GP(0) instead, the trap lands
 * in the Host, and lguest replaces them by hypercalls the Host can check —
 * LOAD_GDT_ENTRY instead of LGDT, NEW_PGTABLE instead of MOV CR3. The
 * descriptor *stores* (SGDT, SIDT, SLDT, STR, SMSW) are the famous hole in
 * x86 virtualization: they work at any CPL on this CPU, so a Guest can see
 * that its GDT is not where it put it. lguest's Guest is paravirtual and
 * does not care. :*/
import type { Cpu } from "../cpu/cpu.js";
import { BRK_MODE } from "../cpu/cpu.js";
import { ARITH_FLAGS, ZF } from "../cpu/eflags.js";
import type { Insn } from "../decoder/insn.js";
import { INSN_A32, INSN_O32 } from "../decoder/insn.js";
import { group, row, type RowMap, type TableEntry } from "../decoder/table-types.js";
import {
  CR0_CD,
  CR0_ET,
  CR0_NW,
  CR0_PE,
  CR0_PG,
  CR0_TS,
  CR0_WP,
  CR4_DE,
  CR4_PAE,
  CR4_PCE,
  CR4_PGE,
  CR4_PSE,
  CR4_TSD,
} from "../paging/control-registers.js";
import { cpuid, readMsr, readTsc, setEdxEax, sysenter, sysexit, writeMsr } from "../protection/model-specific.js";
import { accessRights, loadLdtr, loadTr, segmentLimit, verifySegment } from "../protection/system-tables.js";
import { readE16, rmwReadE16, rmwWriteE16 } from "./operands.js";

/** CR0 bits that exist on this CPU (PE MP EM TS ET NE WP AM NW CD PG); the rest stay clear. */
const CR0_BITS = 0xe005003f;
/** CR4 bits that exist on this CPU; writing any other raises #GP(0). */
const CR4_BITS = CR4_TSD | CR4_DE | CR4_PSE | CR4_PAE | CR4_PGE | CR4_PCE;
/** CR4 bits whose change invalidates every cached translation. */
const CR4_PAGING = CR4_PSE | CR4_PAE | CR4_PGE;
/** DR6 bits that read as 1 (4–11, 16–31); bit 12 reads as 0. */
const DR6_ONES = 0xffff0ff0 | 0;
/** DR6 bits software can hold: B0–B3, BD, BS, BT. */
const DR6_BITS = 0xe00f;
/** DR7 bit 10 reads as 1; bits 11, 12, 14, 15 read as 0. */
const DR7_ONE = 0x400;
const DR7_ZEROS = 0xd800;

/** #GP(0) unless CPL is 0; returns whether the instruction may go on. */
function privileged(c: Cpu): boolean {
  if (c.cpl === 0) return true;
  c.gp(0);
  return false;
}

/** Protected mode only (group 6, LAR, LSL, ARPL): #UD in real mode. */
function protectedOnly(c: Cpu): boolean {
  if (c.control.cr0 & CR0_PE) return true;
  c.ud();
  return false;
}

/** Set ZF to `z`, leaving the other flags as they are. */
function setZf(c: Cpu, z: boolean): void {
  c.settleFlags(ARITH_FLAGS);
  c.flags = z ? c.flags | ZF : c.flags & ~ZF;
}

/** Store a selector-like word: memory gets 16 bits, a 32-bit register the zero-extended value. */
function storeWord(c: Cpu, i: Insn, v: number): void {
  v &= 0xffff;
  if (i.mod !== 3) c.write16(i.seg, c.ea(i), v);
  else if (i.flags & INSN_O32) c.regs[i.rm] = v;
  else c.regs[i.rm] = (c.regs[i.rm]! & ~0xffff) | v;
}

// ---------------------------------------------------------------- group 6 (0F 00)

export function sldt_Ew(c: Cpu, i: Insn): void {
  if (protectedOnly(c)) storeWord(c, i, c.ldtSel);
}
export function str_Ew(c: Cpu, i: Insn): void {
  if (protectedOnly(c)) storeWord(c, i, c.trSel);
}
export function lldt_Ew(c: Cpu, i: Insn): void {
  if (!protectedOnly(c) || !privileged(c)) return;
  const sel = readE16(c, i);
  if (!c.fault) loadLdtr(c, sel);
}
export function ltr_Ew(c: Cpu, i: Insn): void {
  if (!protectedOnly(c) || !privileged(c)) return;
  const sel = readE16(c, i);
  if (!c.fault) loadTr(c, sel);
}
export function verr_Ew(c: Cpu, i: Insn): void {
  if (!protectedOnly(c)) return;
  const sel = readE16(c, i);
  if (c.fault) return;
  const ok = verifySegment(c, sel, false);
  if (!c.fault) setZf(c, ok);
}
export function verw_Ew(c: Cpu, i: Insn): void {
  if (!protectedOnly(c)) return;
  const sel = readE16(c, i);
  if (c.fault) return;
  const ok = verifySegment(c, sel, true);
  if (!c.fault) setZf(c, ok);
}

// ---------------------------------------------------------------- group 7 (0F 01)

/** Store a descriptor-table register (limit word, then base) at the memory operand. */
function storeTable(c: Cpu, i: Insn, limit: number, base: number): void {
  const ea = c.ea(i);
  const at = i.flags & INSN_A32 ? (ea + 2) | 0 : (ea + 2) & 0xffff;
  if (!c.probeWrite(i.seg, ea, 2) || !c.probeWrite(i.seg, at, 4)) return;
  c.write16(i.seg, ea, limit);
  c.write32(i.seg, at, i.flags & INSN_O32 ? base : base & 0xffffff);
}
export function sgdt_Ms(c: Cpu, i: Insn): void {
  storeTable(c, i, c.gdtLimit, c.gdtBase);
}
export function sidt_Ms(c: Cpu, i: Insn): void {
  storeTable(c, i, c.idtLimit, c.idtBase);
}

// Scratch for loadTable (handlers never re-enter).
let tableLimit = 0;
let tableBase = 0;

/** Read a 6-byte table pointer; with a 16-bit operand size the base has 24 bits. */
function loadTable(c: Cpu, i: Insn): boolean {
  if (!privileged(c)) return false;
  const ea = c.ea(i);
  const limit = c.read16(i.seg, ea);
  if (c.fault) return false;
  const base = c.read32(i.seg, i.flags & INSN_A32 ? (ea + 2) | 0 : (ea + 2) & 0xffff);
  if (c.fault) return false;
  tableLimit = limit;
  tableBase = i.flags & INSN_O32 ? base : base & 0xffffff;
  return true;
}
export function lgdt_Ms(c: Cpu, i: Insn): void {
  if (!loadTable(c, i)) return;
  c.gdtLimit = tableLimit;
  c.gdtBase = tableBase;
}
export function lidt_Ms(c: Cpu, i: Insn): void {
  if (!loadTable(c, i)) return;
  c.idtLimit = tableLimit;
  c.idtBase = tableBase;
}
export function smsw_Ew(c: Cpu, i: Insn): void {
  if (i.mod === 3 && i.flags & INSN_O32) c.regs[i.rm] = c.control.cr0;
  else storeWord(c, i, c.control.cr0);
}
export function lmsw_Ew(c: Cpu, i: Insn): void {
  if (!privileged(c)) return;
  const v = readE16(c, i);
  if (c.fault) return;
  const cr0 = c.control.cr0;
  // PE can be set but not cleared; only PE, MP, EM and TS are loaded.
  c.control.cr0 = (cr0 & ~0xe) | (v & 0xf) | (cr0 & CR0_PE);
  if ((cr0 ^ c.control.cr0) & CR0_PE) c.brk |= BRK_MODE;
}
export function invlpg_M(c: Cpu, i: Insn): void {
  if (!privileged(c)) return;
  c.translator.invlpg((c.segBase[i.seg]! + c.ea(i)) | 0);
}

// ---------------------------------------------------------------- LAR, LSL, ARPL

export function lar_GvEw(c: Cpu, i: Insn): void {
  if (!protectedOnly(c)) return;
  const sel = readE16(c, i);
  if (c.fault) return;
  const ar = accessRights(c, sel);
  if (c.fault) return;
  setZf(c, ar !== null);
  if (ar === null) return;
  if (i.flags & INSN_O32) c.regs[i.reg] = ar;
  else c.regs[i.reg] = (c.regs[i.reg]! & ~0xffff) | (ar & 0xff00);
}
export function lsl_GvEw(c: Cpu, i: Insn): void {
  if (!protectedOnly(c)) return;
  const sel = readE16(c, i);
  if (c.fault) return;
  const limit = segmentLimit(c, sel);
  if (c.fault) return;
  setZf(c, limit !== null);
  if (limit === null) return;
  if (i.flags & INSN_O32) c.regs[i.reg] = limit;
  else c.regs[i.reg] = (c.regs[i.reg]! & ~0xffff) | (limit & 0xffff);
}
export function arpl_EwGw(c: Cpu, i: Insn): void {
  if (!protectedOnly(c)) return;
  const dest = rmwReadE16(c, i);
  if (c.fault) return;
  const src = c.regs[i.reg]! & 3;
  if ((dest & 3) < src) {
    rmwWriteE16(c, i, (dest & ~3) | src);
    setZf(c, true);
  } else setZf(c, false);
}

// ---------------------------------------------------------------- control and debug registers

function readCr(c: Cpu, n: number): number {
  const cr = c.control;
  return n === 0 ? cr.cr0 : n === 2 ? cr.cr2 : n === 3 ? cr.cr3 : cr.cr4;
}

/** MOV r32,CRn (0F 20): the ModRM mod bits are ignored, always the register form. */
export function mov_RdCd(c: Cpu, i: Insn): void {
  const n = i.reg;
  if (n === 1 || n > 4) {
    c.ud();
    return;
  }
  if (!privileged(c)) return;
  c.regs[i.rm] = readCr(c, n);
}

function writeCr0(c: Cpu, v: number): void {
  v = (v & CR0_BITS) | CR0_ET;
  if ((v & CR0_PG && (v & CR0_PE) === 0) || (v & CR0_NW && (v & CR0_CD) === 0)) {
    c.gp(0);
    return;
  }
  const old = c.control.cr0;
  c.control.cr0 = v;
  const changed = old ^ v;
  if (changed & (CR0_PG | CR0_WP)) c.translator.flush(true);
  if (changed & (CR0_PG | CR0_PE | CR0_WP)) c.brk |= BRK_MODE;
}

function writeCr4(c: Cpu, v: number): void {
  if (v & ~CR4_BITS) {
    c.gp(0);
    return;
  }
  const old = c.control.cr4;
  c.control.cr4 = v;
  if ((old ^ v) & CR4_PAGING) {
    c.translator.flush(true);
    c.brk |= BRK_MODE;
  }
}

/*C:470 MOV CR3 is the context switch of an x86 kernel, and the one lguest cares
 * most about: the Guest's CR3 is never loaded into the real register, the
 * shadow page table is. A CR3 load drops every cached translation except the
 * global ones (CR4.PGE) — and that exception is why the Host turns PGE off
 * for as long as lguest is loaded: a global Host mapping would survive the
 * switch into the Guest's shadow tables and show the Guest the Host's memory. :*/
/** MOV CRn,r32 (0F 22): the ModRM mod bits are ignored, always the register form. */
export function mov_CdRd(c: Cpu, i: Insn): void {
  const n = i.reg;
  if (n === 1 || n > 4) {
    c.ud();
    return;
  }
  if (!privileged(c)) return;
  const v = c.regs[i.rm]!;
  switch (n) {
    case 0:
      writeCr0(c, v);
      return;
    case 2:
      c.control.cr2 = v;
      return;
    case 3:
      // PWT/PCD and the directory base; other bits stay clear (PAE keeps bits 5–11).
      c.control.cr3 = v & (c.control.cr4 & CR4_PAE ? ~0x7 : ~0xfe7);
      c.translator.flush(false);
      c.brk |= BRK_MODE;
      return;
    default:
      writeCr4(c, v);
      return;
  }
}

/** The debug register a MOV names (DR4/5 alias DR6/7), or -1 after raising #UD under CR4.DE. */
function debugIndex(c: Cpu, n: number): number {
  if (n === 4 || n === 5) {
    if (c.control.cr4 & CR4_DE) {
      c.ud();
      return -1;
    }
    return n + 2;
  }
  return n;
}

export function mov_RdDd(c: Cpu, i: Insn): void {
  if (!privileged(c)) return;
  const n = debugIndex(c, i.reg);
  if (n < 0) return;
  const v = c.dr[n]!;
  c.regs[i.rm] = n === 6 ? (v & DR6_BITS) | DR6_ONES : n === 7 ? (v & ~DR7_ZEROS) | DR7_ONE : v;
}
export function mov_DdRd(c: Cpu, i: Insn): void {
  if (!privileged(c)) return;
  const n = debugIndex(c, i.reg);
  if (n < 0) return;
  const v = c.regs[i.rm]!;
  c.dr[n] = n === 6 ? (v & DR6_BITS) | DR6_ONES : n === 7 ? (v & ~DR7_ZEROS) | DR7_ONE : v;
}

// ---------------------------------------------------------------- the rest

export function clts(c: Cpu): void {
  if (privileged(c)) c.control.cr0 &= ~CR0_TS;
}
export function invd(c: Cpu): void {
  privileged(c); // no caches to invalidate
}
export function ud2(c: Cpu): void {
  c.ud();
}
export function wrmsr(c: Cpu): void {
  if (privileged(c)) writeMsr(c);
}
export function rdmsr(c: Cpu): void {
  if (privileged(c)) readMsr(c);
}
export function rdtsc(c: Cpu): void {
  if (c.control.cr4 & CR4_TSD && c.cpl > 0) {
    c.gp(0);
    return;
  }
  setEdxEax(c, readTsc(c));
}
export function rdpmc(c: Cpu): void {
  c.gp(0); // no performance-monitoring counters: every ECX is invalid
}
export function cpuid_(c: Cpu): void {
  cpuid(c);
}

const MODRM = { modrm: true } as const;
const FLOW = { modrm: true, flow: true } as const;
const MEM = { modrm: true, memOnly: true } as const;
const MEM_FLOW = { modrm: true, memOnly: true, flow: true } as const;

function buildRows(): Record<number, TableEntry> {
  const rows: Record<number, TableEntry> = {};
  /* 63 */ rows[0x63] = row("arpl_EwGw", arpl_EwGw, MODRM);
  /* 0F 00 */ rows[0x100] = group("grp6", [
    row("sldt_Ew", sldt_Ew, MODRM),
    row("str_Ew", str_Ew, MODRM),
    row("lldt_Ew", lldt_Ew, FLOW),
    row("ltr_Ew", ltr_Ew, FLOW),
    row("verr_Ew", verr_Ew, MODRM),
    row("verw_Ew", verw_Ew, MODRM),
  ]);
  /* 0F 01 */ rows[0x101] = group("grp7", [
    row("sgdt_Ms", sgdt_Ms, MEM),
    row("sidt_Ms", sidt_Ms, MEM),
    row("lgdt_Ms", lgdt_Ms, MEM_FLOW),
    row("lidt_Ms", lidt_Ms, MEM_FLOW),
    row("smsw_Ew", smsw_Ew, MODRM),
    undefined,
    row("lmsw_Ew", lmsw_Ew, FLOW),
    row("invlpg_M", invlpg_M, MEM_FLOW),
  ]);
  /* 0F 02 */ rows[0x102] = row("lar_GvEw", lar_GvEw, MODRM);
  /* 0F 03 */ rows[0x103] = row("lsl_GvEw", lsl_GvEw, MODRM);
  /* 0F 06 */ rows[0x106] = row("clts", clts, { flow: true });
  /* 0F 08 */ rows[0x108] = row("invd", invd);
  /* 0F 09 */ rows[0x109] = row("wbinvd", invd);
  /* 0F 0B */ rows[0x10b] = row("ud2", ud2, { flow: true });
  /* 0F 20 */ rows[0x120] = row("mov_RdCd", mov_RdCd, MODRM);
  /* 0F 21 */ rows[0x121] = row("mov_RdDd", mov_RdDd, MODRM);
  /* 0F 22 */ rows[0x122] = row("mov_CdRd", mov_CdRd, FLOW);
  /* 0F 23 */ rows[0x123] = row("mov_DdRd", mov_DdRd, MODRM);
  /* 0F 30 */ rows[0x130] = row("wrmsr", wrmsr, { flow: true });
  /* 0F 31 */ rows[0x131] = row("rdtsc", rdtsc);
  /* 0F 32 */ rows[0x132] = row("rdmsr", rdmsr);
  /* 0F 33 */ rows[0x133] = row("rdpmc", rdpmc);
  /* 0F 34 */ rows[0x134] = row("sysenter", sysenter, { flow: true });
  /* 0F 35 */ rows[0x135] = row("sysexit", sysexit, { flow: true });
  /* 0F A2 */ rows[0x1a2] = row("cpuid", cpuid_);
  return rows;
}

/** Opcode rows of this family. */
export const SYSTEM_ROWS: RowMap = buildRows();
