/**
 * The framing of the GDB remote serial protocol: `$payload#cs` with a two-hex-digit checksum
 * (the sum of the payload's bytes modulo 256), `+`/`-` acknowledgements, the interrupt byte
 * 0x03 outside packets, and the binary escape (`}` followed by the byte XOR 0x20).
 *
 * Reference: GDB manual, "Remote Protocol" → "Overview" (packet format, checksum,
 * acknowledgement, binary data escaping: `#`, `$`, `}` and `*` must be escaped) and
 * "Interrupts" (a lone 0x03 byte).
 */

/** The byte GDB sends outside a packet to interrupt a running target (Ctrl-C). */
export const GDB_INTERRUPT = 0x03;

const DOLLAR = 0x24;
const HASH = 0x23;
const ESCAPE = 0x7d;
const STAR = 0x2a;

/** The checksum of a packet's payload: the unsigned sum of its bytes modulo 256. */
export function packetChecksum(payload: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < payload.length; i++) sum = (sum + payload[i]!) & 0xff;
  return sum;
}

/** Frame `payload` (already escaped where binary) as `$payload#cs`. */
export function framePacket(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(payload.length + 4);
  out[0] = DOLLAR;
  out.set(payload, 1);
  const cs = packetChecksum(payload);
  out[payload.length + 1] = HASH;
  out[payload.length + 2] = HEX_DIGITS.charCodeAt(cs >> 4);
  out[payload.length + 3] = HEX_DIGITS.charCodeAt(cs & 15);
  return out;
}

/** Escape binary data for a reply: `$`, `#`, `}` and `*` become `}` and the byte XOR 0x20. */
export function escapeBinary(data: Uint8Array): Uint8Array {
  let extra = 0;
  for (let i = 0; i < data.length; i++) if (needsEscape(data[i]!)) extra++;
  const out = new Uint8Array(data.length + extra);
  let k = 0;
  for (let i = 0; i < data.length; i++) {
    const b = data[i]!;
    if (needsEscape(b)) {
      out[k++] = ESCAPE;
      out[k++] = b ^ 0x20;
    } else out[k++] = b;
  }
  return out;
}

/** Undo {@link escapeBinary}: every `}` takes the next byte XOR 0x20 (a trailing `}` is dropped). */
export function unescapeBinary(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length);
  let k = 0;
  for (let i = 0; i < data.length; i++) {
    const b = data[i]!;
    if (b === ESCAPE) {
      if (i + 1 < data.length) out[k++] = data[++i]! ^ 0x20;
    } else out[k++] = b;
  }
  return out.subarray(0, k);
}

function needsEscape(b: number): boolean {
  return b === DOLLAR || b === HASH || b === ESCAPE || b === STAR;
}

const HEX_DIGITS = "0123456789abcdef";

/** Bytes as lower-case hex, two digits each. */
export function toHex(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += HEX_DIGITS[bytes[i]! >> 4]! + HEX_DIGITS[bytes[i]! & 15]!;
  return s;
}

/** Hex (two digits a byte) as bytes, or null when it is not whole, valid hex. */
export function fromHex(text: string): Uint8Array | null {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return null;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** A 32-bit value as GDB's register encoding on a little-endian target: 8 hex digits, low byte first. */
export function hex32le(value: number): string {
  let s = "";
  for (let k = 0; k < 4; k++) {
    const b = (value >>> (8 * k)) & 0xff;
    s += HEX_DIGITS[b >> 4]! + HEX_DIGITS[b & 15]!;
  }
  return s;
}

/** Parse 8 hex digits, low byte first, as an unsigned 32-bit value; null when malformed. */
export function parseHex32le(text: string): number | null {
  const bytes = fromHex(text);
  if (bytes === null || bytes.length !== 4) return null;
  return (bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24)) >>> 0;
}

/** What {@link PacketReader.push} found in the byte stream, in order. */
export type PacketEvent =
  /** A packet whose checksum matched; `payload` is raw (binary parts still escaped). */
  | { readonly kind: "packet"; readonly payload: Uint8Array }
  /** A packet whose checksum did not match (answer `-`). */
  | { readonly kind: "bad-checksum" }
  /** GDB acknowledged our last packet (`+`) or asked for it again (`-`). */
  | { readonly kind: "ack" }
  | { readonly kind: "nak" }
  /** The interrupt byte 0x03 arrived outside a packet. */
  | { readonly kind: "interrupt" };

const enum State {
  Idle = 0,
  Payload = 1,
  Check1 = 2,
  Check2 = 3,
}

/**
 * Split GDB's byte stream into packets, acknowledgements and interrupts. Bytes may arrive in
 * any chunks: a packet split across several `push` calls is put back together.
 */
export class PacketReader {
  private state = State.Idle;
  private buf = new Uint8Array(256);
  private len = 0;
  private check = 0;

  /** Feed bytes; @returns what they completed, in order. */
  push(bytes: Uint8Array): PacketEvent[] {
    const events: PacketEvent[] = [];
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      switch (this.state) {
        case State.Idle:
          if (b === DOLLAR) {
            this.state = State.Payload;
            this.len = 0;
          } else if (b === 0x2b) events.push({ kind: "ack" });
          else if (b === 0x2d) events.push({ kind: "nak" });
          else if (b === GDB_INTERRUPT) events.push({ kind: "interrupt" });
          // Anything else between packets is noise and is ignored, as GDB's own stubs do.
          break;
        case State.Payload:
          if (b === HASH) this.state = State.Check1;
          else if (b === DOLLAR) this.len = 0; // a new start: the previous packet was cut short
          else this.append(b);
          break;
        case State.Check1:
          this.check = hexValue(b) << 4;
          this.state = State.Check2;
          break;
        case State.Check2: {
          const cs = this.check | hexValue(b);
          this.state = State.Idle;
          const payload = this.buf.slice(0, this.len);
          events.push(cs === packetChecksum(payload) && hexValue(b) >= 0 && this.check >= 0 ? { kind: "packet", payload } : { kind: "bad-checksum" });
          break;
        }
      }
    }
    return events;
  }

  private append(b: number): void {
    if (this.len === this.buf.length) {
      const bigger = new Uint8Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf[this.len++] = b;
  }
}

function hexValue(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x61 && b <= 0x66) return b - 0x57;
  if (b >= 0x41 && b <= 0x46) return b - 0x37;
  return -0x1000;
}
