/**
 * The protocol engine against a scripted fake target. Expected bytes follow the GDB manual's
 * "Remote Protocol" chapter: `$payload#cs` with cs the byte sum modulo 256 in two lower-case hex
 * digits, `+`/`-` acknowledgements until QStartNoAckMode, `}` escapes (byte XOR 0x20) for `$`,
 * `#`, `}` and `*` in binary data, T/W/X stop replies, and the empty reply for anything unknown.
 */
import { describe, expect, it } from "vitest";
import { escapeBinary, framePacket, PacketReader, packetChecksum, unescapeBinary } from "./packet.js";
import { GdbSession, type GdbSessionEnd } from "./session.js";
import { I386_TARGET_XML } from "./target-xml.js";
import type { BreakpointType, GdbStop, GdbTarget } from "./target.js";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder("latin1").decode(b);

/** A target with 64 KiB of flat memory at 0 (the rest unmapped) and scripted run results. */
class FakeTarget implements GdbTarget {
  regs = new Uint32Array(16);
  mem = new Uint8Array(0x10000);
  calls: string[] = [];
  nextStop: GdbStop = { kind: "step" };
  /** Resolves a pending resume. */
  release: ((s: GdbStop) => void) | null = null;
  readRegisters(out: Uint32Array) {
    out.set(this.regs);
  }
  writeRegister(i: number, v: number) {
    this.calls.push(`reg ${i}=${v.toString(16)}`);
    this.regs[i] = v;
    return true;
  }
  readMemory(a: number, n: number) {
    return this.mem.slice(Math.min(a, 0x10000), Math.min(a + n, 0x10000));
  }
  writeMemory(a: number, d: Uint8Array) {
    if (a + d.length > 0x10000) return false;
    this.mem.set(d, a);
    return true;
  }
  step() {
    this.calls.push("step");
    return Promise.resolve(this.nextStop);
  }
  resume() {
    this.calls.push("resume");
    return new Promise<GdbStop>((r) => {
      this.release = r;
    });
  }
  interrupt() {
    this.calls.push("interrupt");
    this.release?.({ kind: "interrupted" });
  }
  setBreakpoint(type: BreakpointType, a: number, len: number, insert: boolean) {
    this.calls.push(`${insert ? "Z" : "z"}${type} ${a.toString(16)} ${len}`);
    return type <= 2 ? true : null;
  }
  clearBreakpoints() {
    this.calls.push("clear");
  }
}

function harness() {
  const target = new FakeTarget();
  const out: string[] = [];
  const ends: GdbSessionEnd[] = [];
  const session = new GdbSession(target, { send: (b) => out.push(dec(b)), onEnd: (h) => ends.push(h) });
  const send = (s: string) => session.receive(enc(s));
  /** Send one well-formed packet and return the replies since. */
  const ask = (payload: string) => {
    out.length = 0;
    session.receive(framePacket(enc(payload)));
    return [...out];
  };
  return { target, out, ends, session, send, ask };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe("packet framing", () => {
  it("the checksum is the byte sum modulo 256: OK → 9a, g → 67", () => {
    expect(packetChecksum(enc("OK"))).toBe(0x9a);
    expect(dec(framePacket(enc("OK")))).toBe("$OK#9a");
    expect(dec(framePacket(enc("g")))).toBe("$g#67");
    expect(dec(framePacket(enc("")))).toBe("$#00");
  });

  it("escapes $ # } * as } and the byte XOR 0x20, and undoes it", () => {
    const raw = new Uint8Array([0x24, 0x23, 0x7d, 0x2a, 0x41]);
    expect([...escapeBinary(raw)]).toEqual([0x7d, 0x04, 0x7d, 0x03, 0x7d, 0x5d, 0x7d, 0x0a, 0x41]);
    expect([...unescapeBinary(escapeBinary(raw))]).toEqual([...raw]);
  });

  it("reassembles a packet split across chunks and tells acks, naks and 0x03 apart", () => {
    const r = new PacketReader();
    expect(r.push(enc("+$O"))).toEqual([{ kind: "ack" }]);
    expect(r.push(enc("K#9"))).toEqual([]);
    expect(r.push(enc("a-"))).toEqual([{ kind: "packet", payload: enc("OK") }, { kind: "nak" }]);
    expect(r.push(new Uint8Array([3]))).toEqual([{ kind: "interrupt" }]);
    expect(r.push(enc("$OK#00"))).toEqual([{ kind: "bad-checksum" }]);
  });
});

describe("GdbSession", () => {
  it("acknowledges each good packet with + and a bad one with -, and resends its last packet on -", () => {
    const h = harness();
    h.send("$?#3f");
    expect(h.out).toEqual(["+", "$T05thread:1;#d7"]);
    h.out.length = 0;
    h.send("$?#00");
    expect(h.out).toEqual(["-"]);
    h.out.length = 0;
    h.send("-");
    expect(h.out).toEqual(["$T05thread:1;#d7"]);
  });

  it("stops acknowledging after QStartNoAckMode (whose own OK is still acknowledged)", () => {
    const h = harness();
    expect(h.ask("QStartNoAckMode")).toEqual(["+", "$OK#9a"]);
    expect(h.ask("?")).toEqual(["$T05thread:1;#d7"]);
  });

  it("answers qSupported with the packet size and features, and unknown packets with the empty reply", () => {
    const h = harness();
    const [, reply] = h.ask("qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386");
    expect(reply).toMatch(/^\$PacketSize=4000;.*qXfer:features:read\+.*swbreak\+;hwbreak\+/);
    expect(h.ask("qTotallyUnknown")).toEqual(["+", "$#00"]);
    expect(h.ask("vMustReplyEmpty")).toEqual(["+", "$#00"]);
  });

  it("serves target.xml in pieces: m while more follows, l for the last", () => {
    const h = harness();
    let xml = "";
    for (let offset = 0; ; offset += 0x100) {
      const [, reply] = h.ask(`qXfer:features:read:target.xml:${offset.toString(16)},100`);
      const body = reply!.slice(1, reply!.lastIndexOf("#"));
      xml += body.slice(1);
      if (body[0] === "l") break;
      expect(body[0]).toBe("m");
    }
    expect(xml).toBe(I386_TARGET_XML);
    expect(xml).toContain('<feature name="org.gnu.gdb.i386.core">');
    expect(h.ask("qXfer:features:read:other.xml:0,100")[1]).toMatch(/^\$E/);
  });

  it("answers the thread and attach queries for one thread", () => {
    const h = harness();
    expect(h.ask("qC")[1]).toBe("$QC1#c5");
    expect(h.ask("qfThreadInfo")[1]).toMatch(/^\$m1#/);
    expect(h.ask("qsThreadInfo")[1]).toMatch(/^\$l#/);
    expect(h.ask("qAttached")[1]).toMatch(/^\$1#/);
    expect(h.ask("Hg0")[1]).toBe("$OK#9a");
  });

  it("g sends 16 registers little-endian, then the x87 ones as unavailable; G, p and P go both ways", () => {
    const h = harness();
    h.target.regs[0] = 0x12345678;
    h.target.regs[8] = 0xc0100240;
    const [, g] = h.ask("g");
    const body = g!.slice(1, g!.indexOf("#"));
    expect(body.slice(0, 8)).toBe("78563412");
    expect(body.slice(64, 72)).toBe("400210c0");
    // st0–st7 (10 bytes each) and 8 control registers (4 bytes each): all 'x'.
    expect(body.length).toBe(16 * 8 + 8 * 20 + 8 * 8);
    expect(body.slice(128)).toMatch(/^x+$/);
    expect(h.ask("p8")[1]).toMatch(/^\$400210c0#/);
    expect(h.ask("p10")[1]).toMatch(/^\$x{20}#/);
    expect(h.ask("P3=efbeadde")[1]).toBe("$OK#9a");
    expect(h.target.regs[3]).toBe(0xdeadbeef);
    expect(h.ask(`G${"01000000".repeat(16)}`)[1]).toBe("$OK#9a");
    expect([...h.target.regs]).toEqual(new Array(16).fill(1));
  });

  it("m reads hex, cut short at unmapped memory and E14 when nothing is readable; M and X write", () => {
    const h = harness();
    h.target.mem.set([0xde, 0xad, 0xbe, 0xef], 0x100);
    expect(h.ask("m100,4")[1]).toMatch(/^\$deadbeef#/);
    expect(h.ask("mfffe,4")[1]).toMatch(/^\$0000#/);
    expect(h.ask("m20000,4")[1]).toMatch(/^\$E14#/);
    expect(h.ask("M200,2:cafe")[1]).toBe("$OK#9a");
    expect([...h.target.mem.subarray(0x200, 0x202)]).toEqual([0xca, 0xfe]);
    expect(h.ask("M20000,1:00")[1]).toMatch(/^\$E14#/);
    // Binary data with every byte that needs escaping.
    const data = new Uint8Array([0x24, 0x23, 0x7d, 0x2a, 0x00]);
    const head = enc("X300,5:");
    const payload = new Uint8Array([...head, ...escapeBinary(data)]);
    h.out.length = 0;
    h.session.receive(framePacket(payload));
    expect(h.out).toEqual(["+", "$OK#9a"]);
    expect([...h.target.mem.subarray(0x300, 0x305)]).toEqual([...data]);
    expect(h.ask("X300,0:")[1]).toBe("$OK#9a");
  });

  it("passes Z0/Z1/Z2 through and answers Z3/Z4 with the empty reply (unsupported)", () => {
    const h = harness();
    expect(h.ask("Z0,c0100240,1")[1]).toBe("$OK#9a");
    expect(h.ask("z0,c0100240,1")[1]).toBe("$OK#9a");
    expect(h.ask("Z1,1000,1")[1]).toBe("$OK#9a");
    expect(h.ask("Z2,2000,4")[1]).toBe("$OK#9a");
    expect(h.ask("Z3,2000,4")[1]).toBe("$#00");
    expect(h.ask("Z4,2000,4")[1]).toBe("$#00");
    expect(h.target.calls).toEqual(["Z0 c0100240 1", "z0 c0100240 1", "Z1 1000 1", "Z2 2000 4", "Z3 2000 4", "Z4 2000 4"]);
  });

  it("s steps and reports T05; c with an address sets eip first", async () => {
    const h = harness();
    h.ask("s");
    await flush();
    expect(h.out).toEqual(["+", "$T05thread:1;#d7"]);
    h.ask("c1234");
    expect(h.target.calls).toEqual(["step", "reg 8=1234", "resume"]);
    h.target.release!({ kind: "exited", status: 3 });
    await flush();
    expect(h.out.at(-1)).toBe("$W03#ba");
  });

  it("0x03 while running interrupts the target: T02; packets sent meanwhile are answered after the stop", async () => {
    const h = harness();
    h.ask("vCont;c");
    expect(h.session.running).toBe(true);
    h.session.receive(framePacket(enc("qC")));
    h.session.receive(new Uint8Array([3]));
    await flush();
    expect(h.target.calls).toEqual(["resume", "interrupt"]);
    expect(h.out.slice(-2)).toEqual(["$T02thread:1;#d4", "$QC1#c5"]);
    expect(h.ask("?")[1]).toBe("$T02thread:1;#d4");
  });

  it("names the stop reason: swbreak/hwbreak only if GDB offered them, watch with the address", async () => {
    const h = harness();
    h.target.nextStop = { kind: "breakpoint", type: "sw" };
    h.ask("s");
    await flush();
    expect(h.out.at(-1)).toMatch(/^\$T05thread:1;#/);
    h.ask("qSupported:swbreak+;hwbreak+");
    h.ask("s");
    await flush();
    expect(h.out.at(-1)).toMatch(/^\$T05swbreak:;thread:1;#/);
    h.target.nextStop = { kind: "breakpoint", type: "hw" };
    h.ask("vCont;s:1");
    await flush();
    expect(h.out.at(-1)).toMatch(/^\$T05hwbreak:;thread:1;#/);
    h.target.nextStop = { kind: "watch", address: 0xc0108004 };
    h.ask("s");
    await flush();
    expect(h.out.at(-1)).toMatch(/^\$T05watch:c0108004;thread:1;#/);
    h.target.nextStop = { kind: "terminated", signal: 9, reason: "killed" };
    h.ask("s");
    await flush();
    expect(h.out.at(-1)).toBe("$X09#c1");
    // After the end the target is gone: registers are an error, ? repeats the end.
    expect(h.ask("g")[1]).toMatch(/^\$E01#/);
    expect(h.ask("?")[1]).toBe("$X09#c1");
  });

  it("D removes every breakpoint, answers OK and ends detached; k ends killed without a reply", () => {
    const h = harness();
    expect(h.ask("D")).toEqual(["+", "$OK#9a"]);
    expect(h.target.calls).toEqual(["clear"]);
    expect(h.ends).toEqual(["detached"]);
    const k = harness();
    expect(k.ask("k")).toEqual(["+"]);
    expect(k.ends).toEqual(["killed"]);
    const v = harness();
    expect(v.ask("vKill;1")).toEqual(["+", "$OK#9a"]);
    expect(v.ends).toEqual(["killed"]);
  });
});
