/**
 * What makes this CPU model itself: the MSRs it has, what CPUID reports, the
 * time-stamp counter, and SYSENTER/SYSEXIT (the fast system call that the
 * SYSENTER MSRs drive).
 *
 * Reference: SDM Vol. 2A CPUID (leaves 0, 1, 80000000H, 80000001H; "if a
 * value entered for EAX is higher than the maximum input value … the data for
 * the highest basic information leaf is returned"), Vol. 2B RDMSR, WRMSR,
 * RDTSC, SYSENTER, SYSEXIT "Operation"; Vol. 4 Table 2-2 (IA32_TIME_STAMP_
 * COUNTER 10H, IA32_SYSENTER_CS/ESP/EIP 174H–176H, IA32_EFER C0000080H).
 * Any other MSR number raises #GP(0), as on hardware that lacks it.
 */
/*C:440 CPUID is how a kernel decides what it may use, so what we report here is
 * a promise the rest of x86-core must keep: 4 MiB pages (PSE), the TSC,
 * RDMSR/WRMSR, PAE with the NX bit, CMPXCHG8B, SYSENTER, global pages and
 * CMOV, and the x87 FPU (with FCOMI and FCMOV, which CMOV implies for it) —
 * but no MMX, FXSR or SSE, because none is emulated. The signature
 * is family 6, model 1, stepping 9: a Pentium Pro. Mind one consequence:
 * early Pentium Pros advertised SEP without a working SYSENTER, so Linux
 * ignores the SEP bit on any part whose family/model/stepping is below 6/3/3
 * — a Linux kernel on this model will use INT 0x80, never SYSENTER, though
 * the instruction works here for software that trusts the bit. (Inside
 * lguest it does not matter: the Host filters SEP out of the Guest's CPUID.) :*/
import type { Cpu } from "../cpu/cpu.js";
import { BRK_MODE } from "../cpu/cpu.js";
import { IF, RF } from "../cpu/eflags.js";
import { CS, EAX, EBX, ECX, EDX, ESP, SS } from "../cpu/registers.js";
import { EFER_NXE } from "../paging/control-registers.js";
import { flatAttr } from "./descriptor.js";

/** IA32_TIME_STAMP_COUNTER (MSR 10H). */
export const MSR_TSC = 0x10;
/** IA32_SYSENTER_CS. */
export const MSR_SYSENTER_CS = 0x174;
/** IA32_SYSENTER_ESP. */
export const MSR_SYSENTER_ESP = 0x175;
/** IA32_SYSENTER_EIP. */
export const MSR_SYSENTER_EIP = 0x176;
/** IA32_EFER. */
export const MSR_EFER = 0xc0000080 | 0;

/** CPUID.1:EAX — family 6, model 1, stepping 9. */
export const CPUID_SIGNATURE = 0x00000619;
/** CPUID.1:EDX — FPU(0) PSE(3) TSC(4) MSR(5) PAE(6) CX8(8) SEP(11) PGE(13) CMOV(15). */
export const CPUID_FEATURES_EDX = (1 << 0) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 8) | (1 << 11) | (1 << 13) | (1 << 15);
/** CPUID.80000001H:EDX — NX(20). */
export const CPUID_EXT_FEATURES_EDX = 1 << 20;
/** Highest basic CPUID leaf. */
const MAX_BASIC_LEAF = 1;
/** Highest extended CPUID leaf. */
const MAX_EXT_LEAF = 0x80000001;

const TWO_32 = 0x1_0000_0000;

/** The time-stamp counter: retired instructions plus the offset WRMSR 10H set (virtual time). */
export function readTsc(c: Cpu): number {
  return c.instructions + c.tscOffset;
}

/** Put a 64-bit count (a non-negative safe integer) in EDX:EAX. */
export function setEdxEax(c: Cpu, value: number): void {
  c.regs[EAX] = value >>> 0;
  c.regs[EDX] = Math.floor(value / TWO_32) >>> 0;
}

/** RDMSR for ECX; raises #GP(0) for an MSR this CPU does not have. */
export function readMsr(c: Cpu): void {
  const msr = c.regs[ECX]!;
  let lo = 0;
  switch (msr) {
    case MSR_TSC:
      setEdxEax(c, readTsc(c));
      return;
    case MSR_SYSENTER_CS:
      lo = c.sysenterCs;
      break;
    case MSR_SYSENTER_ESP:
      lo = c.sysenterEsp;
      break;
    case MSR_SYSENTER_EIP:
      lo = c.sysenterEip;
      break;
    case MSR_EFER:
      lo = c.control.efer;
      break;
    default:
      c.gp(0);
      return;
  }
  c.regs[EAX] = lo;
  c.regs[EDX] = 0;
}

/**
 * WRMSR of EDX:EAX to ECX; raises #GP(0) for an unknown MSR or reserved bits
 * in EFER. Writing the TSC makes RDTSC continue from the written value.
 */
export function writeMsr(c: Cpu): void {
  const msr = c.regs[ECX]!;
  const lo = c.regs[EAX]!;
  const hi = c.regs[EDX]!;
  switch (msr) {
    case MSR_TSC:
      // Exact while the count stays below 2^53 (about 285 years at 1 GHz of virtual time).
      c.tscOffset = (hi >>> 0) * TWO_32 + (lo >>> 0) - c.instructions;
      return;
    case MSR_SYSENTER_CS:
      c.sysenterCs = lo;
      return;
    case MSR_SYSENTER_ESP:
      c.sysenterEsp = lo;
      return;
    case MSR_SYSENTER_EIP:
      c.sysenterEip = lo;
      return;
    case MSR_EFER:
      if (hi !== 0 || (lo & ~EFER_NXE) !== 0) {
        c.gp(0);
        return;
      }
      if (lo !== c.control.efer) {
        c.control.efer = lo;
        c.translator.flush(true);
        c.brk |= BRK_MODE;
      }
      return;
    default:
      c.gp(0);
      return;
  }
}

/** CPUID for the leaf in EAX (ECX is ignored: no leaf here has sub-leaves). */
export function cpuid(c: Cpu): void {
  let leaf = c.regs[EAX]! >>> 0;
  if (leaf > MAX_BASIC_LEAF && (leaf < 0x80000000 || leaf > MAX_EXT_LEAF)) leaf = MAX_BASIC_LEAF;
  let a = 0;
  let b = 0;
  let cx = 0;
  let d = 0;
  switch (leaf) {
    case 0:
      a = MAX_BASIC_LEAF;
      b = 0x7474696c; // "litt"
      d = 0x7567656c; // "legu"
      cx = 0x20747365; // "est "
      break;
    case 1:
      a = CPUID_SIGNATURE;
      d = CPUID_FEATURES_EDX;
      break;
    case 0x80000000:
      a = MAX_EXT_LEAF | 0;
      break;
    default: // 0x80000001
      d = CPUID_EXT_FEATURES_EDX;
      break;
  }
  c.regs[EAX] = a;
  c.regs[EBX] = b;
  c.regs[ECX] = cx;
  c.regs[EDX] = d;
}

/*C:450 SYSENTER is a system call without descriptor-table lookups: the target
 * CS, SS, ESP and EIP come from MSRs the kernel wrote once, and the segments
 * are forced flat (base 0, 4 GiB) with no check at all. That speed has a
 * price the kernel pays: it must lay out its GDT so that SYSENTER_CS, +8, +16
 * and +24 are its code, its stack, the user code and the user stack, because
 * SYSEXIT assumes exactly that. :*/
/** SYSENTER (0F 34): to CPL 0 with flat segments from IA32_SYSENTER_CS. */
export function sysenter(c: Cpu): void {
  const sel = c.sysenterCs & 0xfffc;
  if ((c.control.cr0 & 1) === 0 || sel === 0) {
    c.gp(0);
    return;
  }
  c.setEflags(c.getEflags() & ~(IF | RF));
  c.setSegmentCache(CS, sel, 0, -1, flatAttr(true, 0));
  c.setSegmentCache(SS, (sel + 8) & 0xffff, 0, -1, flatAttr(false, 0));
  if (c.cpl !== 0) c.setCpl(0);
  c.regs[ESP] = c.sysenterEsp;
  c.eip = c.sysenterEip;
}

/** SYSEXIT (0F 35): to CPL 3 at EDX with ESP = ECX, flat segments at SYSENTER_CS + 16 / + 24. */
export function sysexit(c: Cpu): void {
  const sel = c.sysenterCs & 0xffff;
  if ((c.control.cr0 & 1) === 0 || (sel & 0xfffc) === 0 || c.cpl !== 0) {
    c.gp(0);
    return;
  }
  c.setSegmentCache(CS, ((sel + 16) | 3) & 0xffff, 0, -1, flatAttr(true, 3));
  c.setSegmentCache(SS, ((sel + 24) | 3) & 0xffff, 0, -1, flatAttr(false, 3));
  c.setCpl(3);
  c.regs[ESP] = c.regs[ECX]!;
  c.eip = c.regs[EDX]!;
}
