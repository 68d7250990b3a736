/**
 * The option and inspection types of the shadow pager (no behaviour; see shadow-pager.ts).
 */
import type { MmuStrategyOptions } from "@littleguest/mmu";
import type { VictimPolicy } from "./pgdir-cache.js";

export type { VictimPolicy } from "./pgdir-cache.js";

/** Options of {@link createShadowStrategy}: the common ones and the victim policy. */
export interface ShadowStrategyOptions extends MmuStrategyOptions {
  /** Victim choice on a pgdir-cache miss: "random" (lguest's, seeded; default) or "lru". */
  readonly victim?: VictimPolicy;
}

/** One pgdir-cache slot as {@link ShadowPager.inspect} shows it. */
export interface ShadowSlotInfo {
  /** Guest-physical address of the Guest pgdir it shadows; null if none (or the linear space). */
  readonly gpgdir: number | null;
  /** Host-physical address of its shadow directory; null if never allocated. */
  readonly shadow: number | null;
}

/** A devtools view of the shadow pager's state. */
export interface ShadowInspection {
  /** The four cache slots, in slot order. */
  readonly slots: readonly ShadowSlotInfo[];
  /** The slot the hardware walks. */
  readonly current: number;
  /** Still in linear_pages boot mode. */
  readonly linearMode: boolean;
  /** The Guest's kernel_address (PAGE_OFFSET). */
  readonly kernelAddress: number;
  /** The pinned stack: top (esp1) and page count (0 pages: none). */
  readonly stack: { readonly top: number; readonly pages: number };
}
