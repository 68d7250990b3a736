import { describe, expect, it } from "vitest";
import type { PortDevice } from "../bus/port-bus.js";
import { Cpu } from "../cpu/cpu.js";
import { IOPL } from "../cpu/eflags.js";
import { EAX, ECX, EDI, EDX, ESI } from "../cpu/registers.js";
import { PhysicalMemory } from "../memory/physical-memory.js";
import { ControlRegisters } from "../paging/control-registers.js";
import { FlatTranslator } from "../paging/flat-translator.js";
import { ATTR_VALID } from "../protection/descriptor.js";
import { CODE_BASE, DATA_BASE, runBytes, type TestMachine } from "../testing/run-bytes.js";

/** A test device that logs accesses and answers reads with `base + port`. */
class LogDevice implements PortDevice {
  readonly log: string[] = [];
  next = 0x10;
  constructor(private readonly onWrite?: () => void) {}
  read(port: number, size: 1 | 2 | 4): number {
    this.log.push(`r${size}:${port.toString(16)}`);
    return 0xa5a5a500 + this.next++;
  }
  write(port: number, size: 1 | 2 | 4, value: number): void {
    this.log.push(`w${size}:${port.toString(16)}=${(value >>> 0).toString(16)}`);
    this.onWrite?.();
  }
}

interface Caught {
  vector: number;
  code: number;
  eip: number;
}

function catchGp(m: TestMachine, into: Caught[]): void {
  m.cpu.faults.claim(13, (cpu: Cpu, vector: number, code: number) => {
    into.push({ vector, code, eip: cpu.eip });
    cpu.exit = { kind: "stopped" };
    return true;
  });
}

const TSS = 0x9000;

/** A busy 32-bit TSS at TSS with the I/O map at +0x68, `mapBytes` long (limit covers them). */
function installTss(m: TestMachine, mapBytes: number, denied: number[]): void {
  const cpu = m.cpu;
  cpu.trBase = TSS;
  cpu.trLimit = 0x67 + mapBytes;
  cpu.trAttr = 0x8b | ATTR_VALID;
  m.memory.write16(TSS + 0x66, 0x68);
  for (const port of denied) m.memory.write8(TSS + 0x68 + (port >> 3), m.memory.read8(TSS + 0x68 + (port >> 3)) | (1 << (port & 7)));
}

describe("IN and OUT", () => {
  it("in al,0x60 (E4 60) → AL from the device, upper EAX kept, device sees a byte read", () => {
    const dev = new LogDevice();
    const { cpu } = runBytes([0xe4, 0x60], {
      setup: ({ cpu }) => {
        cpu.ports.register(0x60, 1, dev, "kbd");
        cpu.regs[EAX] = 0x12345678;
      },
    });
    expect(cpu.regs[EAX]).toBe(0x12345610);
    expect(dev.log).toEqual(["r1:60"]);
  });

  it("in eax,dx (ED) → full 32-bit value", () => {
    const dev = new LogDevice();
    const { cpu } = runBytes([0xed], {
      setup: ({ cpu }) => {
        cpu.ports.register(0xcfc, 4, dev, "pci");
        cpu.regs[EDX] = 0xcfc;
      },
    });
    expect(cpu.regs[EAX]! >>> 0).toBe(0xa5a5a510);
  });

  it("out dx,ax (66 EF) → device gets a word write of AX", () => {
    const dev = new LogDevice();
    runBytes([0x66, 0xef], {
      setup: ({ cpu }) => {
        cpu.ports.register(0x1f0, 8, dev, "ide");
        cpu.regs[EDX] = 0x1f0;
        cpu.regs[EAX] = 0xdeadbeef | 0;
      },
    });
    expect(dev.log).toEqual(["w2:1f0=beef"]);
  });

  it("in al,0x80 with no device, unclaimedPorts exit → io exit before the instruction, EAX untouched", () => {
    const { cpu, exit } = runBytes([0x90, 0xe4, 0x80], { setup: ({ cpu }) => (cpu.regs[EAX] = 7) });
    expect(exit).toEqual({ kind: "io", port: 0x80, size: 1, write: false, value: 0 });
    expect(cpu.eip).toBe(CODE_BASE + 1);
    expect(cpu.regs[EAX]).toBe(7);
  });

  it("out 0x80,eax (E7 80) with no device → io write exit carrying EAX", () => {
    const { exit } = runBytes([0xe7, 0x80], { setup: ({ cpu }) => (cpu.regs[EAX] = 0x01020304) });
    expect(exit).toEqual({ kind: "io", port: 0x80, size: 4, write: true, value: 0x01020304 });
  });

  it("in ax,dx with no device on an open-bus machine → AX = 0xFFFF; out is dropped and execution goes on", () => {
    const memory = new PhysicalMemory(1 << 20);
    const control = new ControlRegisters();
    const cpu = new Cpu({ memory, control, translator: new FlatTranslator(memory), unclaimedPorts: "open-bus" });
    cpu.loadFlatSegments({ cpl: 0, codeSelector: 8, dataSelector: 0x10 });
    cpu.eip = CODE_BASE;
    memory.load(CODE_BASE, new Uint8Array([0x66, 0xed, 0xee, 0xf4]));
    cpu.regs[EAX] = 0x12340000;
    cpu.regs[EDX] = 0x300;
    expect(cpu.run(10).kind).toBe("halt");
    expect(cpu.regs[EAX]).toBe(0x1234ffff);
  });

  it("a device calling stop() in its write → run returns stopped with the OUT completed", () => {
    let m: TestMachine | undefined;
    const { exit, cpu } = runBytes([0xe6, 0xf4, 0x40], {
      setup: (machine) => {
        m = machine;
        machine.cpu.ports.register(0xf4, 1, new LogDevice(() => m!.cpu.stop()), "exit");
      },
    });
    expect(exit.kind).toBe("stopped");
    expect(cpu.eip).toBe(CODE_BASE + 2);
  });
});

describe("I/O permission", () => {
  it("CPL 3 with IOPL 0 and no TSS → #GP(0) at the instruction", () => {
    const caught: Caught[] = [];
    runBytes([0xe4, 0x60], { cpl: 3, steps: 1, setup: (m) => catchGp(m, caught) });
    expect(caught[0]).toEqual({ vector: 13, code: 0, eip: CODE_BASE });
  });

  it("CPL 3 with IOPL 3 → allowed without looking at any TSS", () => {
    const dev = new LogDevice();
    const caught: Caught[] = [];
    runBytes([0xe4, 0x60], {
      cpl: 3,
      steps: 1,
      setup: (m) => {
        catchGp(m, caught);
        m.cpu.flags |= IOPL;
        m.cpu.ports.register(0x60, 1, dev, "kbd");
      },
    });
    expect(caught).toEqual([]);
    expect(dev.log).toEqual(["r1:60"]);
  });

  it("CPL 3, bitmap bit clear for the port → allowed; bit set → #GP(0)", () => {
    const dev = new LogDevice();
    const caught: Caught[] = [];
    runBytes([0xe4, 0x60, 0xe4, 0x61], {
      cpl: 3,
      steps: 2,
      setup: (m) => {
        catchGp(m, caught);
        installTss(m, 0x20, [0x61]);
        m.cpu.ports.register(0x60, 2, dev, "kbd");
      },
    });
    expect(dev.log).toEqual(["r1:60"]);
    expect(caught[0]).toEqual({ vector: 13, code: 0, eip: CODE_BASE + 2 });
  });

  it("CPL 3, word access whose second port is denied (in ax,0x60 with 0x61 denied) → #GP(0)", () => {
    const caught: Caught[] = [];
    runBytes([0x66, 0xe5, 0x60], {
      cpl: 3,
      steps: 1,
      setup: (m) => {
        catchGp(m, caught);
        installTss(m, 0x20, [0x61]);
        m.cpu.ports.register(0x60, 2, new LogDevice(), "kbd");
      },
    });
    expect(caught[0]?.vector).toBe(13);
  });

  it("CPL 3, port whose bitmap word lies beyond the TSS limit → #GP(0)", () => {
    const caught: Caught[] = [];
    runBytes([0xe4, 0xff], {
      cpl: 3,
      steps: 1,
      setup: (m) => {
        catchGp(m, caught);
        installTss(m, 0x20, []);
        m.cpu.ports.register(0xff, 1, new LogDevice(), "dev");
      },
    });
    expect(caught[0]).toEqual({ vector: 13, code: 0, eip: CODE_BASE });
  });
});

describe("INS and OUTS", () => {
  it("rep insb (F3 6C) → bytes from the port stored at ES:EDI, ECX=0", () => {
    const dev = new LogDevice();
    const { cpu, memory } = runBytes([0xf3, 0x6c], {
      setup: ({ cpu }) => {
        cpu.ports.register(0x1f0, 1, dev, "ide");
        cpu.regs[EDX] = 0x1f0;
        cpu.regs[EDI] = DATA_BASE;
        cpu.regs[ECX] = 3;
      },
    });
    expect([...memory.u8.subarray(DATA_BASE, DATA_BASE + 4)]).toEqual([0x10, 0x11, 0x12, 0]);
    expect(cpu.regs[EDI]).toBe(DATA_BASE + 3);
    expect(cpu.regs[ECX]).toBe(0);
  });

  it("rep outsw (66 F3 6F) → words from DS:ESI written to the port in order", () => {
    const dev = new LogDevice();
    const { cpu } = runBytes([0x66, 0xf3, 0x6f], {
      setup: ({ cpu, memory }) => {
        cpu.ports.register(0x3f8, 1, dev, "uart");
        memory.load(DATA_BASE, new Uint8Array([1, 2, 3, 4]));
        cpu.regs[EDX] = 0x3f8;
        cpu.regs[ESI] = DATA_BASE;
        cpu.regs[ECX] = 2;
      },
    });
    expect(dev.log).toEqual(["w2:3f8=201", "w2:3f8=403"]);
    expect(cpu.regs[ESI]).toBe(DATA_BASE + 4);
  });

  it("insd to an unclaimed port → io exit before the instruction, EDI unchanged", () => {
    const { cpu, exit } = runBytes([0x6d], {
      setup: ({ cpu }) => {
        cpu.regs[EDX] = 0x500;
        cpu.regs[EDI] = DATA_BASE;
      },
    });
    expect(exit).toEqual({ kind: "io", port: 0x500, size: 4, write: false, value: 0 });
    expect(cpu.regs[EDI]).toBe(DATA_BASE);
    expect(cpu.eip).toBe(CODE_BASE);
  });

  it("outsb at CPL 3 to a denied port → #GP(0), ESI unchanged, nothing written", () => {
    const dev = new LogDevice();
    const caught: Caught[] = [];
    const { cpu } = runBytes([0x6e], {
      cpl: 3,
      steps: 1,
      setup: (m) => {
        catchGp(m, caught);
        installTss(m, 0x20, [0x40]);
        m.cpu.ports.register(0x40, 1, dev, "pit");
        m.cpu.regs[EDX] = 0x40;
        m.cpu.regs[ESI] = DATA_BASE;
      },
    });
    expect(caught[0]?.vector).toBe(13);
    expect(cpu.regs[ESI]).toBe(DATA_BASE);
    expect(dev.log).toEqual([]);
  });
});
