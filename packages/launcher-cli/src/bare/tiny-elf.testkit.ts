/**
 * Test support: write small ELF32 images and multiboot headers byte by byte,
 * following the System V ABI layouts, so loader tests do not need a toolchain.
 */

/** One segment for {@link tinyElf}. */
export interface TinySegment {
  /** Physical load address. */
  paddr: number;
  /** Virtual address (defaults to `paddr`). */
  vaddr?: number;
  /** File contents of the segment. */
  data: Uint8Array;
  /** Memory size (defaults to `data.length`). */
  memsz?: number;
  /** p_flags (defaults to R+X = 5). */
  flags?: number;
  /** p_type (defaults to PT_LOAD = 1). */
  type?: number;
}

/** Header fields for {@link tinyElf}. */
export interface TinyElfOptions {
  entry: number;
  segments: TinySegment[];
  /** EI_CLASS (1 = 32-bit). */
  elfClass?: number;
  /** EI_DATA (1 = little-endian). */
  data?: number;
  /** e_machine (3 = EM_386). */
  machine?: number;
  /** e_type (2 = ET_EXEC). */
  type?: number;
}

/** Build an ELF32 file: header, program headers, then each segment's bytes 16-byte aligned. */
export function tinyElf(o: TinyElfOptions): Uint8Array {
  const phoff = 52;
  let offset = phoff + 32 * o.segments.length;
  const offsets = o.segments.map((s) => {
    offset = (offset + 15) & ~15;
    const at = offset;
    offset += s.data.length;
    return at;
  });
  const out = new Uint8Array(offset);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, o.elfClass ?? 1, o.data ?? 1, 1], 0);
  v.setUint16(16, o.type ?? 2, true);
  v.setUint16(18, o.machine ?? 3, true);
  v.setUint32(20, 1, true);
  v.setUint32(24, o.entry, true);
  v.setUint32(28, phoff, true);
  v.setUint16(40, 52, true);
  v.setUint16(42, 32, true);
  v.setUint16(44, o.segments.length, true);
  o.segments.forEach((s, i) => {
    const at = phoff + 32 * i;
    v.setUint32(at, s.type ?? 1, true);
    v.setUint32(at + 4, offsets[i]!, true);
    v.setUint32(at + 8, s.vaddr ?? s.paddr, true);
    v.setUint32(at + 12, s.paddr, true);
    v.setUint32(at + 16, s.data.length, true);
    v.setUint32(at + 20, s.memsz ?? s.data.length, true);
    v.setUint32(at + 24, s.flags ?? 5, true);
    v.setUint32(at + 28, 16, true);
    out.set(s.data, offsets[i]!);
  });
  return out;
}

/** A multiboot header: magic, flags, checksum, then `extra` 32-bit fields (the flag-16 addresses). */
export function multibootHeader(flags: number, extra: number[] = [], checksumDelta = 0): Uint8Array {
  const out = new Uint8Array(12 + 4 * extra.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0x1badb002, true);
  v.setUint32(4, flags >>> 0, true);
  v.setUint32(8, (-(0x1badb002 + flags) + checksumDelta) >>> 0, true);
  extra.forEach((x, i) => {
    v.setUint32(12 + 4 * i, x >>> 0, true);
  });
  return out;
}

/** Concatenate byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** `n` bytes of `value`. */
export function bytes(n: number, value = 0): Uint8Array {
  return new Uint8Array(n).fill(value);
}
