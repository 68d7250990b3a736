/**
 * A 16550A UART, the PC's COM port, as the bare machine's console.
 *
 * Reference: National Semiconductor PC16550D datasheet, Table II (register
 * map and bits) and §8 (registers): eight registers at base+0..7; LCR bit 7
 * (DLAB) swaps RBR/THR and IER for the divisor latch DLL/DLM; IIR reports the
 * highest-priority pending interrupt (line status > received data > THR empty
 * > modem status, bit 0 = 1 when none) and bits 7:6 = 11 when FCR enabled the
 * FIFOs; LSR bit 0 DR, bit 1 OE, bit 5 THRE, bit 6 TEMT, error bits cleared by
 * reading LSR; MCR bit 4 loopback wires the transmitter to the receiver and
 * DTR/RTS/OUT1/OUT2 to DSR/CTS/RI/DCD in the MSR.
 *
 * Transmission is instantaneous: a byte written to THR leaves at once, so THRE
 * and TEMT always read 1. There is no interrupt controller in the bare
 * machine; {@link Serial16550.interruptPending} shows the INTR line.
 */

/** Register offsets from the base port. */
const RBR_THR_DLL = 0;
const IER_DLM = 1;
const IIR_FCR = 2;
const LCR = 3;
const MCR = 4;
const LSR = 5;
const MSR = 6;
const SCR = 7;

/** LSR: data ready. */
export const LSR_DR = 0x01;
/** LSR: overrun error. */
export const LSR_OE = 0x02;
/** LSR: transmitter holding register empty. */
export const LSR_THRE = 0x20;
/** LSR: transmitter empty (holding and shift register). */
export const LSR_TEMT = 0x40;
/** LCR: divisor latch access bit. */
export const LCR_DLAB = 0x80;
/** MCR: loopback mode. */
export const MCR_LOOP = 0x10;
/** IIR: no interrupt pending. */
export const IIR_NONE = 0x01;
/** IIR: receiver line status (priority 1). */
export const IIR_LINE_STATUS = 0x06;
/** IIR: received data available (priority 2). */
export const IIR_RX_DATA = 0x04;
/** IIR: transmitter holding register empty (priority 3). */
export const IIR_THR_EMPTY = 0x02;
/** IIR: modem status (priority 4). */
export const IIR_MODEM_STATUS = 0x00;
/** IIR bits 7:6 when the FIFOs are enabled. */
export const IIR_FIFO_ENABLED = 0xc0;

const IER_RX = 0x01;
const IER_THRE = 0x02;
const IER_LINE = 0x04;
const IER_MODEM = 0x08;
const LSR_ERRORS = 0x1e;
const FCR_ENABLE = 0x01;
const FCR_CLEAR_RX = 0x02;
/** Receive FIFO depth of a 16550A. */
const FIFO_DEPTH = 16;
/** MSR inputs with nothing in loopback: CTS, DSR and DCD asserted (a connected terminal, as QEMU reports). */
const MSR_CONNECTED = 0xb0;
/** Divisor at reset: 12 = 9600 baud from the 1.8432 MHz clock (the datasheet leaves it undefined). */
const RESET_DIVISOR = 12;

/*L:160 The 16550 is the PC's console of last resort, and every hobby kernel
 * drives it the same way: set the divisor with DLAB, program LCR, then poll
 * LSR until THRE says the holding register is empty before each byte. Our
 * transmitter is infinitely fast, so THRE never drops and the poll costs one
 * IN per byte. The rest of the chip (FIFO, loopback, the interrupt
 * identification ladder) is here because driver probes test it. :*/

/** Options of {@link Serial16550}. */
export interface SerialOptions {
  /** Called with each byte the Guest transmits (not in loopback mode), in order. */
  transmit(byte: number): void;
}

/**
 * A 16550A UART port device (`read(port, size)` / `write(port, size, value)`,
 * the x86-core `PortDevice` shape). Register it at a base port aligned to 8;
 * wider accesses are split into byte accesses of consecutive registers.
 */
export class Serial16550 {
  private divisor = RESET_DIVISOR;
  private ier = 0;
  private fcr = 0;
  private lcr = 0;
  private mcr = 0;
  private lsrErrors = 0;
  private msrDelta = 0;
  private scr = 0;
  private thrInterrupt = false;
  private readonly rx: number[] = [];
  private readonly hostInput: number[] = [];
  private readonly transmit: (byte: number) => void;

  /** @param options - where transmitted bytes go. */
  constructor(options: SerialOptions) {
    this.transmit = options.transmit;
  }

  /** Queue bytes from the host side (a terminal); they enter the receiver as the FIFO has room. */
  receive(bytes: Iterable<number>): void {
    for (const b of bytes) this.hostInput.push(b & 0xff);
    this.refill();
  }

  /** True when the INTR output would be asserted (IIR bit 0 clear) and OUT2 gates it to the bus. */
  get interruptPending(): boolean {
    return (this.identify() & 1) === 0;
  }

  /** Port read of `size` bytes at `port`. */
  read(port: number, size: 1 | 2 | 4): number {
    let value = 0;
    for (let i = 0; i < size; i++) {
      const reg = (port & 7) + i;
      value |= (reg < 8 ? this.readRegister(reg) : 0xff) << (8 * i);
    }
    return value >>> 0;
  }

  /** Port write of `size` bytes at `port`. */
  write(port: number, size: 1 | 2 | 4, value: number): void {
    for (let i = 0; i < size; i++) {
      const reg = (port & 7) + i;
      if (reg < 8) this.writeRegister(reg, (value >>> (8 * i)) & 0xff);
    }
  }

  private get dlab(): boolean {
    return (this.lcr & LCR_DLAB) !== 0;
  }

  private readRegister(reg: number): number {
    switch (reg) {
      case RBR_THR_DLL: {
        if (this.dlab) return this.divisor & 0xff;
        const byte = this.rx.shift() ?? 0;
        this.refill();
        return byte;
      }
      case IER_DLM:
        return this.dlab ? this.divisor >>> 8 : this.ier;
      case IIR_FCR: {
        const id = this.identify();
        // Reading IIR while it reports THR empty is one of the two ways to clear that interrupt.
        if ((id & 0x0f) === IIR_THR_EMPTY) this.thrInterrupt = false;
        return id | (this.fcr & FCR_ENABLE ? IIR_FIFO_ENABLED : 0);
      }
      case LCR:
        return this.lcr;
      case MCR:
        return this.mcr;
      case LSR: {
        const lsr = this.lineStatus();
        this.lsrErrors = 0;
        return lsr;
      }
      case MSR: {
        const msr = this.modemLines() | this.msrDelta;
        this.msrDelta = 0;
        return msr;
      }
      default:
        return this.scr;
    }
  }

  private writeRegister(reg: number, v: number): void {
    switch (reg) {
      case RBR_THR_DLL:
        if (this.dlab) {
          this.divisor = (this.divisor & 0xff00) | v;
          return;
        }
        this.thrInterrupt = false;
        if (this.mcr & MCR_LOOP) this.pushReceived(v);
        else this.transmit(v);
        // The byte left at once: the holding register is empty again.
        this.thrInterrupt = true;
        return;
      case IER_DLM:
        if (this.dlab) {
          this.divisor = (this.divisor & 0xff) | (v << 8);
          return;
        }
        // Enabling the THRE interrupt while THR is empty raises it immediately.
        if (v & IER_THRE && !(this.ier & IER_THRE)) this.thrInterrupt = true;
        this.ier = v & 0x0f;
        return;
      case IIR_FCR:
        if ((v ^ this.fcr) & FCR_ENABLE || v & FCR_CLEAR_RX) this.rx.length = 0;
        this.fcr = v & 0xc9;
        this.refill();
        return;
      case LCR:
        this.lcr = v;
        return;
      case MCR: {
        const before = this.modemLines();
        this.mcr = v & 0x1f;
        this.noteModemChange(before, this.modemLines());
        return;
      }
      case SCR:
        this.scr = v;
        return;
      default:
        // LSR and MSR are read-only (writing LSR is a factory test mode).
        return;
    }
  }

  private lineStatus(): number {
    return (this.rx.length > 0 ? LSR_DR : 0) | (this.lsrErrors & LSR_ERRORS) | LSR_THRE | LSR_TEMT;
  }

  /** MSR bits 7:4 (DCD, RI, DSR, CTS). */
  private modemLines(): number {
    if (!(this.mcr & MCR_LOOP)) return MSR_CONNECTED;
    const m = this.mcr;
    return ((m & 0x02) << 3) | ((m & 0x01) << 5) | ((m & 0x04) << 4) | ((m & 0x08) << 4);
  }

  private noteModemChange(before: number, after: number): void {
    const changed = before ^ after;
    if (changed & 0x10) this.msrDelta |= 0x01; // DCTS
    if (changed & 0x20) this.msrDelta |= 0x02; // DDSR
    if (before & 0x40 && !(after & 0x40)) this.msrDelta |= 0x04; // TERI: RI trailing edge
    if (changed & 0x80) this.msrDelta |= 0x08; // DDCD
  }

  private identify(): number {
    if (this.ier & IER_LINE && this.lsrErrors) return IIR_LINE_STATUS;
    if (this.ier & IER_RX && this.rx.length > 0) return IIR_RX_DATA;
    if (this.ier & IER_THRE && this.thrInterrupt) return IIR_THR_EMPTY;
    if (this.ier & IER_MODEM && this.msrDelta) return IIR_MODEM_STATUS;
    return IIR_NONE;
  }

  private capacity(): number {
    return this.fcr & FCR_ENABLE ? FIFO_DEPTH : 1;
  }

  /** A character arrives from the line (loopback); without room it is an overrun. */
  private pushReceived(byte: number): void {
    if (this.rx.length < this.capacity()) {
      this.rx.push(byte);
      return;
    }
    this.lsrErrors |= LSR_OE;
    // Without FIFOs the new character overwrites the holding register; with them it is lost.
    if (!(this.fcr & FCR_ENABLE)) this.rx[0] = byte;
  }

  /** Host input is flow-controlled: it waits in our queue rather than overrunning. */
  private refill(): void {
    while (this.hostInput.length > 0 && this.rx.length < this.capacity()) this.rx.push(this.hostInput.shift()!);
  }
}
