/**
 * lguest's shadow paging as an {@link MmuStrategy}: the Host builds the page tables the
 * hardware walks from the Guest's own, lazily on faults, and keeps them coherent through the
 * Guest's page-table hypercalls.
 *
 * Reference: lguest-abi.md §6 (page_tables.c of the 3.x era: demand_page, pin_page,
 * guest_set_pte/pgd, the pgdirs[4] cache, flush_user_mappings, guest_pagetable_clear_all,
 * linear_pages boot mode), §3.7 (≤3.9: the fixed Switcher at 0xFFC00000 owns PGD slot 1023),
 * §4.7 (stack pinning); mmu-strategies.md §1. Hardware: SDM Vol. 3A §4.3 (2-level paging,
 * non-PAE), §4.6 (rights are the AND of both levels, CR0.WP), §4.7 (#PF error code: bit 1
 * write, bit 2 user), §4.8 (Accessed and Dirty). The Host runs without PGE and without PSE
 * for the Guest: Guest Global bits are stripped, Guest large pages kill the Guest.
 * Deviations from lguest are listed in packages/lguest-host/DESIGN.md ("Shadow paging").
 */
import {
  createMmuCounters,
  MMU_STRATEGY_API_VERSION,
  type MmuCounters,
  type MmuStrategy,
  type MutableMmuCounters,
  type PageFaultOutcome,
  PagingUnit,
  PTE_A,
  PTE_D,
  PTE_FRAME,
  PTE_P,
  PTE_PS,
  PTE_RW,
  PTE_US,
  snapshotCounters,
} from "@littleguest/mmu";
import { SWITCHER_ADDR, SWITCHER_PGD_INDEX } from "@littleguest/switcher";
import { PF_U, PF_W } from "@littleguest/x86-core";
import {
  createShadowExtraCounters,
  type ShadowCounters,
  type ShadowExtraCounters,
  snapshotShadowCounters,
} from "./counters.js";
import { GuestMemory, hex } from "../guest-memory.js";
import { gpgdAddr, gpteAddr, walkGuestQuiet } from "./guest-walk.js";
import { NONE, PGDIR_SLOTS, PgdirCache } from "./pgdir-cache.js";
import type { ShadowInspection, ShadowSlotInfo, ShadowStrategyOptions } from "./shadow-options.js";
import { ENTRY_FLAGS, ShadowTables } from "./shadow-tables.js";

export type { ShadowInspection, ShadowSlotInfo, ShadowStrategyOptions } from "./shadow-options.js";

/** The registry name of {@link createShadowStrategy}. */
export const SHADOW_STRATEGY_NAME = "shadow";

/** Flags a Guest directory entry may carry (_PAGE_TABLE: P, RW, US, A, D). */
const PAGE_TABLE = PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D;
/** Flags of the Switcher's directory entry: kernel only, writable, already accessed. */
const SWITCHER_PDE_FLAGS = PTE_P | PTE_RW | PTE_A;
/** Most stack pages a Guest may ask to pin (lguest-abi.md §4.7: more kills "bad stack pages"). */
const MAX_STACK_PAGES = 2;

/*H:200 Why does the Host keep a second set of page tables at all? Because the Guest's own
 * tables cannot be handed to the hardware: they name Guest-physical pages, which are not where
 * the Guest's memory really is in the Host, and a Guest could put any number in them, the
 * Host's own pages included. So the Host keeps "shadow" tables that the CPU really walks,
 * copies of the Guest's entries in which every frame has been checked against the Guest's
 * memory size and moved to where that page really lives. Building all of them up front would
 * cost as much as the Guest's whole address space, so they start empty and are filled on
 * demand: the hardware faults, the Host looks at the Guest's tables, and if the Guest had a
 * mapping there the Host copies it and lets the Guest retry, never the wiser. Only when the
 * Guest's own tables say "no" does the fault go back to the Guest. :*/

/**
 * The `shadow` strategy: lguest's shadow pager for one Guest on one vCPU.
 *
 * Preconditions: the options' allocator owns the Guest's RAM pages [memBase/4096,
 * memBase/4096 + pfnLimit) (each with a reference held by the Launcher) and has free pages
 * for shadow tables; `control` has CR0.PG and CR0.WP set while the Guest runs, no CR4.PAE.
 * Invariants: the hardware walks `control.cr3` = {@link ShadowPager.currentShadowPgdir};
 * every present shadow PTE holds one reference on the Host page it maps; shadow directory
 * slot 1023 belongs to the Switcher and is never released; no hook throws on Guest input
 * (bad values go to `killGuest`, and once killed the Guest-driven hooks do nothing); after
 * {@link ShadowPager.guestDeath} the allocator is back where it was before construction.
 */
export class ShadowPager implements MmuStrategy {
  /** {@inheritDoc @littleguest/mmu#MmuStrategy.name} */
  readonly name = SHADOW_STRATEGY_NAME;
  /** {@inheritDoc @littleguest/mmu#MmuStrategy.apiVersion} */
  readonly apiVersion = MMU_STRATEGY_API_VERSION;
  /** The hardware walker over the shadow tables (CR3 = the current shadow directory). */
  readonly translator: PagingUnit;

  private readonly options: ShadowStrategyOptions;
  private readonly c: MutableMmuCounters = createMmuCounters();
  private readonly extra: ShadowExtraCounters = createShadowExtraCounters();
  private readonly ram: GuestMemory;
  private readonly tables: ShadowTables;
  private readonly cache: PgdirCache;
  private readonly killGuest: (reason: string) => void;
  private kernelAddr: number;
  private linear = true;
  private killed = false;
  private dead = false;
  private stackTop = 0;
  private stackPages = 0;
  /** The Switcher's directory entry, or 0 before the first {@link ShadowPager.mapSwitcher}. */
  private switcherPde = 0;

  /** Prefer {@link createShadowStrategy}. */
  constructor(options: ShadowStrategyOptions) {
    this.options = options;
    this.killGuest = (reason) => {
      this.killed = true;
      options.killGuest(reason);
    };
    const { memory, control, allocator, guest } = options;
    this.translator = new PagingUnit(memory, control);
    this.ram = new GuestMemory(memory, guest.memBase, guest.pfnLimit, this.killGuest);
    this.tables = new ShadowTables(memory, allocator, Math.floor(guest.memBase / 4096), this.c, this.killGuest);
    this.cache = new PgdirCache(options.victim ?? "random", options.seed);
    this.kernelAddr = guest.kernelAddress >>> 0;
    if (this.kernelAddr >= SWITCHER_ADDR) this.killGuest(`bad kernel address ${hex(this.kernelAddr)}`);
    // linear_pages boot mode: one blank directory in slot 0, tagged with no Guest pgdir.
    const page = this.tables.allocPage("shadow pgdir 0");
    if (page < 0) {
      this.killGuest("out of memory allocating pgdir");
      return;
    }
    this.cache.page[0] = page;
    this.cache.touch(0);
    control.cr3 = page * 4096;
    this.translator.flush(true);
  }

  /** linear_pages boot mode: true until the Guest's first {@link ShadowPager.newPageTable}. */
  get linearMode(): boolean {
    return this.linear;
  }

  /** The Guest's kernel_address (PAGE_OFFSET): at and above it, mappings are shared. */
  get kernelAddress(): number {
    return this.kernelAddr;
  }

  /** Host-physical byte address of the current shadow directory (CR3 while the Guest runs). */
  currentShadowPgdir(): number {
    const page = this.cache.page[this.cache.current]!;
    return page === NONE ? 0 : page * 4096;
  }

  // ---------------------------------------------------------------- (i) demand paging

  /** {@inheritDoc @littleguest/mmu#MmuStrategy.pageFault} */
  pageFault(linear: number, errorCode: number): PageFaultOutcome {
    this.c.exits.pageFault++;
    if (!this.killed && !this.dead && this.demandPage(linear >>> 0, errorCode)) {
      this.c.hiddenFaults++;
      return "fixed";
    }
    // A fault that killed the Guest is handed to nobody: count it as neither.
    if (!this.killed) this.c.reflectedFaults++;
    return "reflect";
  }

  /*H:210 The shadow also has to stand in for the hardware's Accessed and Dirty bits. The CPU
   * sets them in the tables it walks, which are the shadow ones, so the Guest's copies would
   * never change and its page-out code would believe every page clean. The Host therefore
   * sets Accessed in the Guest's entries itself whenever it fills a shadow entry, and it fills
   * a mapping the Guest calls writable as read-only until the Guest's entry is Dirty. The
   * first store then faults again; this time the Host knows it is a write, sets Dirty in the
   * Guest's entry and installs the writable copy. One extra fault per page buys a Dirty bit the
   * Guest can trust. :*/

  /**
   * demand_page: try to fill the current shadow for `vaddr` from the Guest's tables.
   * @param errcode - the #PF error code (bit 1 write, bit 2 user).
   * @returns true when the shadow now maps `vaddr` ("fixed"); false when the fault is the
   *   Guest's (or the Guest was just killed).
   */
  private demandPage(vaddr: number, errcode: number): boolean {
    if (vaddr >= SWITCHER_ADDR) {
      this.killGuest("attempt to access switcher pages");
      return false;
    }
    const pgdirPage = this.cache.page[this.cache.current]!;
    if (pgdirPage === NONE) return false;
    let gpgd = PAGE_TABLE;
    let gpgdAt = 0;
    if (!this.linear) {
      gpgdAt = gpgdAddr(this.cache.gpgdir[this.cache.current]!, vaddr);
      gpgd = this.ram.read32(gpgdAt);
      if ((gpgd & PTE_P) === 0) return false;
    }
    const spgdAt = pgdirPage * 4096 + (vaddr >>> 22) * 4;
    let spgd = this.tables.read(spgdAt);
    if ((spgd & PTE_P) === 0) {
      if (!this.checkGpgd(gpgd)) return false;
      const ptePage = this.tables.allocPage("shadow PTE page");
      if (ptePage < 0) {
        this.killGuest("out of memory allocating pte page");
        return false;
      }
      spgd = ptePage * 4096 + (gpgd & ENTRY_FLAGS);
      this.tables.write(spgdAt, spgd);
    }
    let gpte: number;
    let gpteAt = 0;
    if (this.linear) {
      gpte = (vaddr & PTE_FRAME) | PTE_RW | PTE_P;
    } else {
      gpteAt = gpteAddr(gpgd, vaddr);
      gpte = this.ram.read32(gpteAt);
    }
    if ((gpte & PTE_P) === 0) return false;
    // Rights are the AND of both levels (SDM §4.6); lguest looked at the PTE alone, which
    // livelocks on a read-only or supervisor directory (see DESIGN.md).
    const rights = gpte & gpgd;
    if ((errcode & PF_W) !== 0 && (rights & PTE_RW) === 0) return false;
    if ((errcode & PF_U) !== 0 && (rights & PTE_US) === 0) return false;
    if (!this.checkGpte(gpte)) return false;
    gpte |= PTE_A;
    if ((errcode & PF_W) !== 0) gpte |= PTE_D;
    const spteAt = ((spgd & PTE_FRAME) >>> 0) + ((vaddr >>> 12) & 0x3ff) * 4;
    this.tables.releasePte(spteAt);
    if (!this.tables.installPte(spteAt, gpte, (gpte & PTE_D) !== 0)) return false;
    if (!this.linear) {
      this.ram.write32(gpteAt, gpte);
      if ((gpgd & PTE_A) === 0) this.ram.write32(gpgdAt, gpgd | PTE_A);
    }
    this.translator.invlpg(vaddr);
    return true;
  }

  /** check_gpgd: flags within _PAGE_TABLE and the table below pfn_limit, else kill. */
  private checkGpgd(gpgd: number): boolean {
    if ((gpgd & ENTRY_FLAGS & ~PAGE_TABLE) !== 0 || gpgd >>> 12 >= this.ram.pfnLimit) {
      this.killGuest("bad page directory entry");
      return false;
    }
    return true;
  }

  /** check_gpte: no large page and the frame below pfn_limit, else kill. */
  private checkGpte(gpte: number): boolean {
    if ((gpte & PTE_PS) !== 0 || gpte >>> 12 >= this.ram.pfnLimit) {
      this.killGuest("bad page table entry");
      return false;
    }
    return true;
  }

  // ---------------------------------------------------------------- (ii) the kernel stack

  /**
   * page_writable: does the current shadow already map `vaddr` present and writable?
   * Kills "attempt to access switcher pages" at or above the Switcher.
   */
  pageWritable(vaddr: number): boolean {
    vaddr >>>= 0;
    if (vaddr >= SWITCHER_ADDR) {
      this.killGuest("attempt to access switcher pages");
      return false;
    }
    const pgdirPage = this.cache.page[this.cache.current]!;
    if (this.dead || pgdirPage === NONE) return false;
    const spgd = this.tables.read(pgdirPage * 4096 + (vaddr >>> 22) * 4);
    if ((spgd & PTE_P) === 0) return false;
    const spte = this.tables.read(((spgd & PTE_FRAME) >>> 0) + ((vaddr >>> 12) & 0x3ff) * 4);
    return (spte & (PTE_P | PTE_RW)) === (PTE_P | PTE_RW);
  }

  /**
   * pin_page: make `vaddr` writable in the current shadow (a supervisor write demand fault if
   * it is not), or kill "bad stack page 0x…" when the Guest's tables do not allow it.
   */
  pinPage(vaddr: number): void {
    if (this.killed || this.dead) return;
    vaddr >>>= 0;
    if (!this.pageWritable(vaddr) && !this.demandPage(vaddr, PF_W)) this.killGuest(`bad stack page ${hex(vaddr)}`);
  }

  /** {@inheritDoc @littleguest/mmu#MmuStrategy.pinStack} Kills "bad stack pages" above 2 pages. */
  pinStack(stackTop: number, pages: number): void {
    if (this.killed || this.dead) return;
    if (!Number.isInteger(pages) || pages < 0 || pages > MAX_STACK_PAGES) {
      this.killGuest("bad stack pages");
      return;
    }
    this.stackTop = stackTop >>> 0;
    this.stackPages = pages;
    this.pinStackPages();
  }

  /** pin_stack_pages: pin each page of the recorded stack in the current shadow. */
  private pinStackPages(): void {
    for (let i = 0; i < this.stackPages && !this.killed; i++) this.pinPage(this.stackTop - 1 - i * 4096);
  }

  // ---------------------------------------------------------------- (iii) Guest updates

  /*H:220 The Guest never lets the Host watch its page tables; instead it tells the Host what
   * it wrote. A PTE change in the kernel half of the address space is the same change in every
   * process, because Linux shares those tables, so the Host applies it to every directory it
   * caches; a user PTE change concerns one process, and only if the Host still caches its
   * shadow. Either way the old shadow entry goes. If the Guest wrote an entry that already says
   * Accessed (Linux usually does, when it maps a page it is about to use), the Host installs
   * the copy at once instead of waiting for the fault it knows is coming, still read-only
   * unless the entry is Dirty too. :*/

  /** {@inheritDoc @littleguest/mmu#MmuStrategy.setPte} `pteHigh` is ignored (no PAE). */
  setPte(pgdir: number, linear: number, pte: number, _pteHigh: number): void {
    this.c.exits.setPte++;
    if (this.killed || this.dead) return;
    const vaddr = linear >>> 0;
    if (vaddr >= SWITCHER_ADDR) {
      this.killGuest("attempt to access switcher pages");
      return;
    }
    if (vaddr >= this.kernelAddr) {
      for (let i = 0; i < PGDIR_SLOTS && !this.killed; i++) {
        if (this.cache.page[i] !== NONE) this.setShadowPte(i, vaddr, pte);
      }
    } else {
      const slot = this.cache.find(pgdir >>> 0);
      if (slot !== NONE) this.setShadowPte(slot, vaddr, pte);
    }
  }

  /** do_set_pte for one slot: release the old shadow PTE, install the new one if A or D. */
  private setShadowPte(slot: number, vaddr: number, gpte: number): void {
    const spgd = this.tables.read(this.cache.page[slot]! * 4096 + (vaddr >>> 22) * 4);
    if ((spgd & PTE_P) === 0) return;
    const spteAt = ((spgd & PTE_FRAME) >>> 0) + ((vaddr >>> 12) & 0x3ff) * 4;
    this.tables.releasePte(spteAt);
    if ((gpte & PTE_P) !== 0 && (gpte & (PTE_A | PTE_D)) !== 0 && this.checkGpte(gpte)) {
      this.tables.installPte(spteAt, gpte, (gpte & PTE_D) !== 0);
    }
    if (slot === this.cache.current) this.translator.invlpg(vaddr);
  }

  /** {@inheritDoc @littleguest/mmu#MmuStrategy.setPgd} Index 1023 and above are ignored. */
  setPgd(pgdir: number, index: number, _pgd: number): void {
    this.c.exits.setPgd++;
    if (this.killed || this.dead) return;
    const idx = index >>> 0;
    if (idx >= SWITCHER_PGD_INDEX) return;
    const slot = this.cache.find(pgdir >>> 0);
    if (slot === NONE) return;
    this.tables.releasePgd(this.cache.page[slot]!, idx);
    if (slot === this.cache.current) this.translator.flush(false);
  }

  /**
   * {@inheritDoc @littleguest/mmu#MmuStrategy.setPmd}
   * A 2-level Host has no middle directories; like lguest's PAE SET_PMD, this clears all.
   */
  setPmd(_pmdPage: number, _index: number, _pmd: number): void {
    this.c.exits.setPmd++;
    if (this.killed || this.dead) return;
    this.clearAll();
  }

  // ---------------------------------------------------------------- (iv) switching

  /*H:230 Linux switches page tables on almost every context switch, and a cold shadow costs
   * one hidden fault per page the process touches. So the Host keeps the shadows of the last
   * four address spaces, tagged with the Guest's directory address. A switch to one of them
   * costs nothing but a CR3 load. On a miss the Host reuses a slot, chosen at random as lguest
   * did (seeded here, so runs repeat; LRU on request), and throws away only its user half:
   * the kernel half maps the same thing in every process, so it stays filled and the new
   * process starts with a warm kernel. :*/

  /** {@inheritDoc @littleguest/mmu#MmuStrategy.newPageTable} */
  newPageTable(pgdir: number): void {
    this.c.exits.newPageTable++;
    if (this.killed || this.dead) return;
    const gpgdir = pgdir >>> 0;
    let slot = NONE;
    if (this.linear) {
      this.releaseAllPagetables();
      this.linear = false;
    } else {
      slot = this.cache.find(gpgdir);
    }
    if (slot === NONE) {
      this.c.pgdirMisses++;
      slot = this.newPgdir(gpgdir);
    } else {
      this.c.pgdirHits++;
    }
    this.switchTo(slot);
    this.pinStackPages();
  }

  /** new_pgdir: reuse (or first allocate) a victim slot for `gpgdir`; returns the slot. */
  private newPgdir(gpgdir: number): number {
    const { cache } = this;
    let next = cache.pickVictim();
    if (cache.page[next] === NONE) {
      const page = this.tables.allocPage(`shadow pgdir ${next}`);
      // Out of Host pages: lguest keeps using the current slot rather than fail the switch.
      if (page < 0) next = cache.current;
      else cache.page[next] = page;
    }
    if (cache.gpgdir[next] !== NONE && cache.gpgdir[next] !== gpgdir) this.c.pgdirEvictions++;
    cache.gpgdir[next] = gpgdir;
    this.flushUserMappings(next);
    return next;
  }

  /** Make `slot` the current one: CR3, the Switcher slot, and a CR3-style TLB flush. */
  private switchTo(slot: number): void {
    this.cache.current = slot;
    this.cache.touch(slot);
    const page = this.cache.page[slot]!;
    if (this.switcherPde !== 0) this.tables.write(page * 4096 + SWITCHER_PGD_INDEX * 4, this.switcherPde);
    this.options.control.cr3 = page * 4096;
    this.translator.flush(false);
  }

  // ---------------------------------------------------------------- (v) flushing

  /** flush_user_mappings: release the user half (slots below kernel_address) of `slot`. */
  private flushUserMappings(slot: number): void {
    this.extra.flushUsers++;
    const page = this.cache.page[slot]!;
    if (page !== NONE) this.tables.releaseRange(page, this.kernelAddr >>> 22);
  }

  /** release_all_pagetables: every shadow entry of every cached directory but the Switcher's. */
  private releaseAllPagetables(): void {
    for (let i = 0; i < PGDIR_SLOTS; i++) {
      const page = this.cache.page[i]!;
      if (page !== NONE) this.tables.releaseRange(page, SWITCHER_PGD_INDEX);
    }
  }

  /** {@inheritDoc @littleguest/mmu#MmuStrategy.flushUser} */
  flushUser(): void {
    this.c.exits.flushUser++;
    if (this.dead) return;
    this.flushUserMappings(this.cache.current);
    this.translator.flush(false);
  }

  /** {@inheritDoc @littleguest/mmu#MmuStrategy.flushAll} It is {@link ShadowPager.clearAll}. */
  flushAll(): void {
    this.c.exits.flushAll++;
    this.clearAll();
  }

  /**
   * guest_pagetable_clear_all: release every shadow entry of all four directories (the
   * Switcher slot excepted), then re-pin the stack. The Host calls it at LGUEST_INIT; the
   * FLUSH_TLB(1) hypercall arrives as {@link ShadowPager.flushAll}.
   */
  clearAll(): void {
    if (this.dead) return;
    this.extra.clearAlls++;
    this.releaseAllPagetables();
    this.translator.flush(true);
    if (!this.killed) this.pinStackPages();
  }

  // ---------------------------------------------------------------- (vi) the Switcher

  /*H:240 Two corners of the address space are not the Guest's to map. The top 4 MiB belong to
   * the Switcher, the code and per-CPU pages through which the CPU leaves the Guest: its
   * directory slot points at a table the Switcher owns, the Host never releases it, and a
   * Guest that faults there or tries to set an entry there is killed, because a Guest that
   * could remap the way out could keep the Host from ever getting back. The other corner is
   * time: a Guest starts before it has any page tables. Rather than building a boot mapping
   * for it, the Host pretends: in linear mode every fault is answered with an identity mapping
   * of Guest-physical memory, checked against its size, until the Guest loads its first real
   * page table and all the pretend entries are thrown away. :*/

  /**
   * Point slot 1023 of the current shadow directory at the Switcher's PTE page (kernel,
   * writable, accessed); remembered and re-applied to each directory that becomes current.
   * Precondition: `ptePageAddress` is the Host-physical address of a page the Switcher owns.
   */
  mapSwitcher(ptePageAddress: number): void {
    if (this.dead) return;
    const pde = (ptePageAddress & PTE_FRAME) | SWITCHER_PDE_FLAGS;
    this.switcherPde = pde;
    const page = this.cache.page[this.cache.current]!;
    if (page === NONE) return;
    const at = page * 4096 + SWITCHER_PGD_INDEX * 4;
    if (this.tables.read(at) !== pde) {
      this.tables.write(at, pde);
      this.translator.flush(true);
    }
  }

  // ---------------------------------------------------------------- (vii) init and death

  /**
   * page_table_guest_data_init at LGUEST_INIT: adopt the Guest's kernel_address, which must
   * lie below the Switcher (else kill "bad kernel address 0x…" and keep the old one).
   * Precondition: the Host follows it with {@link ShadowPager.clearAll}, as lguest's
   * LGUEST_INIT does, because shadows built with the old user/kernel split may disagree.
   */
  setKernelAddress(addr: number): void {
    if (this.killed || this.dead) return;
    const a = addr >>> 0;
    if (a >>> 22 >= SWITCHER_PGD_INDEX) {
      this.killGuest(`bad kernel address ${hex(a)}`);
      return;
    }
    this.kernelAddr = a;
  }

  /**
   * {@inheritDoc @littleguest/mmu#MmuStrategy.guestDeath}
   * Releases every shadow PTE reference and frees every shadow page; idempotent. CR3 is left
   * as it was: the CPU must not run this Guest again.
   */
  guestDeath(): void {
    if (this.dead) return;
    this.releaseAllPagetables();
    for (let i = 0; i < PGDIR_SLOTS; i++) {
      const page = this.cache.page[i]!;
      if (page !== NONE) this.tables.freePage(page);
      this.cache.page[i] = NONE;
      this.cache.gpgdir[i] = NONE;
    }
    this.dead = true;
    this.translator.flush(true);
  }

  // ---------------------------------------------------------------- Guest addresses

  /**
   * guest_pa: the Guest-physical address `vaddr` reaches through the Guest's current tables
   * (identity in linear mode). Kills "Bad address 0x…" and returns -1 when it is not mapped.
   */
  guestPa(vaddr: number): number {
    const pa = this.tryGuestPa(vaddr);
    if (pa < 0 && !this.dead) this.killGuest(`Bad address ${hex(vaddr)}`);
    return pa;
  }

  /** Like {@link ShadowPager.guestPa} but -1 instead of a kill (4.x's __guest_pa). */
  tryGuestPa(vaddr: number): number {
    if (this.dead) return -1;
    vaddr >>>= 0;
    if (this.linear) return vaddr;
    return walkGuestQuiet(this.ram, this.cache.gpgdir[this.cache.current]!, vaddr);
  }

  // ---------------------------------------------------------------- counters and views

  /** {@inheritDoc @littleguest/mmu#MmuStrategy.counters} */
  counters(): MmuCounters {
    const stats = this.translator.stats;
    this.c.tlbFlushes = stats.flushes + stats.globalFlushes;
    this.c.walkRefs = stats.walkRefs;
    return snapshotCounters(this.c);
  }

  /** {@link ShadowPager.counters} plus clear_all and flush_user_mappings executions. */
  shadowCounters(): ShadowCounters {
    return snapshotShadowCounters(this.counters(), this.extra);
  }

  /** A fresh, plain snapshot of the cache for devtools (allocates; not for hot paths). */
  inspect(): ShadowInspection {
    const slots: ShadowSlotInfo[] = [];
    for (let i = 0; i < PGDIR_SLOTS; i++) {
      const g = this.cache.gpgdir[i]!;
      const p = this.cache.page[i]!;
      slots.push({ gpgdir: g === NONE ? null : g, shadow: p === NONE ? null : p * 4096 });
    }
    return {
      slots,
      current: this.cache.current,
      linearMode: this.linear,
      kernelAddress: this.kernelAddr,
      stack: { top: this.stackTop, pages: this.stackPages },
    };
  }
}

/**
 * Make a `shadow` strategy (an {@link MmuStrategyFactory}): lguest's shadow pager, starting
 * in linear_pages boot mode with one blank shadow directory loaded into `control.cr3`.
 *
 * Preconditions: see {@link ShadowPager}. The Guest's kernel_address comes from
 * `options.guest.kernelAddress` until the Host calls {@link ShadowPager.setKernelAddress}.
 */
export function createShadowStrategy(options: ShadowStrategyOptions): ShadowPager {
  return new ShadowPager(options);
}
