import { describe, expect, it } from "vitest";
import type { Cpu } from "../cpu/cpu.js";
import { CF, DF, ZF } from "../cpu/eflags.js";
import { EAX, EBX, ECX, EDI, ES, ESI, FS } from "../cpu/registers.js";
import { ATTR_B, ATTR_VALID } from "../protection/descriptor.js";
import { CODE_BASE, DATA_BASE, makeMachine, runBytes, type TestMachine } from "../testing/run-bytes.js";
import { REP_BATCH } from "./string.js";

interface Caught {
  vector: number;
  code: number;
  eip: number;
}

/** Claim the usual fault vectors: record the first and end `run` there (no IDT needed). */
function catchFaults(m: TestMachine, into: Caught[]): void {
  for (const v of [0, 5, 6, 7, 13, 14]) {
    m.cpu.faults.claim(v, (cpu: Cpu, vector: number, code: number) => {
      into.push({ vector, code, eip: cpu.eip });
      cpu.exit = { kind: "stopped" };
      return true;
    });
  }
}

function le32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
}

/** Element-by-element MOVS as the SDM describes it, on a plain byte array. */
function referenceMovs(mem: Uint8Array, esi: number, edi: number, size: number, step: number, count: number): void {
  for (let k = 0; k < count; k++) {
    const tmp = mem.slice(esi, esi + size);
    mem.set(tmp, edi);
    esi += step;
    edi += step;
  }
}

describe("MOVS", () => {
  it("rep movsb (F3 A4), DF=0 → copies forward, ECX=0, ESI/EDI past the block", () => {
    const { cpu, memory } = runBytes([0xf3, 0xa4], {
      setup: ({ cpu, memory }) => {
        memory.load(DATA_BASE, new Uint8Array([1, 2, 3, 4, 5]));
        cpu.regs[ESI] = DATA_BASE;
        cpu.regs[EDI] = DATA_BASE + 0x100;
        cpu.regs[ECX] = 5;
      },
    });
    expect([...memory.u8.subarray(DATA_BASE + 0x100, DATA_BASE + 0x106)]).toEqual([1, 2, 3, 4, 5, 0]);
    expect(cpu.regs[ECX]).toBe(0);
    expect(cpu.regs[ESI]).toBe(DATA_BASE + 5);
    expect(cpu.regs[EDI]).toBe(DATA_BASE + 0x105);
  });

  it("movsd with DF=1 (FD A5) → one dword moved, ESI/EDI decrease by 4, ECX untouched", () => {
    const { cpu, memory } = runBytes([0xfd, 0xa5], {
      setup: ({ cpu, memory }) => {
        memory.write32(DATA_BASE, 0x11223344);
        cpu.regs[ESI] = DATA_BASE;
        cpu.regs[EDI] = DATA_BASE + 0x40;
        cpu.regs[ECX] = 7;
      },
    });
    expect(memory.read32(DATA_BASE + 0x40)).toBe(0x11223344);
    expect(cpu.regs[ESI]).toBe(DATA_BASE - 4);
    expect(cpu.regs[EDI]).toBe(DATA_BASE + 0x3c);
    expect(cpu.regs[ECX]).toBe(7);
  });

  it("fs: movsb (64 A4) → source uses FS, destination stays ES", () => {
    const { memory } = runBytes([0x64, 0xa4], {
      setup: ({ cpu, memory }) => {
        cpu.setSegmentCache(FS, 0x18, 0x1000, -1, cpu.segAttr[ES]!);
        memory.write8(DATA_BASE + 0x1000, 0xab);
        memory.write8(DATA_BASE, 0xcd);
        cpu.regs[ESI] = DATA_BASE;
        cpu.regs[EDI] = DATA_BASE + 0x10;
      },
    });
    expect(memory.read8(DATA_BASE + 0x10)).toBe(0xab);
  });

  it("rep movsb with EDI = ESI+1 → the first byte is replicated, as element-wise copying does", () => {
    const { memory } = runBytes([0xf3, 0xa4], {
      setup: ({ cpu, memory }) => {
        memory.load(DATA_BASE, new Uint8Array([0x5a, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
        cpu.regs[ESI] = DATA_BASE;
        cpu.regs[EDI] = DATA_BASE + 1;
        cpu.regs[ECX] = 9;
      },
    });
    expect([...memory.u8.subarray(DATA_BASE, DATA_BASE + 10)]).toEqual(new Array(10).fill(0x5a));
  });

  // The fast path copies page-sized runs with typed-array operations; it must
  // match the element-by-element reference for every overlap and direction.
  const cases: [number, number, number][] = [];
  for (const size of [1, 2, 4]) for (const down of [0, 1]) for (const delta of [-0x2000, -5, -4, -1, 0, 1, 3, 4, 8, 0x2000]) cases.push([size, down, delta]);
  it.each(cases)("rep movs size %i, DF=%i, EDI-ESI=%i across page boundaries → same bytes and registers as the element-wise reference", (size, down, delta) => {
    const count = 1500;
    const step = down ? -size : size;
    const esi = down ? 0x40f80 : 0x3f80;
    const edi = esi + delta;
    const setup = ({ cpu, memory }: TestMachine): void => {
      for (let a = 0x1000 * 2; a < 0x50000; a++) if (a >= 0x2000) memory.u8[a] = (a * 7 + (a >> 8)) & 0xff;
      cpu.regs[ESI] = esi;
      cpu.regs[EDI] = edi;
      cpu.regs[ECX] = count;
      if (down) cpu.flags |= DF;
    };
    const code = [size === 2 ? 0x66 : 0x90, 0xf3, size === 1 ? 0xa4 : 0xa5, 0xfc];
    const { cpu, memory } = runBytes(code, { setup });
    const expected = makeMachine();
    setup(expected);
    referenceMovs(expected.memory.u8, esi, edi, size, step, count);
    expect(Buffer.compare(memory.u8.subarray(0x2000, 0x50000), expected.memory.u8.subarray(0x2000, 0x50000))).toBe(0);
    expect(cpu.regs[ECX]).toBe(0);
    expect(cpu.regs[ESI]).toBe(esi + count * step);
    expect(cpu.regs[EDI]).toBe(edi + count * step);
  });

  it("rep movsd with ECX = 2·REP_BATCH+5 and a budget of one → stops after one batch with EIP on the instruction, then finishes", () => {
    const m = makeMachine();
    m.memory.load(CODE_BASE, new Uint8Array([0xf3, 0xa5, 0xf4]));
    m.cpu.regs[ESI] = 0x10000;
    m.cpu.regs[EDI] = 0x40000;
    m.cpu.regs[ECX] = 2 * REP_BATCH + 5;
    m.memory.write32(0x10000 + 4 * (2 * REP_BATCH + 4), 0x7e57);
    m.cpu.run(1);
    expect(m.cpu.regs[ECX]).toBe(REP_BATCH + 5);
    expect(m.cpu.eip).toBe(CODE_BASE);
    expect(m.cpu.regs[ESI]).toBe(0x10000 + 4 * REP_BATCH);
    const exit = m.cpu.run(100);
    expect(exit.kind).toBe("halt");
    expect(m.cpu.regs[ECX]).toBe(0);
    expect(m.memory.read32(0x40000 + 4 * (2 * REP_BATCH + 4))).toBe(0x7e57);
  });

  it("rep stosb over already-decoded code → the new bytes execute (INT3 replaces a cached NOP)", () => {
    const m = makeMachine();
    const caught: Caught[] = [];
    m.memory.load(CODE_BASE, new Uint8Array([0xf3, 0xaa, 0x90, 0xf4]));
    m.cpu.faults.claim(3, (cpu: Cpu, vector: number, code: number) => {
      caught.push({ vector, code, eip: cpu.eip });
      cpu.exit = { kind: "stopped" };
      return true;
    });
    expect(m.cpu.run(10).kind).toBe("halt");
    m.cpu.halted = false;
    m.cpu.eip = CODE_BASE;
    m.cpu.regs[EAX] = 0xcc;
    m.cpu.regs[EDI] = CODE_BASE + 2;
    m.cpu.regs[ECX] = 1;
    m.cpu.run(10);
    expect(caught[0]?.vector).toBe(3);
  });

  it("rep movsb (67 F3 A4) with 16-bit addressing → SI/DI wrap in 64 KiB, CX counts, upper halves kept", () => {
    const { cpu, memory } = runBytes([0x67, 0xf3, 0xa4], {
      setup: ({ cpu, memory }) => {
        memory.write8(0xffff, 0x77);
        memory.write8(0x0000, 0x88);
        cpu.regs[ESI] = 0x1234ffff;
        cpu.regs[EDI] = 0x00059000;
        cpu.regs[ECX] = 0xabcd0002;
      },
    });
    expect(memory.read8(0x9000)).toBe(0x77);
    expect(memory.read8(0x9001)).toBe(0x88);
    expect(cpu.regs[ESI]! >>> 0).toBe(0x12340001);
    expect(cpu.regs[EDI]).toBe(0x00059002);
    expect(cpu.regs[ECX]! >>> 0).toBe(0xabcd0000);
  });
});

describe("STOS", () => {
  it("rep stosd (F3 AB) at an unaligned address across pages → every dword written, EDI past them", () => {
    const { cpu, memory } = runBytes([0xf3, 0xab], {
      setup: ({ cpu }) => {
        cpu.regs[EAX] = 0xa1b2c3d4 | 0;
        cpu.regs[EDI] = 0x8ffd;
        cpu.regs[ECX] = 0x900;
      },
    });
    for (let k = 0; k < 0x900; k++) expect(memory.read32(0x8ffd + 4 * k) >>> 0).toBe(0xa1b2c3d4);
    expect(memory.read8(0x8ffc)).toBe(0);
    expect(memory.read8(0x8ffd + 4 * 0x900)).toBe(0);
    expect(cpu.regs[EDI]).toBe(0x8ffd + 4 * 0x900);
    expect(cpu.regs[ECX]).toBe(0);
  });

  it("rep stosw with DF=1 (FD 66 F3 AB) → words stored downwards", () => {
    const { cpu, memory } = runBytes([0xfd, 0x66, 0xf3, 0xab], {
      setup: ({ cpu }) => {
        cpu.regs[EAX] = 0x1234beef;
        cpu.regs[EDI] = 0x9001;
        cpu.regs[ECX] = 3;
      },
    });
    expect([...memory.u8.subarray(0x8ffd, 0x9004)]).toEqual([0xef, 0xbe, 0xef, 0xbe, 0xef, 0xbe, 0]);
    expect(cpu.regs[EDI]).toBe(0x8ffb);
  });

  it("rep stosb into a segment ending mid-block → #GP(0) at the instruction, ECX/EDI reflect the bytes stored", () => {
    const caught: Caught[] = [];
    const { cpu, memory } = runBytes([0xf3, 0xaa], {
      setup: (m) => {
        catchFaults(m, caught);
        m.cpu.setSegmentCache(ES, 0x10, 0, 0x8010, 0x93 | ATTR_B | ATTR_VALID);
        m.cpu.regs[EAX] = 0x5c;
        m.cpu.regs[EDI] = 0x8000;
        m.cpu.regs[ECX] = 0x20;
      },
    });
    expect(caught[0]).toEqual({ vector: 13, code: 0, eip: CODE_BASE });
    expect(cpu.regs[EDI]).toBe(0x8011);
    expect(cpu.regs[ECX]).toBe(0xf);
    expect(memory.read8(0x8010)).toBe(0x5c);
    expect(memory.read8(0x8011)).toBe(0);
  });
});

describe("LODS, CMPS, SCAS", () => {
  it("lodsd (AD) → EAX loaded, ESI += 4", () => {
    const { cpu } = runBytes([0xad], {
      setup: ({ cpu, memory }) => {
        memory.write32(DATA_BASE, 0xcafef00d | 0);
        cpu.regs[ESI] = DATA_BASE;
      },
    });
    expect(cpu.regs[EAX]! >>> 0).toBe(0xcafef00d);
    expect(cpu.regs[ESI]).toBe(DATA_BASE + 4);
  });

  it("lodsb (AC) → only AL changes", () => {
    const { cpu } = runBytes([0xac], {
      setup: ({ cpu, memory }) => {
        memory.write8(DATA_BASE, 0x42);
        cpu.regs[EAX] = 0x11223344;
        cpu.regs[ESI] = DATA_BASE;
      },
    });
    expect(cpu.regs[EAX]).toBe(0x11223342);
  });

  it("repe cmpsb (F3 A6) over 'abcX' vs 'abcY' → stops after the mismatch: ECX=count-4, ZF=0, CF=1", () => {
    const { cpu } = runBytes([0xf3, 0xa6], {
      setup: ({ cpu, memory }) => {
        memory.load(DATA_BASE, new TextEncoder().encode("abcXef"));
        memory.load(DATA_BASE + 0x100, new TextEncoder().encode("abcYef"));
        cpu.regs[ESI] = DATA_BASE;
        cpu.regs[EDI] = DATA_BASE + 0x100;
        cpu.regs[ECX] = 6;
      },
    });
    expect(cpu.regs[ECX]).toBe(2);
    expect(cpu.regs[ESI]).toBe(DATA_BASE + 4);
    expect(cpu.regs[EDI]).toBe(DATA_BASE + 0x104);
    expect(cpu.getZF()).toBe(0);
    expect(cpu.getCF()).toBe(1);
  });

  it("repne scasb (F2 AE) for AL=0 → strlen idiom: ECX = -(len+2), ZF=1", () => {
    const { cpu } = runBytes([0xf2, 0xae], {
      setup: ({ cpu, memory }) => {
        memory.load(DATA_BASE, new TextEncoder().encode("hello\0"));
        cpu.regs[EAX] = 0;
        cpu.regs[EDI] = DATA_BASE;
        cpu.regs[ECX] = -1;
      },
    });
    expect(cpu.regs[ECX]).toBe(-7);
    expect(cpu.regs[EDI]).toBe(DATA_BASE + 6);
    expect(cpu.getZF()).toBe(1);
  });

  it("scasd (AF) with EAX < [EDI] → CF=1, SF from the difference", () => {
    const { cpu } = runBytes([0xaf], {
      setup: ({ cpu, memory }) => {
        memory.write32(DATA_BASE, 5);
        cpu.regs[EAX] = 3;
        cpu.regs[EDI] = DATA_BASE;
      },
    });
    expect(cpu.getCF()).toBe(1);
    expect(cpu.getSF()).toBe(1);
    expect(cpu.getZF()).toBe(0);
  });

  it("repe cmpsb with ECX=0 → nothing compared, flags and index registers unchanged", () => {
    const { cpu } = runBytes([0xf9, 0xf3, 0xa6], {
      setup: ({ cpu, memory }) => {
        memory.write8(DATA_BASE, 1);
        cpu.regs[ESI] = DATA_BASE;
        cpu.regs[EDI] = DATA_BASE + 0x10;
        cpu.regs[ECX] = 0;
        cpu.flags |= ZF;
      },
    });
    expect(cpu.getEflags() & (ZF | CF)).toBe(ZF | CF);
    expect(cpu.regs[ESI]).toBe(DATA_BASE);
    expect(cpu.regs[EDI]).toBe(DATA_BASE + 0x10);
  });
});

describe("XLAT and BOUND", () => {
  it("xlat (D7) → AL = [EBX + AL]", () => {
    const { cpu } = runBytes([0xd7], {
      setup: ({ cpu, memory }) => {
        memory.write8(DATA_BASE + 0x80, 0x99);
        cpu.regs[EBX] = DATA_BASE;
        cpu.regs[EAX] = 0x12345680;
      },
    });
    expect(cpu.regs[EAX]).toBe(0x12345699);
  });

  it("bound eax,[m] (62 05) with index inside the signed bounds → no fault", () => {
    const caught: Caught[] = [];
    runBytes([0x62, 0x05, ...le32(DATA_BASE)], {
      setup: (m) => {
        catchFaults(m, caught);
        m.memory.write32(DATA_BASE, -10);
        m.memory.write32(DATA_BASE + 4, 10);
        m.cpu.regs[EAX] = -10;
      },
    });
    expect(caught).toEqual([]);
  });

  it("bound eax,[m] with index above the upper bound → #BR (5) without error code, EIP at the instruction", () => {
    const caught: Caught[] = [];
    runBytes([0x90, 0x62, 0x05, ...le32(DATA_BASE)], {
      setup: (m) => {
        catchFaults(m, caught);
        m.memory.write32(DATA_BASE, -10);
        m.memory.write32(DATA_BASE + 4, 10);
        m.cpu.regs[EAX] = 11;
      },
    });
    expect(caught[0]).toEqual({ vector: 5, code: 0, eip: CODE_BASE + 1 });
  });

  it("bound ax,[m] (66 62 05) → bounds are signed words: 0xFFF0 (-16) below -10 faults", () => {
    const caught: Caught[] = [];
    runBytes([0x66, 0x62, 0x05, ...le32(DATA_BASE)], {
      setup: (m) => {
        catchFaults(m, caught);
        m.memory.write16(DATA_BASE, 0xfff6);
        m.memory.write16(DATA_BASE + 2, 0x0010);
        m.cpu.regs[EAX] = 0x0000fff0;
      },
    });
    expect(caught[0]?.vector).toBe(5);
  });

  it("bound with a register operand (62 C0) → #UD", () => {
    const caught: Caught[] = [];
    runBytes([0x62, 0xc0], { setup: (m) => catchFaults(m, caught) });
    expect(caught[0]).toEqual({ vector: 6, code: 0, eip: CODE_BASE });
  });
});
