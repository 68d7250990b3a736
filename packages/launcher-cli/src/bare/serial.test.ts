import { beforeEach, describe, expect, it } from "vitest";
import { Serial16550 } from "./serial.js";

// PC16550D register map (datasheet Table II), at COM1.
const BASE = 0x3f8;
const THR = BASE + 0;
const RBR = BASE + 0;
const DLL = BASE + 0;
const IER = BASE + 1;
const DLM = BASE + 1;
const IIR = BASE + 2;
const FCR = BASE + 2;
const LCR = BASE + 3;
const MCR = BASE + 4;
const LSR = BASE + 5;
const MSR = BASE + 6;
const SCR = BASE + 7;

let sent: number[];
let uart: Serial16550;
const inb = (port: number) => uart.read(port, 1);
const outb = (port: number, v: number) => uart.write(port, 1, v);

beforeEach(() => {
  sent = [];
  uart = new Serial16550({ transmit: (b) => sent.push(b) });
});

describe("16550 transmitter", () => {
  it("bytes written to THR leave in order", () => {
    for (const c of "hi\n") outb(THR, c.charCodeAt(0));
    expect(String.fromCharCode(...sent)).toBe("hi\n");
  });

  it("LSR: THRE (bit 5) and TEMT (bit 6) are set at reset and after every write", () => {
    expect(inb(LSR) & 0x60).toBe(0x60);
    outb(THR, 0x41);
    expect(inb(LSR) & 0x60).toBe(0x60);
  });

  it("LSR: DR (bit 0) clear while nothing was received", () => {
    expect(inb(LSR) & 0x01).toBe(0);
  });
});

describe("16550 divisor latch (LCR bit 7, DLAB)", () => {
  it("with DLAB=1, offsets 0/1 are DLL/DLM: writes set the divisor and do not transmit or change IER", () => {
    outb(LCR, 0x80);
    outb(DLL, 0x01);
    outb(DLM, 0x00);
    expect(inb(DLL)).toBe(0x01);
    expect(inb(DLM)).toBe(0x00);
    outb(LCR, 0x03); // 8N1, DLAB off
    expect(sent).toEqual([]);
    expect(inb(IER)).toBe(0);
  });

  it("with DLAB=0 again, offset 0 transmits and offset 1 is IER", () => {
    outb(LCR, 0x80);
    outb(DLL, 0x03);
    outb(LCR, 0x03);
    outb(THR, 0x5a);
    outb(IER, 0x0f);
    expect(sent).toEqual([0x5a]);
    expect(inb(IER)).toBe(0x0f);
    outb(LCR, 0x83);
    expect(inb(DLL)).toBe(0x03);
  });

  it("LCR reads back what was written", () => {
    outb(LCR, 0x1b);
    expect(inb(LCR)).toBe(0x1b);
  });

  it("IER keeps only bits 3..0", () => {
    outb(IER, 0xff);
    expect(inb(IER)).toBe(0x0f);
  });
});

describe("16550 scratch register", () => {
  it("holds any byte written and has no other effect", () => {
    outb(SCR, 0xa5);
    expect(inb(SCR)).toBe(0xa5);
    expect(sent).toEqual([]);
  });
});

describe("16550 receiver", () => {
  it("received bytes set DR and are read from RBR in order; DR clears when empty", () => {
    uart.receive([0x61, 0x62]);
    expect(inb(LSR) & 0x01).toBe(1);
    expect(inb(RBR)).toBe(0x61);
    expect(inb(RBR)).toBe(0x62);
    expect(inb(LSR) & 0x01).toBe(0);
  });

  it("loopback (MCR bit 4): THR feeds RBR and nothing goes out", () => {
    outb(MCR, 0x10);
    outb(THR, 0x42);
    expect(sent).toEqual([]);
    expect(inb(LSR) & 0x01).toBe(1);
    expect(inb(RBR)).toBe(0x42);
  });

  it("loopback without FIFO: a second byte before reading RBR sets OE (LSR bit 1), cleared by reading LSR", () => {
    outb(MCR, 0x10);
    outb(THR, 1);
    outb(THR, 2);
    expect(inb(LSR) & 0x02).toBe(0x02);
    expect(inb(LSR) & 0x02).toBe(0);
  });

  it("FCR bit 0 enables a 16-byte FIFO: 16 looped bytes fit, the 17th overruns", () => {
    outb(FCR, 0x01);
    outb(MCR, 0x10);
    for (let i = 0; i < 16; i++) outb(THR, i);
    expect(inb(LSR) & 0x02).toBe(0);
    outb(THR, 99);
    expect(inb(LSR) & 0x02).toBe(0x02);
    expect(Array.from({ length: 16 }, () => inb(RBR))).toEqual(Array.from({ length: 16 }, (_, i) => i));
  });

  it("FCR bit 1 clears the receive FIFO", () => {
    outb(FCR, 0x01);
    uart.receive([1, 2, 3]);
    outb(FCR, 0x03);
    expect(inb(LSR) & 0x01).toBe(0);
  });
});

describe("16550 IIR", () => {
  it("at reset: no interrupt pending (bit 0 = 1) and FIFOs off (bits 7:6 = 00)", () => {
    expect(inb(IIR)).toBe(0x01);
  });

  it("bits 7:6 read 11 once FCR enabled the FIFOs", () => {
    outb(FCR, 0x01);
    expect(inb(IIR) & 0xc0).toBe(0xc0);
  });

  it("enabling the THRE interrupt with THR empty → id 0010; reading IIR clears it", () => {
    outb(IER, 0x02);
    expect(inb(IIR)).toBe(0x02);
    expect(inb(IIR)).toBe(0x01);
  });

  it("writing THR re-arms the THRE interrupt once the byte has gone", () => {
    outb(IER, 0x02);
    inb(IIR);
    outb(THR, 0x30);
    expect(inb(IIR)).toBe(0x02);
  });

  it("received data (id 0100) outranks THR empty (id 0010)", () => {
    outb(IER, 0x03);
    uart.receive([0x31]);
    expect(inb(IIR)).toBe(0x04);
    inb(RBR);
    expect(inb(IIR)).toBe(0x02);
  });

  it("line status (id 0110) outranks received data", () => {
    outb(IER, 0x05);
    outb(MCR, 0x10);
    outb(THR, 1);
    outb(THR, 2); // overrun
    expect(inb(IIR)).toBe(0x06);
    inb(LSR);
    expect(inb(IIR)).toBe(0x04);
  });

  it("with interrupts disabled in IER nothing is reported, whatever the state", () => {
    uart.receive([1]);
    expect(inb(IIR)).toBe(0x01);
    expect(uart.interruptPending).toBe(false);
  });
});

describe("16550 modem control and status", () => {
  it("MCR keeps bits 4..0", () => {
    outb(MCR, 0xff);
    expect(inb(MCR)).toBe(0x1f);
  });

  it("loopback wires DTR→DSR, RTS→CTS, OUT1→RI, OUT2→DCD in MSR bits 5,4,6,7", () => {
    outb(MCR, 0x10 | 0x01);
    expect(inb(MSR) & 0xf0).toBe(0x20);
    outb(MCR, 0x10 | 0x02);
    expect(inb(MSR) & 0xf0).toBe(0x10);
    outb(MCR, 0x10 | 0x04);
    expect(inb(MSR) & 0xf0).toBe(0x40);
    outb(MCR, 0x10 | 0x08);
    expect(inb(MSR) & 0xf0).toBe(0x80);
  });

  it("MSR delta bits record changes and clear when MSR is read", () => {
    outb(MCR, 0x10);
    inb(MSR);
    outb(MCR, 0x10 | 0x03); // DTR and RTS up → DSR and CTS change
    expect(inb(MSR) & 0x0f).toBe(0x03);
    expect(inb(MSR) & 0x0f).toBe(0);
  });
});

describe("16550 wide accesses", () => {
  it("a 16-bit read at the base returns RBR then IER, byte by byte", () => {
    outb(IER, 0x05);
    uart.receive([0x7e]);
    expect(uart.read(BASE, 2)).toBe(0x057e);
  });
});
