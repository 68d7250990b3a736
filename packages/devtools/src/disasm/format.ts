/**
 * Spelling a decoded instruction the way objdump (binutils 2.40) does, in AT&T or Intel
 * syntax, and objdump's `-d` line layout around it.
 */
import type { DecodedInsn, DisasmOperand } from "./decode.js";

/** Assembly syntax: AT&T (objdump's default) or Intel (`objdump -M intel`). */
export type DisasmSyntax = "att" | "intel";

/** Names a branch target: `"name+0x10"` or `"name"`, or null for none (objdump's `<…>`). */
export type TargetNamer = (address: number) => string | null;

function hex(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}

function signedHex(n: number): string {
  return n < 0 ? `-0x${(-n >>> 0).toString(16)}` : hex(n);
}

function memDisplacement(o: Extract<DisasmOperand, { kind: "mem" }>): string {
  const value = o.addressSize === 16 ? (o.displacement << 16) >> 16 : o.displacement | 0;
  if (o.base === null && o.index === null) return hex(o.addressSize === 16 ? o.displacement & 0xffff : o.displacement);
  return signedHex(value);
}

function attOperand(o: DisasmOperand, namer: TargetNamer | null): string {
  switch (o.kind) {
    case "reg":
      return `%${o.name}`;
    case "port":
      return "(%dx)";
    case "imm":
      return `$${hex(o.value)}`;
    case "rel":
      return branchTarget(o.target, namer);
    case "far":
      return `$${hex(o.selector)},$${hex(o.offset)}`;
    case "one":
      return "";
    case "mem": {
      const seg = o.segment === null ? "" : `%${o.segment}:`;
      const disp = o.hasDisplacement || (o.base === null && o.index === null) ? memDisplacement(o) : "";
      if (o.base === null && o.index === null) return `${seg}${disp}`;
      // 16-bit forms pair two registers without a scale: (%bx,%si).
      const scale = o.scale === 0 ? "" : `,${o.scale}`;
      const inner = o.index === null ? `%${o.base}` : `${o.base === null ? "" : `%${o.base}`},%${o.index}${scale}`;
      return `${seg}${disp}(${inner})`;
    }
  }
}

function intelOperand(o: DisasmOperand, namer: TargetNamer | null): string {
  switch (o.kind) {
    case "reg":
      return o.name.startsWith("db") ? `dr${o.name.slice(2)}` : o.name;
    case "port":
      return "dx";
    case "imm":
      return hex(o.value);
    case "rel":
      return branchTarget(o.target, namer);
    case "far":
      return `${hex(o.selector)}:${hex(o.offset)}`;
    case "one":
      return "1";
    case "mem": {
      const ptr = o.size === "" ? "" : `${o.size} PTR `;
      if (o.base === null && o.index === null) return `${ptr}${o.segment ?? "ds"}:${memDisplacement(o)}`;
      let inner = o.base ?? "";
      if (o.index !== null) inner += `${inner === "" ? "" : "+"}${o.index}${o.scale === 0 ? "" : `*${o.scale}`}`;
      if (o.hasDisplacement) {
        const d = memDisplacement(o);
        inner += d.startsWith("-") ? d : `+${d}`;
      }
      return `${ptr}${o.segment === null ? "" : `${o.segment}:`}[${inner}]`;
    }
  }
}

function branchTarget(target: number, namer: TargetNamer | null): string {
  const name = namer?.(target) ?? null;
  // objdump writes a bare address with 0x, one it can name without it: `c0100026 <_start+0x26>`.
  return name === null ? hex(target) : `${(target >>> 0).toString(16)} <${name}>`;
}

/**
 * The instruction as objdump prints it after the bytes: prefixes, mnemonic padded to six
 * columns, operands (`mov    %esp,%ebp`, `mov    ebp,esp`).
 * @param namer - names branch targets as objdump does with symbols (`<_start+0x26>`).
 */
export function formatInstruction(insn: DecodedInsn, syntax: DisasmSyntax = "att", namer: TargetNamer | null = null): string {
  const att = syntax === "att";
  const mnemonic = [...(att ? insn.attPrefixes : insn.intelPrefixes), att ? insn.att : insn.intel].join(" ");
  const shown = insn.operands.filter((o) => att ? o.kind !== "one" : true);
  if (shown.length === 0) return mnemonic;
  const parts = (att && !insn.keepOrder ? [...shown].reverse() : shown).map((o) => (att ? attOperand(o, namer) : intelOperand(o, namer)));
  const star = att && insn.indirect ? "*" : "";
  return `${mnemonic.padEnd(6)} ${star}${parts.join(",")}`;
}

/** Two hex digits. */
function byteHex(b: number): string {
  return b.toString(16).padStart(2, "0");
}

/**
 * objdump's `-d` lines for one instruction: `%8x:\t` address, up to seven bytes per line
 * (`xx ` each, padded to 21 columns), a tab and the text; longer instructions continue on
 * lines of their own with the rest of the bytes (`xx ` each, no text).
 */
export function formatObjdumpLines(address: number, bytes: ArrayLike<number>, text: string): string[] {
  const chunk = (k: number) => Array.from({ length: Math.max(0, Math.min(7, bytes.length - k)) }, (_, j) => `${byteHex(bytes[k + j]!)} `).join("");
  const where = (k: number) => `${((address + k) >>> 0).toString(16).padStart(8)}:\t`;
  const lines = [`${where(0)}${chunk(0).padEnd(21)}\t${text}`];
  for (let k = 7; k < bytes.length; k += 7) lines.push(`${where(k)}${chunk(k)}`);
  return lines;
}
