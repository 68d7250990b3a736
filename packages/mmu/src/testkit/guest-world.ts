/**
 * A small Guest for the conformance kit: Host RAM, an allocator, Guest RAM taken from it, and
 * two 2-level address spaces written into Guest memory the way a Guest kernel would.
 */
import {
  CR0_ET,
  CR0_PE,
  CR0_PG,
  CR0_WP,
  CR4_PGE,
  ControlRegisters,
  PhysicalMemory,
  TLB_SUP_EXEC,
  TLB_SUP_READ,
  TLB_SUP_WRITE,
  TLB_USER_EXEC,
  TLB_USER_READ,
  TLB_USER_WRITE,
} from "@littleguest/x86-core";
import { type AllocatorSnapshot, HostPageAllocator } from "../allocator/host-page-allocator.js";
import { PTE_G, PTE_P, PTE_RW, PTE_US } from "../paging/entry-bits.js";
import type { MmuStrategy, MmuStrategyOptions } from "../strategy/mmu-strategy.js";

/** Host RAM of a conformance world. */
const HOST_PAGES = 4096; // 16 MiB
/** Guest RAM: 4 MiB, all of it mapped by the kernel page table. */
const GUEST_PAGES = 1024;

/** Guest-physical addresses of the kit's page tables and pages. */
export const GPA = {
  pgdirA: 0x1000,
  pgdirB: 0x2000,
  kernelPt: 0x3000,
  userPtA: 0x4000,
  userPtB: 0x5000,
  userRwA: 0x100000,
  userRo: 0x101000,
  supervisorRw: 0x102000,
  supervisorRo: 0x103000,
  userRwB: 0x200000,
  spare: 0x180000,
  kernelSpare: 0x300000,
} as const;

/** Linear addresses of the kit's mappings. */
export const LIN = {
  kernel: 0xc0000000,
  userRw: 0x00400000,
  userRo: 0x00401000,
  supervisorRw: 0x00402000,
  supervisorRo: 0x00403000,
  notPresent: 0x00404000,
  noTable: 0x00800000,
  stackTop: 0xc0202000,
} as const;

/** The kit's linear page for Guest kernel address `gpa` (kernel maps Guest RAM at 0xC0000000). */
export function kernelLinear(gpa: number): number {
  return (LIN.kernel + gpa) >>> 0;
}

/** Result of one access made the way the CPU makes it. */
export interface AccessResult {
  /** Physical address, or -1 when the Guest took a #PF. */
  readonly pa: number;
  /** The reflected #PF error code, or -1. */
  readonly fault: number;
}

/** Book-keeping of what the kit asked of a strategy, to compare with its counters. */
export interface KitTally {
  fixed: number;
  reflected: number;
}

/**
 * A freshly built Guest; `strategy` is created last, after the allocator baseline.
 * Invariant: Guest RAM is one allocator range of GUEST_PAGES pages starting at memBase.
 */
export interface GuestWorld {
  readonly memory: PhysicalMemory;
  readonly control: ControlRegisters;
  readonly allocator: HostPageAllocator;
  readonly baseline: AllocatorSnapshot;
  readonly memBase: number;
  readonly killed: string[];
  readonly strategy: MmuStrategy;
  readonly tally: KitTally;
  /** Read a 32-bit word of Guest-physical memory. */
  readGuest(gpa: number): number;
  /** Write a 32-bit word of Guest-physical memory. */
  writeGuest(gpa: number, v: number): void;
  /** Access `linear` as the CPU would: TLB first, then translate, then the strategy on #PF. */
  access(linear: number, access: 0 | 1 | 2, user: boolean): AccessResult;
}

const PRESENT_RW = PTE_P | PTE_RW;
const USER_RW = PTE_P | PTE_RW | PTE_US;

/** Build a world and hand its options to `factory`. `leadingPages` moves Guest RAM up. */
export function buildGuestWorld(factory: (o: MmuStrategyOptions) => MmuStrategy, leadingPages: number): GuestWorld {
  const memory = new PhysicalMemory(HOST_PAGES * 4096);
  const control = new ControlRegisters();
  const allocator = new HostPageAllocator(memory, 0, HOST_PAGES);
  if (leadingPages > 0) allocator.allocRange(leadingPages, "kit: leading pages");
  const firstGuestPage = allocator.allocRange(GUEST_PAGES, "kit: Guest RAM");
  const memBase = firstGuestPage * 4096;
  const writeGuest = (gpa: number, v: number): void => memory.write32(memBase + gpa, v);
  const readGuest = (gpa: number): number => memory.read32(memBase + gpa);

  for (let i = 0; i < GUEST_PAGES; i++) writeGuest(GPA.kernelPt + i * 4, (i * 4096) | PRESENT_RW | PTE_G);
  writeGuest(GPA.userPtA + 0 * 4, GPA.userRwA | USER_RW);
  writeGuest(GPA.userPtA + 1 * 4, GPA.userRo | PTE_P | PTE_US);
  writeGuest(GPA.userPtA + 2 * 4, GPA.supervisorRw | PRESENT_RW);
  writeGuest(GPA.userPtA + 3 * 4, GPA.supervisorRo | PTE_P);
  writeGuest(GPA.userPtB + 0 * 4, GPA.userRwB | USER_RW);
  for (const [dir, pt] of [
    [GPA.pgdirA, GPA.userPtA],
    [GPA.pgdirB, GPA.userPtB],
  ] as const) {
    writeGuest(dir + (LIN.userRw >>> 22) * 4, pt | USER_RW);
    writeGuest(dir + (LIN.kernel >>> 22) * 4, GPA.kernelPt | PRESENT_RW);
  }
  control.cr0 = CR0_PE | CR0_ET | CR0_WP | CR0_PG;
  control.cr4 = CR4_PGE;

  const baseline = allocator.snapshot();
  const killed: string[] = [];
  const strategy = factory({
    memory,
    control,
    allocator,
    guest: { memBase, pfnLimit: GUEST_PAGES, kernelAddress: LIN.kernel },
    killGuest: (reason) => {
      killed.push(reason);
    },
    seed: 1,
  });
  strategy.newPageTable(GPA.pgdirA);
  const tally: KitTally = { fixed: 0, reflected: 0 };

  const access = (linear: number, kind: 0 | 1 | 2, user: boolean): AccessResult => {
    const tr = strategy.translator;
    const need = PERMISSION[kind * 2 + (user ? 1 : 0)]!;
    for (let attempt = 0; attempt < 8; attempt++) {
      const e = tr.tlb[linear >>> 12]!;
      if ((e & need) !== 0) return { pa: ((e & ~0xfff) >>> 0) + (linear & 0xfff), fault: -1 };
      const pa = tr.translate(linear, kind, user);
      if (pa >= 0) return { pa, fault: -1 };
      const code = tr.faultCode;
      if (strategy.pageFault(linear, code) === "reflect") {
        tally.reflected++;
        return { pa: -1, fault: code };
      }
      tally.fixed++;
    }
    throw new Error(`${strategy.name}: fixed the fault at 0x${linear.toString(16)} 8 times without progress`);
  };
  return { memory, control, allocator, baseline, memBase, killed, strategy, tally, readGuest, writeGuest, access };
}

/** TLB bit the CPU needs, indexed by access * 2 + (user ? 1 : 0). */
const PERMISSION = [TLB_SUP_READ, TLB_USER_READ, TLB_SUP_WRITE, TLB_USER_WRITE, TLB_SUP_EXEC, TLB_USER_EXEC];
