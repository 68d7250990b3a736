/**
 * What the Host needs of an MMU strategy beyond the `MmuStrategy` contract: the Switcher's
 * slot, the shadow directory to load, Guest-virtual → Guest-physical walks, clear_all, and
 * the kernel address learned at LGUEST_INIT. lguest's `shadow` strategy provides all of it.
 */
import type { MmuStrategy, MmuStrategyOptions } from "@littleguest/mmu";

/** An MMU strategy the lguest Host can run a Guest on. */
export interface HostMmu extends MmuStrategy {
  /** Host-physical address of the page directory CR3 must hold while the Guest runs. */
  currentShadowPgdir(): number;
  /** Point the Switcher's slot (1023) of that directory at a Switcher PTE page (Host-physical). */
  mapSwitcher(ptePageAddress: number): void;
  /** Guest-physical address of Guest-virtual `vaddr`; kills "Bad address …" and returns -1 if unmapped. */
  guestPa(vaddr: number): number;
  /** As {@link HostMmu.guestPa} without killing. */
  tryGuestPa(vaddr: number): number;
  /** Drop every shadow (kernel mappings included) and re-pin the stack. */
  clearAll(): void;
  /** LGUEST_INIT told the Host where the Guest kernel starts (checked against the Switcher). */
  setKernelAddress(address: number): void;
}

/** Makes a {@link HostMmu} for one Guest. */
export type HostMmuFactory = (options: MmuStrategyOptions) => HostMmu;
