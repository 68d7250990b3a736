/**
 * `@littleguest/lguest-host`: the lguest Host — Guests and their vCPU, the run loop,
 * hypercalls with the async ring, trap reflection, virtual interrupts, segments, and lguest's
 * shadow paging as an `MmuStrategy`. The ABI's constants and layouts are also available
 * alone from `@littleguest/lguest-host/abi`.
 */
export * from "./abi/index.js";
export { LguestHost } from "./host.js";
export type { LguestHostOptions } from "./host.js";
export { DEFAULT_SLICE, HOST_TIMER_VECTOR, LgCpu } from "./lguest.js";
export type { GuestSetup, RegsField, RunEvent } from "./lguest.js";
export type { HostMmu, HostMmuFactory } from "./host-mmu.js";
export { VirtualClock, VIRTUAL_EPOCH_SECONDS, VIRTUAL_NS_PER_INSTRUCTION } from "./clock.js";
export type { GuestClock } from "./clock.js";
export type { HostCounters } from "./counters.js";
export type { HostObserver, PageFaultOutcome } from "./observer.js";
export { HYPERCALLS } from "./hypercalls.js";
export { copyTraps, directTrap, loadIdtEntry } from "./idt.js";
export type { IdtLoad } from "./idt.js";
export { fixupGdtEntry, initialGuestGdt, loadGdtEntry, loadTls } from "./segments.js";
export { GuestMemory } from "./guest-memory.js";
export { HostError } from "./host-error.js";
export type { HostErrorCode } from "./host-error.js";
export { createShadowStrategy, SHADOW_STRATEGY_NAME, ShadowPager } from "./shadow/shadow-pager.js";
export type { ShadowInspection, ShadowSlotInfo, ShadowStrategyOptions } from "./shadow/shadow-pager.js";
export type { ShadowCounters } from "./shadow/counters.js";
export type { VictimPolicy } from "./shadow/shadow-options.js";
