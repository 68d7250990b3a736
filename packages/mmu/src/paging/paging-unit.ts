/**
 * Hardware paging: the page walker behind the software TLB.
 *
 * Reference: SDM Vol. 3A §4.3 (32-bit paging, 4 KiB pages and 4 MiB pages with CR4.PSE),
 * §4.4 (PAE paging: PDPTE, 2 MiB and 4 KiB pages, 64-bit entries, XD with IA32_EFER.NXE),
 * §4.6 (access rights: U/S and R/W combined over every level, CR0.WP for supervisor writes),
 * §4.7 (#PF error code: P, W/R, U/S, RSVD, I/D), §4.8 (Accessed and Dirty flags),
 * §4.10.4 (a #PF invalidates the faulting page's TLB entry).
 * Modelled CPU: no PSE-36 (MAXPHYADDR 32 under 2-level paging), MAXPHYADDR 36 under PAE,
 * no SMEP/SMAP/PKE. Accessed flags are set only by translations that succeed, Dirty only by a
 * successful write (a faulting walk leaves memory untouched). PDPTEs are re-read from the
 * table at CR3 on every walk, where real CPUs load them into registers at MOV CR3: a Guest
 * that edits its PDPT without reloading CR3 sees the edit here at once.
 */
import {
  type Access,
  CR0_PG,
  CR0_WP,
  CR4_PAE,
  CR4_PGE,
  CR4_PSE,
  type ControlRegisters,
  EFER_NXE,
  PF_I,
  PF_P,
  PF_RSVD,
  PF_U,
  PF_W,
  type PhysicalMemory,
  TLB_ALL,
  TLB_SUP_EXEC,
  TLB_SUP_READ,
  TLB_SUP_WRITE,
  TLB_USER_EXEC,
  TLB_USER_READ,
  TLB_USER_WRITE,
  type Translator,
} from "@littleguest/x86-core";
import {
  PAE_ADDR_HI,
  PAE_RSVD_HI,
  PAE_XD_HI,
  PDE_2M_RSVD,
  PDE_4M_RSVD,
  PDE_FRAME_2M,
  PDE_FRAME_4M,
  PDPTE_RSVD_HI,
  PDPTE_RSVD_LO,
  PTE_A,
  PTE_D,
  PTE_FRAME,
  PTE_G,
  PTE_P,
  PTE_PS,
  PTE_RW,
  PTE_US,
} from "./entry-bits.js";
import { SoftTlb } from "./soft-tlb.js";
import { createTlbStats, type TlbStats } from "./tlb-stats.js";

/** Access kinds as plain numbers (the values of x86-core's const enum `Access`). */
const WRITE = 1;
const EXEC = 2;
/** 2^32, to build physical addresses above 4 GiB from a PAE entry's high dword. */
const TWO_32 = 4294967296;
/** Sentinel for "this walk has no separate upper-level entry to mark Accessed". */
const NO_ENTRY = -1;

/*T:100 The CPU in x86-core never walks page tables. It keeps asking one question of an
 * Int32Array, "may I touch this linear page this way?", and only when the answer is no does it
 * call translate(). That split is what lets memory virtualization be swapped: the hardware
 * walker below, a shadow-paging Host, a nested walk, all hide behind the same five methods.
 * The walker is the reference point for all of them, so it follows the SDM to the bit,
 * including the untidy parts: which flags go into the error code, and when A and D are set. :*/

/**
 * The IA-32 paging unit: 2-level (with PSE) and PAE (with NX) walks, exact #PF error codes,
 * Accessed/Dirty updates, and a software TLB.
 *
 * Preconditions: the owner of `control` calls `flush(true)` after changing CR0.PG, CR0.WP,
 * CR4 or EFER, and `flush(false)` after loading CR3 (the record has no behaviour of its own).
 * Invariants: `translate` never throws or allocates; it never caches a page outside RAM; a
 * TLB entry grants write only when the leaf's Dirty flag is already set, the access rights
 * allow it and the physical page is not watched. The CPU, not this unit, writes CR2.
 */
export class PagingUnit implements Translator {
  /** {@inheritDoc @littleguest/x86-core#Translator.tlb} */
  readonly tlb: Int32Array;
  /** {@inheritDoc @littleguest/x86-core#Translator.faultCode} */
  faultCode = 0;
  /** Counters; see {@link TlbStats} (hits are the embedder's to derive). */
  readonly stats: TlbStats = createTlbStats();
  /** Paging-structure entries the most recent walk read (0 with paging off). */
  lastWalkRefs = 0;
  private readonly soft: SoftTlb;
  private readonly ramBytes: number;
  // Scratch for 64-bit entry reads, so walks allocate nothing.
  private lo = 0;
  private hi = 0;

  /**
   * @param memory - the physical memory holding the page tables and the pages.
   * @param control - the CPU's control registers, read at every walk.
   */
  constructor(
    private readonly memory: PhysicalMemory,
    private readonly control: ControlRegisters,
  ) {
    this.soft = new SoftTlb(memory.pages);
    this.tlb = this.soft.entries;
    this.ramBytes = memory.size;
  }

  /** {@inheritDoc @littleguest/x86-core#Translator.translate} */
  translate(linear: number, access: Access, user: boolean): number {
    this.stats.misses++;
    linear >>>= 0;
    if ((this.control.cr0 & CR0_PG) === 0) {
      this.lastWalkRefs = 0;
      const page = linear >>> 12;
      if (page < this.memory.pages) {
        this.soft.install(page, (linear & PTE_FRAME) | TLB_ALL, false);
        this.stats.fills++;
      }
      return linear;
    }
    this.stats.walks++;
    this.lastWalkRefs = 0;
    return (this.control.cr4 & CR4_PAE) !== 0 ? this.walkPae(linear, access, user) : this.walk32(linear, access, user);
  }

  /** {@inheritDoc @littleguest/x86-core#Translator.flush} */
  flush(includeGlobal: boolean): void {
    if (includeGlobal) this.stats.globalFlushes++;
    else this.stats.flushes++;
    this.soft.flush(includeGlobal);
  }

  /** {@inheritDoc @littleguest/x86-core#Translator.invlpg} */
  invlpg(linear: number): void {
    this.stats.invlpgs++;
    this.soft.invalidate(linear >>> 12);
  }

  /** {@inheritDoc @littleguest/x86-core#Translator.watchWrites} */
  watchWrites(physPage: number, on: boolean): void {
    this.soft.watch(physPage, on);
  }

  /** Two-level walk: PDE, then PTE unless the PDE maps a 4 MiB page (PS with CR4.PSE). */
  private walk32(linear: number, access: Access, user: boolean): number {
    const pdeAddr = ((this.control.cr3 & PTE_FRAME) >>> 0) + ((linear >>> 22) << 2);
    const pde = this.read32(pdeAddr);
    this.lastWalkRefs = 1;
    if ((pde & PTE_P) === 0) return this.fault(linear, access, user, 0);
    if ((pde & PTE_PS) !== 0 && (this.control.cr4 & CR4_PSE) !== 0) {
      if ((pde & PDE_4M_RSVD) !== 0) return this.fault(linear, access, user, PF_P | PF_RSVD);
      const frame = ((pde & PDE_FRAME_4M) | (linear & 0x003ff000)) >>> 0;
      return this.finish(linear, access, user, pde, false, NO_ENTRY, 0, pdeAddr, pde, frame, 0);
    }
    const pteAddr = ((pde & PTE_FRAME) >>> 0) + (((linear >>> 12) & 0x3ff) << 2);
    const pte = this.read32(pteAddr);
    this.lastWalkRefs = 2;
    if ((pte & PTE_P) === 0) return this.fault(linear, access, user, 0);
    return this.finish(linear, access, user, pde & pte, false, pdeAddr, pde, pteAddr, pte, (pte & PTE_FRAME) >>> 0, 0);
  }

  /*T:120 PAE widens entries to 64 bits so a 32-bit CPU can reach 64 GiB, and in exchange
   * spends a level: four PDPTEs chosen by the top two linear bits, then 512-entry directories
   * and tables. Two things ride on the wider entries. Bit 63 becomes execute-disable, but only
   * if EFER.NXE says the OS knows about it; otherwise it is just another reserved bit, and a
   * reserved bit is not ignored: it makes the walk fault with RSVD set, so that an OS relying
   * on a feature the CPU lacks finds out at once instead of silently getting weaker protection.
   * The same goes for address bits above the CPU's physical width (36 here). :*/

  /** PAE walk: PDPTE (not counted as a memory reference), PDE, then PTE unless a 2 MiB page. */
  private walkPae(linear: number, access: Access, user: boolean): number {
    const nxe = (this.control.efer & EFER_NXE) !== 0;
    const rsvdHi = nxe ? PAE_RSVD_HI : PAE_RSVD_HI | PAE_XD_HI;
    this.read64(((this.control.cr3 & ~0x1f) >>> 0) + ((linear >>> 30) << 3));
    const pdpLo = this.lo;
    const pdpHi = this.hi;
    if ((pdpLo & PTE_P) === 0) return this.fault(linear, access, user, 0);
    if ((pdpLo & PDPTE_RSVD_LO) !== 0 || (pdpHi & PDPTE_RSVD_HI) !== 0) {
      return this.fault(linear, access, user, PF_P | PF_RSVD);
    }
    const pdeAddr = (pdpHi & PAE_ADDR_HI) * TWO_32 + ((pdpLo & PTE_FRAME) >>> 0) + (((linear >>> 21) & 0x1ff) << 3);
    this.read64(pdeAddr);
    const pdeLo = this.lo;
    const pdeHi = this.hi;
    this.lastWalkRefs = 1;
    if ((pdeLo & PTE_P) === 0) return this.fault(linear, access, user, 0);
    if ((pdeHi & rsvdHi) !== 0) return this.fault(linear, access, user, PF_P | PF_RSVD);
    if ((pdeLo & PTE_PS) !== 0) {
      if ((pdeLo & PDE_2M_RSVD) !== 0) return this.fault(linear, access, user, PF_P | PF_RSVD);
      const frame = ((pdeLo & PDE_FRAME_2M) | (linear & 0x001ff000)) >>> 0;
      const nx = nxe && (pdeHi & PAE_XD_HI) !== 0;
      return this.finish(linear, access, user, pdeLo, nx, NO_ENTRY, 0, pdeAddr, pdeLo, frame, pdeHi & PAE_ADDR_HI);
    }
    const pteAddr = (pdeHi & PAE_ADDR_HI) * TWO_32 + ((pdeLo & PTE_FRAME) >>> 0) + (((linear >>> 12) & 0x1ff) << 3);
    this.read64(pteAddr);
    const pteLo = this.lo;
    const pteHi = this.hi;
    this.lastWalkRefs = 2;
    if ((pteLo & PTE_P) === 0) return this.fault(linear, access, user, 0);
    if ((pteHi & rsvdHi) !== 0) return this.fault(linear, access, user, PF_P | PF_RSVD);
    const nx = nxe && ((pdeHi | pteHi) & PAE_XD_HI) !== 0;
    const frame = (pteLo & PTE_FRAME) >>> 0;
    return this.finish(linear, access, user, pdeLo & pteLo, nx, pdeAddr, pdeLo, pteAddr, pteLo, frame, pteHi & PAE_ADDR_HI);
  }

  /*T:130 Why does a TLB entry only get write permission once the Dirty flag is set? Because
   * the CPU's fast path never comes back here for a page it may write. If we cached "writable"
   * for a clean page, the first store would go straight to memory and the Dirty flag, which the
   * Guest's page-out code trusts, would never be set. So a clean page is cached read-only, the
   * first store misses, the walk below sets D, and only then is the write bit granted. The same
   * trick lets the CPU watch pages it has decoded code from: withhold their write bits and every
   * store to them comes through the slow path, where the decoded copy can be dropped. :*/

  /**
   * Check access rights for a completed walk, set Accessed/Dirty, fill the TLB.
   * `rwUs` is the AND of every level's flags; `upperAddr` is NO_ENTRY for large pages.
   */
  private finish(
    linear: number,
    access: Access,
    user: boolean,
    rwUs: number,
    nx: boolean,
    upperAddr: number,
    upperLo: number,
    leafAddr: number,
    leafLo: number,
    frameLo: number,
    frameHi: number,
  ): number {
    const wp = (this.control.cr0 & CR0_WP) !== 0;
    const us = (rwUs & PTE_US) !== 0;
    const rw = (rwUs & PTE_RW) !== 0;
    if ((user && !us) || (access === WRITE && !rw && (user || wp)) || (access === EXEC && nx)) {
      return this.fault(linear, access, user, PF_P);
    }
    if (upperAddr !== NO_ENTRY && (upperLo & PTE_A) === 0) this.write32(upperAddr, upperLo | PTE_A);
    const leaf = access === WRITE ? leafLo | PTE_A | PTE_D : leafLo | PTE_A;
    if (leaf !== leafLo) this.write32(leafAddr, leaf);
    this.stats.walkRefs += this.lastWalkRefs;
    if (frameHi === 0 && frameLo >>> 12 < this.memory.pages) {
      let perms = us ? TLB_SUP_READ | TLB_USER_READ : TLB_SUP_READ;
      if (!nx) perms |= us ? TLB_SUP_EXEC | TLB_USER_EXEC : TLB_SUP_EXEC;
      if ((leaf & PTE_D) !== 0) {
        if (rw || !wp) perms |= TLB_SUP_WRITE;
        if (rw && us) perms |= TLB_USER_WRITE;
      }
      const global = (leaf & PTE_G) !== 0 && (this.control.cr4 & CR4_PGE) !== 0;
      this.soft.install(linear >>> 12, (frameLo & PTE_FRAME) | perms, global);
      this.stats.fills++;
    }
    return frameHi * TWO_32 + frameLo + (linear & 0xfff);
  }

  /** Record a #PF: compose the error code, drop the page's TLB entry, return -1. */
  private fault(linear: number, access: Access, user: boolean, bits: number): number {
    let code = bits;
    if (access === WRITE) code |= PF_W;
    if (user) code |= PF_U;
    if (access === EXEC && (this.control.cr4 & CR4_PAE) !== 0 && (this.control.efer & EFER_NXE) !== 0) code |= PF_I;
    this.faultCode = code;
    this.stats.faults++;
    this.stats.walkRefs += this.lastWalkRefs;
    this.soft.invalidate(linear >>> 12);
    return -1;
  }

  /** Read an aligned paging entry; open bus (all ones) outside RAM or above 4 GiB. */
  private read32(addr: number): number {
    return addr + 4 <= this.ramBytes ? this.memory.i32[addr >>> 2]! : -1;
  }

  /** Read an aligned 64-bit entry into `lo`/`hi`; open bus outside RAM. */
  private read64(addr: number): void {
    if (addr + 8 <= this.ramBytes) {
      const i = addr >>> 2;
      this.lo = this.memory.i32[i]!;
      this.hi = this.memory.i32[i + 1]!;
    } else {
      this.lo = -1;
      this.hi = -1;
    }
  }

  /** Write the low dword of an entry; dropped outside RAM (A/D updates to open bus vanish). */
  private write32(addr: number, value: number): void {
    if (addr + 4 <= this.ramBytes) this.memory.i32[addr >>> 2] = value;
  }
}
