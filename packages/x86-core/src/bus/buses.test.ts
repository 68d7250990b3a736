import { describe, expect, it } from "vitest";
import { CODE_BASE, makeMachine } from "../testing/run-bytes.js";
import { EAX, EDX } from "../cpu/registers.js";
import { X86CoreError } from "../errors.js";
import { FaultBus } from "./fault-bus.js";
import { type HypercallArgs, HypercallBus } from "./hypercall-bus.js";
import { PortBus } from "./port-bus.js";

function args(call: number, ...values: number[]): HypercallArgs {
  return { call, arg: (n) => values[n - 1] ?? 0 };
}

describe("HypercallBus", () => {
  it("dispatches by number after seal and passes typed arguments", () => {
    const bus = new HypercallBus<{ log: number[] }>();
    bus.register(3, "SET_PTE", (ctx, a) => {
      ctx.log.push(a.arg(1), a.arg(2));
      return 7;
    });
    bus.seal();
    const ctx = { log: [] as number[] };
    expect(bus.dispatch(ctx, args(3, 0x1000, 0x2003))).toEqual({ handled: true, result: 7 });
    expect(ctx.log).toEqual([0x1000, 0x2003]);
    expect(bus.nameOf(3)).toBe("SET_PTE");
  });

  it("an unknown number is reported unhandled (the owner decides, e.g. kill the Guest)", () => {
    const bus = new HypercallBus<null>();
    bus.seal();
    expect(bus.dispatch(null, args(99)).handled).toBe(false);
  });

  it("two handlers for one number are rejected at seal, naming both owners", () => {
    const bus = new HypercallBus<null>();
    bus.register(5, "A", () => undefined, "plugin-a");
    bus.register(5, "B", () => undefined, "plugin-b");
    expect(() => bus.seal()).toThrow(/plugin-a.*plugin-b/);
    try {
      bus.seal();
    } catch (e) {
      expect((e as X86CoreError).code).toBe("hypercall-conflict");
    }
  });

  it("registration after seal and dispatch before seal are programmer errors", () => {
    const bus = new HypercallBus<null>();
    expect(() => bus.dispatch(null, args(1))).toThrow(X86CoreError);
    bus.seal();
    expect(() => bus.register(1, "late", () => undefined)).toThrow(/after seal/);
  });

  it("a disposer removes a registration before seal", () => {
    const bus = new HypercallBus<null>();
    const off = bus.register(2, "X", () => 1);
    off();
    bus.seal();
    expect(bus.dispatch(null, args(2)).handled).toBe(false);
  });
});

describe("PortBus", () => {
  it("rejects a second device on a claimed port, naming the owner", () => {
    const bus = new PortBus();
    bus.register(0x3f8, 8, { read: () => 0, write: () => {} }, "uart");
    expect(() => bus.register(0x3fc, 1, { read: () => 0, write: () => {} }, "other")).toThrow(/claimed by uart/);
  });

  it("IN from a device returns its value; OUT reaches it with the access size", () => {
    const writes: [number, number, number][] = [];
    const m = makeMachine();
    m.cpu.ports.register(0x60, 4, { read: (p, s) => (p === 0x60 && s === 1 ? 0x5a : 0), write: (p, s, v) => writes.push([p, s, v]) }, "dev");
    // e4 60: in al, 0x60 ; ba 61 00 00 00: mov edx, 0x61 ; ee: out dx, al ; f4: hlt
    m.memory.load(CODE_BASE, new Uint8Array([0xe4, 0x60, 0xba, 0x61, 0, 0, 0, 0xee, 0xf4]));
    m.cpu.run(10);
    expect(m.cpu.regs[EAX]! & 0xff).toBe(0x5a);
    expect(m.cpu.regs[EDX]).toBe(0x61);
    expect(writes).toEqual([[0x61, 1, 0x5a]]);
  });

  it("an unclaimed port ends run with an io exit at the instruction, which did not retire", () => {
    const m = makeMachine();
    m.memory.load(CODE_BASE, new Uint8Array([0x90, 0xe6, 0x80, 0xf4])); // nop ; out 0x80, al ; hlt
    const exit = m.cpu.run(10);
    expect(exit).toEqual({ kind: "io", port: 0x80, size: 1, write: true, value: 0 });
    expect(m.cpu.eip).toBe(CODE_BASE + 1);
    expect(m.cpu.instructions).toBe(1);
  });

  it("range errors carry a code", () => {
    try {
      new PortBus().register(0xffff, 2, { read: () => 0, write: () => {} }, "x");
      expect.unreachable();
    } catch (e) {
      expect((e as X86CoreError).code).toBe("port-range");
    }
  });
});

describe("FaultBus", () => {
  it("one address routes to one handler id", () => {
    const bus = new FaultBus();
    bus.routeTo(0xffc00000, 1);
    expect(() => bus.routeTo(0xffc00000, 2)).toThrow(X86CoreError);
  });

  it("claims outside 0..255 are programmer errors", () => {
    expect(() => new FaultBus().claim(256, () => true)).toThrow(/not in 0..255/);
  });

  it("the first claim returning true wins; later ones are not asked", () => {
    const m = makeMachine();
    const asked: string[] = [];
    m.cpu.faults.claim(3, () => {
      asked.push("first");
      return false;
    });
    m.cpu.faults.claim(3, (c) => {
      asked.push("second");
      c.stop();
      return true;
    });
    m.cpu.faults.claim(3, () => {
      asked.push("third");
      return true;
    });
    m.memory.load(CODE_BASE, new Uint8Array([0xcc])); // int3
    expect(m.cpu.run(10).kind).toBe("stopped");
    expect(asked).toEqual(["first", "second"]);
    expect(m.cpu.eip).toBe(CODE_BASE + 1); // INT3 is a trap: EIP after it
  });
});
