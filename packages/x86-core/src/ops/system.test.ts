import { describe, expect, test } from "vitest";
import { IF, ZF } from "../cpu/eflags.js";
import { CS, DS, EAX, EBX, ECX, EDX, ESP, SS } from "../cpu/registers.js";
import { GP, NP, UD } from "../cpu/vectors.js";
import { CR0_ET, CR0_PE, CR0_PG, CR0_TS, CR4_DE, CR4_PSE, CR4_TSD } from "../paging/control-registers.js";
import {
  codeAccess,
  dataAccess,
  exec,
  GDT_BASE,
  gateDesc,
  gdtHi,
  type ProtMachine,
  protMachine,
  SEL,
  segDesc,
  setGdt,
} from "../protection/system.test-helper.js";

const le32 = (v: number) => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff];
const zf = (m: ProtMachine) => (m.cpu.getEflags() & ZF) !== 0;
const gp0 = [{ vector: GP, code: 0 }];
const ud = [{ vector: UD, code: 0 }];

describe("descriptor-table registers", () => {
  test("lgdt then sgdt round-trips limit and base", () => {
    const m = protMachine(0);
    m.memory.write16(0x8000, 0x1ff);
    m.memory.write32(0x8002, 0xc0101000 | 0);
    exec(m, [0x0f, 0x01, 0x15, ...le32(0x8000)]); // lgdt [0x8000]
    expect([m.cpu.gdtLimit, m.cpu.gdtBase >>> 0]).toEqual([0x1ff, 0xc0101000]);
    m.cpu.gdtBase = GDT_BASE; // keep running on the real GDT
    exec(m, [0x0f, 0x01, 0x05, ...le32(0x8010)]); // sgdt [0x8010]
    expect(m.memory.read16(0x8010)).toBe(0x1ff);
    expect(m.memory.read32(0x8012)).toBe(GDT_BASE);
  });

  test("lidt with a 16-bit operand size keeps 24 bits of base; sidt o16 stores a zero top byte", () => {
    const m = protMachine(0);
    m.memory.write16(0x8000, 0x7ff);
    m.memory.write32(0x8002, 0x12345678);
    exec(m, [0x66, 0x0f, 0x01, 0x1d, ...le32(0x8000)]); // lidt word [0x8000]
    expect(m.cpu.idtBase).toBe(0x345678);
    m.cpu.idtBase = 0x12345678;
    exec(m, [0x66, 0x0f, 0x01, 0x0d, ...le32(0x8010)]); // sidt word [0x8010]
    expect(m.memory.read32(0x8012)).toBe(0x345678);
  });

  test("lgdt at CPL 1 → #GP(0); sgdt at CPL 3 is allowed", () => {
    const m = protMachine(1);
    exec(m, [0x0f, 0x01, 0x15, ...le32(0x8000)]);
    expect(m.faults).toEqual(gp0);
    const n = protMachine(3);
    exec(n, [0x0f, 0x01, 0x05, ...le32(0x8010)]);
    expect(n.faults).toEqual([]);
    expect(n.memory.read32(0x8012)).toBe(GDT_BASE);
  });

  test("lgdt with a register operand → #UD", () => {
    const m = protMachine(0);
    exec(m, [0x0f, 0x01, 0xd0]);
    expect(m.faults).toEqual(ud);
  });

  test("lldt loads the LDT, and TI=1 selectors then resolve in it; sldt eax zero-extends", () => {
    const m = protMachine(0);
    setGdt(m, 0x48, segDesc(0x9000, 0x17, 0x82, 0)); // LDT at 0x9000, 3 entries
    m.memory.write32(0x9008, segDesc(0x5000, 0xfff, dataAccess(0), 0)[0]);
    m.memory.write32(0x900c, segDesc(0x5000, 0xfff, dataAccess(0), 0)[1]);
    m.cpu.regs[EAX] = 0x48;
    exec(m, [0x0f, 0x00, 0xd0]); // lldt ax
    expect([m.cpu.ldtSel, m.cpu.ldtBase, m.cpu.ldtLimit]).toEqual([0x48, 0x9000, 0x17]);
    m.cpu.regs[EAX] = 0x0c;
    exec(m, [0x8e, 0xd8]); // mov ds,ax (LDT entry 1)
    expect(m.cpu.segBase[DS]).toBe(0x5000);
    m.cpu.regs[EBX] = -1;
    exec(m, [0x0f, 0x00, 0xc3]); // sldt ebx
    expect(m.cpu.regs[EBX]).toBe(0x48);
  });

  test("lldt of a data segment → #GP(selector); of a TI=1 selector → #GP(selector); not present → #NP", () => {
    const m = protMachine(0);
    m.cpu.regs[EAX] = SEL.data0;
    exec(m, [0x0f, 0x00, 0xd0]);
    expect(m.faults).toEqual([{ vector: GP, code: SEL.data0 }]);
    const n = protMachine(0);
    n.cpu.regs[EAX] = 0x4c;
    exec(n, [0x0f, 0x00, 0xd0]);
    expect(n.faults).toEqual([{ vector: GP, code: 0x4c }]);
    const o = protMachine(0);
    setGdt(o, 0x48, segDesc(0x9000, 0x17, 0x02, 0));
    o.cpu.regs[EAX] = 0x48;
    exec(o, [0x0f, 0x00, 0xd0]);
    expect(o.faults).toEqual([{ vector: NP, code: 0x48 }]);
  });

  test("ltr loads TR and marks the TSS busy; ltr of a busy TSS → #GP(selector); str reads it back", () => {
    const m = protMachine(0);
    setGdt(m, 0x48, segDesc(0xa000, 0x67, 0x89, 0));
    m.cpu.regs[EAX] = 0x48;
    exec(m, [0x0f, 0x00, 0xd8]); // ltr ax
    expect(m.faults).toEqual([]);
    expect([m.cpu.trSel, m.cpu.trBase, m.cpu.trLimit]).toEqual([0x48, 0xa000, 0x67]);
    expect((gdtHi(m, 0x48) >> 8) & 0xf).toBe(0xb);
    exec(m, [0x0f, 0x00, 0xd8]); // ltr ax again: now busy
    expect(m.faults).toEqual([{ vector: GP, code: 0x48 }]);
    m.cpu.regs[ECX] = -1;
    exec(m, [0x66, 0x0f, 0x00, 0xc9]); // str cx
    expect(m.cpu.regs[ECX]).toBe((0xffff0000 | 0x48) | 0);
  });

  test("ltr of the null selector → #GP(0); ltr at CPL 1 → #GP(0)", () => {
    const m = protMachine(0);
    m.cpu.regs[EAX] = 0;
    exec(m, [0x0f, 0x00, 0xd8]);
    expect(m.faults).toEqual(gp0);
    const n = protMachine(1);
    n.cpu.regs[EAX] = SEL.tss;
    exec(n, [0x0f, 0x00, 0xd8]);
    expect(n.faults).toEqual(gp0);
  });
});

describe("descriptor queries", () => {
  test("verr/verw answer through ZF by privilege and type", () => {
    const m = protMachine(3);
    const check = (sel: number, op: number) => {
      m.cpu.regs[EAX] = sel;
      exec(m, [0x0f, 0x00, op]);
      return zf(m);
    };
    expect(check(SEL.data3, 0xe0)).toBe(true); // verr ax
    expect(check(SEL.data3, 0xe8)).toBe(true); // verw ax
    expect(check(SEL.data0, 0xe0)).toBe(false);
    expect(check(SEL.code3, 0xe0)).toBe(true); // readable code
    expect(check(SEL.code3, 0xe8)).toBe(false); // code is never writable
    expect(check(SEL.tss, 0xe0)).toBe(false);
    expect(check(0, 0xe0)).toBe(false);
    setGdt(m, 0x48, segDesc(0, 0xfffff, codeAccess(0, true)));
    expect(check(0x48, 0xe0)).toBe(true); // conforming readable code: any privilege
  });

  test("lar returns the access rights for visible descriptors, ZF=0 otherwise", () => {
    const m = protMachine(3);
    m.cpu.regs[EBX] = SEL.code3;
    exec(m, [0x0f, 0x02, 0xc3]); // lar eax,ebx
    expect(zf(m)).toBe(true);
    expect(m.cpu.regs[EAX]).toBe(gdtHi(m, SEL.code3) & 0x00ffff00);
    m.cpu.regs[EAX] = 7;
    m.cpu.regs[EBX] = SEL.data0;
    exec(m, [0x0f, 0x02, 0xc3]);
    expect(zf(m)).toBe(false);
    expect(m.cpu.regs[EAX]).toBe(7);
    setGdt(m, 0x48, gateDesc(SEL.code0, 0, 0xec));
    m.cpu.regs[EBX] = 0x4b;
    exec(m, [0x0f, 0x02, 0xc3]); // a call gate is a valid LAR type
    expect(zf(m)).toBe(true);
  });

  test("lsl returns the byte-granular limit; a call gate has none (ZF=0)", () => {
    const m = protMachine(0);
    m.cpu.regs[EBX] = SEL.data0;
    exec(m, [0x0f, 0x03, 0xc3]); // lsl eax,ebx
    expect(zf(m)).toBe(true);
    expect(m.cpu.regs[EAX]).toBe(-1);
    m.cpu.regs[EBX] = SEL.tss;
    exec(m, [0x0f, 0x03, 0xc3]);
    expect(m.cpu.regs[EAX]).toBe(0x67);
    setGdt(m, 0x48, gateDesc(SEL.code0, 0, 0x8c));
    m.cpu.regs[EBX] = 0x48;
    exec(m, [0x0f, 0x03, 0xc3]);
    expect(zf(m)).toBe(false);
  });

  test("arpl raises the destination RPL and sets ZF, else clears ZF", () => {
    const m = protMachine(3);
    m.cpu.regs[EAX] = 0x10;
    m.cpu.regs[EBX] = 0x2b;
    exec(m, [0x63, 0xd8]); // arpl ax,bx
    expect(m.cpu.regs[EAX]).toBe(0x13);
    expect(zf(m)).toBe(true);
    exec(m, [0x63, 0xd8]);
    expect(m.cpu.regs[EAX]).toBe(0x13);
    expect(zf(m)).toBe(false);
  });
});

describe("control and debug registers", () => {
  test("mov cr0 forces ET, ignores reserved bits; pg without pe → #GP(0)", () => {
    const m = protMachine(0);
    m.cpu.regs[EAX] = CR0_PE | CR0_TS | (1 << 8);
    exec(m, [0x0f, 0x22, 0xc0]); // mov cr0,eax
    expect(m.control.cr0).toBe(CR0_PE | CR0_TS | CR0_ET);
    m.cpu.regs[EAX] = CR0_PG;
    exec(m, [0x0f, 0x22, 0xc0]);
    expect(m.faults).toEqual(gp0);
    expect(m.control.cr0).toBe(CR0_PE | CR0_TS | CR0_ET);
  });

  test("mov cr4 with a reserved bit → #GP(0); a valid value is stored and read back", () => {
    const m = protMachine(0);
    m.cpu.regs[EAX] = CR4_PSE;
    exec(m, [0x0f, 0x22, 0xe0]); // mov cr4,eax
    m.cpu.regs[EBX] = 0;
    exec(m, [0x0f, 0x20, 0xe3]); // mov ebx,cr4
    expect(m.cpu.regs[EBX]).toBe(CR4_PSE);
    m.cpu.regs[EAX] = 1 << 9; // OSFXSR: no FXSR here
    exec(m, [0x0f, 0x22, 0xe0]);
    expect(m.faults).toEqual(gp0);
  });

  test("mov cr3 flushes cached translations", () => {
    const m = protMachine(0);
    m.cpu.translator.tlb[0x77] = 0x77001;
    m.cpu.regs[EAX] = 0x5000;
    exec(m, [0x0f, 0x22, 0xd8]); // mov cr3,eax
    expect(m.control.cr3).toBe(0x5000);
    expect(m.cpu.translator.tlb[0x77]).toBe(0);
  });

  test("mov cr1 → #UD; mov cr0 at CPL 1 → #GP(0)", () => {
    const m = protMachine(0);
    exec(m, [0x0f, 0x20, 0xc8]); // mov eax,cr1
    expect(m.faults).toEqual(ud);
    const n = protMachine(1);
    exec(n, [0x0f, 0x20, 0xc0]);
    expect(n.faults).toEqual(gp0);
  });

  test("dr4 aliases dr6 unless CR4.DE, which makes it #UD", () => {
    const m = protMachine(0);
    m.cpu.regs[EAX] = 0x4001;
    exec(m, [0x0f, 0x23, 0xe0]); // mov dr4,eax
    expect(m.cpu.dr[6]).toBe((0xffff0ff0 | 0x4001) | 0);
    exec(m, [0x0f, 0x21, 0xf3]); // mov ebx,dr6
    expect(m.cpu.regs[EBX]).toBe((0xffff0ff0 | 0x4001) | 0);
    m.control.cr4 = CR4_DE;
    exec(m, [0x0f, 0x21, 0xe3]); // mov ebx,dr4
    expect(m.faults).toEqual(ud);
  });

  test("clts clears CR0.TS; lmsw cannot clear PE; smsw eax stores CR0", () => {
    const m = protMachine(0);
    m.control.cr0 |= CR0_TS;
    exec(m, [0x0f, 0x06]); // clts
    expect(m.control.cr0 & CR0_TS).toBe(0);
    m.cpu.regs[EAX] = 0x8;
    exec(m, [0x0f, 0x01, 0xf0]); // lmsw ax
    expect(m.control.cr0 & (CR0_PE | CR0_TS)).toBe(CR0_PE | CR0_TS);
    exec(m, [0x0f, 0x01, 0xe3]); // smsw ebx
    expect(m.cpu.regs[EBX]).toBe(m.control.cr0);
  });

  test("invlpg drops one translation; at CPL 1 → #GP(0)", () => {
    const m = protMachine(0);
    m.cpu.translator.tlb[0x12] = 0x12001;
    m.cpu.translator.tlb[0x13] = 0x13001;
    exec(m, [0x0f, 0x01, 0x3d, ...le32(0x12345)]); // invlpg [0x12345]
    expect([m.cpu.translator.tlb[0x12], m.cpu.translator.tlb[0x13]]).toEqual([0, 0x13001]);
    const n = protMachine(1);
    exec(n, [0x0f, 0x01, 0x3d, ...le32(0x12345)]);
    expect(n.faults).toEqual(gp0);
  });
});

describe("MSRs, TSC, CPUID", () => {
  test("rdtsc = retired instructions + offset; wrmsr 10H makes it continue from the written value", () => {
    const m = protMachine(0);
    m.cpu.instructions = 1000;
    exec(m, [0x0f, 0x31]); // rdtsc
    expect([m.cpu.regs[EAX], m.cpu.regs[EDX]]).toEqual([1000, 0]);
    m.cpu.regs[ECX] = 0x10;
    m.cpu.regs[EAX] = 0x10;
    m.cpu.regs[EDX] = 0x2;
    exec(m, [0x0f, 0x30]); // wrmsr
    exec(m, [0x0f, 0x31]);
    expect([m.cpu.regs[EAX], m.cpu.regs[EDX]]).toEqual([0x11, 0x2]);
  });

  test("rdtsc at CPL 3 with CR4.TSD → #GP(0)", () => {
    const m = protMachine(3);
    m.control.cr4 = CR4_TSD;
    exec(m, [0x0f, 0x31]);
    expect(m.faults).toEqual(gp0);
  });

  test("rdmsr of an unknown MSR → #GP(0); rdmsr at CPL 1 → #GP(0)", () => {
    const m = protMachine(0);
    m.cpu.regs[ECX] = 0x1b;
    exec(m, [0x0f, 0x32]);
    expect(m.faults).toEqual(gp0);
    const n = protMachine(1);
    n.cpu.regs[ECX] = 0x174;
    exec(n, [0x0f, 0x32]);
    expect(n.faults).toEqual(gp0);
  });

  test("EFER: NXE is writable, any other bit → #GP(0)", () => {
    const m = protMachine(0);
    m.cpu.regs[ECX] = 0xc0000080 | 0;
    m.cpu.regs[EAX] = 1 << 11;
    m.cpu.regs[EDX] = 0;
    exec(m, [0x0f, 0x30]);
    expect(m.control.efer).toBe(1 << 11);
    m.cpu.regs[EAX] = 1 << 8; // LME: no long mode
    exec(m, [0x0f, 0x30]);
    expect(m.faults).toEqual(gp0);
    expect(m.control.efer).toBe(1 << 11);
  });

  test("rdpmc → #GP(0); ud2 → #UD", () => {
    const m = protMachine(0);
    exec(m, [0x0f, 0x33]);
    expect(m.faults).toEqual(gp0);
    const n = protMachine(0);
    exec(n, [0x0f, 0x0b]);
    expect(n.faults).toEqual(ud);
  });

  test("cpuid leaves 0, 1, 80000000H, 80000001H and an out-of-range leaf", () => {
    const m = protMachine(3);
    const leaf = (n: number) => {
      m.cpu.regs[EAX] = n;
      exec(m, [0x0f, 0xa2]);
      return [EAX, EBX, ECX, EDX].map((r) => m.cpu.regs[r]! >>> 0);
    };
    const vendor = leaf(0);
    expect(vendor[0]).toBe(1);
    const text = [vendor[1]!, vendor[3]!, vendor[2]!].map((v) => String.fromCharCode(v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >>> 24)).join("");
    expect(text).toBe("littleguest ");
    expect(leaf(1)).toEqual([0x619, 0, 0, 0x0000a979]);
    expect(leaf(0x80000000)[0]).toBe(0x80000001);
    expect(leaf(0x80000001)[3]).toBe(1 << 20);
    expect(leaf(7)).toEqual([0x619, 0, 0, 0x0000a979]);
    expect(leaf(0x80000008)).toEqual([0x619, 0, 0, 0x0000a979]);
  });
});

describe("SYSENTER/SYSEXIT", () => {
  test("sysenter from ring 3 lands at CPL 0 with flat CS/SS from SYSENTER_CS, IF cleared", () => {
    const m = protMachine(3);
    m.cpu.sysenterCs = SEL.code0;
    m.cpu.sysenterEsp = 0x31000;
    m.cpu.sysenterEip = 0xc0001000 | 0;
    m.cpu.setEflags(IF | 2);
    exec(m, [0x0f, 0x34]);
    expect(m.cpu.cpl).toBe(0);
    expect([m.cpu.segSel[CS], m.cpu.segSel[SS]]).toEqual([SEL.code0, SEL.code0 + 8]);
    expect([m.cpu.regs[ESP], m.cpu.eip]).toEqual([0x31000, 0xc0001000 | 0]);
    expect(m.cpu.getEflags() & IF).toBe(0);
    expect(m.cpu.segLimit[CS]).toBe(-1);
  });

  test("sysenter with SYSENTER_CS = 0 → #GP(0)", () => {
    const m = protMachine(3);
    exec(m, [0x0f, 0x34]);
    expect(m.faults).toEqual(gp0);
  });

  test("sysexit returns to CPL 3 at EDX with ESP = ECX, selectors SYSENTER_CS+16|3 and +24|3", () => {
    const m = protMachine(0);
    m.cpu.sysenterCs = SEL.code0;
    m.cpu.regs[ECX] = 0x9000;
    m.cpu.regs[EDX] = 0x4000;
    exec(m, [0x0f, 0x35]);
    expect(m.cpu.cpl).toBe(3);
    expect([m.cpu.segSel[CS], m.cpu.segSel[SS]]).toEqual([0x1b, 0x23]);
    expect([m.cpu.regs[ESP], m.cpu.eip]).toEqual([0x9000, 0x4000]);
  });

  test("sysexit at CPL 1 → #GP(0)", () => {
    const m = protMachine(1);
    m.cpu.sysenterCs = SEL.code0;
    exec(m, [0x0f, 0x35]);
    expect(m.faults).toEqual(gp0);
  });
});
