/**
 * The virtio console and the lguest bus, driven the way a Guest drives them: descriptors and
 * rings written into Guest memory by hand (Virtio 1.0 §2.4 legacy layout, 4096-byte
 * alignment), kicks by NOTIFY address.
 */
import { describe, expect, it } from "vitest";
import { VirtioConsole } from "./console.js";
import { LguestBus } from "./lguest-bus.js";
import { VRING_DESC_F_WRITE, VIRTQUEUE_NUM } from "./virtqueue.js";

const RAM = 1 << 20;

function setup() {
  const bytes = new Uint8Array(RAM + 256 * 4096);
  const view = new DataView(bytes.buffer);
  const guest = { bytes, view };
  const out: string[] = [];
  const irqs: number[] = [];
  const bus = new LguestBus(guest, RAM);
  const console = new VirtioConsole(guest, (b) => out.push(new TextDecoder().decode(b)), (irq) => irqs.push(irq));
  bus.add(console, 2);
  const queue = (q: number) => {
    const at = RAM + 5 + q * 8;
    return { num: view.getUint16(at, true), irq: view.getUint16(at + 2, true), ring: view.getUint32(at + 4, true) * 4096 };
  };
  /** The Guest's side: publish one buffer on queue q and kick. */
  const offer = (q: number, addr: number, len: number, write: boolean, id = 0) => {
    const { num, ring } = queue(q);
    view.setUint32(ring + 16 * id, addr, true);
    view.setUint32(ring + 16 * id + 8, len, true);
    view.setUint16(ring + 16 * id + 12, write ? VRING_DESC_F_WRITE : 0, true);
    const avail = ring + 16 * num;
    const idx = view.getUint16(avail + 2, true);
    view.setUint16(avail + 4 + 2 * (idx % num), id, true);
    view.setUint16(avail + 2, idx + 1, true);
    return bus.notify(ring);
  };
  const used = (q: number) => {
    const { num, ring } = queue(q);
    const u = ring + Math.ceil((16 * num + 2 * (3 + num)) / 4096) * 4096;
    const idx = view.getUint16(u + 2, true);
    return { idx, last: { id: view.getUint32(u + 4 + 8 * ((idx - 1) % num), true), len: view.getUint32(u + 8 + 8 * ((idx - 1) % num), true) } };
  };
  return { bytes, view, bus, console, out, irqs, queue, offer, used };
}

describe("lguest bus + virtio console", () => {
  it("describes the console in the page above RAM: type 3, two queues of 256 entries with rings above it", () => {
    const s = setup();
    expect([s.bytes[RAM], s.bytes[RAM + 1], s.bytes[RAM + 2], s.bytes[RAM + 3], s.bytes[RAM + 4]]).toEqual([3, 2, 0, 0, 0]);
    const [rx, tx] = [s.queue(0), s.queue(1)];
    expect([rx.num, tx.num, rx.irq, tx.irq]).toEqual([VIRTQUEUE_NUM, VIRTQUEUE_NUM, 1, 1]);
    expect(rx.ring).toBe(RAM + 4096);
    expect(tx.ring).toBe(rx.ring + 3 * 4096); // 256 entries: 4096 + 518 → 8192, + 2054 → 3 pages
    expect(s.bytes[RAM + 5 + 16]).toBe(0); // the list ends with type 0
  });

  it("transmit: a kicked buffer reaches the output and comes back used, with an interrupt", () => {
    const s = setup();
    s.bytes.set(new TextEncoder().encode("hello"), 0x2000);
    expect(s.offer(1, 0x2000, 5, false)).toBe(true);
    expect(s.out).toEqual(["hello"]);
    expect(s.used(1)).toEqual({ idx: 1, last: { id: 0, len: 0 } });
    expect(s.irqs).toEqual([1]);
  });

  it("receive: input waits for a buffer, fills it, and reports the length", () => {
    const s = setup();
    s.console.input(new TextEncoder().encode("ls -l\n"));
    expect(s.console.waiting).toBe(6);
    s.offer(0, 0x3000, 4, true);
    expect(new TextDecoder().decode(s.bytes.slice(0x3000, 0x3004))).toBe("ls -");
    expect(s.used(0).last).toEqual({ id: 0, len: 4 });
    s.offer(0, 0x3100, 64, true, 1);
    expect(new TextDecoder().decode(s.bytes.slice(0x3100, 0x3102))).toBe("l\n");
    expect(s.console.waiting).toBe(0);
  });

  it("a buffer outside Guest memory is refused (the Launcher kills the Guest), an unknown address is not a device", () => {
    const s = setup();
    expect(() => s.offer(1, s.bytes.length - 2, 100, false)).toThrow(/outside Guest memory/);
    expect(s.bus.notify(0x1234)).toBe(false);
  });
});
