/**
 * The Host's observe hooks (HOUSE_STYLE 6, *observe*): synchronous, read-only views of what
 * the Host does for one Guest, for devtools (traces, viewers, debuggers). Arguments are
 * numbers and constant strings, so an observer that stores nothing allocates nothing. With no
 * observer attached the Host pays one null check per event, and events happen per exit from
 * the Guest, never per instruction.
 */

/** What became of a page fault the Guest took. */
export type PageFaultOutcome =
  /** The shadow pager filled the shadow entry: the Guest never sees the fault. */
  | "hidden"
  /** The Guest's own page tables say no: the fault is reflected into the Guest. */
  | "reflected"
  /** The fault killed the Guest (a bad Guest entry, the Switcher's pages). */
  | "killed";

/**
 * Observer of one Guest's Host. Every method is optional; each is called after the Host acted,
 * except {@link HostObserver.exit}, which is called as the Guest arrives. Observers must not
 * change the Guest or the Host.
 */
export interface HostObserver {
  /** The Guest left through the Switcher with `trapnum` (256: a fault inside the Switcher). */
  exit?(trapnum: number, errcode: number, eip: number, cr2: number): void;
  /** A hypercall ran (`async`: it came from the ring in lguest_data). */
  hypercall?(call: number, arg1: number, arg2: number, arg3: number, arg4: number, async: boolean): void;
  /** A page fault was hidden, reflected or fatal. */
  pageFault?(cr2: number, errcode: number, eip: number, outcome: PageFaultOutcome): void;
  /** A trap other than a page fault was reflected into the Guest's own handler. */
  trapReflected?(trapnum: number, errcode: number, eip: number): void;
  /** The Launcher raised virtual IRQ `irq`. */
  irqRaised?(irq: number): void;
  /** Virtual IRQ `irq` was delivered (the Guest now runs its handler). */
  irqDelivered?(irq: number, eip: number): void;
  /**
   * The Guest is dead (`reason` as the run loop will report it) and its shadow pages are
   * about to be released: the last moment to look at its address space.
   */
  dying?(reason: string): void;
}
