/**
 * Building x86 descriptors as the pairs of dwords the GDT and IDT hold.
 *
 * Reference: SDM Vol. 3A §3.4.5 (segment descriptors: base 31..24 | flags | limit 19..16 |
 * access byte | base 23..0 | limit 15..0), §6.11 (interrupt and trap gates: offset 31..16 |
 * P DPL 0 type | selector | offset 15..0), §7.2.2 (TSS descriptor, type 9 available / 11 busy).
 */

/** A descriptor: low dword, high dword. */
export interface Descriptor {
  readonly lo: number;
  readonly hi: number;
}

/** Access byte of a flat ring-0 code segment: present, S, execute/read, accessed. */
export const ACCESS_CODE_RING0 = 0x9b;
/** Access byte of a flat ring-0 data segment: present, S, read/write, accessed. */
export const ACCESS_DATA_RING0 = 0x93;
/** Flags nibble: 4 KiB granularity, 32-bit. */
export const FLAGS_4K_32 = 0xc;
/** Gate type: 32-bit interrupt gate. */
export const GATE_INTERRUPT = 0xe;
/** Gate type: 32-bit trap gate. */
export const GATE_TRAP = 0xf;
/** System descriptor type: available 32-bit TSS. */
export const TSS_AVAILABLE = 0x9;
/** The bit that turns an available TSS type (9) into busy (11), in the access byte. */
export const TSS_BUSY_BIT = 0x2;

/** A code or data segment descriptor (`limit` in the descriptor's own units, 20 bits). */
export function segmentDescriptor(base: number, limit: number, access: number, flags: number): Descriptor {
  const lo = ((base & 0xffff) << 16) | (limit & 0xffff);
  const hi = (base & 0xff000000) | ((flags & 0xf) << 20) | (limit & 0xf0000) | ((access & 0xff) << 8) | ((base >>> 16) & 0xff);
  return { lo: lo | 0, hi: hi | 0 };
}

/** An interrupt or trap gate to `selector:offset` with privilege `dpl`, present. */
export function gateDescriptor(selector: number, offset: number, type: number, dpl: number): Descriptor {
  const lo = ((selector & 0xffff) << 16) | (offset & 0xffff);
  const hi = (offset & 0xffff0000) | 0x8000 | ((dpl & 3) << 13) | ((type & 0xf) << 8);
  return { lo: lo | 0, hi: hi | 0 };
}

/** An available 32-bit TSS descriptor at `base` (byte-granular limit), DPL 0. */
export function tssDescriptor(base: number, limit: number): Descriptor {
  return segmentDescriptor(base, limit, 0x80 | TSS_AVAILABLE, 0);
}

/** The handler offset a gate descriptor names. */
export function gateOffset(d: Descriptor): number {
  return ((d.hi & 0xffff0000) | (d.lo & 0xffff)) >>> 0;
}
