/**
 * The virtio block device on the lguest bus: one request queue over a backing store the
 * Launcher chooses (a file for `lguest run --block FILE`, or memory).
 *
 * Reference: Virtio 1.0 §5.2 "Block Device" (device id 2; config: capacity in 512-byte
 * sectors, u64 at offset 0; a request is a device-readable header {u32 type, u32 reserved,
 * u64 sector}, data buffers, and a device-writable status byte: 0 OK, 1 IOERR, 2 UNSUPP;
 * types IN 0, OUT 1, FLUSH 4, GET_ID 8), lguest-abi.md §8.3 (block = virtio-blk on the
 * lguest bus).
 */
import type { BusDevice } from "./lguest-bus.js";
import type { GuestView, Virtqueue } from "./virtqueue.js";

/** virtio device id of a block device. */
export const VIRTIO_ID_BLOCK = 2;
/** Bytes of a virtio-blk sector. */
export const SECTOR_BYTES = 512;

const T_IN = 0;
const T_OUT = 1;
const T_FLUSH = 4;
const S_OK = 0;
const S_IOERR = 1;
const S_UNSUPP = 2;

/** Where the device's bytes live. */
export interface BlockBackend {
  /** Size in bytes (a multiple of 512). */
  readonly size: number;
  /** Copy `buf.length` bytes at `offset` into `buf`. */
  read(offset: number, buf: Uint8Array): void;
  /** Store `buf` at `offset`. */
  write(offset: number, buf: Uint8Array): void;
  /** Make writes durable. */
  flush?(): void;
  /** Whether writes are refused. */
  readonly readOnly?: boolean;
}

/** A backend in memory (the bytes are used in place). */
export function memoryBackend(bytes: Uint8Array): BlockBackend {
  return {
    size: bytes.length - (bytes.length % SECTOR_BYTES),
    read: (offset, buf) => buf.set(bytes.subarray(offset, offset + buf.length)),
    write: (offset, buf) => bytes.set(buf, offset),
  };
}

/** A virtio-blk device serving `backend`. */
export class VirtioBlock implements BusDevice {
  readonly type = VIRTIO_ID_BLOCK;
  readonly featureLen = 0;
  readonly config: Uint8Array;
  queues?: Virtqueue[];
  /** Requests served, by outcome. */
  readonly stats = { reads: 0, writes: 0, flushes: 0, errors: 0 };

  constructor(
    private readonly guest: GuestView,
    private readonly backend: BlockBackend,
    private readonly interrupt: (irq: number) => void,
  ) {
    this.config = new Uint8Array(8);
    const sectors = Math.floor(backend.size / SECTOR_BYTES);
    new DataView(this.config.buffer).setUint32(0, sectors >>> 0, true);
    new DataView(this.config.buffer).setUint32(4, Math.floor(sectors / 2 ** 32), true);
  }

  kick(_index: number, queue: Virtqueue): void {
    let raise = false;
    for (let chain = queue.take(); chain !== null; chain = queue.take()) {
      const { buffers } = chain;
      const head = buffers[0];
      const status = buffers[buffers.length - 1];
      if (head === undefined || status === undefined || head.write || head.len < 16 || !status.write || status.len < 1) {
        throw new Error("virtio-blk: a request without its header or status");
      }
      const v = this.guest.view;
      const type = v.getUint32(head.addr, true);
      const sector = v.getUint32(head.addr + 8, true) + v.getUint32(head.addr + 12, true) * 2 ** 32;
      let result = S_OK;
      let written = 0;
      let offset = sector * SECTOR_BYTES;
      const data = buffers.slice(1, -1);
      if (type === T_IN || type === T_OUT) {
        const total = data.reduce((n, b) => n + b.len, 0);
        if (offset + total > this.backend.size) result = S_IOERR;
        else if (type === T_OUT && this.backend.readOnly) result = S_IOERR;
        else {
          for (const b of data) {
            const bytes = this.guest.bytes.subarray(b.addr, b.addr + b.len);
            if (type === T_IN) {
              this.backend.read(offset, bytes);
              written += b.len;
            } else this.backend.write(offset, bytes);
            offset += b.len;
          }
          if (type === T_IN) this.stats.reads++;
          else this.stats.writes++;
        }
      } else if (type === T_FLUSH) {
        this.backend.flush?.();
        this.stats.flushes++;
      } else result = S_UNSUPP;
      if (result !== S_OK) this.stats.errors++;
      this.guest.bytes[status.addr] = result;
      raise = queue.put(chain.head, written + 1) || raise;
    }
    if (raise) this.interrupt(queue.irq);
  }
}
