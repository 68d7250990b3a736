/**
 * Symbols of a 32-bit ELF file, for turning addresses into `name+0x12` in traces, monitors
 * and listings.
 *
 * Reference: System V ABI, ELF object file format (Elf32_Ehdr: e_shoff at 32, e_shentsize at
 * 46, e_shnum at 48; Elf32_Shdr: sh_type at 4 (SHT_SYMTAB 2), sh_offset 16, sh_size 20,
 * sh_link 24, sh_entsize 36; Elf32_Sym: st_name 0, st_value 4, st_size 8, st_info 12 with
 * STT_OBJECT 1 and STT_FUNC 2, st_shndx 14).
 */

/** One symbol with an address. */
export interface ElfSymbol {
  readonly name: string;
  readonly address: number;
  readonly size: number;
  readonly kind: "func" | "object" | "other";
}

const SHT_SYMTAB = 2;

/**
 * The named, defined symbols of an ELF32 little-endian file, sorted by address. Returns an
 * empty list for a file without a symbol table (stripped) and null when `bytes` is not ELF32.
 */
export function readElfSymbols(bytes: Uint8Array): ElfSymbol[] | null {
  if (bytes.length < 52 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46 || bytes[4] !== 1 || bytes[5] !== 1) return null;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shoff = v.getUint32(32, true);
  const shentsize = v.getUint16(46, true);
  const shnum = v.getUint16(48, true);
  const section = (i: number) => shoff + i * shentsize;
  const out: ElfSymbol[] = [];
  if (shoff === 0 || shentsize < 40 || shoff + shnum * shentsize > bytes.length) return out;
  for (let i = 0; i < shnum; i++) {
    const sh = section(i);
    if (v.getUint32(sh + 4, true) !== SHT_SYMTAB) continue;
    const off = v.getUint32(sh + 16, true);
    const size = v.getUint32(sh + 20, true);
    const link = v.getUint32(sh + 24, true);
    const entsize = v.getUint32(sh + 36, true) || 16;
    if (link >= shnum || off + size > bytes.length) continue;
    const strOff = v.getUint32(section(link) + 16, true);
    const strSize = v.getUint32(section(link) + 20, true);
    if (strOff + strSize > bytes.length) continue;
    for (let s = off; s + 16 <= off + size; s += entsize) {
      const nameAt = v.getUint32(s, true);
      const value = v.getUint32(s + 4, true);
      const type = bytes[s + 12]! & 0xf;
      const shndx = v.getUint16(s + 14, true);
      if (nameAt === 0 || nameAt >= strSize || shndx === 0 || type === 3 || type === 4) continue; // undefined, SECTION, FILE
      let end = strOff + nameAt;
      while (end < strOff + strSize && bytes[end] !== 0) end++;
      const name = String.fromCharCode(...bytes.subarray(strOff + nameAt, end));
      if (name === "" || name.startsWith("$")) continue;
      out.push({ name, address: value, size: v.getUint32(s + 8, true), kind: type === 2 ? "func" : type === 1 ? "object" : "other" });
    }
  }
  out.sort((a, b) => a.address - b.address || a.name.localeCompare(b.name));
  return out;
}

/**
 * A symbolizer over `symbols` (sorted by address): the nearest symbol at or below the
 * address, as `name` or `name+0xN`; null below the first symbol or past a sized symbol's end
 * by more than `slack` bytes.
 */
export function makeSymbolizer(symbols: readonly ElfSymbol[], slack = 0x10000): (address: number) => string | null {
  const addrs = symbols.map((s) => s.address);
  return (address) => {
    const a = address >>> 0;
    let lo = 0;
    let hi = addrs.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (addrs[mid]! <= a) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (best < 0) return null;
    const s = symbols[best]!;
    const off = a - s.address;
    if (s.size > 0 ? off >= s.size + slack : off >= slack) return null;
    return off === 0 ? s.name : `${s.name}+0x${off.toString(16)}`;
  };
}

/** The address of the symbol called `name`, or null. */
export function symbolAddress(symbols: readonly ElfSymbol[], name: string): number | null {
  return symbols.find((s) => s.name === name)?.address ?? null;
}
