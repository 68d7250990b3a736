/**
 * A hand-built Guest for the shadow pager's tests: Host RAM, an allocator, Guest RAM placed
 * after some leading Host pages (so Guest-physical ≠ Host-physical), and helpers that write
 * 2-level Guest page tables the way a Guest kernel would.
 */
import { HostPageAllocator, type AllocatorSnapshot, PTE_G, PTE_P, PTE_RW, PTE_US } from "@littleguest/mmu";
import {
  CR0_ET,
  CR0_PE,
  CR0_PG,
  CR0_WP,
  ControlRegisters,
  PhysicalMemory,
  TLB_SUP_EXEC,
  TLB_SUP_READ,
  TLB_SUP_WRITE,
  TLB_USER_EXEC,
  TLB_USER_READ,
  TLB_USER_WRITE,
} from "@littleguest/x86-core";
import { createShadowStrategy, type ShadowPager, type ShadowStrategyOptions } from "./shadow-pager.js";

/** Host RAM of a test world (4 MiB). */
export const HOST_PAGES = 1024;
/** Guest RAM (1 MiB). */
export const GUEST_PAGES = 256;
/** Host pages before Guest RAM. */
export const LEADING = 13;
/** The Guest kernel's PAGE_OFFSET. */
export const KERNEL = 0xc0000000;

/** Guest-physical addresses of the test Guest's tables and pages. */
export const G = {
  pgdirA: 0x1000,
  pgdirB: 0x2000,
  kernelPt: 0x3000,
  userPtA: 0x4000,
  userPtB: 0x5000,
  pgdirC: 0x6000,
  pgdirD: 0x7000,
  pgdirE: 0x8000,
  userPtC: 0x9000,
  userPtD: 0xa000,
  userPtE: 0xb000,
  dataA: 0x20000,
  dataB: 0x21000,
  dataC: 0x22000,
  dataD: 0x23000,
  dataE: 0x24000,
  ro: 0x25000,
  sup: 0x26000,
  spare: 0x27000,
} as const;

/** Linear addresses: user pages at 4 MiB (directory slot 1), the kernel at 0xC0000000. */
export const L = {
  user: 0x00400000,
  userRo: 0x00401000,
  userSup: 0x00402000,
  userNone: 0x00403000,
  stackTop: 0xc0010000,
} as const;

/** The kernel's linear address for Guest-physical `gpa`. */
export function kl(gpa: number): number {
  return (KERNEL + gpa) >>> 0;
}

/** User directory/table pairs of the five address spaces. */
export const SPACES = [
  [G.pgdirA, G.userPtA, G.dataA],
  [G.pgdirB, G.userPtB, G.dataB],
  [G.pgdirC, G.userPtC, G.dataC],
  [G.pgdirD, G.userPtD, G.dataD],
  [G.pgdirE, G.userPtE, G.dataE],
] as const;

/** One access as the CPU makes it: the physical address, or the reflected error code. */
export interface Access {
  readonly pa: number;
  readonly fault: number;
  /** Faults the pager fixed along the way. */
  readonly fixed: number;
}

/** A test world around one {@link ShadowPager}. */
export interface World {
  readonly memory: PhysicalMemory;
  readonly control: ControlRegisters;
  readonly allocator: HostPageAllocator;
  readonly baseline: AllocatorSnapshot;
  readonly memBase: number;
  readonly killed: string[];
  readonly pager: ShadowPager;
  readGuest(gpa: number): number;
  writeGuest(gpa: number, v: number): void;
  /** Host-physical entry `index` of the current shadow directory. */
  spgd(index: number): number;
  /** The shadow PTE for `linear` in the current shadow, or 0 if its table is absent. */
  spte(linear: number): number;
  /** The shadow PTE for `linear` in the shadow directory at Host-physical `pgdirHpa`. */
  spteIn(pgdirHpa: number, linear: number): number;
  access(linear: number, kind: 0 | 1 | 2, user: boolean): Access;
}

/** Options of {@link buildWorld}. */
export interface WorldOptions {
  readonly seed?: number;
  readonly victim?: ShadowStrategyOptions["victim"];
  readonly leading?: number;
  /** Leave linear mode by switching to pgdirA (default true). */
  readonly boot?: boolean;
}

const USER_RW = PTE_P | PTE_RW | PTE_US;
const PERMISSION = [TLB_SUP_READ, TLB_USER_READ, TLB_SUP_WRITE, TLB_USER_WRITE, TLB_SUP_EXEC, TLB_USER_EXEC];

/**
 * Build the Guest: a kernel table mapping all Guest RAM at KERNEL (P|RW|G, A and D clear),
 * five address spaces whose user slot 1 maps page 0 of L.user to their data page, space A
 * also with a read-only user page, a supervisor page and a not-present entry.
 */
export function buildWorld(o: WorldOptions = {}): World {
  const memory = new PhysicalMemory(HOST_PAGES * 4096);
  const control = new ControlRegisters();
  const allocator = new HostPageAllocator(memory, 0, HOST_PAGES);
  const leading = o.leading ?? LEADING;
  if (leading > 0) allocator.allocRange(leading, "test: leading");
  const memBase = allocator.allocRange(GUEST_PAGES, "test: Guest RAM") * 4096;
  const writeGuest = (gpa: number, v: number): void => memory.write32(memBase + gpa, v);
  const readGuest = (gpa: number): number => memory.read32(memBase + gpa);
  for (let i = 0; i < GUEST_PAGES; i++) writeGuest(G.kernelPt + i * 4, (i * 4096) | PTE_P | PTE_RW | PTE_G);
  for (const [dir, pt, data] of SPACES) {
    writeGuest(dir + (L.user >>> 22) * 4, pt | USER_RW);
    writeGuest(dir + (KERNEL >>> 22) * 4, G.kernelPt | PTE_P | PTE_RW);
    writeGuest(pt, data | USER_RW);
  }
  writeGuest(G.userPtA + 4, G.ro | PTE_P | PTE_US);
  writeGuest(G.userPtA + 8, G.sup | PTE_P | PTE_RW);
  control.cr0 = CR0_PE | CR0_ET | CR0_WP | CR0_PG;
  const baseline = allocator.snapshot();
  const killed: string[] = [];
  const pager = createShadowStrategy({
    memory,
    control,
    allocator,
    guest: { memBase, pfnLimit: GUEST_PAGES, kernelAddress: KERNEL },
    killGuest: (r) => {
      killed.push(r);
    },
    seed: o.seed ?? 1,
    ...(o.victim ? { victim: o.victim } : {}),
  });
  if (o.boot ?? true) pager.newPageTable(G.pgdirA);
  const spteIn = (pgdirHpa: number, linear: number): number => {
    const pde = memory.read32(pgdirHpa + (linear >>> 22) * 4);
    if ((pde & PTE_P) === 0) return 0;
    return memory.read32(((pde & ~0xfff) >>> 0) + ((linear >>> 12) & 0x3ff) * 4);
  };
  const access = (linear: number, kind: 0 | 1 | 2, user: boolean): Access => {
    const tr = pager.translator;
    const need = PERMISSION[kind * 2 + (user ? 1 : 0)]!;
    let fixed = 0;
    for (let attempt = 0; attempt < 8; attempt++) {
      const e = tr.tlb[linear >>> 12]!;
      if ((e & need) !== 0) return { pa: ((e & ~0xfff) >>> 0) + (linear & 0xfff), fault: -1, fixed };
      const pa = tr.translate(linear, kind, user);
      if (pa >= 0) return { pa, fault: -1, fixed };
      const code = tr.faultCode;
      if (pager.pageFault(linear, code) === "reflect") return { pa: -1, fault: code, fixed };
      fixed++;
    }
    throw new Error(`no progress at 0x${linear.toString(16)}`);
  };
  return {
    memory,
    control,
    allocator,
    baseline,
    memBase,
    killed,
    pager,
    readGuest,
    writeGuest,
    spgd: (index) => memory.read32(pager.currentShadowPgdir() + index * 4),
    spte: (linear) => spteIn(pager.currentShadowPgdir(), linear),
    spteIn,
    access,
  };
}
