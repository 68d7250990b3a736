/**
 * The lguest bus: the page of device descriptors just above Guest RAM, the virtqueue rings
 * after it, and the dispatch of the Guest's NOTIFY kicks to devices.
 *
 * Reference: lguest-abi.md §8.2–§8.3, the v24–3.x row: the descriptor page is the first
 * page above RAM (the Guest finds it at max_pfn); `struct lguest_device_desc` {u8 type,
 * u8 num_vq, u8 feature_len, u8 config_len, u8 status, config[]} is followed by num_vq
 * `struct lguest_vqconfig` {u16 num, u16 irq, u32 pfn}, then the feature bits twice (the
 * Host's offer, the Guest's acceptance) and the config bytes; type 0 ends the list. A
 * queue is kicked with NOTIFY(pfn × 4096), a status change with NOTIFY(address of the
 * descriptor); status 0 resets the device.
 */
import { LGUEST_VRING_ALIGN, type GuestView, Virtqueue, VIRTQUEUE_NUM, vringSize } from "./virtqueue.js";

/** Pages above RAM the Launcher reserves for the bus (lguest's DEVICE_PAGES). */
export const DEVICE_PAGES = 256;
/** Bytes of a descriptor header. */
const DESC_HEADER = 5;
/** Bytes of one `struct lguest_vqconfig`. */
const VQCONFIG_BYTES = 8;

/** A device on the bus: its virtio type, its queues' handlers, and its status. */
export interface BusDevice {
  /** The virtio device id (3 = console). */
  readonly type: number;
  /** Bytes of feature bits (each of the two copies). */
  readonly featureLen: number;
  /** Config bytes. */
  readonly config: Uint8Array;
  /** Called when the Guest kicks queue `index`. */
  kick(index: number, queue: Virtqueue): void;
  /** Called when the Guest writes a new status (0 = reset). */
  status?(status: number): void;
  /** Set by the bus: the device's queues, in order. */
  queues?: Virtqueue[];
}

interface Placed {
  readonly device: BusDevice;
  readonly descAddress: number;
}

/*L:610 Devices on the lguest bus are not found by probing: they are described in one page
 * just above the Guest's RAM, which the Guest reads at boot. Each entry names a virtio type,
 * and for every virtqueue the page frame of its ring and the interrupt it raises. The rings
 * themselves live in the following pages, inside the memory the Host lets the Guest touch
 * but outside the RAM its e820 map reports, so its page allocator never hands them out. :*/

/** The bus: lays out descriptors and rings in the device pages and routes NOTIFY kicks. */
export class LguestBus {
  private readonly placed: Placed[] = [];
  private readonly byRing = new Map<number, { device: BusDevice; index: number; queue: Virtqueue }>();
  private nextRingPage: number;
  private descOffset = 0;
  private nextIrq = 1;

  /**
   * @param guest - Guest-physical memory (RAM and device pages).
   * @param ramBytes - where RAM ends: the descriptor page.
   */
  constructor(
    private readonly guest: GuestView,
    readonly ramBytes: number,
  ) {
    this.nextRingPage = ramBytes / 4096 + 1;
  }

  /** Add a device with `queues` virtqueues; rings and interrupts are assigned here. */
  add(device: BusDevice, queues: number): void {
    const descAddress = this.ramBytes + this.descOffset;
    const size = DESC_HEADER + queues * VQCONFIG_BYTES + device.featureLen * 2 + device.config.length;
    if (this.descOffset + size + 1 > 4096) throw new Error("lguest bus: the descriptor page is full");
    const pagesPerRing = Math.ceil(vringSize(VIRTQUEUE_NUM) / LGUEST_VRING_ALIGN);
    if (this.nextRingPage + pagesPerRing * queues > this.ramBytes / 4096 + DEVICE_PAGES) {
      throw new Error("lguest bus: out of device pages");
    }
    const b = this.guest.bytes;
    const v = this.guest.view;
    b[descAddress] = device.type;
    b[descAddress + 1] = queues;
    b[descAddress + 2] = device.featureLen;
    b[descAddress + 3] = device.config.length;
    b[descAddress + 4] = 0;
    const irq = this.nextIrq++;
    device.queues = [];
    for (let q = 0; q < queues; q++) {
      const at = descAddress + DESC_HEADER + q * VQCONFIG_BYTES;
      const pfn = this.nextRingPage;
      this.nextRingPage += pagesPerRing;
      v.setUint16(at, VIRTQUEUE_NUM, true);
      v.setUint16(at + 2, irq, true);
      v.setUint32(at + 4, pfn, true);
      const queue = new Virtqueue(this.guest, pfn * 4096, VIRTQUEUE_NUM, irq);
      device.queues.push(queue);
      this.byRing.set(pfn * 4096, { device, index: q, queue });
    }
    b.set(device.config, descAddress + DESC_HEADER + queues * VQCONFIG_BYTES + device.featureLen * 2);
    this.placed.push({ device, descAddress });
    this.descOffset += size;
    b[this.ramBytes + this.descOffset] = 0; // the terminating type 0
  }

  /**
   * A NOTIFY from the Guest. @returns true if it was a kick or a status change of a device,
   * false if the address names no device (the early console's strings).
   */
  notify(address: number): boolean {
    const ring = this.byRing.get(address);
    if (ring !== undefined) {
      ring.device.kick(ring.index, ring.queue);
      return true;
    }
    const p = this.placed.find((d) => d.descAddress === address);
    if (p === undefined) return false;
    const status = this.guest.bytes[address + 4]!;
    if (status === 0) for (const q of p.device.queues ?? []) q.reset();
    p.device.status?.(status);
    return true;
  }
}
