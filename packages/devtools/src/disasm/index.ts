// Public exports of the disassembler (re-exported by src/index.ts).
import { decodeInstruction } from "./decode.js";
import { type DisasmSyntax, formatInstruction, type TargetNamer } from "./format.js";

export { decodeInstruction } from "./decode.js";
export type { DecodedInsn, DisasmOperand } from "./decode.js";
export { formatInstruction, formatObjdumpLines } from "./format.js";
export type { DisasmSyntax, TargetNamer } from "./format.js";
export { DISASM_MAP } from "./opcode-map.js";
export type { DisasmEntry, DisasmGroup, DisasmRow } from "./opcode-map.js";

/** One disassembled instruction. */
export interface DisasmLine {
  /** Its linear address. */
  readonly address: number;
  /** Its bytes. */
  readonly bytes: Uint8Array;
  /** objdump's text for it (`mov    %esp,%ebp`), or `(bad)` for bytes it does not know. */
  readonly text: string;
  /** False for `(bad)`: bytes that are no instruction x86-core executes. */
  readonly known: boolean;
  /** A direct branch's target, else null. */
  readonly target: number | null;
}

/** Options of {@link disassemble}. */
export interface DisassembleOptions {
  /** Address of `bytes[0]` (default 0). */
  readonly address?: number;
  /** `att` (default) or `intel`. */
  readonly syntax?: DisasmSyntax;
  /** Names branch targets (`<name+0x10>`), e.g. `makeSymbolizer(readElfSymbols(elf))`. */
  readonly namer?: TargetNamer | null;
  /** Stop after this many instructions (default: all the bytes hold). */
  readonly count?: number;
}

/**
 * Disassemble `bytes` from the start, one instruction after another, as objdump's linear
 * sweep does (an unknown byte is one `(bad)` and the sweep goes on after it). An instruction
 * cut off by the end of the bytes is left out.
 */
export function disassemble(bytes: Uint8Array, options: DisassembleOptions = {}): DisasmLine[] {
  const base = options.address ?? 0;
  const syntax = options.syntax ?? "att";
  const limit = options.count ?? Number.POSITIVE_INFINITY;
  const at = (k: number) => (k < bytes.length ? bytes[k]! : -1);
  const lines: DisasmLine[] = [];
  for (let k = 0; k < bytes.length && lines.length < limit; ) {
    const insn = decodeInstruction(at, k, (base + k) >>> 0);
    if (insn.length === 0 || k + insn.length > bytes.length) break;
    lines.push({ address: (base + k) >>> 0, bytes: bytes.subarray(k, k + insn.length), text: formatInstruction(insn, syntax, options.namer ?? null), known: insn.known, target: insn.target });
    k += insn.length;
  }
  return lines;
}
