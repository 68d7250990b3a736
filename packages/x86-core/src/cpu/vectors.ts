/**
 * Exception vector numbers (SDM Vol. 3A §6.3.1, Table 6-1).
 */

/** Divide error. */
export const DE = 0;
/** Debug. */
export const DB = 1;
/** Breakpoint (INT3). */
export const BP = 3;
/** Overflow (INTO). */
export const OVF = 4;
/** BOUND range exceeded. */
export const BR = 5;
/** Invalid opcode. */
export const UD = 6;
/** Device not available. */
export const NM = 7;
/** Double fault. */
export const DF_VEC = 8;
/** Invalid TSS. */
export const TS = 10;
/** Segment not present. */
export const NP = 11;
/** Stack-segment fault. */
export const SS_VEC = 12;
/** General protection. */
export const GP = 13;
/** Page fault. */
export const PF_VEC = 14;

