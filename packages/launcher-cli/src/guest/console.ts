/**
 * The virtio console on the lguest bus: queue 0 receives (the Launcher fills the Guest's
 * buffers with input), queue 1 transmits (the Guest's output goes to the Launcher's).
 *
 * Reference: Virtio 1.0 §5.3 "Console Device" (device id 3; receiveq1 = 0, transmitq1 = 1;
 * no features needed), lguest-abi.md §8.3 (console = 2 queues; interrupts through the
 * Launcher's LHREQ_IRQ after buffers are used, unless the Guest asked for none).
 */
import type { BusDevice } from "./lguest-bus.js";
import type { GuestView, Virtqueue } from "./virtqueue.js";

/** virtio device id of a console. */
export const VIRTIO_ID_CONSOLE = 3;
const RECEIVEQ = 0;
const TRANSMITQ = 1;

/** A virtio console whose output goes to `output` and whose input comes from {@link VirtioConsole.input}. */
export class VirtioConsole implements BusDevice {
  readonly type = VIRTIO_ID_CONSOLE;
  readonly featureLen = 0;
  readonly config = new Uint8Array(0);
  queues?: Virtqueue[];
  private pending: Uint8Array[] = [];
  private ended = false;
  private endDelivered = false;
  /** Bytes the Guest transmitted. */
  transmitted = 0;
  /** Bytes delivered to the Guest. */
  received = 0;

  /**
   * @param guest - Guest-physical memory.
   * @param output - receives what the Guest writes.
   * @param interrupt - raises a Guest IRQ.
   */
  constructor(
    private readonly guest: GuestView,
    private readonly output: (bytes: Uint8Array) => void,
    private readonly interrupt: (irq: number) => void,
  ) {}

  kick(index: number, queue: Virtqueue): void {
    if (index === TRANSMITQ) {
      let raise = false;
      for (let chain = queue.take(); chain !== null; chain = queue.take()) {
        for (const b of chain.buffers) {
          if (b.write || b.len === 0) continue;
          this.output(this.guest.bytes.slice(b.addr, b.addr + b.len));
          this.transmitted += b.len;
        }
        raise = queue.put(chain.head, 0) || raise;
      }
      if (raise) this.interrupt(queue.irq);
    } else if (index === RECEIVEQ) {
      this.deliver();
    }
  }

  status(status: number): void {
    if (status === 0) this.pending = [];
  }

  /** Input for the Guest: delivered as soon as it has posted receive buffers. */
  input(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.pending.push(bytes);
    this.deliver();
  }

  /** The input has ended: once everything before is delivered, an empty buffer says so. */
  end(): void {
    this.ended = true;
    this.deliver();
  }

  /** Bytes waiting for receive buffers. */
  get waiting(): number {
    return this.pending.reduce((n, b) => n + b.length, 0);
  }

  private deliver(): void {
    const queue = this.queues?.[RECEIVEQ];
    if (queue === undefined) return;
    let raise = false;
    while (this.pending.length > 0) {
      const chain = queue.take();
      if (chain === null) break;
      let written = 0;
      for (const b of chain.buffers) {
        if (!b.write) continue;
        let room = b.len;
        let at = b.addr;
        while (room > 0 && this.pending.length > 0) {
          const head = this.pending[0]!;
          const n = Math.min(room, head.length);
          this.guest.bytes.set(head.subarray(0, n), at);
          at += n;
          room -= n;
          written += n;
          if (n === head.length) this.pending.shift();
          else this.pending[0] = head.subarray(n);
        }
      }
      this.received += written;
      raise = queue.put(chain.head, written) || raise;
    }
    if (this.ended && !this.endDelivered && this.pending.length === 0) {
      const chain = queue.take();
      if (chain !== null) {
        this.endDelivered = true;
        raise = queue.put(chain.head, 0) || raise;
      }
    }
    if (raise) this.interrupt(queue.irq);
  }
}
