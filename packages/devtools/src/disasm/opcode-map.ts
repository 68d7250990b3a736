/**
 * The disassembler's opcode maps: one row per opcode, hex first, in the SDM's operand notation
 * (Vol. 2 Appendix A). The rows name what the *text* needs — mnemonics for both syntaxes and
 * the operands in Intel order — and nothing of what the instruction does; x86-core's own table
 * holds that. Coverage is x86-core's: every opcode the CPU executes has a row here, and a test
 * holds the two tables to each other.
 *
 * Operand codes: E/G ModRM rm/reg (b byte, v operand size, w word, d dword), M memory only
 * (Mp far pointer, Ma bound pair, Mq quadword, Ms descriptor-table pointer), S segment register
 * from reg, C/D control and debug register from reg, R general register from rm, I immediate (b
 * byte, bs byte sign-extended to the operand size, w word, v operand size), J relative target
 * (b byte, v operand size), Ap direct far pointer, O moffs (b, v), Z register from the opcode's
 * low bits (b, v), X/Y the string source ds:esi and destination es:edi (b, v), fixed registers
 * by name (AL, eAX, CL, DX, ES…), `1` the implicit shift count.
 *
 * Mnemonic notation: `name` is the same in both syntaxes; `att/intel` differ; `%b`, `%v` or
 * `%w` marks the AT&T size suffix that objdump adds when no operand is a register (`%w`: only
 * at 16-bit operand size); a leading `=` keeps Intel's operand order in AT&T; `{w|l}`
 * picks by operand size (16|32), `[cx|ecx]` by address size.
 */

/** One decoded row. */
export interface DisasmRow {
  /** AT&T mnemonic template. */
  readonly att: string;
  /** Intel mnemonic template. */
  readonly intel: string;
  /** Operand codes, Intel order (destination first). */
  readonly operands: readonly string[];
  /** AT&T size suffix when no register operand: "b", "v" (w or l), "w" (w at 16-bit operand size only), or "" (none). */
  readonly suffix: "" | "b" | "v" | "w";
  /** objdump keeps Intel's operand order in AT&T too (`bound`, `enter`). */
  readonly keepOrder: boolean;
}

/** A group: ModRM.reg picks the row (undefined: not an instruction x86-core executes). */
export interface DisasmGroup {
  readonly group: readonly (DisasmRow | undefined)[];
  /** Rows for register forms (mod = 3) when they differ from memory forms. */
  readonly registerGroup?: readonly (DisasmRow | undefined)[];
}

/** An entry of a map. */
export type DisasmEntry = DisasmRow | DisasmGroup;

/** Parse `"att/intel%s Op,Op"` into a row. */
function row(spec: string): DisasmRow {
  const space = spec.indexOf(" ");
  let name = space < 0 ? spec : spec.slice(0, space);
  const operands = space < 0 ? [] : spec.slice(space + 1).split(",");
  const keepOrder = name.startsWith("=");
  if (keepOrder) name = name.slice(1);
  let suffix: "" | "b" | "v" | "w" = "";
  const marker = /%([bvw])/.exec(name);
  if (marker !== null) {
    suffix = marker[1] as "b" | "v" | "w";
    name = name.replace(marker[0], "");
  }
  const slash = name.indexOf("/");
  return { att: slash < 0 ? name : name.slice(0, slash), intel: slash < 0 ? name : name.slice(slash + 1), operands, suffix, keepOrder };
}

function group(specs: readonly (string | null)[], registerSpecs?: readonly (string | null)[]): DisasmGroup {
  const rows = (s: readonly (string | null)[]) => s.map((x) => (x === null ? undefined : row(x)));
  return registerSpecs === undefined ? { group: rows(specs) } : { group: rows(specs), registerGroup: rows(registerSpecs) };
}

const ALU = ["add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"];
// /6 is SAL, an alias objdump spells shl.
const SHIFTS = ["rol", "ror", "rcl", "rcr", "shl", "shr", "shl", "sar"];
const CC = ["o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"];
const REG_ORDER = 8;

/** The one-byte map (index 0x00–0xFF) and the 0F map (0x100–0x1FF). */
export const DISASM_MAP: readonly (DisasmEntry | undefined)[] = (() => {
  const m: (DisasmEntry | undefined)[] = new Array(0x200).fill(undefined);
  const set = (op: number, e: DisasmEntry) => {
    m[op] = e;
  };
  const r = (op: number, spec: string) => set(op, row(spec));
  ALU.forEach((name, k) => {
    const b = k * 8;
    r(b + 0, `${name} Eb,Gb`);
    r(b + 1, `${name} Ev,Gv`);
    r(b + 2, `${name} Gb,Eb`);
    r(b + 3, `${name} Gv,Ev`);
    r(b + 4, `${name} AL,Ib`);
    r(b + 5, `${name} eAX,Iv`);
  });
  r(0x06, "push{w|} ES");
  r(0x07, "pop{w|} ES");
  r(0x0e, "push{w|} CS");
  r(0x16, "push{w|} SS");
  r(0x17, "pop{w|} SS");
  r(0x1e, "push{w|} DS");
  r(0x1f, "pop{w|} DS");
  r(0x27, "daa");
  r(0x2f, "das");
  r(0x37, "aaa");
  r(0x3f, "aas");
  for (let k = 0; k < REG_ORDER; k++) {
    r(0x40 + k, "inc Zv");
    r(0x48 + k, "dec Zv");
    r(0x50 + k, "push Zv");
    r(0x58 + k, "pop Zv");
  }
  r(0x60, "pusha{w|}/pusha{w|}");
  r(0x61, "popa{w|}/popa{w|}");
  r(0x62, "=bound Gv,Ma");
  r(0x63, "arpl Ew,Gw");
  r(0x68, "push{w|} Iv");
  r(0x69, "imul Gv,Ev,Iv");
  r(0x6a, "push{w|} Ibs");
  r(0x6b, "imul Gv,Ev,Ibs");
  r(0x6c, "ins%b Yb,DX");
  r(0x6d, "ins%v Yv,DX");
  r(0x6e, "outs%b DX,Xb");
  r(0x6f, "outs%v DX,Xv");
  CC.forEach((cc, k) => {
    r(0x70 + k, `j${cc} Jb`);
    r(0x140 + k, `cmov${cc} Gv,Ev`);
    r(0x180 + k, `j${cc} Jv`);
    r(0x190 + k, `set${cc} Eb`);
  });
  set(0x80, group(ALU.map((n) => `${n}%b Eb,Ib`)));
  set(0x81, group(ALU.map((n) => `${n}%v Ev,Iv`)));
  set(0x82, group(ALU.map((n) => `${n}%b Eb,Ib`)));
  set(0x83, group(ALU.map((n) => `${n}%v Ev,Ibs`)));
  r(0x84, "test Eb,Gb");
  r(0x85, "test Ev,Gv");
  r(0x86, "xchg Eb,Gb");
  r(0x87, "xchg Ev,Gv");
  r(0x88, "mov Eb,Gb");
  r(0x89, "mov Ev,Gv");
  r(0x8a, "mov Gb,Eb");
  r(0x8b, "mov Gv,Ev");
  r(0x8c, "mov Esw,Sw");
  r(0x8d, "lea Gv,M");
  r(0x8e, "mov Sw,Esw");
  set(0x8f, group(["pop%w Ev", null, null, null, null, null, null, null]));
  r(0x90, "nop");
  for (let k = 1; k < REG_ORDER; k++) r(0x90 + k, "xchg Zv,eAX");
  r(0x98, "c{btw|wtl}/c{bw|wde}");
  r(0x99, "c{wtd|ltd}/c{wd|dq}");
  r(0x9a, "lcall{w|}/call Ap");
  r(0x9b, "fwait");
  r(0x9c, "pushf{w|}/pushf{w|}");
  r(0x9d, "popf{w|}/popf{w|}");
  r(0x9e, "sahf");
  r(0x9f, "lahf");
  r(0xa0, "mov AL,Ob");
  r(0xa1, "mov eAX,Ov");
  r(0xa2, "mov Ob,AL");
  r(0xa3, "mov Ov,eAX");
  r(0xa4, "movs%b Yb,Xb");
  r(0xa5, "movs%v Yv,Xv");
  r(0xa6, "cmps%b Xb,Yb");
  r(0xa7, "cmps%v Xv,Yv");
  r(0xa8, "test AL,Ib");
  r(0xa9, "test eAX,Iv");
  r(0xaa, "stos%b Yb,AL");
  r(0xab, "stos%v Yv,eAX");
  r(0xac, "lods%b AL,Xb");
  r(0xad, "lods%v eAX,Xv");
  r(0xae, "scas%b AL,Yb");
  r(0xaf, "scas%v eAX,Yv");
  for (let k = 0; k < REG_ORDER; k++) {
    r(0xb0 + k, "mov Zb,Ib");
    r(0xb8 + k, "mov Zv,Iv");
    r(0x1c8 + k, "bswap Zv");
  }
  set(0xc0, group(SHIFTS.map((n) => `${n}%b Eb,Ib`)));
  set(0xc1, group(SHIFTS.map((n) => `${n}%v Ev,Ib`)));
  r(0xc2, "ret{w|} Iw");
  r(0xc3, "ret{w|}");
  r(0xc4, "les Gv,Mp");
  r(0xc5, "lds Gv,Mp");
  set(0xc6, group(["mov%b Eb,Ib", null, null, null, null, null, null, null]));
  set(0xc7, group(["mov%v Ev,Iv", null, null, null, null, null, null, null]));
  r(0xc8, "=enter{w|} Iw,Ib2");
  r(0xc9, "leave{w|}");
  r(0xca, "lret{w|}/retf{w|} Iw");
  r(0xcb, "lret{w|}/retf{w|}");
  r(0xcc, "int3");
  r(0xcd, "int Ib");
  r(0xce, "into");
  r(0xcf, "iret{w|}");
  set(0xd0, group(SHIFTS.map((n) => `${n}%b Eb,1`)));
  set(0xd1, group(SHIFTS.map((n) => `${n}%v Ev,1`)));
  set(0xd2, group(SHIFTS.map((n) => `${n}%b Eb,CL`)));
  set(0xd3, group(SHIFTS.map((n) => `${n}%v Ev,CL`)));
  r(0xd4, "aam Ib");
  r(0xd5, "aad Ib");
  r(0xd7, "xlat Xlat");
  r(0xe0, "loopne[w|]/loopne Jb");
  r(0xe1, "loope[w|]/loope Jb");
  r(0xe2, "loop[w|]/loop Jb");
  r(0xe3, "j[cx|ecx]z Jb");
  r(0xe4, "in AL,Ib");
  r(0xe5, "in eAX,Ib");
  r(0xe6, "out Ib,AL");
  r(0xe7, "out Ib,eAX");
  r(0xe8, "call{w|} Jv");
  r(0xe9, "jmp{w|} Jv");
  r(0xea, "ljmp{w|}/jmp Ap");
  r(0xeb, "jmp Jb");
  r(0xec, "in AL,DX");
  r(0xed, "in eAX,DX");
  r(0xee, "out DX,AL");
  r(0xef, "out DX,eAX");
  r(0xf1, "int1");
  r(0xf4, "hlt");
  r(0xf5, "cmc");
  const grp3 = (s: "b" | "v") => [`test%${s} E${s},I${s}`, `test%${s} E${s},I${s}`, `not%${s} E${s}`, `neg%${s} E${s}`, `mul%${s} E${s}`, `imul%${s} E${s}`, `div%${s} E${s}`, `idiv%${s} E${s}`];
  set(0xf6, group(grp3("b")));
  set(0xf7, group(grp3("v")));
  r(0xf8, "clc");
  r(0xf9, "stc");
  r(0xfa, "cli");
  r(0xfb, "sti");
  r(0xfc, "cld");
  r(0xfd, "std");
  set(0xfe, group(["inc%b Eb", "dec%b Eb", null, null, null, null, null, null]));
  set(0xff, group(["inc%v Ev", "dec%v Ev", "call%w *Ev", "lcall%w/call *Mp", "jmp%w *Ev", "ljmp%w/jmp *Mp", "push%w Ev", null]));
  // The 0F map.
  set(0x100, group(["sldt Esw", "str Esw", "lldt Ew", "ltr Ew", "verr Ew", "verw Ew", null, null]));
  set(0x101, group(["sgdt{w|l}/sgdt{w|d} Ms", "sidt{w|l}/sidt{w|d} Ms", "lgdt{w|l}/lgdt{w|d} Ms", "lidt{w|l}/lidt{w|d} Ms", "smsw Esw", null, "lmsw Ew", "invlpg Mb"], [null, null, null, null, "smsw Esw", null, "lmsw Ew", null]));
  r(0x102, "lar Gv,Esw");
  r(0x103, "lsl Gv,Esw");
  r(0x106, "clts");
  r(0x108, "invd");
  r(0x109, "wbinvd");
  r(0x10b, "ud2");
  set(0x118, group(["prefetchnta Mb", "prefetcht0 Mb", "prefetcht1 Mb", "prefetcht2 Mb", "nop%v Ev", "nop%v Ev", "nop%v Ev", "nop%v Ev"], ["nop Ev", "nop Ev", "nop Ev", "nop Ev", "nop Ev", "nop Ev", "nop Ev", "nop Ev"]));
  for (let k = 0x119; k <= 0x11f; k++) r(k, "nop%v Ev");
  r(0x120, "mov Rd,Cd");
  r(0x121, "mov Rd,Dd");
  r(0x122, "mov Cd,Rd");
  r(0x123, "mov Dd,Rd");
  r(0x130, "wrmsr");
  r(0x131, "rdtsc");
  r(0x132, "rdmsr");
  r(0x133, "rdpmc");
  r(0x134, "sysenter");
  r(0x135, "sysexit");
  r(0x1a0, "push{w|} FS");
  r(0x1a1, "pop{w|} FS");
  r(0x1a2, "cpuid");
  r(0x1a3, "bt Ev,Gv");
  r(0x1a4, "shld Ev,Gv,Ib");
  r(0x1a5, "shld Ev,Gv,CL");
  r(0x1a8, "push{w|} GS");
  r(0x1a9, "pop{w|} GS");
  r(0x1ab, "bts Ev,Gv");
  r(0x1ac, "shrd Ev,Gv,Ib");
  r(0x1ad, "shrd Ev,Gv,CL");
  r(0x1af, "imul Gv,Ev");
  r(0x1b0, "cmpxchg Eb,Gb");
  r(0x1b1, "cmpxchg Ev,Gv");
  r(0x1b2, "lss Gv,Mp");
  r(0x1b3, "btr Ev,Gv");
  r(0x1b4, "lfs Gv,Mp");
  r(0x1b5, "lgs Gv,Mp");
  r(0x1b6, "movzb{w|l}/movzx Gv,Eb");
  r(0x1b7, "movzw{w|l}/movzx Gv,Ew");
  set(0x1ba, group([null, null, null, null, "bt%v Ev,Ib", "bts%v Ev,Ib", "btr%v Ev,Ib", "btc%v Ev,Ib"]));
  r(0x1bb, "btc Ev,Gv");
  r(0x1bc, "bsf Gv,Ev");
  r(0x1bd, "bsr Gv,Ev");
  r(0x1be, "movsb{w|l}/movsx Gv,Eb");
  r(0x1bf, "movsw{w|l}/movsx Gv,Ew");
  r(0x1c0, "xadd Eb,Gb");
  r(0x1c1, "xadd Ev,Gv");
  set(0x1c7, group([null, "cmpxchg8b Mq", null, null, null, null, null, null], [null, null, null, null, null, null, null, null]));
  return m;
})();

/** Whether an opcode-map entry is a group. */
export function isGroup(e: DisasmEntry): e is DisasmGroup {
  return (e as DisasmGroup).group !== undefined;
}
