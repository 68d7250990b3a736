/**
 * A generated sweep of every instruction x86-core executes: each opcode (and each group
 * member) with a spread of ModRM/SIB forms, displacements, immediates and prefixes, so that
 * the disassembler is compared with objdump on encodings real binaries rarely contain.
 */
import { OPCODES, type OpRow } from "@littleguest/x86-core";

/** ModRM (+ SIB + displacement) forms with 32-bit addressing; `r` is the reg field. */
const MODRM32: readonly ((r: number) => number[])[] = [
  (r) => [0xc0 | (r << 3)], // register eax
  (r) => [0xc1 | (r << 3) | 6], // register edi/bh
  (r) => [0xc4 | (r << 3)], // register esp/ah
  (r) => [0x00 | (r << 3) | 3], // (%ebx)
  (r) => [0x00 | (r << 3) | 4, 0x24], // (%esp)
  (r) => [0x00 | (r << 3) | 4, 0x88], // (%eax,%ecx,4)
  (r) => [0x00 | (r << 3) | 4, 0x25, 0x78, 0x56, 0x34, 0x12], // disp32(,%eiz,1)
  (r) => [0x00 | (r << 3) | 4, 0xc5, 0x00, 0x10, 0x10, 0xc0], // disp32(,%eax,8)
  (r) => [0x00 | (r << 3) | 5, 0x14, 0x00, 0x00, 0x00], // disp32
  (r) => [0x40 | (r << 3) | 5, 0xf8], // -0x8(%ebp)
  (r) => [0x40 | (r << 3) | 4, 0x26, 0x00], // 0x0(%esi,%eiz,1)
  (r) => [0x40 | (r << 3) | 4, 0x64, 0x10], // 0x10(%esp,%eiz,2)
  (r) => [0x80 | (r << 3) | 6, 0x00, 0x0c, 0x00, 0x00], // 0xc00(%esi)
  (r) => [0x80 | (r << 3) | 4, 0xb5, 0x00, 0x00, 0xff, 0xff], // -0x10000(%ebp,%esi,4)
];

/** ModRM forms with 16-bit addressing (after a 67 prefix). */
const MODRM16: readonly ((r: number) => number[])[] = [
  (r) => [0x00 | (r << 3)], // (%bx,%si)
  (r) => [0x00 | (r << 3) | 6, 0x34, 0x12], // disp16
  (r) => [0x40 | (r << 3) | 6, 0xfe], // -0x2(%bp)
  (r) => [0x80 | (r << 3) | 3, 0x00, 0x80], // -0x8000(%bp,%di)
];

const IMM_NONE = 0;
const IMM_IB = 1;
const IMM_IW = 2;
const IMM_IV = 3;
const IMM_JB = 4;
const IMM_JV = 5;
const IMM_AP = 6;
const IMM_OV = 7;
const IMM_IWIB = 8;

function immediate(kind: number, o16: boolean, a16: boolean): number[] {
  switch (kind) {
    case IMM_NONE:
      return [];
    case IMM_IB:
      return [0xf0];
    case IMM_IW:
      return [0x34, 0x12];
    case IMM_IV:
      return o16 ? [0x82, 0x80] : [0x82, 0x00, 0x00, 0x80];
    case IMM_JB:
      return [0xfa];
    case IMM_JV:
      return o16 ? [0x10, 0x00] : [0x00, 0x01, 0x00, 0x00];
    case IMM_AP:
      return o16 ? [0x00, 0x10, 0x10, 0x00] : [0x00, 0x00, 0x10, 0x00, 0x10, 0x00];
    case IMM_OV:
      return a16 ? [0x00, 0x10] : [0x00, 0x10, 0x00, 0xc0];
    case IMM_IWIB:
      return [0x08, 0x00, 0x01];
    default:
      throw new Error(`unknown immediate kind ${kind}`);
  }
}

/** Prefix sets tried on every form: none, operand size, a segment, address size (with 16-bit ModRM). */
const PREFIXES: readonly number[][] = [[], [0x66], [0x65], [0x67]];
/** Further prefixes tried on instructions without ModRM (string ops, rep, lock, stray segments). */
const EXTRA_PREFIXES: readonly number[][] = [[0xf3], [0xf2], [0x2e], [0xf0], [0x66, 0x66], [0x3e, 0x66]];

/** Every generated instruction, one byte array each. */
export function sweepInstructions(): number[][] {
  const out: number[][] = [];
  for (let op = 0; op < 0x200; op++) {
    const entry = OPCODES[op];
    if (entry === undefined) continue;
    const opcode = op >= 0x100 ? [0x0f, op & 0xff] : [op];
    const rows: { reg: number; row: OpRow }[] = "group" in entry ? entry.group.flatMap((row, reg) => (row === undefined ? [] : [{ reg, row }])) : [0, 1, 2, 3, 4, 5, 6, 7].map((reg) => ({ reg, row: entry }));
    const x87 = op >= 0xd8 && op <= 0xdf;
    for (const { reg, row } of rows) {
      for (const prefix of row.modrm ? PREFIXES : [...PREFIXES, ...EXTRA_PREFIXES]) {
        const o16 = prefix.includes(0x66);
        const a16 = prefix.includes(0x67);
        const imm = immediate(row.imm, o16, a16);
        if (!row.modrm) {
          // FWAIT merges with a following x87 instruction in objdump's eyes: give it a NOP.
          if (reg === 0) out.push([...prefix, ...opcode, ...imm, ...(op === 0x9b ? [0x90] : [])]);
          continue;
        }
        if (!("group" in entry) && reg > 2 && !x87) continue;
        for (const form of a16 ? MODRM16 : MODRM32) {
          const modrm = form(reg);
          if (modrm[0]! >> 6 === 3 && (row.opts & 2) !== 0) continue;
          out.push([...prefix, ...opcode, ...modrm, ...imm]);
        }
      }
    }
    if (x87) {
      // Every register form of the escape: the handler decides which are valid.
      for (let m = 0xc0; m <= 0xff; m++) out.push([...opcode, m]);
    }
  }
  return out;
}
