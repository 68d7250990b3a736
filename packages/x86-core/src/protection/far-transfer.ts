/**
 * Far control transfers in protected mode: JMP/CALL to a code segment or
 * through a call gate (with the inter-privilege stack switch and parameter
 * copy), far RET and IRET, including returns to an outer privilege level.
 *
 * Reference: SDM Vol. 2A CALL and JMP "Operation" (protected-mode paths),
 * Vol. 2B RET and IRET/IRETD "Operation", Vol. 3A §5.8 (privilege level
 * checks when transferring program control between code segments), §5.8.5
 * (stack switching, Figure 5-13), §5.8.6 (returning from a called procedure),
 * §7.2.1 (32-bit TSS: ESPn at 4 + 8n, SSn at 8 + 8n; 16-bit TSS: SPn at
 * 2 + 4n, SSn at 4 + 4n). Error codes carry EXT = 0: these are instructions.
 *
 * Not emulated, by design: task switching (a task gate or a TSS descriptor as
 * a far JMP/CALL target raises #GP(selector); IRET with NT = 1 raises #GP(0)),
 * and virtual-8086 mode (IRET at CPL 0 whose popped EFLAGS image has VM = 1
 * raises #GP(0)). A real CPU would switch tasks or enter VM86 there; raising
 * a fault the Host can see beats silently running on in the wrong mode.
 *
 * Every path validates the whole transfer first (new CS, new SS, stack room,
 * target offset) and commits only at the end, so a fault changes no
 * architectural state. Selectors pushed with a 32-bit operand size are
 * written zero-extended to 32 bits (what QEMU does; P6 hardware may leave the
 * upper half of the slot unwritten instead — software must not rely on it).
 */
/*C:400 Why does lguest need rings at all? The Host must be protected from the
 * Guest kernel, and the Guest kernel from its own programs. Ring 0 belongs to
 * the Host (and its Switcher), ring 3 to Guest programs, and lguest puts the
 * Guest kernel in ring 1: less privileged than the Host, so it cannot touch
 * control registers, load the GDT or disable interrupts behind the Host's
 * back (those raise #GP, which the Host sees), yet more privileged than ring
 * 3, so its pages marked supervisor stay hidden from Guest programs. Ring 1
 * is "supervisor" to the paging hardware — that is the whole trick.
 * Everything that moves between rings therefore has to be exact: the
 * privilege checks on code and stack segments, the stack switch, and the
 * return path. This file does the instruction-driven moves; deliver.ts does
 * the interrupt-driven ones. :*/
import type { Cpu } from "../cpu/cpu.js";
import { AC, ARITH_FLAGS, DF, ID, IF, IOPL, NT, RF, TF, VIF, VIP, VM } from "../cpu/eflags.js";
import { CS, ESP, SS } from "../cpu/registers.js";
import { NP, SS_VEC, TS } from "../cpu/vectors.js";
import {
  ATTR_B,
  ATTR_CODE,
  ATTR_P,
  ATTR_S,
  descAttr,
  descBase,
  descLimit,
  markAccessed,
  nullInaccessibleSegments,
  readDescriptor,
} from "./descriptor.js";

/** Descriptor type of a 16-bit call gate. */
export const TYPE_CALL_GATE16 = 0x4;
/** Descriptor type of a 32-bit call gate. */
export const TYPE_CALL_GATE32 = 0xc;

/** Parameters copied by a call gate (at most 31), kept here so the copy allocates nothing. */
const params = new Int32Array(32);

function gpSel(c: Cpu, selector: number): void {
  c.gp(selector & 0xfffc);
}
function npSel(c: Cpu, selector: number): void {
  c.raise(NP, selector & 0xfffc, true);
}
function tsSel(c: Cpu, selector: number): void {
  c.raise(TS, selector & 0xfffc, true);
}
function ssSel(c: Cpu, selector: number): void {
  c.raise(SS_VEC, selector & 0xfffc, true);
}

/** Read a descriptor, raising #GP(selector) when it lies outside its table. */
function readOrGp(c: Cpu, selector: number): boolean {
  if (readDescriptor(c, selector)) return true;
  if (!c.fault) gpSel(c, selector);
  return false;
}

/** Set the Accessed bit of the descriptor at `addr` (whose high dword is `hi`). */
function touch(c: Cpu, hi: number, addr: number): void {
  c.descHi = hi;
  c.descAddr = addr;
  markAccessed(c);
}

/** Load CS from a checked descriptor; `selector` already carries the new RPL. */
function loadCs(c: Cpu, selector: number, lo: number, hi: number): void {
  c.setSegmentCache(CS, selector, descBase(lo, hi), descLimit(lo, hi), descAttr(hi | (1 << 8)));
}

/** Whether `offset` lies inside a code segment whose cached limit is `limit`. */
function inLimit(offset: number, limit: number): boolean {
  return offset >>> 0 <= limit >>> 0;
}

/** Whether `size` bytes from `bottom` fit a stack segment (expand-down aware). */
function stackFits(bottom: number, size: number, limit: number, attr: number): boolean {
  const lo = bottom >>> 0;
  const hi = lo + size - 1;
  if ((attr & 4) !== 0) return lo > limit >>> 0 && hi <= (attr & ATTR_B ? 0xffffffff : 0xffff);
  return hi <= limit >>> 0;
}

/** Real-address mode: CS = selector, base = selector × 16, limit and attributes kept. */
function realLoadCs(c: Cpu, selector: number): void {
  c.setSegmentCache(CS, selector, (selector & 0xffff) << 4, c.segLimit[CS]!, c.segAttr[CS]!);
}

/** Push the return address CS:EIP on the current stack (room already probed). */
function pushReturn(c: Cpu, unit: number): void {
  if (unit === 4) {
    c.push32(c.segSel[CS]!);
    c.push32(c.eip);
  } else {
    c.push16(c.segSel[CS]!);
    c.push16(c.eip);
  }
}

/**
 * JMP (`call` false) or CALL (`call` true) to `selector:offset`, with every
 * protected-mode check; the return address is the current `eip`.
 */
export function farJumpOrCall(c: Cpu, selector: number, offset: number, o32: boolean, call: boolean): void {
  selector &= 0xffff;
  const unit = o32 ? 4 : 2;
  if (!o32) offset &= 0xffff;
  if ((c.control.cr0 & 1) === 0) {
    if (!inLimit(offset, c.segLimit[CS]!)) {
      c.gp(0);
      return;
    }
    if (call && !c.probeWrite(SS, (c.regs[ESP]! - 2 * unit) & c.stackMask, 2 * unit)) return;
    if (call) pushReturn(c, unit);
    realLoadCs(c, selector);
    c.eip = offset;
    return;
  }
  if ((selector & 0xfffc) === 0) {
    c.gp(0);
    return;
  }
  if (!readOrGp(c, selector)) return;
  const lo = c.descLo;
  const hi = c.descHi;
  const addr = c.descAddr;
  const attr = descAttr(hi);
  const dpl = (attr >> 5) & 3;
  const rpl = selector & 3;
  const cpl = c.cpl;
  if ((attr & ATTR_S) === 0) {
    const type = attr & 0xf;
    if (type === TYPE_CALL_GATE32 || type === TYPE_CALL_GATE16) {
      if (dpl < cpl || dpl < rpl) {
        gpSel(c, selector);
        return;
      }
      if ((attr & ATTR_P) === 0) {
        npSel(c, selector);
        return;
      }
      throughGate(c, lo, hi, type === TYPE_CALL_GATE32, call);
      return;
    }
    // Task gates (5) and TSS descriptors (1, 3, 9, 11) would switch tasks: not emulated.
    gpSel(c, selector);
    return;
  }
  if ((attr & ATTR_CODE) === 0) {
    gpSel(c, selector);
    return;
  }
  const conforming = (attr & 4) !== 0;
  if (conforming ? dpl > cpl : rpl > cpl || dpl !== cpl) {
    gpSel(c, selector);
    return;
  }
  if ((attr & ATTR_P) === 0) {
    npSel(c, selector);
    return;
  }
  if (call && !c.probeWrite(SS, (c.regs[ESP]! - 2 * unit) & c.stackMask, 2 * unit)) return;
  if (!inLimit(offset, descLimit(lo, hi))) {
    c.gp(0);
    return;
  }
  touch(c, hi, addr);
  if (c.fault) return;
  if (call) pushReturn(c, unit);
  loadCs(c, (selector & ~3) | cpl, lo, hi);
  c.eip = offset;
}

/*C:410 A call gate is how a less privileged program asks for a service at a
 * more privileged level without being able to choose where it lands: the
 * gate, written by the privileged side, names the code segment and entry
 * point. When the target is more privileged, the CPU cannot keep using the
 * caller's stack (the caller could change it under the callee's feet), so it
 * takes a fresh one from the TSS for the target level, copies the number of
 * parameters the gate says, and leaves the caller's SS:ESP on the new stack
 * so that a far RET can go back. JMP through a gate never changes privilege:
 * there is nothing to come back to. :*/
function throughGate(c: Cpu, gateLo: number, gateHi: number, gate32: boolean, call: boolean): void {
  const csSel = gateLo >>> 16;
  const target = gate32 ? (gateHi & 0xffff0000) | (gateLo & 0xffff) : gateLo & 0xffff;
  const count = gateHi & 0x1f;
  if ((csSel & 0xfffc) === 0) {
    c.gp(0);
    return;
  }
  if (!readOrGp(c, csSel)) return;
  const lo = c.descLo;
  const hi = c.descHi;
  const addr = c.descAddr;
  const attr = descAttr(hi);
  if ((attr & ATTR_S) === 0 || (attr & ATTR_CODE) === 0) {
    gpSel(c, csSel);
    return;
  }
  const dpl = (attr >> 5) & 3;
  const conforming = (attr & 4) !== 0;
  const cpl = c.cpl;
  if (call ? dpl > cpl : conforming ? dpl > cpl : dpl !== cpl) {
    gpSel(c, csSel);
    return;
  }
  if ((attr & ATTR_P) === 0) {
    npSel(c, csSel);
    return;
  }
  const limit = descLimit(lo, hi);
  if (!call) {
    if (!inLimit(target, limit)) {
      c.gp(0);
      return;
    }
    touch(c, hi, addr);
    if (c.fault) return;
    loadCs(c, (csSel & ~3) | cpl, lo, hi);
    c.eip = target;
    return;
  }
  const unit = gate32 ? 4 : 2;
  if (!conforming && dpl < cpl) {
    callInward(c, csSel, lo, hi, addr, dpl, target, unit, count);
    return;
  }
  if (!c.probeWrite(SS, (c.regs[ESP]! - 2 * unit) & c.stackMask, 2 * unit)) return;
  if (!inLimit(target, limit)) {
    c.gp(0);
    return;
  }
  touch(c, hi, addr);
  if (c.fault) return;
  pushReturn(c, unit);
  loadCs(c, (csSel & ~3) | cpl, lo, hi);
  c.eip = target;
}

/** CALL through a gate to a more privileged non-conforming segment: the TSS stack switch. */
function callInward(
  c: Cpu,
  csSel: number,
  lo: number,
  hi: number,
  addr: number,
  dpl: number,
  target: number,
  unit: number,
  count: number,
): void {
  const tss32 = (c.trAttr & 8) !== 0;
  const at = tss32 ? 4 + dpl * 8 : 2 + dpl * 4;
  if (at + (tss32 ? 5 : 3) > c.trLimit >>> 0) {
    tsSel(c, c.trSel);
    return;
  }
  const newEsp = tss32 ? c.readSys32((c.trBase + at) | 0) : c.readSys16((c.trBase + at) | 0);
  if (c.fault) return;
  const newSs = c.readSys16((c.trBase + at + (tss32 ? 4 : 2)) | 0) & 0xffff;
  if (c.fault) return;
  if ((newSs & 0xfffc) === 0) {
    c.raise(TS, 0, true);
    return;
  }
  if (!readDescriptor(c, newSs)) {
    if (!c.fault) tsSel(c, newSs);
    return;
  }
  const ssLo = c.descLo;
  const ssHi = c.descHi;
  const ssAddr = c.descAddr;
  const sattr = descAttr(ssHi);
  if ((newSs & 3) !== dpl || ((sattr >> 5) & 3) !== dpl) {
    tsSel(c, newSs);
    return;
  }
  if ((sattr & ATTR_S) === 0 || (sattr & ATTR_CODE) !== 0 || (sattr & 2) === 0) {
    tsSel(c, newSs);
    return;
  }
  if ((sattr & ATTR_P) === 0) {
    ssSel(c, newSs);
    return;
  }
  const ssBase = descBase(ssLo, ssHi);
  const ssLimit = descLimit(ssLo, ssHi);
  const ssMask = sattr & ATTR_B ? -1 : 0xffff;
  const frame = (4 + count) * unit;
  const top = newEsp & ssMask;
  if (!stackFits((top - frame) & ssMask, frame, ssLimit, sattr)) {
    ssSel(c, newSs);
    return;
  }
  if (!inLimit(target, descLimit(lo, hi))) {
    c.gp(0);
    return;
  }
  // Parameters come from the caller's stack, read as supervisor accesses
  // (the hardware copies them after CPL has changed), limit-checked on the old SS.
  const oldSs = c.segSel[SS]!;
  const oldEsp = c.regs[ESP]!;
  if (count > 0) {
    const from = c.segCheck(SS, oldEsp & c.stackMask, count * unit, false);
    if (c.fault) return;
    for (let k = 0; k < count; k++) {
      const lin = (from + k * unit) | 0;
      params[k] = unit === 4 ? c.readSys32(lin) : c.readSys16(lin);
      if (c.fault) return;
    }
  }
  let sp = top;
  sp = pushSys(c, ssBase, ssMask, sp, unit, oldSs);
  sp = pushSys(c, ssBase, ssMask, sp, unit, oldEsp);
  for (let k = count - 1; k >= 0; k--) sp = pushSys(c, ssBase, ssMask, sp, unit, params[k]!);
  sp = pushSys(c, ssBase, ssMask, sp, unit, c.segSel[CS]!);
  sp = pushSys(c, ssBase, ssMask, sp, unit, c.eip);
  if (c.fault) return;
  touch(c, ssHi, ssAddr);
  if (c.fault) return;
  touch(c, hi, addr);
  if (c.fault) return;
  c.setSegmentCache(SS, newSs, ssBase, ssLimit, descAttr(ssHi | (1 << 8)));
  c.regs[ESP] = ssMask === -1 ? sp : (newEsp & ~0xffff) | sp;
  loadCs(c, (csSel & ~3) | dpl, lo, hi);
  c.setCpl(dpl);
  c.eip = target;
}

function pushSys(c: Cpu, base: number, mask: number, sp: number, unit: number, v: number): number {
  if (c.fault) return sp;
  const nsp = (sp - unit) & mask;
  c.writeSys((base + nsp) | 0, unit, v);
  return nsp;
}

// Scratch results of checkReturnCs / checkReturnSs (module state: handlers never re-enter).
let retLo = 0;
let retHi = 0;
let retAddr = 0;
let stkLo = 0;
let stkHi = 0;
let stkAddr = 0;

/** The return-CS checks shared by far RET and IRET; fills retLo/retHi/retAddr. */
function checkReturnCs(c: Cpu, selector: number): boolean {
  if ((selector & 0xfffc) === 0) {
    c.gp(0);
    return false;
  }
  if (!readOrGp(c, selector)) return false;
  const attr = descAttr(c.descHi);
  const dpl = (attr >> 5) & 3;
  const rpl = selector & 3;
  if ((attr & ATTR_S) === 0 || (attr & ATTR_CODE) === 0 || rpl < c.cpl) {
    gpSel(c, selector);
    return false;
  }
  if ((attr & 4) !== 0 ? dpl > rpl : dpl !== rpl) {
    gpSel(c, selector);
    return false;
  }
  if ((attr & ATTR_P) === 0) {
    npSel(c, selector);
    return false;
  }
  retLo = c.descLo;
  retHi = c.descHi;
  retAddr = c.descAddr;
  return true;
}

/*C:420 Going back out to a less privileged level is where a careless CPU (or
 * emulator) leaks privilege. The return frame was written by the caller —
 * possibly by the very code being returned to — so the CPU trusts nothing in
 * it: the return CS must not be more privileged than the current level, the
 * popped SS must be a writable data segment at exactly the new CPL, and the
 * data segment registers that still point at inner-level segments are nulled
 * so the outer code cannot keep reading the kernel's data through them. This
 * is the path lguest takes every time the Host resumes the Guest kernel in
 * ring 1, and every time the Guest kernel returns to its programs in ring 3. :*/
/** The return-SS checks of RET/IRET to an outer level; fills stkLo/stkHi/stkAddr. */
function checkReturnSs(c: Cpu, selector: number, rpl: number): boolean {
  if ((selector & 0xfffc) === 0) {
    c.gp(0);
    return false;
  }
  if (!readOrGp(c, selector)) return false;
  const attr = descAttr(c.descHi);
  if ((selector & 3) !== rpl || ((attr >> 5) & 3) !== rpl) {
    gpSel(c, selector);
    return false;
  }
  if ((attr & ATTR_S) === 0 || (attr & ATTR_CODE) !== 0 || (attr & 2) === 0) {
    gpSel(c, selector);
    return false;
  }
  if ((attr & ATTR_P) === 0) {
    ssSel(c, selector);
    return false;
  }
  stkLo = c.descLo;
  stkHi = c.descHi;
  stkAddr = c.descAddr;
  return true;
}

/** Commit a checked return: CS (and for an outer return SS:ESP and CPL), EIP. */
function commitReturn(c: Cpu, csSel: number, eip: number, outer: boolean, ssSel: number, esp: number, release: number): void {
  if (outer) {
    touch(c, stkHi, stkAddr);
    if (c.fault) return;
  }
  touch(c, retHi, retAddr);
  if (c.fault) return;
  loadCs(c, csSel, retLo, retHi);
  c.eip = eip;
  if (!outer) return;
  const attr = descAttr(stkHi | (1 << 8));
  c.setSegmentCache(SS, ssSel, descBase(stkLo, stkHi), descLimit(stkLo, stkHi), attr);
  const sp = (esp + release) | 0;
  c.regs[ESP] = attr & ATTR_B ? sp : (c.regs[ESP]! & ~0xffff) | (sp & 0xffff);
  c.setCpl(csSel & 3);
  nullInaccessibleSegments(c);
}

/** Far RET (CB / CA Iw): pop EIP and CS, release `release` bytes of parameters. */
export function farReturn(c: Cpu, o32: boolean, release: number): void {
  const unit = o32 ? 4 : 2;
  const eip = o32 ? c.peek32(0) : c.peek16(0);
  if (c.fault) return;
  const csSel = (o32 ? c.peek32(4) : c.peek16(2)) & 0xffff;
  if (c.fault) return;
  if ((c.control.cr0 & 1) === 0) {
    if (!inLimit(eip, c.segLimit[CS]!)) {
      c.gp(0);
      return;
    }
    realLoadCs(c, csSel);
    c.eip = eip;
    c.adjustEsp(2 * unit + release);
    return;
  }
  if (!checkReturnCs(c, csSel)) return;
  const rpl = csSel & 3;
  if (rpl === c.cpl) {
    if (!inLimit(eip, descLimit(retLo, retHi))) {
      c.gp(0);
      return;
    }
    commitReturn(c, csSel, eip, false, 0, 0, 0);
    if (!c.fault) c.adjustEsp(2 * unit + release);
    return;
  }
  const at = 2 * unit + release;
  const esp = o32 ? c.peek32(at) : c.peek16(at);
  if (c.fault) return;
  const ss = (o32 ? c.peek32(at + 4) : c.peek16(at + 2)) & 0xffff;
  if (c.fault) return;
  if (!checkReturnSs(c, ss, rpl)) return;
  if (!inLimit(eip, descLimit(retLo, retHi))) {
    c.gp(0);
    return;
  }
  commitReturn(c, csSel, eip, true, ss, esp, release);
}

/**
 * The EFLAGS an IRET loads from `image` at the current CPL and IOPL (SDM IRET
 * "Operation"): IF only when CPL ≤ IOPL, IOPL only at CPL 0, RF/AC/ID (and at
 * CPL 0 VIF/VIP) only with a 32-bit operand size. VM is never loaded here.
 */
export function iretEflags(c: Cpu, image: number, o32: boolean): number {
  let writable = ARITH_FLAGS | TF | DF | NT;
  if (o32) writable |= RF | AC | ID;
  if (c.cpl <= (c.flags & IOPL) >> 12) writable |= IF;
  if (c.cpl === 0) writable |= o32 ? IOPL | VIF | VIP : IOPL;
  return (c.getEflags() & ~writable) | (image & writable);
}

/*C:430 IRET is the instruction lguest leans on hardest: the Switcher enters the
 * Guest with one, and the Guest kernel leaves every interrupt handler with
 * one. Two rules keep ring 1 honest. EFLAGS.IOPL changes only at CPL 0, so
 * the Guest kernel cannot grant itself I/O ports; and EFLAGS.IF changes only
 * when CPL ≤ IOPL, so with IOPL 0 an IRET in ring 1 silently keeps the
 * interrupt flag as it was — which is why lguest's Guest keeps its own
 * virtual interrupt flag in memory and never trusts the real one. Task
 * returns (NT = 1) and returns to virtual-8086 mode are not emulated here and
 * raise #GP(0), so a Guest that tries either is stopped rather than misrun. :*/
/** IRET / IRETD (CF). */
export function interruptReturn(c: Cpu, o32: boolean): void {
  const pe = (c.control.cr0 & 1) !== 0;
  if (pe && c.flags & NT) {
    c.gp(0); // task return: task switching is not emulated
    return;
  }
  const unit = o32 ? 4 : 2;
  const eip = o32 ? c.peek32(0) : c.peek16(0);
  if (c.fault) return;
  const csSel = (o32 ? c.peek32(4) : c.peek16(2)) & 0xffff;
  if (c.fault) return;
  const image = o32 ? c.peek32(8) : c.peek16(4);
  if (c.fault) return;
  if (!pe) {
    if (!inLimit(eip, c.segLimit[CS]!)) {
      c.gp(0);
      return;
    }
    const mask = o32 ? 0x00257fd5 : 0x7fd5;
    realLoadCs(c, csSel);
    c.eip = eip;
    c.setEflags((c.getEflags() & ~mask) | (image & mask));
    c.adjustEsp(3 * unit);
    return;
  }
  if (o32 && c.cpl === 0 && image & VM) {
    c.gp(0); // virtual-8086 mode is not emulated
    return;
  }
  if (!checkReturnCs(c, csSel)) return;
  const rpl = csSel & 3;
  const flags = iretEflags(c, image, o32);
  if (rpl === c.cpl) {
    if (!inLimit(eip, descLimit(retLo, retHi))) {
      c.gp(0);
      return;
    }
    commitReturn(c, csSel, eip, false, 0, 0, 0);
    if (c.fault) return;
    c.setEflags(flags);
    c.adjustEsp(3 * unit);
    return;
  }
  const esp = o32 ? c.peek32(3 * unit) : c.peek16(3 * unit);
  if (c.fault) return;
  const ss = (o32 ? c.peek32(4 * unit) : c.peek16(4 * unit)) & 0xffff;
  if (c.fault) return;
  if (!checkReturnSs(c, ss, rpl)) return;
  if (!inLimit(eip, descLimit(retLo, retHi))) {
    c.gp(0);
    return;
  }
  commitReturn(c, csSel, eip, true, ss, esp, 0);
  if (!c.fault) c.setEflags(flags);
}
