/**
 * The Launcher's monitor: press Ctrl-A then c on the console and the Guest stops at its next
 * instruction boundary; a `(lguest)` prompt then takes commands (`info registers`, `info
 * pagetables`, `x/64 ADDR`, `step`, `continue`, `quit` …) until the Guest is let go.
 */
import { type ElfSymbol, hex8, symbolAddress } from "@littleguest/devtools";
import type { GuestExit, GuestMachine } from "../guest/machine.js";
import type { CliIo } from "./cli-io.js";
import { disassembleGuest, dumpGuestMemory, INSPECT_VIEWS, type InspectView, renderView } from "./inspect-views.js";

/** Ctrl-A: the monitor's escape byte (QEMU's, so fingers already know it). */
const ESCAPE = 0x01;
const encoder = new TextEncoder();

/** How a monitor session ended. */
export type MonitorResult = { readonly kind: "continue" } | { readonly kind: "quit" } | { readonly kind: "ended"; readonly exit: GuestExit };

/*L:640 The monitor borrows QEMU's key: Ctrl-A, then c. The Launcher watches the console
 * input for it; everything else goes to the Guest untouched (Ctrl-A twice sends one). When it
 * comes, the Launcher asks the Host to stop the Guest, and because a stop leaves through the
 * Switcher like any exit, every register is in the regs page when the prompt appears, the
 * same place the Host itself reads them. The views are the devtools inspector's. :*/

/** The monitor of one `lguest run`. */
export class Monitor {
  /** A prompt is open: console input goes to it, not to the Guest. */
  active = false;
  /** Ctrl-A c was typed and the Guest has not stopped yet. */
  pending = false;
  private escaped = false;
  private line = "";
  private lineWaiter: ((line: string | null) => void) | null = null;
  private readonly lines: string[] = [];
  private ended = false;

  constructor(
    private readonly machine: GuestMachine,
    private readonly io: CliIo,
    private readonly symbols: readonly ElfSymbol[],
    private readonly symbolize: (a: number) => string | null,
  ) {}

  /** Console input while the Guest runs: returns what the Guest gets; Ctrl-A c asks for a stop. */
  filter(bytes: Uint8Array): Uint8Array {
    if (this.active) {
      this.feed(bytes);
      return new Uint8Array(0);
    }
    const out: number[] = [];
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (this.escaped) {
        this.escaped = false;
        if (b === 0x63 /* c */) {
          this.pending = true;
          this.machine.stopGuest();
          // What follows the escape in the same chunk is for the prompt.
          this.feed(bytes.subarray(i + 1));
          return new Uint8Array(out);
        }
        if (b !== ESCAPE) out.push(ESCAPE);
        out.push(b);
      } else if (b === ESCAPE) this.escaped = true;
      else out.push(b);
    }
    return new Uint8Array(out);
  }

  /** Whether the console input has ended. */
  get inputHasEnded(): boolean {
    return this.ended;
  }

  /** Input typed after the command that ended the session: it belongs to the Guest. */
  takeLeftover(): Uint8Array {
    const text = this.lines.map((l) => `${l}\n`).join("") + this.line;
    this.lines.length = 0;
    this.line = "";
    return encoder.encode(text);
  }

  /** The console input ended: a prompt waiting for a line gets none. */
  inputEnded(): void {
    this.ended = true;
    const w = this.lineWaiter;
    this.lineWaiter = null;
    w?.(null);
  }

  /** Run a prompt until `continue`, `quit` or the end of input (which continues). */
  async session(): Promise<MonitorResult> {
    this.active = true;
    this.pending = false;
    this.say(`\r\n[lguest monitor: the Guest is stopped at ${this.where()}; 'help' lists the commands]\r\n`);
    try {
      for (;;) {
        this.say("(lguest) ");
        const line = await this.nextLine();
        // A line typed at the prompt was echoed as it was typed; one that was waiting is shown now.
        if (line !== null && !this.typedAtPrompt) this.say(`${line}\r\n`);
        if (line === null) {
          this.say("\r\n[end of input: the Guest goes on]\r\n");
          return { kind: "continue" };
        }
        const result = this.command(line.trim());
        if (result !== null) return result;
      }
    } finally {
      this.active = false;
    }
  }

  /** Run one command line; @returns how the session ends, or null to prompt again. */
  command(line: string): MonitorResult | null {
    const [verb = "", ...args] = line.split(/\s+/);
    switch (verb) {
      case "":
        return null;
      case "help":
      case "?":
        this.print(HELP);
        return null;
      case "c":
      case "cont":
      case "continue":
        return { kind: "continue" };
      case "q":
      case "quit":
        return { kind: "quit" };
      case "info":
      case "i": {
        const view = args[0] as InspectView | undefined;
        if (view === undefined || !(INSPECT_VIEWS as readonly string[]).includes(view)) {
          this.print(`info what? ${INSPECT_VIEWS.join(", ")}`);
          return null;
        }
        const n = args[1] === undefined ? undefined : Number(args[1]);
        this.print(renderView(this.machine, view, n !== undefined && Number.isFinite(n) ? n : undefined));
        return null;
      }
      case "s":
      case "step":
      case "stepi": {
        const n = Math.max(1, Math.min(1_000_000, Number(args[0] ?? 1) || 1));
        for (let k = 0; k < n; k++) {
          const exit = this.machine.step();
          if (exit !== null) return { kind: "ended", exit };
        }
        const halted = this.machine.guest.halted ? " (halted: it waits for an interrupt, so a step runs nothing)" : "";
        this.print(`stopped at ${this.where()}${halted}\n${disassembleGuest(this.machine, this.machine.guest.reg("eip") >>> 0, 1, this.symbolize)}`);
        return null;
      }
      default: {
        const x = /^x(?:\/(\d+)?(i)?)?$/.exec(verb);
        if (x !== null) {
          const addr = this.address(args[0] ?? (x[2] === "i" ? "$eip" : undefined));
          if (addr === null) {
            this.print(`x: give an address: 0x…, a number, a symbol of the kernel, or $eip/$esp (got '${args[0] ?? ""}')`);
            return null;
          }
          if (x[2] === "i") this.print(disassembleGuest(this.machine, addr, Math.min(1000, Number(x[1] ?? 10)), this.symbolize));
          else this.print(dumpGuestMemory(this.machine, addr, Math.min(4096, Number(x[1] ?? 64))));
          return null;
        }
        this.print(`unknown command '${verb}'; type 'help'`);
        return null;
      }
    }
  }

  private address(text: string | undefined): number | null {
    if (text === undefined) return null;
    if (text === "$eip" || text === "$pc") return this.machine.guest.reg("eip") >>> 0;
    if (text === "$esp" || text === "$sp") return this.machine.guest.reg("esp") >>> 0;
    if (/^(0x[0-9a-f]+|\d+)$/i.test(text)) return Number(text) >>> 0;
    return symbolAddress(this.symbols, text);
  }

  private where(): string {
    const eip = this.machine.guest.reg("eip") >>> 0;
    const sym = this.symbolize(eip);
    return `eip ${hex8(eip)}${sym === null ? "" : ` <${sym}>`}, ring ${this.machine.guest.reg("cs") & 3}`;
  }

  private feed(bytes: Uint8Array): void {
    for (const b of bytes) {
      // Echo only what is typed while the prompt waits (a terminal in raw mode echoes nothing).
      const echo = this.lineWaiter !== null && this.lines.length === 0;
      if (b === 0x0d || b === 0x0a) {
        if (b === 0x0a && this.line === "" && this.lastWasCr) {
          this.lastWasCr = false;
          continue;
        }
        this.lastWasCr = b === 0x0d;
        if (echo) this.say("\r\n");
        this.deliver(this.line, echo);
        this.line = "";
      } else if (b === 0x7f || b === 0x08) {
        if (this.line.length > 0) {
          this.line = this.line.slice(0, -1);
          if (echo) this.say("\b \b");
        }
      } else if (b >= 0x20 && b < 0x7f) {
        this.line += String.fromCharCode(b);
        if (echo) this.say(String.fromCharCode(b));
      }
    }
  }
  private lastWasCr = false;

  private deliver(line: string, echoed: boolean): void {
    const w = this.lineWaiter;
    if (w !== null) {
      this.lineWaiter = null;
      this.typedAtPrompt = echoed;
      w(line);
    } else this.lines.push(line);
  }
  /** The line just delivered was echoed as it was typed. */
  private typedAtPrompt = false;

  private nextLine(): Promise<string | null> {
    const queued = this.lines.shift();
    this.typedAtPrompt = false;
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.ended) return Promise.resolve(null);
    return new Promise((r) => {
      this.lineWaiter = r;
    });
  }

  private say(text: string): void {
    this.io.output(encoder.encode(text));
  }

  private print(text: string): void {
    this.say(`${text.replace(/\n/g, "\r\n")}\r\n`);
  }
}

const HELP = `commands:
  info registers|counters|pgdirs|pagetables [SLOT]|switcher|gdt|idt|tss|tlb [N]
  x/N ADDR        N bytes of Guest-virtual memory (ADDR: 0x…, a kernel symbol, $eip, $esp)
  x/Ni [ADDR]     N instructions from ADDR (default: 10 from $eip), objdump's AT&T text
  step [N]        run N Guest instructions (default 1)
  continue, c     let the Guest run again
  quit, q         end the run
Ctrl-A c at the console comes back here; Ctrl-A Ctrl-A sends one Ctrl-A to the Guest.`;
