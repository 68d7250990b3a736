/**
 * The Switcher on a real CPU: entries through switch_to_guest, exits through the stubs,
 * per-host-CPU mappings and the regs-page remap (lguest-abi.md §3.3–§3.7).
 */
import { HostPageAllocator, PagingUnit } from "@littleguest/mmu";
import { ControlRegisters, CR0_ET, CR0_PE, CR0_PG, CR0_WP, Cpu, EAX, EBX, PhysicalMemory } from "@littleguest/x86-core";
import { describe, expect, it } from "vitest";
import { ACCESS_DATA_RING0, GATE_INTERRUPT, gateDescriptor, segmentDescriptor } from "./descriptors.js";
import {
  CHANGED_ALL,
  GDT_ENTRY_KERNEL_CS,
  GDT_ENTRY_KERNEL_DS,
  GDT_ENTRY_TLS_MIN,
  KERNEL_CS_SEL,
  KERNEL_DS_SEL,
  LGUEST_CS,
  lguestPagesAddress,
  PAGE_SIZE,
  REGS,
  REGS_OFFSET,
  RO,
  SWITCHER_PGD_INDEX,
  TRAPNUM_IN_SWITCHER,
  TSS,
} from "./layout.js";
import { stubAddress, Switcher, SWITCHER_ROUTE_BASE, type SwitcherGuest } from "./switcher.js";

const CODE = 0x00400000;
const STACK_TOP = 0x00402000;

interface World {
  memory: PhysicalMemory;
  allocator: HostPageAllocator;
  switcher: Switcher;
  cpu: Cpu;
  guest: SwitcherGuest;
  codePage: number;
  reg(field: keyof typeof REGS): number;
  setReg(field: keyof typeof REGS, v: number): void;
  /** Enter on `hostCpu`, run until the next Switcher exit, complete it. */
  roundTrip(hostCpu?: number): { trapnum: number; errcode: number; vector: number };
}

/**
 * A Guest without a Host: one "shadow" page directory mapping a code page and a stack page
 * (ring-1 kernel, supervisor pages), a GDT with the kernel segments at DPL 1, an IDT of stub
 * gates, and the regs page set as lguest's INITIALIZE leaves it.
 */
function world(code: number[], hostCpus = 2): World {
  const memory = new PhysicalMemory(8 << 20);
  const allocator = new HostPageAllocator(memory, 0, 2048);
  const control = new ControlRegisters();
  control.cr0 = CR0_PE | CR0_ET | CR0_PG | CR0_WP;
  const cpu = new Cpu({ memory, control, translator: new PagingUnit(memory, control) });
  const switcher = new Switcher({ memory, allocator, hostCpus });
  switcher.attach(cpu);
  const page = () => allocator.alloc("test") * PAGE_SIZE;
  const pgdir = page();
  const pt = page();
  const codePage = page();
  const stackPage = page();
  memory.write32(pgdir + (CODE >>> 22) * 4, pt | 0x23);
  memory.write32(pt + ((CODE >>> 12) & 0x3ff) * 4, codePage | 0x63);
  memory.write32(pt + (((STACK_TOP - 1) >>> 12) & 0x3ff) * 4, stackPage | 0x63);
  memory.u8.set(code, codePage);
  const gdt = new Int32Array(64);
  const kcode = segmentDescriptor(0, 0xfffff, 0xbb, 0xc); // present, DPL 1, code, readable, accessed
  const kdata = segmentDescriptor(0, 0xfffff, 0xb3, 0xc); // present, DPL 1, data, writable, accessed
  gdt.set([kcode.lo, kcode.hi], GDT_ENTRY_KERNEL_CS * 2);
  gdt.set([kdata.lo, kdata.hi], GDT_ENTRY_KERNEL_DS * 2);
  const idt = new Int32Array(512);
  for (let v = 0; v < 256; v++) {
    const g = gateDescriptor(LGUEST_CS, stubAddress(v), GATE_INTERRUPT, v === 0x1f ? 1 : 0);
    idt[v * 2] = g.lo;
    idt[v * 2 + 1] = g.hi;
  }
  const regsPage = page();
  const guest: SwitcherGuest = {
    regsPage,
    changed: CHANGED_ALL,
    lastHostCpu: -1,
    esp1: STACK_TOP,
    ss1: KERNEL_DS_SEL,
    idt,
    gdt,
    shadowPgdir: () => pgdir,
    mapSwitcher: (pte) => memory.write32(pgdir + SWITCHER_PGD_INDEX * 4, pte | 0x23),
  };
  const at = (f: keyof typeof REGS) => regsPage + REGS_OFFSET + REGS[f];
  const w: World = {
    memory,
    allocator,
    switcher,
    cpu,
    guest,
    codePage,
    reg: (f) => memory.read32(at(f)),
    setReg: (f, v) => memory.write32(at(f), v),
    roundTrip(hostCpu = 0) {
      switcher.enterGuest(hostCpu, guest, cpu);
      const exit = cpu.run(10_000);
      if (exit.kind !== "handler") throw new Error(`expected a Switcher exit, got ${JSON.stringify(exit)}`);
      const vector = exit.id - SWITCHER_ROUTE_BASE;
      return { ...switcher.exitToHost(hostCpu, guest, cpu, vector), vector };
    },
  };
  for (const [f, v] of [
    ["cs", KERNEL_CS_SEL],
    ["ds", KERNEL_DS_SEL],
    ["es", KERNEL_DS_SEL],
    ["ss", KERNEL_DS_SEL],
    ["eflags", 0x202],
    ["eip", CODE],
    ["esp", STACK_TOP],
  ] as const)
    w.setReg(f, v);
  return w;
}

// b8 2a 00 00 00: mov eax, 42 ; bb 07 00 00 00: mov ebx, 7 ; cd 1f: int 0x1f ;
// 83 c0 01: add eax, 1 ; cd 1f: int 0x1f
const HYPERCALLS = [0xb8, 0x2a, 0, 0, 0, 0xbb, 0x07, 0, 0, 0, 0xcd, 0x1f, 0x83, 0xc0, 0x01, 0xcd, 0x1f];

describe("the Switcher's world switch", () => {
  it("entry runs the Guest at ring 1; int $0x1f comes back with its registers in the regs page", () => {
    const w = world(HYPERCALLS);
    const out = w.roundTrip();
    expect(out).toEqual({ trapnum: 0x1f, errcode: 0, vector: 0x1f });
    expect([w.reg("eax"), w.reg("ebx"), w.reg("eip") >>> 0, w.reg("cs"), w.reg("ss"), w.reg("esp") >>> 0]).toEqual([
      42,
      7,
      CODE + 12,
      KERNEL_CS_SEL,
      KERNEL_DS_SEL,
      STACK_TOP,
    ]);
    expect(w.reg("eflags") & 0x200).toBe(0x200);
  });

  it("the Host changes a register in the regs page and the Guest sees it on the next entry", () => {
    const w = world(HYPERCALLS);
    w.roundTrip();
    w.setReg("eax", 99);
    const out = w.roundTrip();
    expect(out.trapnum).toBe(0x1f);
    expect(w.reg("eax")).toBe(100);
  });

  it("an exit writes the regs page only where the CPU's frame and the Switcher's completion go", () => {
    const w = world(HYPERCALLS);
    const base = w.guest.regsPage;
    const before = w.memory.u8.slice(base, base + PAGE_SIZE);
    w.switcher.regsWrites = 0;
    w.roundTrip();
    const changed: number[] = [];
    for (let off = 0; off < PAGE_SIZE; off += 4) {
      const a = before[off]! | (before[off + 1]! << 8) | (before[off + 2]! << 16) | (before[off + 3]! << 24);
      if (a !== w.memory.read32(base + off)) changed.push(off - REGS_OFFSET);
    }
    // Only fields of struct lguest_regs changed; nothing else in the page.
    const fields = new Set(Object.values(REGS));
    expect(changed.every((off) => fields.has(off as (typeof REGS)[keyof typeof REGS]))).toBe(true);
    // The Switcher wrote exactly 13 dwords: errcode, trapnum and the 11 registers it pushes;
    // eip/cs/eflags/esp/ss came from the CPU's own frame push.
    expect(w.switcher.regsWrites).toBe(13);
    // The vCPU's regs page is what the Guest's CPU wrote into: it is mapped, not copied.
    expect(w.reg("eip") >>> 0).toBe(CODE + 12);
  });

  it("a fault inside the Switcher leaves trapnum at 256", () => {
    const w = world(HYPERCALLS);
    // A code selector whose GDT entry is empty: IRET in switch_to_guest raises #GP at ring 0.
    w.setReg("cs", 0x91);
    const out = w.roundTrip();
    expect(out.vector).toBe(13);
    expect(out.trapnum).toBe(TRAPNUM_IN_SWITCHER);
  });

  it("a Guest write to the read-only state page is a #PF with P|W", () => {
    // c7 05 <addr> 01 00 00 00: mov dword [ro_state], 1
    const ro = lguestPagesAddress(0) + PAGE_SIZE;
    const w = world([0xc7, 0x05, ro & 0xff, (ro >>> 8) & 0xff, (ro >>> 16) & 0xff, ro >>> 24, 1, 0, 0, 0]);
    const out = w.roundTrip();
    expect(out).toEqual({ trapnum: 14, errcode: 3, vector: 14 });
    expect(w.cpu.control.cr2 >>> 0).toBe(ro);
  });

  it("each host CPU's PTE page maps the text, its own pair (ro_state read-only) and no other CPU's", () => {
    const w = world([], 3);
    const pte = (cpu: number, slot: number) => w.memory.read32(w.switcher.ptePage(cpu) + slot * 4);
    expect(pte(1, 0) & ~0xfff).toBe(w.switcher.textPage);
    expect(pte(1, 0) & 3).toBe(1); // present, read-only
    expect([pte(1, 3) & 3, pte(1, 4) & 3]).toEqual([3, 1]); // CPU 1: regs RW, ro_state RO
    expect([pte(1, 1), pte(1, 2), pte(1, 5), pte(1, 6)]).toEqual([0, 0, 0, 0]); // CPUs 0 and 2 absent
  });

  it("entering on host CPU 1 remaps CPU 1's regs slot to the vCPU's regs page", () => {
    const w = world(HYPERCALLS);
    const out = w.roundTrip(1);
    expect(out.trapnum).toBe(0x1f);
    expect(w.memory.read32(w.switcher.ptePage(1) + 3 * 4) & ~0xfff).toBe(w.guest.regsPage);
    // The frame went through CPU 1's linear pages into the vCPU's page.
    expect(w.reg("eax")).toBe(42);
  });

  it("the last-run cache: a different host CPU or vCPU forces CHANGED_ALL, the same one copies only what changed", () => {
    const w = world(HYPERCALLS);
    w.roundTrip(0);
    // The Guest's GDT TLS entry changes but only CHANGED_GDT_TLS... nothing set: not copied.
    const tls = segmentDescriptor(0x1234000, 0xfffff, ACCESS_DATA_RING0 | 0x60, 0xc);
    w.guest.gdt.set([tls.lo, tls.hi], GDT_ENTRY_TLS_MIN * 2);
    w.switcher.copyInGuestInfo(0, w.guest);
    const roGdt = (cpu: number) => w.memory.read32(w.switcher.roStatePage(cpu) + RO.guestGdt + GDT_ENTRY_TLS_MIN * 8);
    expect(roGdt(0)).toBe(0);
    w.guest.changed = 4; // CHANGED_GDT_TLS
    w.switcher.copyInGuestInfo(0, w.guest);
    expect(roGdt(0)).toBe(tls.lo);
    // Moving to host CPU 1 copies everything there.
    w.switcher.copyInGuestInfo(1, w.guest);
    expect(roGdt(1)).toBe(tls.lo);
    expect(w.guest.changed).toBe(0);
  });

  it("esp1/ss1 reach the guest TSS on every entry", () => {
    const w = world(HYPERCALLS);
    w.switcher.copyInGuestInfo(0, w.guest);
    const tss = w.switcher.roStatePage(0) + RO.guestTss;
    expect([w.memory.read32(tss + TSS.esp1) >>> 0, w.memory.read32(tss + TSS.ss1)]).toEqual([STACK_TOP, KERNEL_DS_SEL]);
    expect(w.memory.read32(tss + TSS.esp0) >>> 0).toBe(lguestPagesAddress(0) + PAGE_SIZE);
  });

  it("the CPU leaves every exit in the Host's context: Host page directory and GDT, ring 0", () => {
    const w = world(HYPERCALLS);
    w.roundTrip();
    expect(w.cpu.control.cr3).toBe(w.switcher.hostPgdir);
    expect(w.cpu.gdtBase >>> 0).toBe(w.switcher.hostGdtAddress(0));
    expect(w.cpu.cpl).toBe(0);
    expect([w.cpu.regs[EAX], w.cpu.regs[EBX]]).toEqual([42, 7]);
  });

  it("destroy() returns every page the Switcher took", () => {
    const memory = new PhysicalMemory(4 << 20);
    const allocator = new HostPageAllocator(memory, 0, 1024);
    const before = allocator.snapshot();
    new Switcher({ memory, allocator, hostCpus: 4 }).destroy();
    expect(allocator.compare(before)).toEqual([]);
  });

  it("refuses impossible host CPU counts", () => {
    const memory = new PhysicalMemory(4 << 20);
    const allocator = new HostPageAllocator(memory, 0, 1024);
    expect(() => new Switcher({ memory, allocator, hostCpus: 0 })).toThrow(/hostCpus must be an integer in 1\.\.511/);
    expect(() => new Switcher({ memory, allocator, hostCpus: 512 })).toThrow(/hostCpus/);
  });
});
