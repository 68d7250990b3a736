/*T:390 A tour of this package in reading order: the software TLB (soft-tlb.ts) that the CPU
 * reads, the paging unit (paging-unit.ts) that fills it by walking page tables as the SDM
 * says, the Host page allocator that counts who holds which page, and the MmuStrategy seam,
 * through which a hypervisor decides what the hardware walks. The conformance kit at the end
 * is the definition of "decides correctly". :*/
export type { AllocatorSnapshot, PageDelta, PageLeak } from "./allocator/host-page-allocator.js";
export { HostPageAllocator } from "./allocator/host-page-allocator.js";
export type { MmuErrorCode } from "./mmu-error.js";
export { MmuError } from "./mmu-error.js";
export {
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
  PTE_PCD,
  PTE_PS,
  PTE_PWT,
  PTE_RW,
  PTE_US,
} from "./paging/entry-bits.js";
export { PagingUnit } from "./paging/paging-unit.js";
export { SoftTlb } from "./paging/soft-tlb.js";
export type { TlbStats } from "./paging/tlb-stats.js";
export { createTlbStats, resetTlbStats } from "./paging/tlb-stats.js";
export type {
  GuestLayout,
  MmuCounters,
  MmuExitReason,
  MmuStrategy,
  MmuStrategyFactory,
  MmuStrategyOptions,
  MutableMmuCounters,
  PageFaultOutcome,
} from "./strategy/mmu-strategy.js";
export {
  createMmuCounters,
  MMU_EXIT_REASONS,
  MMU_STRATEGY_API_VERSION,
  snapshotCounters,
} from "./strategy/mmu-strategy.js";
export { createNativeStrategy, NATIVE_STRATEGY_NAME } from "./strategy/native.js";
export { MmuStrategyRegistry } from "./strategy/registry.js";
export type { ConformanceExpectation, ConformanceHarness, ConformanceOptions } from "./testkit/conformance.js";
export { runMmuConformance } from "./testkit/conformance.js";
