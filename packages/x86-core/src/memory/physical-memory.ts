/**
 * The Host's RAM: one flat byte array, addressed by physical address.
 *
 * Reference: SDM Vol. 1 §3.3 (physical address space) — IA-32 is little-endian
 * and allows unaligned accesses, so every width is offered at any address.
 * Accesses at or beyond `size` are "open bus": reads give all-ones, writes
 * are dropped, exactly as an unbacked ISA address would behave. Physical
 * addresses are non-negative numbers and may exceed 2^32 (PAE): they are
 * never wrapped.
 */

/** Bytes in one x86 page. */
export const PAGE_SIZE = 4096;
/** log2(PAGE_SIZE), for shifting addresses into page numbers. */
export const PAGE_SHIFT = 12;

/**
 * Physical memory over an `ArrayBuffer` or `SharedArrayBuffer`.
 *
 * Invariant: `size` is a multiple of 4 KiB and the views all alias `buffer`.
 * The typed-array views are public so the hot paths of the CPU and the page
 * walker can read them without a call; use the methods everywhere else.
 */
export class PhysicalMemory {
  /** The backing store (shareable with worker threads when a SharedArrayBuffer). */
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  /** Size in bytes; a multiple of {@link PAGE_SIZE}. */
  readonly size: number;
  /** Number of 4 KiB pages. */
  readonly pages: number;
  /** Byte view. */
  readonly u8: Uint8Array;
  /** Aligned 16-bit view (index = address >>> 1). */
  readonly u16: Uint16Array;
  /** Aligned 32-bit view (index = address >>> 2). */
  readonly i32: Int32Array;

  /**
   * @param sizeOrBuffer - bytes to allocate (rounded up to a page), or an existing buffer whose
   *   length is a multiple of 4 KiB.
   */
  constructor(sizeOrBuffer: number | ArrayBuffer | SharedArrayBuffer) {
    if (typeof sizeOrBuffer === "number") {
      const size = Math.ceil(sizeOrBuffer / PAGE_SIZE) * PAGE_SIZE;
      this.buffer = new ArrayBuffer(size);
    } else {
      if (sizeOrBuffer.byteLength % PAGE_SIZE !== 0) {
        throw new RangeError(`physical memory must be a multiple of 4 KiB, got ${sizeOrBuffer.byteLength} bytes`);
      }
      this.buffer = sizeOrBuffer;
    }
    this.size = this.buffer.byteLength;
    this.pages = this.size / PAGE_SIZE;
    this.u8 = new Uint8Array(this.buffer);
    this.u16 = new Uint16Array(this.buffer);
    this.i32 = new Int32Array(this.buffer);
  }

  /** Read a byte; open bus (0xFF) outside RAM. */
  read8(pa: number): number {
    return pa >= 0 && pa < this.size ? this.u8[pa]! : 0xff;
  }

  /** Read a little-endian 16-bit word at any alignment. */
  read16(pa: number): number {
    if ((pa & 1) === 0 && pa >= 0 && pa < this.size) return this.u16[pa >>> 1]!;
    return this.read8(pa) | (this.read8(pa + 1) << 8);
  }

  /** Read a little-endian 32-bit value (as a signed int32) at any alignment. */
  read32(pa: number): number {
    if ((pa & 3) === 0 && pa >= 0 && pa < this.size) return this.i32[pa >>> 2]!;
    return this.read8(pa) | (this.read8(pa + 1) << 8) | (this.read8(pa + 2) << 16) | (this.read8(pa + 3) << 24);
  }

  /** Write a byte; dropped outside RAM. */
  write8(pa: number, v: number): void {
    if (pa >= 0 && pa < this.size) this.u8[pa] = v;
  }

  /** Write a little-endian 16-bit word at any alignment. */
  write16(pa: number, v: number): void {
    if ((pa & 1) === 0 && pa >= 0 && pa < this.size) {
      this.u16[pa >>> 1] = v;
      return;
    }
    this.write8(pa, v);
    this.write8(pa + 1, v >>> 8);
  }

  /** Write a little-endian 32-bit value at any alignment. */
  write32(pa: number, v: number): void {
    if ((pa & 3) === 0 && pa >= 0 && pa < this.size) {
      this.i32[pa >>> 2] = v;
      return;
    }
    this.write8(pa, v);
    this.write8(pa + 1, v >>> 8);
    this.write8(pa + 2, v >>> 16);
    this.write8(pa + 3, v >>> 24);
  }

  /** Copy bytes into RAM (loaders). Throws a RangeError if they do not fit. */
  load(pa: number, bytes: Uint8Array): void {
    if (pa < 0 || pa + bytes.length > this.size) {
      throw new RangeError(`cannot load ${bytes.length} bytes at ${hex(pa)}: RAM ends at ${hex(this.size)}`);
    }
    this.u8.set(bytes, pa);
  }

  /** Zero a range of RAM. */
  fill(pa: number, length: number, value = 0): void {
    this.u8.fill(value, pa, pa + length);
  }
}

function hex(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}
