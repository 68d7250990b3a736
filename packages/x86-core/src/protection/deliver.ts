/**
 * Delivering exceptions and interrupts through the IDT.
 *
 * Reference: SDM Vol. 3A §6.10–6.14 (IDT, gate descriptors, exception and
 * interrupt handling, privilege-level changes with the stack from the TSS),
 * §6.15 "Interrupt 8—Double Fault" (Table 6-5, contributory classes), §7.2.1
 * (32-bit TSS: ESPn/SSn at 4 + 8n / 8 + 8n). Task gates are not emulated:
 * they raise #GP as a CPU without task switching would have to report it.
 */
/*C:300 When something goes wrong inside the Guest — or the Guest asks for it
 * with INT n — the processor does not call anybody: it looks up a gate in the
 * IDT, checks privilege, maybe switches to a more privileged stack taken from
 * the TSS, pushes a frame and jumps. lguest relies on exactly this: the regs
 * page in the Switcher is the ring-0 stack, so the hardware itself writes the
 * Guest's registers where the Host will read them. We emulate the sequence in
 * full, and only then look at the fault bus to see whether the address we
 * just jumped to belongs to TypeScript. :*/
import { ATTR_B, ATTR_CODE, ATTR_P, ATTR_S, descAttr, descBase, descLimit, markAccessed, readDescriptor } from "./descriptor.js";
import type { Cpu } from "../cpu/cpu.js";
import { BRK_FAULT } from "../cpu/cpu.js";
import { IF, NT, RF, TF, VM } from "../cpu/eflags.js";
import { CS, ESP, SS } from "../cpu/registers.js";
import { DF_VEC, GP, NP, PF_VEC, SS_VEC, TS } from "../cpu/vectors.js";
import { EventKind } from "../bus/fault-bus.js";

function contributory(v: number): boolean {
  return v === 0 || (v >= 10 && v <= 13);
}

/**
 * Deliver an event with the #DF and triple-fault rules. Claims on the fault
 * bus come first; a route sets `cpu.exit` to a handler exit; a triple fault
 * sets a shutdown exit.
 */
export function deliverEvent(cpu: Cpu, vector: number, code: number, hasCode: boolean, kind: EventKind): void {
  const observers = cpu.faults.observers;
  for (let k = 0; k < observers.length; k++) observers[k]!(vector, code, hasCode, kind, cpu.eip);
  const claims = cpu.faults.claims[vector];
  if (claims !== undefined) {
    for (let k = 0; k < claims.length; k++) if (claims[k]!(cpu, vector, code)) return;
  }
  const prev = cpu.deliveringVector;
  if (prev >= 0) {
    if (prev === DF_VEC) {
      cpu.deliveringVector = -1;
      cpu.exit = { kind: "shutdown", reason: `triple fault: exception ${vector} while delivering a double fault` };
      return;
    }
    if ((contributory(prev) && contributory(vector)) || (prev === PF_VEC && (vector === PF_VEC || contributory(vector)))) {
      vector = DF_VEC;
      code = 0;
      hasCode = true;
      kind = EventKind.Exception;
    }
  }
  if ((cpu.control.cr0 & 1) === 0) {
    cpu.exit = { kind: "shutdown", reason: `event ${vector} in real mode: real-mode delivery is not emulated` };
    return;
  }
  cpu.deliveringVector = vector;
  const ok = deliverProtected(cpu, vector, code, hasCode, kind);
  if (!ok && cpu.fault) {
    cpu.fault = false;
    cpu.brk &= ~BRK_FAULT;
    // A fault while delivering INT n is reported against the INT instruction itself.
    if (kind === EventKind.Software) cpu.eip = cpu.curEip;
    deliverEvent(cpu, cpu.excVector, cpu.excCode, cpu.excHasCode, EventKind.Exception);
  }
  cpu.deliveringVector = -1;
}

function deliverProtected(cpu: Cpu, vector: number, code: number, hasCode: boolean, kind: EventKind): boolean {
  const ext = kind === EventKind.Software ? 0 : 1;
  const idtErr = vector * 8 + 2 + ext;
  if (vector * 8 + 7 > cpu.idtLimit >>> 0) return fail(cpu, GP, idtErr);
  const gate = (cpu.idtBase + vector * 8) | 0;
  const lo = cpu.readSys32(gate);
  if (cpu.fault) return false;
  const hi = cpu.readSys32((gate + 4) | 0);
  if (cpu.fault) return false;
  const type = (hi >>> 8) & 0x1f;
  if (type !== 0x0e && type !== 0x0f && type !== 0x06 && type !== 0x07 && type !== 0x05) return fail(cpu, GP, idtErr);
  const gateDpl = (hi >>> 13) & 3;
  if (kind === EventKind.Software && gateDpl < cpu.cpl) return fail(cpu, GP, vector * 8 + 2);
  if ((hi & 0x8000) === 0) return fail(cpu, NP, idtErr);
  if (type === 0x05) return fail(cpu, GP, idtErr);
  const gate32 = (type & 8) !== 0;
  const trapGate = (type & 1) !== 0;
  const sel = lo >>> 16;
  const offset = gate32 ? (hi & 0xffff0000) | (lo & 0xffff) : lo & 0xffff;
  if ((sel & 0xfffc) === 0) return fail(cpu, GP, ext);
  if (!readDescriptor(cpu, sel)) return cpu.fault ? false : fail(cpu, GP, (sel & 0xfffc) + ext);
  const cattr = descAttr(cpu.descHi);
  if ((cattr & ATTR_S) === 0 || (cattr & ATTR_CODE) === 0) return fail(cpu, GP, (sel & 0xfffc) + ext);
  const cdpl = (cattr >> 5) & 3;
  if (cdpl > cpu.cpl) return fail(cpu, GP, (sel & 0xfffc) + ext);
  if ((cattr & ATTR_P) === 0) return fail(cpu, NP, (sel & 0xfffc) + ext);
  const csLo = cpu.descLo;
  const csHi = cpu.descHi;
  const csAddr = cpu.descAddr;
  const conforming = (cattr & 4) !== 0;
  const eflags = cpu.getEflags();
  const oldCs = cpu.segSel[CS]!;
  const oldEsp = cpu.regs[ESP]!;
  const oldSs = cpu.segSel[SS]!;
  const unit = gate32 ? 4 : 2;
  const words = (hasCode ? 1 : 0) + 3;
  let newCpl = cpu.cpl;
  if (!conforming && cdpl < cpu.cpl) {
    // Inter-privilege: the new stack comes from the TSS.
    const trErr = (cpu.trSel & 0xfffc) + ext;
    const tss32 = (cpu.trAttr & 8) !== 0;
    const at = tss32 ? 4 + cdpl * 8 : 2 + cdpl * 4;
    if ((cpu.trSel & 0xfffc) === 0 || at + (tss32 ? 5 : 3) > cpu.trLimit >>> 0) return fail(cpu, TS, trErr);
    const newEsp = tss32 ? cpu.readSys32((cpu.trBase + at) | 0) : cpu.readSys16((cpu.trBase + at) | 0);
    if (cpu.fault) return false;
    const newSs = cpu.readSys16((cpu.trBase + at + (tss32 ? 4 : 2)) | 0) & 0xffff;
    if (cpu.fault) return false;
    const ssErr = (newSs & 0xfffc) + ext;
    if ((newSs & 0xfffc) === 0) return fail(cpu, TS, ext);
    if (!readDescriptor(cpu, newSs)) return cpu.fault ? false : fail(cpu, TS, ssErr);
    const sattr = descAttr(cpu.descHi);
    if ((newSs & 3) !== cdpl || ((sattr >> 5) & 3) !== cdpl) return fail(cpu, TS, ssErr);
    if ((sattr & ATTR_S) === 0 || sattr & ATTR_CODE || (sattr & 2) === 0) return fail(cpu, TS, ssErr);
    if ((sattr & ATTR_P) === 0) return fail(cpu, SS_VEC, ssErr);
    const ssBase = descBase(cpu.descLo, cpu.descHi);
    const ssLimit = descLimit(cpu.descLo, cpu.descHi);
    const ssMask = sattr & ATTR_B ? -1 : 0xffff;
    const frame = (words + 2) * unit;
    const top = newEsp & ssMask;
    const bottom = (top - frame) & ssMask;
    if (!stackFits(bottom, frame, ssLimit, sattr)) return fail(cpu, SS_VEC, ssErr);
    const ssLo = cpu.descLo;
    const ssHi = cpu.descHi;
    let sp = top;
    sp = pushSys(cpu, ssBase, ssMask, sp, unit, oldSs);
    sp = pushSys(cpu, ssBase, ssMask, sp, unit, oldEsp);
    sp = pushSys(cpu, ssBase, ssMask, sp, unit, eflags);
    sp = pushSys(cpu, ssBase, ssMask, sp, unit, oldCs);
    sp = pushSys(cpu, ssBase, ssMask, sp, unit, cpu.eip);
    if (hasCode) sp = pushSys(cpu, ssBase, ssMask, sp, unit, code);
    if (cpu.fault) return false;
    cpu.descLo = ssLo;
    cpu.descHi = ssHi;
    cpu.descAddr = 0;
    setAccessedAt(cpu, newSs);
    cpu.setSegmentCache(SS, newSs, ssBase, ssLimit, descAttr(ssHi | (1 << 8)));
    cpu.regs[ESP] = ssMask === -1 ? sp : (newEsp & ~0xffff) | sp;
    newCpl = cdpl;
  } else if (conforming || cdpl === cpu.cpl) {
    const ssMask = cpu.stackMask;
    const frame = words * unit;
    const top = oldEsp & ssMask;
    if (!cpu.probeWrite(SS, (top - frame) & ssMask, frame)) {
      if (cpu.excVector === SS_VEC) cpu.excCode = ext;
      return false;
    }
    let sp = top;
    sp = pushCur(cpu, ssMask, sp, unit, eflags);
    sp = pushCur(cpu, ssMask, sp, unit, oldCs);
    sp = pushCur(cpu, ssMask, sp, unit, cpu.eip);
    if (hasCode) sp = pushCur(cpu, ssMask, sp, unit, code);
    if (cpu.fault) return false;
    cpu.regs[ESP] = ssMask === -1 ? sp : (oldEsp & ~0xffff) | sp;
  } else return fail(cpu, GP, (sel & 0xfffc) + ext);

  cpu.descLo = csLo;
  cpu.descHi = csHi;
  cpu.descAddr = csAddr;
  markAccessed(cpu);
  cpu.setSegmentCache(CS, (sel & 0xfffc) | newCpl, descBase(csLo, csHi), descLimit(csLo, csHi), descAttr(cpu.descHi));
  if (newCpl !== cpu.cpl) cpu.setCpl(newCpl);
  let f = eflags & ~(TF | NT | RF | VM);
  if (!trapGate) f &= ~IF;
  cpu.setEflags(f);
  cpu.eip = offset;
  const id = cpu.faults.routes.size > 0 ? cpu.faults.routes.get((cpu.segBase[CS]! + offset) >>> 0) : undefined;
  if (id !== undefined) cpu.exit = { kind: "handler", id, vector };
  return true;
}

function fail(cpu: Cpu, vector: number, code: number): false {
  cpu.raise(vector, code, true);
  return false;
}

function stackFits(bottom: number, size: number, limit: number, attr: number): boolean {
  const lo = bottom >>> 0;
  const hi = lo + size - 1;
  if ((attr & 4) !== 0) {
    const upper = attr & ATTR_B ? 0xffffffff : 0xffff;
    return lo > limit >>> 0 && hi <= upper;
  }
  return hi <= limit >>> 0;
}

function pushSys(cpu: Cpu, base: number, mask: number, sp: number, unit: number, v: number): number {
  if (cpu.fault) return sp;
  const nsp = (sp - unit) & mask;
  cpu.writeSys((base + nsp) | 0, unit, v);
  return nsp;
}

function pushCur(cpu: Cpu, mask: number, sp: number, unit: number, v: number): number {
  if (cpu.fault) return sp;
  const nsp = (sp - unit) & mask;
  if (unit === 4) cpu.write32(SS, nsp, v);
  else cpu.write16(SS, nsp, v);
  return nsp;
}

function setAccessedAt(cpu: Cpu, selector: number): void {
  if (readDescriptor(cpu, selector)) markAccessed(cpu);
}
