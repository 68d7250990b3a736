/**
 * EFLAGS bits and the lazy evaluation of the arithmetic flags.
 *
 * Reference: SDM Vol. 1 §3.4.3 (EFLAGS), Appendix A (flag effects per
 * instruction). Arithmetic instructions do not compute OF/SF/ZF/AF/PF/CF at
 * once: they record the operation, its operands and result, and the flags are
 * derived only when something reads them (a Jcc, PUSHF, an ADC…). Most results
 * are overwritten before any flag is looked at, so this saves most of the work.
 */

/** Carry flag. */
export const CF = 1 << 0;
/** Always-one bit 1 of EFLAGS. */
export const FLAG_BIT1 = 1 << 1;
/** Parity flag (even parity of the low result byte). */
export const PF = 1 << 2;
/** Auxiliary (BCD half-)carry flag. */
export const AF = 1 << 4;
/** Zero flag. */
export const ZF = 1 << 6;
/** Sign flag. */
export const SF = 1 << 7;
/** Trap flag (single-step). */
export const TF = 1 << 8;
/** Interrupt-enable flag. */
export const IF = 1 << 9;
/** Direction flag for string instructions. */
export const DF = 1 << 10;
/** Overflow flag. */
export const OF = 1 << 11;
/** I/O privilege level (2 bits). */
export const IOPL = 3 << 12;
/** Nested task. */
export const NT = 1 << 14;
/** Resume flag. */
export const RF = 1 << 16;
/** Virtual-8086 mode (never set: V86 is not emulated). */
export const VM = 1 << 17;
/** Alignment check. */
export const AC = 1 << 18;
/** Virtual interrupt flag. */
export const VIF = 1 << 19;
/** Virtual interrupt pending. */
export const VIP = 1 << 20;
/** CPUID-available flag: software toggles it to detect CPUID. */
export const ID = 1 << 21;

/** The six arithmetic status flags. */
export const ARITH_FLAGS = OF | SF | ZF | AF | PF | CF;
/** Every bit software can hold in EFLAGS on this CPU (AC and ID are writable on a 486+). */
export const EFLAGS_WRITABLE = ARITH_FLAGS | TF | IF | DF | IOPL | NT | RF | AC | ID;

/** Lazy operation kinds (how to derive CF/OF/AF from operands and result). */
export const LF_ADD = 0;
/** ADC: like ADD with a carry in. */
export const LF_ADC = 1;
/** SUB/CMP/NEG/DEC. */
export const LF_SUB = 2;
/** SBB: like SUB with a borrow in. */
export const LF_SBB = 3;
/** Logic: CF = OF = AF = 0. */
export const LF_LOGIC = 4;

/** PF for each byte value: PF set when the count of one bits is even. */
export const PARITY = /* @__PURE__ */ (() => {
  const t = new Uint8Array(256);
  for (let i = 0; i < 256; i++) {
    let b = i;
    b ^= b >> 4;
    b ^= b >> 2;
    b ^= b >> 1;
    t[i] = (b & 1) === 0 ? PF : 0;
  }
  return t;
})();
