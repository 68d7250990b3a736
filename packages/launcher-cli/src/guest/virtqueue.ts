/**
 * The Launcher's side of one virtqueue: a legacy split virtio ring in Guest memory, read and
 * written with bounds checks (a Guest's nonsense is its own problem, never the Launcher's).
 *
 * Reference: Virtio 1.0 §2.4 "Virtqueues" legacy interface (§2.4.2 legacy layout: descriptor
 * table of 16-byte entries {addr u64, len u32, flags u16, next u16}; available ring {flags,
 * idx, ring[num], used_event}; used ring {flags, idx, ring[num] of {id u32, len u32},
 * avail_event}, starting at the next `align` boundary), flags NEXT = 1, WRITE = 2; avail flag
 * NO_INTERRUPT = 1; lguest-abi.md §8.3 (LGUEST_VRING_ALIGN 4096, VIRTQUEUE_NUM 256).
 */

/** lguest's ring alignment. */
export const LGUEST_VRING_ALIGN = 4096;
/** Entries per ring (lguest's VIRTQUEUE_NUM). */
export const VIRTQUEUE_NUM = 256;
/** Descriptor flag: the buffer continues in `next`. */
export const VRING_DESC_F_NEXT = 1;
/** Descriptor flag: the device writes this buffer (the Guest reads it). */
export const VRING_DESC_F_WRITE = 2;
/** Available-ring flag: the Guest asks for no interrupt when buffers are used. */
export const VRING_AVAIL_F_NO_INTERRUPT = 1;

/** Bytes a ring of `num` entries occupies (legacy layout, `align` between the two halves). */
export function vringSize(num: number, align = LGUEST_VRING_ALIGN): number {
  const first = 16 * num + 2 * (3 + num);
  return Math.ceil(first / align) * align + 2 * 3 + 8 * num;
}

/** One buffer of a chain: where it is in the Launcher's view and whether the device may write it. */
export interface VirtBuffer {
  /** Guest-physical address. */
  readonly addr: number;
  /** Bytes. */
  readonly len: number;
  /** Device-writable. */
  readonly write: boolean;
}

/** A chain taken from the available ring: its head id and its buffers. */
export interface VirtChain {
  readonly head: number;
  readonly buffers: VirtBuffer[];
}

/** Guest memory as the Launcher sees it: bytes and their length. */
export interface GuestView {
  readonly bytes: Uint8Array;
  readonly view: DataView;
}

/** The device side of a virtqueue whose ring lives at Guest-physical `ringAddress`. */
export class Virtqueue {
  private lastAvail = 0;
  private readonly desc: number;
  private readonly avail: number;
  private readonly used: number;

  /**
   * @param guest - Guest-physical memory.
   * @param ringAddress - where the ring starts (page aligned).
   * @param num - entries.
   * @param irq - the interrupt to raise when buffers are used.
   */
  constructor(
    private readonly guest: GuestView,
    readonly ringAddress: number,
    readonly num: number,
    readonly irq: number,
  ) {
    this.desc = ringAddress;
    this.avail = ringAddress + 16 * num;
    this.used = ringAddress + Math.ceil((16 * num + 2 * (3 + num)) / LGUEST_VRING_ALIGN) * LGUEST_VRING_ALIGN;
  }

  /** Forget progress (the Guest reset the device). */
  reset(): void {
    this.lastAvail = 0;
  }

  /** The next chain the Guest made available, or null. Throws a message for a malformed chain. */
  take(): VirtChain | null {
    const v = this.guest.view;
    const availIdx = v.getUint16(this.avail + 2, true);
    if (this.lastAvail === availIdx) return null;
    const head = v.getUint16(this.avail + 4 + 2 * (this.lastAvail % this.num), true);
    this.lastAvail = (this.lastAvail + 1) & 0xffff;
    if (head >= this.num) throw new Error(`virtqueue at ${this.ringAddress}: descriptor ${head} out of range`);
    const buffers: VirtBuffer[] = [];
    let i = head;
    for (let n = 0; n <= this.num; n++) {
      const d = this.desc + 16 * i;
      const addr = v.getUint32(d, true);
      const high = v.getUint32(d + 4, true);
      const len = v.getUint32(d + 8, true);
      const flags = v.getUint16(d + 12, true);
      if (high !== 0 || addr + len > this.guest.bytes.length) {
        throw new Error(`virtqueue at ${this.ringAddress}: buffer outside Guest memory`);
      }
      buffers.push({ addr, len, write: (flags & VRING_DESC_F_WRITE) !== 0 });
      if ((flags & VRING_DESC_F_NEXT) === 0) return { head, buffers };
      i = v.getUint16(d + 14, true);
      if (i >= this.num) throw new Error(`virtqueue at ${this.ringAddress}: descriptor ${i} out of range`);
    }
    throw new Error(`virtqueue at ${this.ringAddress}: descriptor chain loops`);
  }

  /** Return chain `head` to the Guest with `written` bytes written. @returns whether to interrupt. */
  put(head: number, written: number): boolean {
    const v = this.guest.view;
    const idx = v.getUint16(this.used + 2, true);
    const slot = this.used + 4 + 8 * (idx % this.num);
    v.setUint32(slot, head, true);
    v.setUint32(slot + 4, written, true);
    v.setUint16(this.used + 2, (idx + 1) & 0xffff, true);
    return (v.getUint16(this.avail, true) & VRING_AVAIL_F_NO_INTERRUPT) === 0;
  }
}
