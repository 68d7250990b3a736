/**
 * String instructions and their REP forms: MOVS CMPS STOS LODS SCAS INS OUTS,
 * plus XLAT and BOUND (table lookups with the same operand style).
 *
 * Reference: SDM Vol. 2A CMPS, INS, LODS, BOUND; Vol. 2B MOVS, OUTS,
 * REP/REPE/REPZ/REPNE/REPNZ, SCAS, STOS, XLAT; Vol. 1 §7.3.9 (string
 * operations, DF), Vol. 3A §6.15 "Interrupt 5—BOUND Range Exceeded".
 * The source is seg:eSI (DS unless overridden), the destination always
 * ES:eDI; the address size (0x67) picks SI/DI/CX or ESI/EDI/ECX, and a 16-bit
 * index wraps inside 64 KiB leaving the upper half alone. CMPS computes
 * [src] - [ES:dst], SCAS eAX - [ES:dst]. F3 repeats CMPS/SCAS while equal, F2
 * while not equal; the other five treat F2 like F3. A count of zero executes
 * nothing and leaves the flags alone.
 */
/*C:610 A REP string instruction is one instruction that may run for a very
 * long time: `rep movsd` with ECX = 1 Mi copies 4 MiB. The SDM lets it be
 * interrupted between iterations with ESI/EDI/ECX describing the work done,
 * and restarted by simply executing it again. We lean on exactly that: each
 * call of a handler does at most `REP_BATCH` iterations; if the count is not
 * exhausted it points EIP back at the instruction, so the run loop comes back
 * to it after noticing pending interrupts, exits or the instruction budget.
 * A page fault in iteration k leaves the first k iterations done and the
 * registers saying so; delivering #PF and IRET-ing restarts at iteration k.
 * The cost: the retired-instruction count (and the TSC derived from it)
 * counts one instruction per batch, not one per REP instruction. :*/
/*C:620 Copies and fills over flat segments are what kernels spend their
 * string time on (memcpy, memset, page clearing), so MOVS and STOS look for
 * the largest run of iterations that stays inside one source page and one
 * destination page whose TLB entries already grant the access, and move it
 * with one typed-array operation. A TLB entry lacking write permission is
 * how the code cache guards pages holding decoded instructions, so such
 * writes fall to the per-element path, which invalidates the decoded copy.
 * Overlap needs care: `copyWithin` behaves like memmove, but an element-wise
 * forward copy to a slightly higher address replicates a pattern (the old
 * `rep movsb` fill trick). When the destination trails into the source in the
 * direction of copying, we copy element by element, exactly as the CPU does. :*/
import { BRK_EXIT, type Cpu } from "../cpu/cpu.js";
import { DF } from "../cpu/eflags.js";
import { EAX, EBX, ECX, EDI, EDX, ES, ESI } from "../cpu/registers.js";
import { BR } from "../cpu/vectors.js";
import { INSN_A32, type Insn } from "../decoder/insn.js";
import { row, row2, type RowMap, type TableEntry } from "../decoder/table-types.js";
import { SEG_READ_FAST, SEG_WRITE_FAST } from "../protection/descriptor.js";
import { cmpFlags } from "./arith.js";
import { ioPermitted, portRead, portWrite } from "./io.js";
import { setR8, setR16 } from "./operands.js";

/** Iterations one call of a REP handler performs before yielding to the run loop (bounds interrupt latency). */
export const REP_BATCH = 4096;


// String operation kinds, the `kind` argument of the shared driver.
const MOVS = 0;
const CMPS = 1;
const STOS = 2;
const LODS = 3;
const SCAS = 4;
const INS = 5;
const OUTS = 6;

// Results of one element step.
/** Done; go on while the count lasts. */
const STEP_NEXT = 0;
/** Done, and REPE/REPNE's condition ends the repetition. */
const STEP_LAST = 1;
/** A fault or an exit was raised: state reflects the earlier iterations only. */
const STEP_ABORT = 2;

// ---------------------------------------------------------------- registers

/** eSI or eDI as an offset for the address size. */
function offsetOf(c: Cpu, r: number, a32: boolean): number {
  return a32 ? c.regs[r]! : c.regs[r]! & 0xffff;
}

/** Move eSI/eDI by `delta` bytes; a 16-bit index wraps and keeps its upper half. */
function advance(c: Cpu, r: number, delta: number, a32: boolean): void {
  const v = c.regs[r]!;
  c.regs[r] = a32 ? (v + delta) | 0 : (v & ~0xffff) | ((v + delta) & 0xffff);
}

/** The remaining count (ECX unsigned, or CX). */
function countOf(c: Cpu, a32: boolean): number {
  return a32 ? c.regs[ECX]! >>> 0 : c.regs[ECX]! & 0xffff;
}

function setCount(c: Cpu, a32: boolean, n: number): void {
  c.regs[ECX] = a32 ? n | 0 : (c.regs[ECX]! & ~0xffff) | n;
}

function readN(c: Cpu, seg: number, off: number, size: number): number {
  return size === 1 ? c.read8(seg, off) : size === 2 ? c.read16(seg, off) : c.read32(seg, off);
}

function writeN(c: Cpu, seg: number, off: number, size: number, v: number): void {
  if (size === 1) c.write8(seg, off, v);
  else if (size === 2) c.write16(seg, off, v);
  else c.write32(seg, off, v);
}

/** eAX truncated to the element size. */
function accumulator(c: Cpu, size: number): number {
  const a = c.regs[EAX]!;
  return size === 1 ? a & 0xff : size === 2 ? a & 0xffff : a;
}

function setAccumulator(c: Cpu, size: number, v: number): void {
  if (size === 1) setR8(c, EAX, v);
  else if (size === 2) setR16(c, EAX, v);
  else c.regs[EAX] = v;
}

// ---------------------------------------------------------------- one element

/** Compare step for CMPS/SCAS: lazy flags as CMP, and whether REPE/REPNE stops here. */
function compare(c: Cpu, i: Insn, a: number, b: number, size: number): number {
  cmpFlags(c, a, b, size * 8 - 1);
  const equal = a === b;
  return (i.rep === 1 && !equal) || (i.rep === 2 && equal) ? STEP_LAST : STEP_NEXT;
}

/**
 * One iteration of string operation `kind` through the CPU's checked memory
 * path; index registers move only once every access succeeded.
 */
function element(c: Cpu, i: Insn, kind: number, size: 1 | 2 | 4, a32: boolean, step: number): number {
  switch (kind) {
    case MOVS: {
      const v = readN(c, i.seg, offsetOf(c, ESI, a32), size);
      if (c.fault) return STEP_ABORT;
      writeN(c, ES, offsetOf(c, EDI, a32), size, v);
      if (c.fault) return STEP_ABORT;
      advance(c, ESI, step, a32);
      advance(c, EDI, step, a32);
      return STEP_NEXT;
    }
    case CMPS: {
      const a = readN(c, i.seg, offsetOf(c, ESI, a32), size);
      if (c.fault) return STEP_ABORT;
      const b = readN(c, ES, offsetOf(c, EDI, a32), size);
      if (c.fault) return STEP_ABORT;
      advance(c, ESI, step, a32);
      advance(c, EDI, step, a32);
      return compare(c, i, a, b, size);
    }
    case STOS:
      writeN(c, ES, offsetOf(c, EDI, a32), size, c.regs[EAX]!);
      if (c.fault) return STEP_ABORT;
      advance(c, EDI, step, a32);
      return STEP_NEXT;
    case LODS: {
      const v = readN(c, i.seg, offsetOf(c, ESI, a32), size);
      if (c.fault) return STEP_ABORT;
      setAccumulator(c, size, v);
      advance(c, ESI, step, a32);
      return STEP_NEXT;
    }
    case SCAS: {
      const b = readN(c, ES, offsetOf(c, EDI, a32), size);
      if (c.fault) return STEP_ABORT;
      advance(c, EDI, step, a32);
      return compare(c, i, accumulator(c, size), b, size);
    }
    case INS: {
      // Probe first (as Bochs does) so a #PF on the buffer does not swallow a port read.
      const di = offsetOf(c, EDI, a32);
      if (!c.probeWrite(ES, di, size)) return STEP_ABORT;
      const v = portRead(c, c.regs[EDX]! & 0xffff, size);
      if (c.brk & BRK_EXIT) return STEP_ABORT;
      writeN(c, ES, di, size, v);
      if (c.fault) return STEP_ABORT;
      advance(c, EDI, step, a32);
      return STEP_NEXT;
    }
    default: {
      const v = readN(c, i.seg, offsetOf(c, ESI, a32), size);
      if (c.fault) return STEP_ABORT;
      portWrite(c, c.regs[EDX]! & 0xffff, size, v);
      if (c.brk & BRK_EXIT) return STEP_ABORT;
      advance(c, ESI, step, a32);
      return STEP_NEXT;
    }
  }
}

// ---------------------------------------------------------------- fast runs

/**
 * Elements (at most `max`) from linear `lin` moving by `step` that stay in
 * its page; 0 when the first element straddles a page boundary.
 */
function runInPage(lin: number, size: number, step: number, max: number): number {
  const off = lin & 0xfff;
  if (off + size > 0x1000) return 0;
  const room = step > 0 ? ((0x1000 - off) / size) | 0 : ((off / size) | 0) + 1;
  return Math.min(room, max);
}

/**
 * Copy a run of MOVS elements with 32-bit addressing over flat segments, both
 * pages already in the TLB with permission. Returns the elements done (0:
 * take the per-element path) and moves ESI/EDI past them.
 */
function movsRun(c: Cpu, seg: number, size: number, step: number, max: number): number {
  const src = (c.segBase[seg]! + c.regs[ESI]!) | 0;
  const dst = (c.segBase[ES]! + c.regs[EDI]!) | 0;
  const es = c.tlb[src >>> 12]!;
  const ed = c.tlb[dst >>> 12]!;
  if ((es & c.rmask) === 0 || (ed & c.wmask) === 0) return 0;
  let n = runInPage(src, size, step, max);
  n = runInPage(dst, size, step, n);
  if (n === 0) return 0;
  const ps = (es & ~0xfff) | (src & 0xfff);
  const pd = (ed & ~0xfff) | (dst & 0xfff);
  const bytes = n * size;
  const lowS = step > 0 ? ps : ps - bytes + size;
  const lowD = step > 0 ? pd : pd - bytes + size;
  const m = c.mem8;
  const overlap = lowD < lowS + bytes && lowS < lowD + bytes;
  if (!overlap || lowD === lowS || (step > 0) === (lowD < lowS)) {
    m.copyWithin(lowD, lowS, lowS + bytes);
  } else {
    // The destination runs into bytes not yet read: replay the CPU's order.
    for (let k = 0; k < n; k++) {
      const s = ps + k * step;
      const d = pd + k * step;
      let v = 0;
      for (let b = 0; b < size; b++) v |= m[s + b]! << (8 * b);
      for (let b = 0; b < size; b++) m[d + b] = v >>> (8 * b);
    }
  }
  c.regs[ESI] = (c.regs[ESI]! + n * step) | 0;
  c.regs[EDI] = (c.regs[EDI]! + n * step) | 0;
  return n;
}

/** The STOS counterpart of {@link movsRun}: fill a run within one destination page. */
function stosRun(c: Cpu, size: number, step: number, max: number): number {
  const dst = (c.segBase[ES]! + c.regs[EDI]!) | 0;
  const ed = c.tlb[dst >>> 12]!;
  if ((ed & c.wmask) === 0) return 0;
  const n = runInPage(dst, size, step, max);
  if (n === 0) return 0;
  const pd = (ed & ~0xfff) | (dst & 0xfff);
  const bytes = n * size;
  const low = step > 0 ? pd : pd - bytes + size;
  const v = c.regs[EAX]!;
  if (size === 1) c.mem8.fill(v & 0xff, low, low + bytes);
  else if (size === 4 && (low & 3) === 0) c.mem32.fill(v, low >>> 2, (low + bytes) >>> 2);
  else if (size === 2 && (low & 1) === 0) c.memory.u16.fill(v & 0xffff, low >>> 1, (low + bytes) >>> 1);
  else {
    const m = c.mem8;
    for (let k = 0; k < bytes; k++) m[low + k] = v >>> (8 * (k % size));
  }
  c.regs[EDI] = (c.regs[EDI]! + n * step) | 0;
  return n;
}

// ---------------------------------------------------------------- the driver

/** Execute string operation `kind` at `size`, with or without REP. */
function stringOp(c: Cpu, i: Insn, kind: number, size: 1 | 2 | 4): void {
  const a32 = (i.flags & INSN_A32) !== 0;
  const step = c.flags & DF ? -size : size;
  // The I/O permission check comes first, even for a zero count (as QEMU does).
  if ((kind === INS || kind === OUTS) && !ioPermitted(c, c.regs[EDX]! & 0xffff, size)) return;
  if (i.rep === 0) {
    element(c, i, kind, size, a32, step);
    return;
  }
  const fast =
    a32 &&
    ((kind === MOVS && (c.segFast[i.seg]! & SEG_READ_FAST) !== 0) || kind === STOS) &&
    (c.segFast[ES]! & SEG_WRITE_FAST) !== 0;
  let n = countOf(c, a32);
  let budget = REP_BATCH;
  while (n !== 0) {
    if (budget <= 0) {
      c.eip = (c.eip - i.len) | 0;
      return;
    }
    let done = 0;
    let last = false;
    if (fast) {
      const max = Math.min(n, budget);
      done = kind === MOVS ? movsRun(c, i.seg, size, step, max) : stosRun(c, size, step, max);
    }
    if (done === 0) {
      const r = element(c, i, kind, size, a32, step);
      if (r === STEP_ABORT) return;
      done = 1;
      last = r === STEP_LAST;
    }
    n -= done;
    budget -= done;
    setCount(c, a32, n);
    if (last) return;
    // Something needs the run loop (code written, device stop, interrupt): resume later.
    if (c.brk !== 0 && n !== 0) {
      c.eip = (c.eip - i.len) | 0;
      return;
    }
  }
}

export function movs_YbXb(c: Cpu, i: Insn): void {
  stringOp(c, i, MOVS, 1);
}
export function movs_YwXw(c: Cpu, i: Insn): void {
  stringOp(c, i, MOVS, 2);
}
export function movs_YdXd(c: Cpu, i: Insn): void {
  stringOp(c, i, MOVS, 4);
}
export function cmps_XbYb(c: Cpu, i: Insn): void {
  stringOp(c, i, CMPS, 1);
}
export function cmps_XwYw(c: Cpu, i: Insn): void {
  stringOp(c, i, CMPS, 2);
}
export function cmps_XdYd(c: Cpu, i: Insn): void {
  stringOp(c, i, CMPS, 4);
}
export function stos_YbAL(c: Cpu, i: Insn): void {
  stringOp(c, i, STOS, 1);
}
export function stos_YwAX(c: Cpu, i: Insn): void {
  stringOp(c, i, STOS, 2);
}
export function stos_YdEAX(c: Cpu, i: Insn): void {
  stringOp(c, i, STOS, 4);
}
export function lods_ALXb(c: Cpu, i: Insn): void {
  stringOp(c, i, LODS, 1);
}
export function lods_AXXw(c: Cpu, i: Insn): void {
  stringOp(c, i, LODS, 2);
}
export function lods_EAXXd(c: Cpu, i: Insn): void {
  stringOp(c, i, LODS, 4);
}
export function scas_ALYb(c: Cpu, i: Insn): void {
  stringOp(c, i, SCAS, 1);
}
export function scas_AXYw(c: Cpu, i: Insn): void {
  stringOp(c, i, SCAS, 2);
}
export function scas_EAXYd(c: Cpu, i: Insn): void {
  stringOp(c, i, SCAS, 4);
}
export function ins_YbDX(c: Cpu, i: Insn): void {
  stringOp(c, i, INS, 1);
}
export function ins_YwDX(c: Cpu, i: Insn): void {
  stringOp(c, i, INS, 2);
}
export function ins_YdDX(c: Cpu, i: Insn): void {
  stringOp(c, i, INS, 4);
}
export function outs_DXXb(c: Cpu, i: Insn): void {
  stringOp(c, i, OUTS, 1);
}
export function outs_DXXw(c: Cpu, i: Insn): void {
  stringOp(c, i, OUTS, 2);
}
export function outs_DXXd(c: Cpu, i: Insn): void {
  stringOp(c, i, OUTS, 4);
}

// ---------------------------------------------------------------- XLAT, BOUND

/** XLAT: AL = [seg:eBX + AL] (BX with 16-bit addressing). */
export function xlat(c: Cpu, i: Insn): void {
  const al = c.regs[EAX]! & 0xff;
  const off = i.flags & INSN_A32 ? (c.regs[EBX]! + al) | 0 : (c.regs[EBX]! + al) & 0xffff;
  const v = c.read8(i.seg, off);
  if (!c.fault) setR8(c, EAX, v);
}

/** BOUND r16, m16&16: signed lower and upper bounds; #BR when the index is outside. */
export function bound_GwMa(c: Cpu, i: Insn): void {
  const ea = c.ea(i);
  const lo = (c.read16(i.seg, ea) << 16) >> 16;
  if (c.fault) return;
  const hi = (c.read16(i.seg, i.flags & INSN_A32 ? (ea + 2) | 0 : (ea + 2) & 0xffff) << 16) >> 16;
  if (c.fault) return;
  const idx = (c.regs[i.reg]! << 16) >> 16;
  if (idx < lo || idx > hi) c.raise(BR, 0, false);
}

/** BOUND r32, m32&32. */
export function bound_GdMa(c: Cpu, i: Insn): void {
  const ea = c.ea(i);
  const lo = c.read32(i.seg, ea);
  if (c.fault) return;
  const hi = c.read32(i.seg, i.flags & INSN_A32 ? (ea + 4) | 0 : (ea + 4) & 0xffff);
  if (c.fault) return;
  const idx = c.regs[i.reg]!;
  if (idx < lo || idx > hi) c.raise(BR, 0, false);
}

// Every string row is `flow`: with REP the handler may point EIP back at itself.
function buildStringRows(): Record<number, TableEntry> {
  const rows: Record<number, TableEntry> = {};
  /* 62 */ rows[0x62] = row2("bound_GvMa", bound_GwMa, bound_GdMa, { modrm: true, memOnly: true });
  /* 6C */ rows[0x6c] = row("ins_YbDX", ins_YbDX, { flow: true });
  /* 6D */ rows[0x6d] = row2("ins_YvDX", ins_YwDX, ins_YdDX, { flow: true });
  /* 6E */ rows[0x6e] = row("outs_DXXb", outs_DXXb, { flow: true });
  /* 6F */ rows[0x6f] = row2("outs_DXXv", outs_DXXw, outs_DXXd, { flow: true });
  /* A4 */ rows[0xa4] = row("movs_YbXb", movs_YbXb, { flow: true });
  /* A5 */ rows[0xa5] = row2("movs_YvXv", movs_YwXw, movs_YdXd, { flow: true });
  /* A6 */ rows[0xa6] = row("cmps_XbYb", cmps_XbYb, { flow: true });
  /* A7 */ rows[0xa7] = row2("cmps_XvYv", cmps_XwYw, cmps_XdYd, { flow: true });
  /* AA */ rows[0xaa] = row("stos_YbAL", stos_YbAL, { flow: true });
  /* AB */ rows[0xab] = row2("stos_YveAX", stos_YwAX, stos_YdEAX, { flow: true });
  /* AC */ rows[0xac] = row("lods_ALXb", lods_ALXb, { flow: true });
  /* AD */ rows[0xad] = row2("lods_eAXXv", lods_AXXw, lods_EAXXd, { flow: true });
  /* AE */ rows[0xae] = row("scas_ALYb", scas_ALYb, { flow: true });
  /* AF */ rows[0xaf] = row2("scas_eAXYv", scas_AXYw, scas_EAXYd, { flow: true });
  /* D7 */ rows[0xd7] = row("xlat", xlat);
  return rows;
}

/** Opcode rows of this family. */
export const STRING_ROWS: RowMap = buildStringRows();
