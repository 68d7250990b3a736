/**
 * The Switcher: its pages, their mappings in the Host and in every Guest, and the world
 * switch in both directions.
 *
 * Reference: lguest-abi.md §3 — §3.3 (per-CPU pages), §3.4 (copy_in_guest_info and the
 * per-CPU last-run cache), §3.5 (switch_to_guest), §3.6 (exits and the frame the stub
 * completes), §3.7 (the v23 … 3.9 per-host-CPU switcher PTE pages and the regs-page remap),
 * §3.8 (init: LGUEST_CS/LGUEST_DS in every Host GDT, PGE off).
 */
import type { HostPageAllocator } from "@littleguest/mmu";
import {
  ATTR_B,
  ATTR_G,
  ATTR_VALID,
  CS,
  DS,
  EAX,
  EBP,
  EBX,
  ECX,
  EDI,
  EDX,
  ES,
  ESI,
  ESP,
  FS,
  GS,
  type Cpu,
  type PhysicalMemory,
  SS,
} from "@littleguest/x86-core";
import {
  ACCESS_CODE_RING0,
  ACCESS_DATA_RING0,
  FLAGS_4K_32,
  GATE_INTERRUPT,
  gateDescriptor,
  segmentDescriptor,
  TSS_BUSY_BIT,
  tssDescriptor,
} from "./descriptors.js";
import {
  CHANGED_ALL,
  CHANGED_GDT,
  CHANGED_GDT_TLS,
  CHANGED_IDT,
  DEFAULT_HOST_CPUS,
  GDT_ENTRIES,
  GDT_ENTRY_LGUEST_CS,
  GDT_ENTRY_LGUEST_DS,
  GDT_ENTRY_TLS_ENTRIES,
  GDT_ENTRY_TLS_MIN,
  GDT_ENTRY_TSS,
  IDT_ENTRIES,
  isHostGdtEntry,
  LGUEST_CS,
  LGUEST_DS,
  LGUEST_TRAP_ENTRY,
  lguestPagesAddress,
  MAX_HOST_CPUS,
  PAGE_SIZE,
  REGS,
  REGS_OFFSET,
  RO,
  RO_STATE_SIZE,
  SHARED_SWITCHER_PAGES,
  SWITCHER_ADDR,
  SWITCHER_PGD_INDEX,
  TRAPNUM_IN_SWITCHER,
  TSS,
  TSS_SIZE,
  vectorHasErrorCode,
} from "./layout.js";
import { SWITCH_TO_GUEST, stubOffset, switcherText } from "./text.js";
import { SwitcherError } from "./switcher-error.js";

/** Page-table entry bits the Switcher uses (SDM Vol. 3A Table 4-6). */
const PTE_P = 0x1;
const PTE_RW = 0x2;
const PTE_A = 0x20;
const PTE_D = 0x40;
/** A kernel page-directory entry: present, writable, accessed (no USER). */
const PDE_KERNEL = PTE_P | PTE_RW | PTE_A;

/** Linear address of host CPU `cpu`'s Host GDT: one page each, in the slot below the Switcher. */
const HOST_GDT_BASE = 0xff800000;
/** The page-directory slot of the Host GDTs. */
const HOST_GDT_PGD_INDEX = HOST_GDT_BASE >>> 22;
/** Fault-bus route ids of the vector stubs: ROUTE_BASE + vector. */
export const SWITCHER_ROUTE_BASE = 0x5100;

/** Linear address of vector `vector`'s entry stub (lguest's default_idt_entries[vector]). */
export function stubAddress(vector: number): number {
  return (SWITCHER_ADDR + stubOffset(vector)) >>> 0;
}

/**
 * What the Switcher needs of a vCPU. lguest-host's LgCpu implements it; tests may use a plain
 * object.
 *
 * Invariants: `regsPage` is a page-aligned Host-physical address that stays the vCPU's for its
 * whole life; `idt` holds 512 dwords (the per-CPU IDT image the Host built with copy_traps)
 * and `gdt` 64 dwords (the Guest's GDT, already fixed up), read when `changed` says so.
 */
export interface SwitcherGuest {
  /** Host-physical address of the vCPU's regs page (`struct lguest_regs` in its last 72 bytes). */
  readonly regsPage: number;
  /** CHANGED_* bits accumulated since the last entry; the Switcher clears them. */
  changed: number;
  /** Host CPU whose pages this vCPU used last (lguest's last_pages), -1 for none. */
  lastHostCpu: number;
  /** The Guest kernel stack the CPU switches to on a trap from ring 3 (TSS esp1/ss1). */
  readonly esp1: number;
  /** Its segment. */
  readonly ss1: number;
  /** The per-CPU IDT image: entry v at dwords 2v (low) and 2v + 1 (high). */
  readonly idt: Int32Array;
  /** The Guest GDT image: entry i at dwords 2i and 2i + 1. */
  readonly gdt: Int32Array;
  /** Host-physical address of the shadow page directory the Guest will run on. */
  shadowPgdir(): number;
  /** Point slot 1023 of that shadow directory at the given Switcher PTE page (Host-physical). */
  mapSwitcher(ptePage: number): void;
}

/** One host CPU's share of the Switcher. */
interface HostCpuPages {
  /** Host-physical address of its regs page (what Host tables map; Guests see the vCPU's). */
  readonly regsPage: number;
  /** Host-physical address of its `lguest_ro_state` page. */
  readonly roPage: number;
  /** Host-physical address of its switcher PTE page (what Guest shadow slot 1023 points to). */
  readonly ptePage: number;
  /** Host-physical address of its Host GDT page. */
  readonly hostGdtPage: number;
  /** The vCPU that ran here last (lguest's lg_last_cpu), or null. */
  last: SwitcherGuest | null;
}

/** Options of {@link Switcher}. */
export interface SwitcherOptions {
  /** The Host's RAM. */
  readonly memory: PhysicalMemory;
  /** Where the Switcher's pages come from. */
  readonly allocator: HostPageAllocator;
  /** Host CPUs to build pages for (default 2, at most {@link MAX_HOST_CPUS}). */
  readonly hostCpus?: number;
}

/** What an exit found in the regs page. */
export interface SwitcherExit {
  /** The trap number (TRAPNUM_IN_SWITCHER when the fault happened inside the Switcher). */
  readonly trapnum: number;
  /** The error code the CPU pushed, or 0. */
  readonly errcode: number;
}

/*S:100 The Switcher is lguest's smallest and strangest part: a few pages that sit at the same
 * address, 0xFFC00000, in the Host and in every Guest, because the CPU is standing on them in
 * the instant it changes page tables. One page holds code. Then every host CPU owns two pages:
 * a regs page, at whose very end the CPU's trap frame and the Guest's registers land, and a
 * read-only page with the IDT, GDT and TSS the CPU uses while a Guest runs. A Guest must not
 * be able to edit the tables it runs under, hence read-only; it may scribble on its regs page,
 * which only ever holds its own registers. :*/

/**
 * The Switcher's pages for N host CPUs, and the two directions of the world switch.
 *
 * Invariant: all pages are allocated at construction and freed by {@link Switcher.destroy};
 * Guests come and go without changing them.
 */
export class Switcher {
  /** Host CPUs built for. */
  readonly hostCpus: number;
  /** Host-physical address of the text page. */
  readonly textPage: number;
  /** Host-physical address of the Host's page directory (maps the Switcher RW and the Host GDTs). */
  readonly hostPgdir: number;
  private readonly memory: PhysicalMemory;
  private readonly allocator: HostPageAllocator;
  private readonly cpus: HostCpuPages[] = [];
  private readonly ownPages: number[] = [];
  /** Writes the Switcher made to regs pages in exits (for tests and tools). */
  regsWrites = 0;

  constructor(options: SwitcherOptions) {
    const n = options.hostCpus ?? DEFAULT_HOST_CPUS;
    if (!Number.isInteger(n) || n < 1 || n > MAX_HOST_CPUS) {
      throw new SwitcherError("BAD_OPTION", `hostCpus must be an integer in 1..${MAX_HOST_CPUS}, got ${n}`);
    }
    this.hostCpus = n;
    this.memory = options.memory;
    this.allocator = options.allocator;
    this.textPage = this.page("switcher text");
    this.memory.u8.set(switcherText(), this.textPage);
    this.hostPgdir = this.page("switcher: Host page directory");
    const hostPte = this.page("switcher: Host PTE page");
    const hostGdtPte = this.page("switcher: Host GDT PTE page");
    this.memory.write32(this.hostPgdir + SWITCHER_PGD_INDEX * 4, hostPte | PDE_KERNEL);
    this.memory.write32(this.hostPgdir + HOST_GDT_PGD_INDEX * 4, hostGdtPte | PDE_KERNEL);
    this.memory.write32(hostPte, this.textPage | PTE_P | PTE_A);
    for (let cpu = 0; cpu < n; cpu++) {
      const pages: HostCpuPages = {
        regsPage: this.page(`switcher: CPU ${cpu} regs page`),
        roPage: this.page(`switcher: CPU ${cpu} ro_state page`),
        ptePage: this.page(`switcher: CPU ${cpu} PTE page`),
        hostGdtPage: this.page(`switcher: CPU ${cpu} Host GDT`),
        last: null,
      };
      this.cpus.push(pages);
      const slot = SHARED_SWITCHER_PAGES + cpu * 2;
      // The Host sees every CPU's pair writable; a Guest sees only its CPU's, ro_state read-only.
      this.memory.write32(hostPte + slot * 4, pages.regsPage | PTE_P | PTE_RW | PTE_A | PTE_D);
      this.memory.write32(hostPte + (slot + 1) * 4, pages.roPage | PTE_P | PTE_RW | PTE_A | PTE_D);
      this.memory.write32(pages.ptePage, this.textPage | PTE_P | PTE_A);
      this.memory.write32(pages.ptePage + slot * 4, pages.regsPage | PTE_P | PTE_RW | PTE_A | PTE_D);
      this.memory.write32(pages.ptePage + (slot + 1) * 4, pages.roPage | PTE_P | PTE_A);
      this.memory.write32(hostGdtPte + cpu * 4, pages.hostGdtPage | PTE_P | PTE_RW | PTE_A | PTE_D);
      this.writeHostGdt(pages.hostGdtPage);
      this.writeRoState(cpu, pages.roPage);
    }
  }

  /** Host-physical address of host CPU `cpu`'s switcher PTE page. */
  ptePage(cpu: number): number {
    return this.pages(cpu).ptePage;
  }

  /** Host-physical address of host CPU `cpu`'s `lguest_ro_state` page. */
  roStatePage(cpu: number): number {
    return this.pages(cpu).roPage;
  }

  /** Host-physical address of host CPU `cpu`'s own regs page (what the Host maps). */
  hostRegsPage(cpu: number): number {
    return this.pages(cpu).regsPage;
  }

  /** Linear address of host CPU `cpu`'s Host GDT. */
  hostGdtAddress(cpu: number): number {
    return (HOST_GDT_BASE + cpu * PAGE_SIZE) >>> 0;
  }

  /**
   * Make every delivery that reaches a vector stub end `cpu.run()` with a `handler` exit
   * (id SWITCHER_ROUTE_BASE + vector). @returns a disposer.
   */
  attach(cpu: Cpu): () => void {
    const disposers: (() => void)[] = [];
    for (let v = 0; v < IDT_ENTRIES; v++) disposers.push(cpu.faults.routeTo(stubAddress(v), SWITCHER_ROUTE_BASE + v));
    return () => {
      for (const d of disposers) d();
    };
  }

  /*S:110 Before every entry the Host refreshes what the Guest runs under, but only what
   * changed. Each host CPU remembers which vCPU ran on it last, and each vCPU which host CPU's
   * pages it used last; if either differs, everything is copied. Otherwise only the parts the
   * Guest changed by hypercall since the last entry: the IDT, the whole GDT, or just the three
   * thread-local-storage entries a context switch rewrites. The kernel stack for traps from
   * user mode (esp1/ss1) is copied every time, because a context switch changes it. :*/

  /**
   * lguest's copy_in_guest_info and map_switcher_in_guest for one entry of `guest` on host
   * CPU `cpu`: last-run cache, host_cr3, the Switcher slot of the shadow directory with the
   * regs page remapped to the vCPU's, esp1/ss1, and the IDT/GDT parts `changed` names.
   */
  copyInGuestInfo(cpu: number, guest: SwitcherGuest): void {
    const pages = this.pages(cpu);
    if (pages.last !== guest || guest.lastHostCpu !== cpu) {
      pages.last = guest;
      guest.lastHostCpu = cpu;
      guest.changed = CHANGED_ALL;
    }
    const m = this.memory;
    const ro = pages.roPage;
    m.write32(ro + RO.hostCr3, this.hostPgdir);
    guest.mapSwitcher(pages.ptePage);
    // The regs-page remap: this CPU's regs slot names the vCPU's own page while it runs.
    m.write32(pages.ptePage + (SHARED_SWITCHER_PAGES + cpu * 2) * 4, guest.regsPage | PTE_P | PTE_RW | PTE_A | PTE_D);
    m.write32(ro + RO.guestTss + TSS.esp1, guest.esp1);
    m.write32(ro + RO.guestTss + TSS.ss1, guest.ss1 & 0xffff);
    if ((guest.changed & CHANGED_IDT) !== 0) {
      for (let i = 0; i < IDT_ENTRIES * 2; i++) m.write32(ro + RO.guestIdt + i * 4, guest.idt[i]!);
    }
    if ((guest.changed & CHANGED_GDT) !== 0) {
      for (let e = 0; e < GDT_ENTRIES; e++) if (!isHostGdtEntry(e)) this.copyGdtEntry(ro, guest, e);
    } else if ((guest.changed & CHANGED_GDT_TLS) !== 0) {
      for (let e = GDT_ENTRY_TLS_MIN; e < GDT_ENTRY_TLS_MIN + GDT_ENTRY_TLS_ENTRIES; e++) this.copyGdtEntry(ro, guest, e);
    }
    guest.changed = 0;
  }

  /**
   * Prepare `cpu` to enter `guest` on host CPU `hostCpu`: copy in the Guest's state, mark the
   * regs page with trapnum 256, and leave the CPU in the Host's context at `switch_to_guest`
   * with eax/ebx as it expects. The caller then runs the CPU; the next `handler` exit with a
   * Switcher route id goes to {@link Switcher.exitToHost}.
   */
  enterGuest(hostCpu: number, guest: SwitcherGuest, cpu: Cpu): void {
    this.copyInGuestInfo(hostCpu, guest);
    this.memory.write32(guest.regsPage + REGS_OFFSET + REGS.trapnum, TRAPNUM_IN_SWITCHER);
    // SYSENTER would land in ring 0 with the Guest's registers: make it #GP instead.
    cpu.sysenterCs = 0;
    this.toHostContext(hostCpu, cpu);
    cpu.regs[EAX] = lguestPagesAddress(hostCpu);
    cpu.regs[EBX] = guest.shadowPgdir();
    cpu.eip = (SWITCHER_ADDR + SWITCH_TO_GUEST) >>> 0;
  }

  /*S:130 Leaving a Guest needs no code at all from the CPU's point of view. Every gate of the
   * Guest's IDT that the Host keeps leads to a stub in the Switcher page, and by the time the
   * CPU reaches it, it has already switched to ring 0 on the stack the TSS names, which ends
   * exactly where `struct lguest_regs` ends: the CPU has pushed ss, esp, eflags, cs, eip and
   * perhaps an error code into the vCPU's own regs page. The Switcher completes the block with
   * what the stub and its pushes would add (a zero error code where the CPU pushed none, the
   * trap number, the general and data-segment registers), then puts the Host's page directory
   * and tables back. If the frame is not where a trap from ring 1 or 3 puts it, the fault
   * happened inside the Switcher itself: the block is not completed, trapnum is set back to
   * 256 (that frame may have landed on it), and the Host kills the Guest. :*/

  /**
   * Complete `struct lguest_regs` after a delivery reached vector `vector`'s stub and return
   * the CPU to the Host's context. @returns what the regs page now says.
   */
  exitToHost(hostCpu: number, guest: SwitcherGuest, cpu: Cpu, vector: number): SwitcherExit {
    const m = this.memory;
    const regs = guest.regsPage + REGS_OFFSET;
    const hasErr = vectorHasErrorCode(vector);
    const frameTop = (lguestPagesAddress(hostCpu) + REGS_OFFSET + (hasErr ? REGS.errcode : REGS.eip)) >>> 0;
    const fromGuest = cpu.regs[ESP]! >>> 0 === frameTop && (m.read32(regs + REGS.cs) & 3) !== 0;
    if (fromGuest) {
      if (!hasErr) this.put(regs + REGS.errcode, 0);
      this.put(regs + REGS.trapnum, vector);
      const r = cpu.regs;
      this.put(regs + REGS.eax, r[EAX]!);
      this.put(regs + REGS.ebx, r[EBX]!);
      this.put(regs + REGS.ecx, r[ECX]!);
      this.put(regs + REGS.edx, r[EDX]!);
      this.put(regs + REGS.esi, r[ESI]!);
      this.put(regs + REGS.edi, r[EDI]!);
      this.put(regs + REGS.ebp, r[EBP]!);
      this.put(regs + REGS.gs, cpu.segSel[GS]!);
      this.put(regs + REGS.fs, cpu.segSel[FS]!);
      this.put(regs + REGS.ds, cpu.segSel[DS]!);
      this.put(regs + REGS.es, cpu.segSel[ES]!);
    } else {
      // A fault at ring 0 pushed its frame inside the block (an IRET that fails in
      // switch_to_guest pushes over trapnum itself), so say 256 again: the Guest must die.
      this.put(regs + REGS.trapnum, TRAPNUM_IN_SWITCHER);
    }
    // switch_to_host: the guest TSS must be "available" again for the next entry's LTR.
    const tssAccess = this.pages(hostCpu).roPage + RO.guestGdt + GDT_ENTRY_TSS * 8 + 5;
    m.write8(tssAccess, m.read8(tssAccess) & ~TSS_BUSY_BIT);
    this.toHostContext(hostCpu, cpu);
    return { trapnum: m.read32(regs + REGS.trapnum), errcode: m.read32(regs + REGS.errcode) };
  }

  /** Release every page the Switcher owns (no Guest may be running). */
  destroy(): void {
    for (const p of this.ownPages.splice(0)) this.allocator.put(p >>> 12);
  }

  // ---------------------------------------------------------------- internals

  private pages(cpu: number): HostCpuPages {
    const p = this.cpus[cpu];
    if (p === undefined) throw new SwitcherError("BAD_CPU", `host CPU ${cpu} does not exist (the Switcher has ${this.hostCpus})`);
    return p;
  }

  private page(tag: string): number {
    const p = this.allocator.alloc(tag) * PAGE_SIZE;
    this.ownPages.push(p);
    return p;
  }

  private put(addr: number, v: number): void {
    this.memory.write32(addr, v);
    this.regsWrites++;
  }

  private copyGdtEntry(ro: number, guest: SwitcherGuest, e: number): void {
    this.memory.write32(ro + RO.guestGdt + e * 8, guest.gdt[e * 2]!);
    this.memory.write32(ro + RO.guestGdt + e * 8 + 4, guest.gdt[e * 2 + 1]!);
  }

  /** LGUEST_CS and LGUEST_DS in a Host GDT, as lguest writes them into every Host CPU's GDT. */
  private writeHostGdt(page: number): void {
    const code = segmentDescriptor(0, 0xfffff, ACCESS_CODE_RING0, FLAGS_4K_32);
    const data = segmentDescriptor(0, 0xfffff, ACCESS_DATA_RING0, FLAGS_4K_32);
    this.memory.write32(page + GDT_ENTRY_LGUEST_CS * 8, code.lo);
    this.memory.write32(page + GDT_ENTRY_LGUEST_CS * 8 + 4, code.hi);
    this.memory.write32(page + GDT_ENTRY_LGUEST_DS * 8, data.lo);
    this.memory.write32(page + GDT_ENTRY_LGUEST_DS * 8 + 4, data.hi);
  }

  /** The parts of `lguest_ro_state` that never change: descriptors, TSS, default tables. */
  private writeRoState(cpu: number, ro: number): void {
    const m = this.memory;
    const roLinear = (lguestPagesAddress(cpu) + PAGE_SIZE) >>> 0;
    if (RO_STATE_SIZE > PAGE_SIZE) throw new SwitcherError("LAYOUT", "lguest_ro_state does not fit in a page");
    // The Host's IDT is TypeScript: an empty IDT means any exception in the Host's context is fatal.
    m.write16(ro + RO.hostIdtDesc, 0);
    m.write32(ro + RO.hostIdtDesc + 2, 0);
    m.write16(ro + RO.hostGdtDesc, GDT_ENTRIES * 8 - 1);
    m.write32(ro + RO.hostGdtDesc + 2, this.hostGdtAddress(cpu));
    m.write32(ro + RO.hostSp, 0);
    m.write16(ro + RO.guestIdtDesc, IDT_ENTRIES * 8 - 1);
    m.write32(ro + RO.guestIdtDesc + 2, roLinear + RO.guestIdt);
    m.write16(ro + RO.guestGdtDesc, GDT_ENTRIES * 8 - 1);
    m.write32(ro + RO.guestGdtDesc + 2, roLinear + RO.guestGdt);
    // TSS: the stack for traps to ring 0 ends where struct lguest_regs ends; no I/O bitmap.
    m.write32(ro + RO.guestTss + TSS.esp0, (lguestPagesAddress(cpu) + PAGE_SIZE) >>> 0);
    m.write32(ro + RO.guestTss + TSS.ss0, LGUEST_DS);
    m.write16(ro + RO.guestTss + TSS.ioBitmapBase, TSS_SIZE);
    const entries: [number, { lo: number; hi: number }][] = [
      [GDT_ENTRY_LGUEST_CS, segmentDescriptor(0, 0xfffff, ACCESS_CODE_RING0, FLAGS_4K_32)],
      [GDT_ENTRY_LGUEST_DS, segmentDescriptor(0, 0xfffff, ACCESS_DATA_RING0, FLAGS_4K_32)],
      [GDT_ENTRY_TSS, tssDescriptor(roLinear + RO.guestTss, TSS_SIZE - 1)],
    ];
    for (const [e, d] of entries) {
      m.write32(ro + RO.guestGdt + e * 8, d.lo);
      m.write32(ro + RO.guestGdt + e * 8 + 4, d.hi);
    }
    // Until the Host copies its own image in, every vector leads to its stub.
    for (let v = 0; v < IDT_ENTRIES; v++) {
      const g = gateDescriptor(LGUEST_CS, stubAddress(v), GATE_INTERRUPT, v === LGUEST_TRAP_ENTRY ? 1 : 0);
      m.write32(ro + RO.guestIdt + v * 8, g.lo);
      m.write32(ro + RO.guestIdt + v * 8 + 4, g.hi);
    }
  }

  /** The CPU in the Host's context: Host page directory and GDT, ring 0 on the Switcher's segments. */
  private toHostContext(hostCpu: number, cpu: Cpu): void {
    cpu.control.cr3 = this.hostPgdir;
    cpu.translator.flush(true);
    cpu.gdtBase = this.hostGdtAddress(hostCpu) | 0;
    cpu.gdtLimit = GDT_ENTRIES * 8 - 1;
    cpu.idtBase = 0;
    cpu.idtLimit = 0;
    const code = ACCESS_CODE_RING0 | ((ATTR_B | ATTR_G) & 0xf00) | ATTR_VALID;
    const data = ACCESS_DATA_RING0 | ((ATTR_B | ATTR_G) & 0xf00) | ATTR_VALID;
    cpu.setSegmentCache(CS, LGUEST_CS, 0, -1, code);
    cpu.setSegmentCache(SS, LGUEST_DS, 0, -1, data);
    cpu.setSegmentCache(DS, LGUEST_DS, 0, -1, data);
    cpu.setSegmentCache(ES, LGUEST_DS, 0, -1, data);
    cpu.setSegmentCache(FS, 0, 0, 0, 0);
    cpu.setSegmentCache(GS, 0, 0, 0, 0);
    cpu.setCpl(0);
    cpu.setEflags(0x2);
  }
}
