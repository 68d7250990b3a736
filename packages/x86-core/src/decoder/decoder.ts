/**
 * The instruction decoder: prefixes, opcode maps, ModRM/SIB, displacement
 * and immediates, for 16- and 32-bit code.
 *
 * Reference: SDM Vol. 2A §2.1 (instruction format), §2.1.1 (prefix groups),
 * Tables 2-1/2-2/2-3 (16-bit and 32-bit ModRM, SIB), Vol. 2 Appendix A
 * (opcode maps). An instruction longer than 15 bytes raises #GP(0). Bytes are
 * fetched lazily so an instruction that ends before a page boundary never
 * touches the next page (and never takes its #PF).
 */
/*C:200 Decoding is where an x86 interpreter spends its effort: up to four
 * prefixes, one or two opcode bytes, a ModRM byte that may call for a SIB
 * byte and a displacement, then immediates. We pay for it once per
 * instruction per code page: the result is an `Insn` record holding the
 * handler to call and every operand already extracted, cached under the
 * instruction's physical address. The interpreter loop then only calls
 * `insn.fn(cpu, insn)` and follows `insn.next`. A later block JIT can start
 * from exactly these records. :*/
import type { Cpu } from "../cpu/cpu.js";
import { DS, SS } from "../cpu/registers.js";
import { Access } from "../paging/translator.js";
import { ATTR_B } from "../protection/descriptor.js";
import { INSN_A32, INSN_FLOW, INSN_LOCK, INSN_MEM, INSN_NEAR, INSN_O32, INSN_SYNC, Insn } from "./insn.js";
import { HANDLER_IDS } from "../generated/run-chain.js";
import { OPCODES } from "./opcode-table.js";
import { Imm, ROW_FLOW, ROW_MEM_ONLY, type OpRow } from "./table-types.js";
import { handleUd } from "./undefined.js";

const MAX_LEN = 15;

// Decoder cursor: module state is safe because decoding is synchronous and never re-entered.
let cpuRef: Cpu | null = null;
let startLin = 0;
let startPa = 0;
let pos = 0;
let nextPagePa = -1;
let crossed = false;

function byte(): number {
  const cpu = cpuRef!;
  if (pos >= MAX_LEN) {
    pos++;
    return 0;
  }
  const off = (startPa & 0xfff) + pos;
  let v: number;
  if (off < 0x1000) v = cpu.memory.read8(startPa + pos);
  else {
    if (nextPagePa < 0) {
      const lin = (startLin + pos) | 0;
      nextPagePa = cpu.translateLinear(lin & ~0xfff, Access.Exec, cpu.cpl === 3);
      if (nextPagePa < 0) {
        pos++;
        return 0;
      }
    }
    crossed = true;
    v = cpu.memory.read8(nextPagePa + (off - 0x1000));
  }
  pos++;
  return v;
}

function word(): number {
  const lo = byte();
  return lo | (byte() << 8);
}

function dword(): number {
  const a = word();
  return a | (word() << 16);
}

/**
 * Decode the instruction at linear `lin` (physical `pa`) for the CPU's
 * current code-segment size, and cache it when it lies in one page.
 * @returns the record, or null when fetching raised a fault (already pending on the CPU).
 */
export function decode(cpu: Cpu, lin: number, pa: number): Insn | null {
  cpuRef = cpu;
  startLin = lin;
  startPa = pa;
  pos = 0;
  nextPagePa = -1;
  crossed = false;
  const d32 = (cpu.segAttr[1]! & ATTR_B) !== 0;
  let o32 = d32;
  let a32 = d32;
  let seg = -1;
  let rep = 0;
  let lock = false;
  let b = byte();
  for (;;) {
    if (cpu.fault) return null;
    if (b === 0x66) o32 = !d32;
    else if (b === 0x67) a32 = !d32;
    else if (b === 0xf0) lock = true;
    else if (b === 0xf2) rep = 2;
    else if (b === 0xf3) rep = 1;
    else if (b === 0x26) seg = 0;
    else if (b === 0x2e) seg = 1;
    else if (b === 0x36) seg = 2;
    else if (b === 0x3e) seg = 3;
    else if (b === 0x64) seg = 4;
    else if (b === 0x65) seg = 5;
    else break;
    if (pos >= MAX_LEN) break;
    b = byte();
  }
  let opcode = b;
  if (b === 0x0f) opcode = 0x100 | byte();
  if (cpu.fault) return null;
  const entry = OPCODES[opcode];
  let rowp: OpRow | undefined;
  let modrm = -1;
  if (entry === undefined) rowp = undefined;
  else if ("group" in entry) {
    modrm = byte();
    rowp = entry.group[(modrm >> 3) & 7];
  } else {
    rowp = entry;
    if (entry.modrm) modrm = byte();
  }
  if (cpu.fault) return null;
  const insn = new Insn(handleUd);
  insn.opcode = opcode;
  insn.rep = rep;
  let flags = (o32 ? INSN_O32 : 0) | (a32 ? INSN_A32 : 0) | (lock ? INSN_LOCK : 0);
  insn.seg = seg >= 0 ? seg : DS;
  if (modrm >= 0) {
    insn.mod = modrm >> 6;
    insn.reg = (modrm >> 3) & 7;
    insn.rm = modrm & 7;
    // MOV to/from CRn/DRn always name a register, whatever the mod bits say (SDM MOV—Move to/from Control Registers).
    if (opcode >= 0x120 && opcode <= 0x123) insn.mod = 3;
    if (insn.mod !== 3) {
      flags |= INSN_MEM;
      if (a32) decodeEa32(insn, seg);
      else decodeEa16(insn, seg);
    }
  }
  if (rowp !== undefined) {
    insn.name = rowp.name;
    insn.op = rowp.op;
    if (rowp.opts & ROW_FLOW && !(rep === 0 && isStringOp(opcode))) flags |= INSN_FLOW;
    if (isNearBranch(opcode, insn.reg)) flags |= INSN_NEAR;
    if (needsSync(opcode)) flags |= INSN_SYNC;
    if (!(rowp.opts & ROW_MEM_ONLY && insn.mod === 3)) insn.fn = o32 ? rowp.fn32 : rowp.fn16;
    readImmediates(insn, rowp.imm, o32, a32);
    if (rowp.imm === Imm.Ov) flags |= INSN_MEM;
    if (modrm < 0) insn.reg = opcode & 7;
  } else {
    insn.name = "(bad)";
    flags |= INSN_FLOW;
  }
  if (cpu.fault) return null;
  insn.flags = flags;
  insn.hid = HANDLER_IDS.get(insn.fn) ?? 0;
  if (pos > MAX_LEN) {
    cpu.gp(0);
    return null;
  }
  insn.len = pos;
  if (!crossed && (pa & 0xfff) + pos <= 0x1000) cpu.code.store(pa, insn);
  cpuRef = null;
  return insn;
}

/** String instructions end a chain only with a REP prefix (they re-execute themselves in batches). */
function isStringOp(opcode: number): boolean {
  return (opcode >= 0x6c && opcode <= 0x6f) || (opcode >= 0xa4 && opcode <= 0xa7) || (opcode >= 0xaa && opcode <= 0xaf);
}

/**
 * Whether the handlers of `opcode` read or adjust the retired-instruction count
 * (see INSN_SYNC). The generated interpreter loop brings the count up to date
 * in the switch cases of exactly these handlers.
 */
export function needsSync(opcode: number): boolean {
  if (opcode === 0xfb || opcode === 0x8e || opcode === 0x17) return true; // STI, MOV SS, POP SS
  if ((opcode >= 0xe4 && opcode <= 0xe7) || (opcode >= 0xec && opcode <= 0xef) || (opcode >= 0x6c && opcode <= 0x6f)) return true;
  return opcode >= 0x130 && opcode <= 0x132; // WRMSR, RDTSC, RDMSR
}

function isNearBranch(opcode: number, reg: number): boolean {
  if ((opcode >= 0x70 && opcode <= 0x7f) || (opcode >= 0x180 && opcode <= 0x18f)) return true;
  if (opcode >= 0xe0 && opcode <= 0xe3) return true;
  if (opcode === 0xe8 || opcode === 0xe9 || opcode === 0xeb || opcode === 0xc2 || opcode === 0xc3) return true;
  return opcode === 0xff && (reg === 2 || reg === 4);
}

function readImmediates(insn: Insn, imm: Imm, o32: boolean, a32: boolean): void {
  switch (imm) {
    case Imm.None:
      return;
    case Imm.Ib:
    case Imm.Jb:
      insn.imm = (byte() << 24) >> 24;
      return;
    case Imm.Iw:
      insn.imm = word();
      return;
    case Imm.Iv:
    case Imm.Jv:
      insn.imm = o32 ? dword() : (word() << 16) >> 16;
      return;
    case Imm.Ap:
      insn.imm = o32 ? dword() : word();
      insn.imm2 = word();
      return;
    case Imm.Ov:
      insn.disp = a32 ? dword() : word();
      insn.base = -1;
      insn.index = -1;
      return;
    case Imm.IwIb:
      insn.imm = word();
      insn.imm2 = byte();
      return;
  }
}

function decodeEa32(insn: Insn, seg: number): void {
  let defSeg = DS;
  if (insn.rm === 4) {
    const sib = byte();
    const scale = sib >> 6;
    const index = (sib >> 3) & 7;
    const base = sib & 7;
    insn.scale = scale;
    insn.index = index === 4 ? -1 : index;
    if (base === 5 && insn.mod === 0) {
      insn.base = -1;
      insn.disp = dword();
    } else {
      insn.base = base;
      if (base === 4 || base === 5) defSeg = SS;
    }
  } else if (insn.rm === 5 && insn.mod === 0) {
    insn.base = -1;
    insn.index = -1;
    insn.disp = dword();
  } else {
    insn.base = insn.rm;
    insn.index = -1;
    if (insn.rm === 5) defSeg = SS;
  }
  if (insn.mod === 1) insn.disp = (byte() << 24) >> 24;
  else if (insn.mod === 2) insn.disp = dword();
  insn.seg = seg >= 0 ? seg : defSeg;
}

const EA16_BASE = [3, 3, 5, 5, 6, 7, 5, 3];
const EA16_INDEX = [6, 7, 6, 7, -1, -1, -1, -1];

function decodeEa16(insn: Insn, seg: number): void {
  const rm = insn.rm;
  let defSeg = rm === 2 || rm === 3 ? SS : DS;
  if (insn.mod === 0 && rm === 6) {
    insn.base = -1;
    insn.index = -1;
    insn.disp = word();
    defSeg = DS;
  } else {
    insn.base = EA16_BASE[rm]!;
    insn.index = EA16_INDEX[rm]!;
    if (rm === 6) defSeg = SS;
    if (insn.mod === 1) insn.disp = (byte() << 24) >> 24;
    else if (insn.mod === 2) insn.disp = (word() << 16) >> 16;
  }
  insn.scale = 0;
  insn.seg = seg >= 0 ? seg : defSeg;
}
