/**
 * The arithmetic escapes: D8 (m32fp and ST(0), ST(i)), DC (m64fp and
 * ST(i), ST(0)), DA (m32int, FCMOVcc, FUCOMPP) and DE (m16int and the
 * popping register forms, FCOMPP).
 *
 * Reference: SDM Vol. 2A FADD/FADDP/FIADD, FSUB/FSUBP/FISUB,
 * FSUBR/FSUBRP/FISUBR, FMUL/FMULP/FIMUL, FDIV/FDIVP/FIDIV,
 * FDIVR/FDIVRP/FIDIVR, FCOM/FCOMP/FCOMPP, FICOM/FICOMP, FUCOMPP, FCMOVcc;
 * Vol. 2 Appendix A.4 (escape opcode maps, Tables ). In the DC
 * and DE register forms the SUB/SUBR and DIV/DIVR rows are exchanged
 * relative to D8: DC E0+i is FSUBR ST(i), ST(0). DC D0/D8, DE D0 are the
 * undocumented aliases of FCOM/FCOMP that every x87 since the 8087 accepts.
 */
import type { Cpu } from "../cpu/cpu.js";
import type { Insn } from "../decoder/insn.js";
import { binop, compare, setCompareCodes, stageReg } from "./fpu-arith.js";
import type { Fpu } from "./fpu-state.js";
import { note, readInt, stageM32fp, stageM64fp, stageNumber, unavailable } from "./x87-access.js";

/**
 * ST(dst) ← a op b (op = ModRM.reg numbering: 0 add, 1 mul, 4 sub, 5 subr,
 * 6 div, 7 divr) or, for op 2/3, compare a with b (3 pops). a is ST(a)
 * unless `aStaged`; b was staged by the caller (`bEmpty`: its register was empty).
 */
function arithmetic(f: Fpu, op: number, a: number, dst: number, bEmpty: boolean, pop: boolean): void {
  const compareOp = op === 2 || op === 3;
  if (bEmpty || f.isEmpty(a)) {
    f.underflow();
    if (compareOp) setCompareCodes(f, 3);
    else f.setIndefinite(dst);
  } else {
    stageReg(f, a, 0);
    if (compareOp) compare(f, false);
    else binop(f, op, dst);
  }
  if (pop || op === 3) f.pop();
}

/** ESC D8: FADD … FDIVR with an m32fp operand, or ST(0) ← ST(0) op ST(i); FCOM/FCOMP. */
export function esc_D8(c: Cpu, i: Insn): void {
  if (unavailable(c)) return;
  const f = c.fpu;
  note(c, i);
  let empty = false;
  if (i.mod !== 3) {
    if (!stageM32fp(c, i, 1)) return;
  } else {
    empty = f.isEmpty(i.rm);
    stageReg(f, i.rm, 1);
  }
  arithmetic(f, i.reg, 0, 0, empty, false);
}

/** ESC DC: the m64fp forms, or ST(i) ← ST(i) op ST(0) (SUB/SUBR and DIV/DIVR exchanged). */
export function esc_DC(c: Cpu, i: Insn): void {
  if (unavailable(c)) return;
  const f = c.fpu;
  note(c, i);
  if (i.mod !== 3) {
    if (!stageM64fp(c, i, 1)) return;
    arithmetic(f, i.reg, 0, 0, false, false);
    return;
  }
  registerForm(f, i, false);
}

/** The DC/DE register forms: FCOM aliases compare ST(0) with ST(i); the others write ST(i). */
function registerForm(f: Fpu, i: Insn, pop: boolean): void {
  const op = i.reg;
  if (op === 2 || op === 3) {
    const empty = f.isEmpty(i.rm);
    stageReg(f, i.rm, 1);
    arithmetic(f, pop ? 3 : op, 0, 0, empty, false);
    return;
  }
  const empty = f.isEmpty(0);
  stageReg(f, 0, 1);
  arithmetic(f, op >= 4 ? op ^ 1 : op, i.rm, i.rm, empty, pop);
}

/** ESC DA: FIADD … FIDIVR m32int; FCMOVB/E/BE/U; FUCOMPP (DA E9). */
export function esc_DA(c: Cpu, i: Insn): void {
  if (unavailable(c)) return;
  const f = c.fpu;
  if (i.mod !== 3) {
    note(c, i);
    const v = readInt(c, i, 4);
    if (c.fault) return;
    stageNumber(v, 1);
    arithmetic(f, i.reg, 0, 0, false, false);
    return;
  }
  if (i.reg < 4) {
    note(c, i);
    fcmov(c, i, false);
    return;
  }
  if (i.reg === 5 && i.rm === 1) {
    note(c, i);
    compareTwo(f, true);
    return;
  }
  c.ud();
}

/** FCOMPP/FUCOMPP: compare ST(0) with ST(1), pop twice. */
function compareTwo(f: Fpu, quiet: boolean): void {
  if (f.isEmpty(0) || f.isEmpty(1)) {
    f.underflow();
    setCompareCodes(f, 3);
  } else {
    stageReg(f, 0, 0);
    stageReg(f, 1, 1);
    compare(f, quiet);
  }
  f.pop();
  f.pop();
}

/** ESC DE: FIADD … FIDIVR m16int; FADDP … FDIVP ST(i), ST(0); FCOMPP (DE D9). */
export function esc_DE(c: Cpu, i: Insn): void {
  if (unavailable(c)) return;
  const f = c.fpu;
  if (i.mod !== 3) {
    note(c, i);
    const v = readInt(c, i, 2);
    if (c.fault) return;
    stageNumber(v, 1);
    arithmetic(f, i.reg, 0, 0, false, false);
    return;
  }
  if (i.reg === 3) {
    if (i.rm !== 1) {
      c.ud();
      return;
    }
    note(c, i);
    compareTwo(f, false);
    return;
  }
  note(c, i);
  registerForm(f, i, true);
}

/**
 * FCMOVcc (DA: B, E, BE, U; DB: the negations): ST(0) ← ST(i) when the
 * EFLAGS condition holds. An empty ST(i) or ST(0) is a stack underflow.
 */
export function fcmov(c: Cpu, i: Insn, negate: boolean): void {
  const f = c.fpu;
  let cond: boolean;
  switch (i.reg & 3) {
    case 0:
      cond = c.getCF() !== 0;
      break;
    case 1:
      cond = c.getZF() !== 0;
      break;
    case 2:
      cond = (c.getCF() | c.getZF()) !== 0;
      break;
    default:
      cond = c.getPF() !== 0;
  }
  if (negate) cond = !cond;
  if (f.isEmpty(i.rm) || f.isEmpty(0)) {
    f.underflow();
    f.setIndefinite(0);
    return;
  }
  f.sw &= ~0x200;
  if (cond) f.copy(0, i.rm);
}
