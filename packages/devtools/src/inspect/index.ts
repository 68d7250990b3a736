// Public exports of the inspect part of devtools (re-exported by src/index.ts).
export { decodeGate, decodeSegment, decodeTable } from "./descriptors.js";
export type { GateView, SegmentView } from "./descriptors.js";
export { guestGdt, guestIdt, guestRegisters, pgdirCache, switcherLayout, switcherTss, tlbEntries } from "./guest-views.js";
export type { GuestRegisters, SwitcherCpuView, SwitcherPageView, SwitcherView, TlbEntryView, TssView } from "./guest-views.js";
export {
  classifyPage,
  comparePageTables,
  hasShadowView,
  PAGE_STATUSES,
  PDE_PSE,
  PTE_ACCESSED,
  PTE_DIRTY,
  PTE_GLOBAL,
  PTE_PRESENT,
  PTE_RW,
  PTE_USER,
  pteFlags,
} from "./page-tables.js";
export type { CompareOptions, PageRange, PageStatus, PageTableComparison } from "./page-tables.js";
export { formatGates, formatPageTables, formatPgdirs, formatRegisters, formatSegments, formatSwitcher, formatTlb, formatTss, hex8 } from "./format.js";
