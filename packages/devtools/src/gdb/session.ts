/**
 * The GDB remote protocol engine: it reads GDB's byte stream, answers each packet from a
 * {@link GdbTarget}, runs the target when GDB says `c` or `s`, and reports why it stopped.
 * It knows nothing of sockets: bytes come in through {@link GdbSession.receive} and go out
 * through the `send` option, so the same engine serves a TCP connection in Node or a
 * WebSocket in a browser.
 *
 * Reference: GDB manual, "Remote Protocol": "Overview" (framing, acknowledgement), "Packets"
 * (?, c, D, g, G, k, m, M, p, P, s, X, z/Z, vCont, vKill), "General Query Packets" (qSupported,
 * qXfer:features:read, qAttached, qC, qfThreadInfo/qsThreadInfo, QStartNoAckMode), "Stop Reply
 * Packets" (T, W, X) and "Interrupts".
 */
import { escapeBinary, framePacket, fromHex, hex32le, PacketReader, parseHex32le, toHex, unescapeBinary } from "./packet.js";
import { I386_TARGET_XML, X87_FIRST_REGNUM, X87_SIZES } from "./target-xml.js";
import { type BreakpointType, GDB_I386_GENERAL_COUNT, type GdbStop, type GdbTarget } from "./target.js";

/** Largest packet the stub accepts, announced in qSupported (GDB reads it as hex). */
export const GDB_PACKET_SIZE = 0x4000;
/** Largest `m` read answered in one reply: two hex digits a byte must fit in a packet. */
const MAX_READ = GDB_PACKET_SIZE / 2 - 16;
/** SIGTRAP and SIGINT as GDB numbers them in stop replies. */
const SIGTRAP = 5;
const SIGINT = 2;

/** How a session ended: GDB detached (the machine runs on) or killed the machine. */
export type GdbSessionEnd = "detached" | "killed";

/** Options of {@link GdbSession}. */
export interface GdbSessionOptions {
  /** Bytes for GDB (one whole packet or acknowledgement per call). */
  readonly send: (bytes: Uint8Array) => void;
  /** Called once when GDB detaches (`D`) or kills (`k`, `vKill`). */
  readonly onEnd?: (how: GdbSessionEnd) => void;
  /** Called when a target call threw (a bug, not the program's doing); the stub reports X06. */
  readonly onError?: (error: unknown) => void;
}

/*D:300 A GDB stub is a small server with one client and one rule: GDB speaks, the stub
 * answers, except while the program runs, when the only thing GDB may send is the interrupt
 * byte and the answer comes whenever the program stops. So the engine is written around that
 * one asynchronous moment. Every packet is answered synchronously from the stopped target,
 * and `c` or `s` hands control to the target's promise; packets that arrive meanwhile wait in
 * a queue, and 0x03 goes straight to the target. That keeps the engine free of sockets and
 * timers, testable with a fake target, and the same in a browser as in Node. :*/

/*D:390 What the stub does not do, and why. Read and access watchpoints (Z3, Z4) are refused
 * with the empty reply: comparing bytes cannot see a load, and pretending would report reads
 * that never happened, so GDB falls back to its own means or says it cannot. A store that
 * writes the value already there goes unseen by a write watchpoint. A hardware breakpoint on
 * the instruction right after STI or MOV SS is passed over, because a stopped Guest leaves
 * the CPU on an interrupt that the CPU holds back for exactly that one instruction. The x87
 * registers are described but unavailable, and there is one thread: the one vCPU. Each of
 * these is a place to grow, not a thing to paper over. :*/

/** One conversation with GDB over one byte stream. */
export class GdbSession {
  /** Whether the target is running (between `c`/`s` and its stop reply). */
  running = false;
  /** How the session ended, or null while it goes on. */
  ended: GdbSessionEnd | null = null;
  /** The last stop reported (initially: stopped by a trap, as at a program's entry). */
  lastStop: GdbStop = { kind: "step" };
  private readonly target: GdbTarget;
  private readonly options: GdbSessionOptions;
  private readonly reader = new PacketReader();
  private readonly queue: Uint8Array[] = [];
  private readonly regs = new Uint32Array(GDB_I386_GENERAL_COUNT);
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder("latin1");
  private noAck = false;
  private lastSent: Uint8Array | null = null;
  /** Whether GDB announced it understands the swbreak/hwbreak stop reasons. */
  private gdbSwbreak = false;
  private gdbHwbreak = false;
  /** The target exited or died: it cannot run or be read any more. */
  private gone = false;

  constructor(target: GdbTarget, options: GdbSessionOptions) {
    this.target = target;
    this.options = options;
  }

  /** Bytes from GDB, in any chunks. */
  receive(bytes: Uint8Array): void {
    for (const ev of this.reader.push(bytes)) {
      switch (ev.kind) {
        case "packet":
          if (!this.noAck) this.options.send(ACK);
          if (this.running) this.queue.push(ev.payload);
          else this.handle(ev.payload);
          break;
        case "bad-checksum":
          if (!this.noAck) this.options.send(NAK);
          break;
        case "nak":
          if (this.lastSent !== null && !this.noAck) this.options.send(this.lastSent);
          break;
        case "interrupt":
          if (this.running) this.target.interrupt();
          break;
        case "ack":
          break;
      }
    }
  }

  /** Send one packet. @returns undefined, so handlers can `return this.reply(…)`. */
  private reply(payload: string | Uint8Array): undefined {
    const bytes = typeof payload === "string" ? this.encoder.encode(payload) : payload;
    const framed = framePacket(bytes);
    this.lastSent = framed;
    this.options.send(framed);
    return undefined;
  }

  private handle(raw: Uint8Array): void {
    if (this.ended !== null) return;
    const packet = this.decoder.decode(raw);
    try {
      this.dispatch(packet, raw);
    } catch (error) {
      this.options.onError?.(error);
      this.reply("E01");
    }
  }

  private dispatch(p: string, raw: Uint8Array): undefined {
    const c = p[0];
    if (p.startsWith("qSupported")) return this.qSupported(p);
    if (p === "QStartNoAckMode") {
      this.reply("OK");
      this.noAck = true;
      return;
    }
    if (p.startsWith("qXfer:features:read:")) return this.qXferFeatures(p);
    if (p.startsWith("qAttached")) return this.reply("1");
    if (p === "qC") return this.reply("QC1");
    if (p === "qfThreadInfo") return this.reply("m1");
    if (p === "qsThreadInfo") return this.reply("l");
    if (p === "vCont?") return this.reply("vCont;c;C;s;S");
    if (p.startsWith("vCont;")) return this.vCont(p);
    if (p.startsWith("vKill")) {
      this.reply("OK");
      return this.end("killed");
    }
    if (c === "H" || c === "T") return this.reply("OK");
    switch (c) {
      case "?":
        return this.reply(this.stopReply(this.lastStop));
      case "g":
        return this.readAll();
      case "G":
        return this.writeAll(p.slice(1));
      case "p":
        return this.readOne(p.slice(1));
      case "P":
        return this.writeOne(p.slice(1));
      case "m":
        return this.readMemory(p.slice(1));
      case "M":
        return this.writeMemory(p.slice(1));
      case "X":
        return this.writeBinary(raw);
      case "Z":
      case "z":
        return this.breakpoint(p);
      case "s":
      case "c":
        return this.go(c === "s", p.slice(1));
      case "D":
        this.target.clearBreakpoints();
        this.reply("OK");
        return this.end("detached");
      case "k":
        return this.end("killed");
      default:
        // Unknown or unsupported: the empty reply, as the protocol asks.
        return this.reply("");
    }
  }

  private end(how: GdbSessionEnd): undefined {
    this.ended = how;
    this.options.onEnd?.(how);
  }

  private qSupported(p: string): undefined {
    const features = p.slice("qSupported:".length).split(";");
    this.gdbSwbreak = features.includes("swbreak+");
    this.gdbHwbreak = features.includes("hwbreak+");
    this.reply(`PacketSize=${GDB_PACKET_SIZE.toString(16)};qXfer:features:read+;QStartNoAckMode+;swbreak+;hwbreak+;vContSupported+`);
  }

  private qXferFeatures(p: string): undefined {
    const m = /^qXfer:features:read:([^:]*):([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(p);
    if (m === null) return this.reply("E00");
    if (m[1] !== "target.xml") return this.reply("E00");
    const all = this.encoder.encode(I386_TARGET_XML);
    const offset = Number.parseInt(m[2]!, 16);
    const length = Math.min(Number.parseInt(m[3]!, 16), MAX_READ);
    const chunk = all.subarray(Math.min(offset, all.length), Math.min(offset + length, all.length));
    const more = offset + length < all.length;
    const body = escapeBinary(chunk);
    const out = new Uint8Array(body.length + 1);
    out[0] = more ? 0x6d : 0x6c; // 'm': more follows; 'l': the last part
    out.set(body, 1);
    this.reply(out);
  }

  private readAll(): undefined {
    if (this.gone) return this.reply("E01");
    this.target.readRegisters(this.regs);
    let s = "";
    for (let i = 0; i < GDB_I386_GENERAL_COUNT; i++) s += hex32le(this.regs[i]!);
    for (const size of X87_SIZES) s += "xx".repeat(size);
    this.reply(s);
  }

  private writeAll(hex: string): undefined {
    if (this.gone) return this.reply("E01");
    for (let i = 0; i < GDB_I386_GENERAL_COUNT; i++) {
      const v = parseHex32le(hex.slice(8 * i, 8 * i + 8));
      if (v === null) return this.reply("E01");
      this.regs[i] = v;
    }
    // Registers GDB did not change come back as they were; setting them again is harmless.
    for (let i = 0; i < GDB_I386_GENERAL_COUNT; i++) if (!this.target.writeRegister(i, this.regs[i]!)) return this.reply("E01");
    this.reply("OK");
  }

  private readOne(arg: string): undefined {
    const n = Number.parseInt(arg, 16);
    if (this.gone || !Number.isFinite(n)) return this.reply("E01");
    if (n < GDB_I386_GENERAL_COUNT) {
      this.target.readRegisters(this.regs);
      return this.reply(hex32le(this.regs[n]!));
    }
    const size = X87_SIZES[n - X87_FIRST_REGNUM];
    this.reply(size === undefined ? "E01" : "xx".repeat(size));
  }

  private writeOne(arg: string): undefined {
    const m = /^([0-9a-fA-F]+)=([0-9a-fA-F]+)$/.exec(arg);
    if (this.gone || m === null) return this.reply("E01");
    const n = Number.parseInt(m[1]!, 16);
    const v = parseHex32le(m[2]!);
    if (n >= GDB_I386_GENERAL_COUNT || v === null) return this.reply("E01");
    this.reply(this.target.writeRegister(n, v) ? "OK" : "E01");
  }

  private readMemory(arg: string): undefined {
    const m = /^([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(arg);
    if (this.gone || m === null) return this.reply("E01");
    const address = Number.parseInt(m[1]!, 16) >>> 0;
    const length = Math.min(Number.parseInt(m[2]!, 16), MAX_READ);
    if (length === 0) return this.reply("");
    const bytes = this.target.readMemory(address, length);
    // A read that starts on an unmapped page is an error; one that runs into one is cut short.
    this.reply(bytes.length === 0 ? "E14" : toHex(bytes));
  }

  private writeMemory(arg: string): undefined {
    const m = /^([0-9a-fA-F]+),([0-9a-fA-F]+):([0-9a-fA-F]*)$/.exec(arg);
    if (this.gone || m === null) return this.reply("E01");
    const data = fromHex(m[3]!);
    if (data === null || data.length !== Number.parseInt(m[2]!, 16)) return this.reply("E01");
    this.reply(this.target.writeMemory(Number.parseInt(m[1]!, 16) >>> 0, data) ? "OK" : "E14");
  }

  private writeBinary(raw: Uint8Array): undefined {
    const colon = raw.indexOf(0x3a);
    if (this.gone || colon < 0) return this.reply("E01");
    const m = /^X([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(this.decoder.decode(raw.subarray(0, colon)));
    if (m === null) return this.reply("E01");
    const data = unescapeBinary(raw.subarray(colon + 1));
    if (data.length !== Number.parseInt(m[2]!, 16)) return this.reply("E01");
    // A zero-length X is GDB probing whether binary writes work.
    if (data.length === 0) return this.reply("OK");
    this.reply(this.target.writeMemory(Number.parseInt(m[1]!, 16) >>> 0, data) ? "OK" : "E14");
  }

  private breakpoint(p: string): undefined {
    const m = /^([Zz])([0-4]),([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(p);
    if (m === null) return this.reply("E01");
    if (this.gone) return this.reply("E01");
    const r = this.target.setBreakpoint(Number(m[2]) as BreakpointType, Number.parseInt(m[3]!, 16) >>> 0, Number.parseInt(m[4]!, 16), m[1] === "Z");
    this.reply(r === null ? "" : r ? "OK" : "E01");
  }

  private vCont(p: string): undefined {
    // All-stop with one thread: the first action that applies to thread 1 (or to all) decides.
    for (const action of p.slice(6).split(";")) {
      const [what, thread] = action.split(":");
      if (thread !== undefined && thread !== "1" && thread !== "-1" && thread !== "p1.1") continue;
      const kind = what?.[0];
      if (kind === "s" || kind === "S") return this.go(true, "");
      if (kind === "c" || kind === "C") return this.go(false, "");
    }
    this.reply("E01");
  }

  private go(step: boolean, addressArg: string): undefined {
    if (this.gone) return this.reply(this.stopReply(this.lastStop));
    if (addressArg !== "") {
      const address = Number.parseInt(addressArg, 16);
      if (!Number.isFinite(address) || !this.target.writeRegister(8, address >>> 0)) return this.reply("E01");
    }
    this.running = true;
    let run: Promise<GdbStop>;
    try {
      run = step ? this.target.step() : this.target.resume();
    } catch (error) {
      run = Promise.reject(error);
    }
    run.then(
      (stop) => this.stopped(stop),
      (error) => {
        this.options.onError?.(error);
        this.stopped({ kind: "terminated", signal: 6, reason: String(error) });
      },
    );
  }

  private stopped(stop: GdbStop): void {
    this.running = false;
    this.lastStop = stop;
    if (stop.kind === "exited" || stop.kind === "terminated") this.gone = true;
    if (this.ended !== null) return;
    this.reply(this.stopReply(stop));
    while (this.queue.length > 0 && !this.running && this.ended === null) this.handle(this.queue.shift()!);
  }

  /** The stop reply packet for `stop` (T, W or X). */
  private stopReply(stop: GdbStop): string {
    const hex2 = (n: number) => (n & 0xff).toString(16).padStart(2, "0");
    switch (stop.kind) {
      case "exited":
        return `W${hex2(stop.status)}`;
      case "terminated":
        return `X${hex2(stop.signal)}`;
      case "interrupted":
        return `T${hex2(SIGINT)}thread:1;`;
      case "watch":
        return `T${hex2(SIGTRAP)}watch:${(stop.address >>> 0).toString(16)};thread:1;`;
      case "breakpoint": {
        const reason = stop.type === "sw" ? (this.gdbSwbreak ? "swbreak:;" : "") : this.gdbHwbreak ? "hwbreak:;" : "";
        return `T${hex2(SIGTRAP)}${reason}thread:1;`;
      }
      case "step":
        return `T${hex2(SIGTRAP)}thread:1;`;
    }
  }
}

const ACK = new Uint8Array([0x2b]);
const NAK = new Uint8Array([0x2d]);
