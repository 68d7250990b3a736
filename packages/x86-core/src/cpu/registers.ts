/**
 * Register numbering, as the ModRM byte encodes it.
 *
 * Reference: SDM Vol. 2A §2.1.5 (Table 2-2: 32-bit register encodings) and
 * §3.4.2 (segment register encodings in MOV Sreg). 8-bit registers 4..7 are
 * AH, CH, DH, BH: the high bytes of registers 0..3.
 */

/** EAX index in `Cpu.regs`. */
export const EAX = 0;
/** ECX index in `Cpu.regs`. */
export const ECX = 1;
/** EDX index in `Cpu.regs`. */
export const EDX = 2;
/** EBX index in `Cpu.regs`. */
export const EBX = 3;
/** ESP index in `Cpu.regs`. */
export const ESP = 4;
/** EBP index in `Cpu.regs`. */
export const EBP = 5;
/** ESI index in `Cpu.regs`. */
export const ESI = 6;
/** EDI index in `Cpu.regs`. */
export const EDI = 7;

/** ES index in the segment arrays. */
export const ES = 0;
/** CS index in the segment arrays. */
export const CS = 1;
/** SS index in the segment arrays. */
export const SS = 2;
/** DS index in the segment arrays. */
export const DS = 3;
/** FS index in the segment arrays. */
export const FS = 4;
/** GS index in the segment arrays. */
export const GS = 5;

/** Names of the 32-bit registers, by index. */
export const REG32_NAMES = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"] as const;
/** Names of the segment registers, by index. */
export const SEG_NAMES = ["es", "cs", "ss", "ds", "fs", "gs"] as const;
