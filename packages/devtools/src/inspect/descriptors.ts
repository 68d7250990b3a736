/**
 * Segment descriptors and gates decoded for people.
 *
 * Reference: SDM Vol. 3A §3.4.5 (segment descriptor: base 31..24/23..16/15..0, limit 19..0,
 * G, D/B, P, DPL, S, type), §6.11 (IDT gate: offset, selector, P, DPL, type 0xE interrupt /
 * 0xF trap / 0x5 task), §7.2.1 (the 32-bit TSS), lguest-abi.md §4–§5 (the Guest's IDT as
 * LOAD_IDT_ENTRY stored it; the GDT after the Host's fix-ups).
 */

/** A decoded segment descriptor. */
export interface SegmentView {
  readonly index: number;
  readonly present: boolean;
  readonly base: number;
  /** Limit in bytes minus one (G applied). */
  readonly limit: number;
  readonly dpl: number;
  /** Code, data, or the system type's name (TSS, LDT, gate). */
  readonly kind: string;
  /** 32-bit (D/B set). */
  readonly big: boolean;
  readonly raw: readonly [number, number];
}

/** A decoded IDT gate. */
export interface GateView {
  readonly vector: number;
  readonly present: boolean;
  readonly selector: number;
  readonly offset: number;
  readonly dpl: number;
  /** "interrupt", "trap", "task" or "type N". */
  readonly kind: string;
  readonly raw: readonly [number, number];
}

const SYSTEM_TYPES: Readonly<Record<number, string>> = {
  1: "TSS16 available",
  2: "LDT",
  3: "TSS16 busy",
  4: "call gate 16",
  5: "task gate",
  6: "interrupt gate 16",
  7: "trap gate 16",
  9: "TSS available",
  11: "TSS busy",
  12: "call gate",
  14: "interrupt gate",
  15: "trap gate",
};

/** Decode the descriptor made of dwords `lo`, `hi` (GDT or LDT entry `index`). */
export function decodeSegment(index: number, lo: number, hi: number): SegmentView {
  const base = ((hi & 0xff000000) | ((hi & 0xff) << 16) | (lo >>> 16)) >>> 0;
  let limit = (hi & 0xf0000) | (lo & 0xffff);
  if (hi & (1 << 23)) limit = (limit * 4096 + 4095) >>> 0;
  const type = (hi >>> 8) & 0xf;
  const system = (hi & (1 << 12)) === 0;
  let kind: string;
  if (system) kind = SYSTEM_TYPES[type] ?? `system type ${type}`;
  else if (type & 8) kind = `code ${type & 2 ? "r-x" : "--x"}${type & 4 ? " conforming" : ""}${type & 1 ? " A" : ""}`;
  else kind = `data ${type & 2 ? "rw-" : "r--"}${type & 4 ? " down" : ""}${type & 1 ? " A" : ""}`;
  return {
    index,
    present: (hi & (1 << 15)) !== 0,
    base,
    limit,
    dpl: (hi >>> 13) & 3,
    kind,
    big: (hi & (1 << 22)) !== 0,
    raw: [lo >>> 0, hi >>> 0],
  };
}

/** Decode IDT gate `vector` from its dwords. */
export function decodeGate(vector: number, lo: number, hi: number): GateView {
  const type = (hi >>> 8) & 0x1f;
  const kind = type === 0xe ? "interrupt" : type === 0xf ? "trap" : type === 0x5 ? "task" : `type ${type}`;
  return {
    vector,
    present: (hi & (1 << 15)) !== 0,
    selector: lo >>> 16,
    offset: ((hi & 0xffff0000) | (lo & 0xffff)) >>> 0,
    dpl: (hi >>> 13) & 3,
    kind,
    raw: [lo >>> 0, hi >>> 0],
  };
}

/** Decode every entry of a table held as pairs of dwords (`lo`, `hi`); empty entries are skipped. */
export function decodeTable<T>(words: Int32Array | readonly number[], decode: (i: number, lo: number, hi: number) => T): T[] {
  const out: T[] = [];
  for (let i = 0; i * 2 + 1 < words.length; i++) {
    const lo = words[i * 2]!;
    const hi = words[i * 2 + 1]!;
    if (lo !== 0 || hi !== 0) out.push(decode(i, lo, hi));
  }
  return out;
}
