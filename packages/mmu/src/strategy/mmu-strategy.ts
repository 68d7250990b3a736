/**
 * The MmuStrategy contract: the plugin seam between a hypervisor and memory virtualization.
 *
 * A strategy receives the paravirtual MMU events of one Guest (the lguest hypercalls and the
 * page faults the Host sees first) and decides what the hardware walks, by owning the
 * {@link @littleguest/x86-core#Translator} the CPU uses. Strategies: `native` (this package),
 * lguest's `shadow` (in `@littleguest/lguest-host`), later `direct` and `nested`.
 */
import type { ControlRegisters, PhysicalMemory, Translator } from "@littleguest/x86-core";
import type { HostPageAllocator } from "../allocator/host-page-allocator.js";

/** The version of this contract; a plugin reporting another one is refused by the registry. */
export const MMU_STRATEGY_API_VERSION = 1;

/** What a strategy did with a page fault: repaired it invisibly, or it is the Guest's. */
export type PageFaultOutcome = "fixed" | "reflect";

/**
 * Why the Guest left to the Host, one name per hook that is a Guest→Host transition.
 * `pinStack` and `guestDeath` are Host-internal and are not exits.
 */
export type MmuExitReason = "pageFault" | "setPte" | "setPgd" | "setPmd" | "newPageTable" | "flushUser" | "flushAll";

/** Every {@link MmuExitReason}, in a stable order (for tables and zeroed records). */
export const MMU_EXIT_REASONS: readonly MmuExitReason[] = [
  "pageFault",
  "setPte",
  "setPgd",
  "setPmd",
  "newPageTable",
  "flushUser",
  "flushAll",
];

/**
 * The common counter set every strategy reports (reference/mmu-strategies.md §6.2), so that
 * runs of different strategies over one workload can be compared column by column.
 *
 * Invariant: counts only grow during a Guest's life; two runs with the same inputs and seed
 * give equal records. Fields a strategy has no use for stay 0.
 */
export interface MmuCounters {
  /** Hook calls that were Guest→Host transitions, by reason. */
  readonly exits: Readonly<Record<MmuExitReason, number>>;
  /** Page faults the strategy fixed without the Guest seeing them. */
  readonly hiddenFaults: number;
  /** Page faults handed back to the Guest. */
  readonly reflectedFaults: number;
  /** Shadow entries installed. */
  readonly shadowFills: number;
  /** Shadow entries removed. */
  readonly shadowZaps: number;
  /** Page-table switches that found their shadow cached. */
  readonly pgdirHits: number;
  /** Page-table switches that did not. */
  readonly pgdirMisses: number;
  /** Cached shadows evicted to make room. */
  readonly pgdirEvictions: number;
  /** TLB flushes of the hardware translator (CR3-style and global). */
  readonly tlbFlushes: number;
  /** Paging-structure memory references made by hardware walks. */
  readonly walkRefs: number;
}

/** Where the Guest's RAM lives in Host memory and where its kernel starts. */
export interface GuestLayout {
  /** Host-physical byte address of Guest-physical 0 (lguest's `mem_base`); page aligned. */
  readonly memBase: number;
  /** Guest RAM size in pages (lguest's `pfn_limit`). */
  readonly pfnLimit: number;
  /** First linear address of the Guest kernel (lguest's `kernel_address`, PAGE_OFFSET). */
  readonly kernelAddress: number;
}

/**
 * What a strategy is built from: one Guest on one (virtual) CPU.
 *
 * Invariant: `control` is the CPU's record; a strategy writes `control.cr3` when it changes
 * what the hardware walks and then flushes its translator.
 */
export interface MmuStrategyOptions {
  /** The Host's RAM. */
  readonly memory: PhysicalMemory;
  /** The CPU's control registers. */
  readonly control: ControlRegisters;
  /** The Host page allocator, for shadow pages and page references. */
  readonly allocator: HostPageAllocator;
  /** The Guest's memory layout. */
  readonly guest: GuestLayout;
  /** Kill the Guest (first reason wins; the caller carries on). */
  readonly killGuest: (reason: string) => void;
  /** Seed for every random choice (e.g. lguest's pgdir victim), for reproducible runs. */
  readonly seed: number;
}

/*T:300 Why hooks and not a page-table object? Because a paravirtual Guest does not let the
 * Host watch its page tables: it tells the Host what it changed, one hypercall at a time, and
 * the Host learns about everything else only when the hardware faults. So the seam is that
 * stream of events: a fault (fixed or the Guest's own), a PTE or directory entry written, a
 * new top level, the two kinds of flush, a stack that must stay mapped, and the end. lguest's
 * shadow pager needs exactly these; a native pager ignores nearly all of them; a nested pager
 * would ignore them too and walk twice instead. Each tells the CPU its decision the same way:
 * through the translator it owns. :*/

/**
 * One strategy instance, made by an {@link MmuStrategyFactory}.
 *
 * Preconditions for the embedder: deliver every hook synchronously, in Guest order; deliver
 * every #PF the hardware raises while the Guest runs to `pageFault` before reflecting it.
 * Invariants: hooks never throw on Guest input (bad Guest values go to `killGuest`); after
 * `guestDeath` every page reference the strategy took is released.
 */
export interface MmuStrategy {
  /** The plugin's name; it appears in every error the plugin causes. */
  readonly name: string;
  /** {@link MMU_STRATEGY_API_VERSION} the plugin was written for. */
  readonly apiVersion: number;
  /** What the CPU uses to translate while this Guest runs. */
  readonly translator: Translator;
  /**
   * The hardware raised #PF at `linear` with `errorCode` while the Guest ran.
   * @returns "fixed" when the CPU should simply retry, "reflect" when the Guest must see it.
   */
  pageFault(linear: number, errorCode: number): PageFaultOutcome;
  /**
   * The Guest set the PTE for `linear` in the address space whose top level is at
   * Guest-physical `pgdir` (0 in both halves means the mapping was removed).
   * Kernel addresses (>= kernelAddress) are shared, so affect every address space.
   */
  setPte(pgdir: number, linear: number, pte: number, pteHigh: number): void;
  /**
   * The Guest changed top-level entry `index` of the directory at Guest-physical `pgdir`;
   * `pgd` is its new low dword (a Host whose ABI does not carry it reads Guest memory).
   */
  setPgd(pgdir: number, index: number, pgd: number): void;
  /** PAE: the Guest changed entry `index` of the middle directory at Guest-physical `pmdPage`. */
  setPmd(pmdPage: number, index: number, pmd: number): void;
  /** The Guest switched to the address space whose top level is at Guest-physical `pgdir`. */
  newPageTable(pgdir: number): void;
  /** The Guest flushed its user mappings (a non-global TLB flush of the current space). */
  flushUser(): void;
  /** The Guest flushed everything, kernel mappings included. */
  flushAll(): void;
  /**
   * The Guest kernel stack is the `pages` pages below `stackTop` (lguest's esp1 and
   * stack_pages): keep them present and writable for supervisor writes in every address space
   * from now on, across flushes and switches, because the CPU pushes trap frames there without
   * being able to take a fault. Replaces any earlier stack.
   */
  pinStack(stackTop: number, pages: number): void;
  /** The Guest is gone: release every shadow page and page reference. */
  guestDeath(): void;
  /** A snapshot of the common counters. */
  counters(): MmuCounters;
}

/** Makes one strategy instance; a plugin is just such a function. */
export type MmuStrategyFactory = (options: MmuStrategyOptions) => MmuStrategy;

/** Mutable counters for strategy implementations; snapshot with {@link snapshotCounters}. */
export interface MutableMmuCounters {
  /** See {@link MmuCounters.exits}. */
  exits: Record<MmuExitReason, number>;
  /** See {@link MmuCounters.hiddenFaults}. */
  hiddenFaults: number;
  /** See {@link MmuCounters.reflectedFaults}. */
  reflectedFaults: number;
  /** See {@link MmuCounters.shadowFills}. */
  shadowFills: number;
  /** See {@link MmuCounters.shadowZaps}. */
  shadowZaps: number;
  /** See {@link MmuCounters.pgdirHits}. */
  pgdirHits: number;
  /** See {@link MmuCounters.pgdirMisses}. */
  pgdirMisses: number;
  /** See {@link MmuCounters.pgdirEvictions}. */
  pgdirEvictions: number;
  /** See {@link MmuCounters.tlbFlushes}. */
  tlbFlushes: number;
  /** See {@link MmuCounters.walkRefs}. */
  walkRefs: number;
}

/** A zeroed counter record, every exit reason present. */
export function createMmuCounters(): MutableMmuCounters {
  return {
    exits: { pageFault: 0, setPte: 0, setPgd: 0, setPmd: 0, newPageTable: 0, flushUser: 0, flushAll: 0 },
    hiddenFaults: 0,
    reflectedFaults: 0,
    shadowFills: 0,
    shadowZaps: 0,
    pgdirHits: 0,
    pgdirMisses: 0,
    pgdirEvictions: 0,
    tlbFlushes: 0,
    walkRefs: 0,
  };
}

/** A frozen copy of `c` (safe to keep while the strategy keeps counting). */
export function snapshotCounters(c: MutableMmuCounters): MmuCounters {
  return Object.freeze({ ...c, exits: Object.freeze({ ...c.exits }) });
}
