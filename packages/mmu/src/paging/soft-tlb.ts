/**
 * The software TLB the CPU reads, with the bookkeeping that makes flushes cheap.
 *
 * Reference: SDM Vol. 3A §4.10.2 (TLBs), §4.10.4 (invalidation: MOV CR3 keeps global
 * entries when CR4.PGE = 1; INVLPG drops one page; a #PF drops the faulting page).
 * Entry encoding: see `Translator` in `@littleguest/x86-core` (frame in bits 31:12,
 * permission bits 5:0, 0 = empty).
 */
import { TLB_ENTRIES, TLB_SUP_WRITE, TLB_USER_WRITE } from "@littleguest/x86-core";

const ON_STACK = 1;
const ON_STACK_GLOBAL = 2;
const WRITE_BITS = TLB_SUP_WRITE | TLB_USER_WRITE;

/*T:110 A real TLB holds a few dozen entries; ours holds one slot for every 4 KiB page of the
 * 4 GiB linear space, because then the CPU's fast path is one array read and no tag compare.
 * The price is flushing: clearing a million slots on every CR3 load would cost more than the
 * Guest's whole time slice. So we remember which slots we ever filled, in a stack that is
 * allocated once, and a flush visits only those. A marker per slot keeps an index from being
 * pushed twice, and remembers whether the translation was global, so that a CR3 load can keep
 * kernel pages (CR4.PGE) exactly as the hardware does. :*/

/**
 * One translator's TLB: 2^20 entries plus an installed-index stack, global markers and the
 * write-watch set.
 *
 * Invariants: every non-zero entry's index is on the stack exactly once; an index is on the
 * stack iff its marker is non-zero; an entry never carries a write bit for a watched
 * physical page. Nothing here allocates after construction.
 */
export class SoftTlb {
  /** The entries the CPU reads (index = linear >>> 12). */
  readonly entries = new Int32Array(TLB_ENTRIES);
  private readonly stack = new Int32Array(TLB_ENTRIES);
  private readonly marker = new Uint8Array(TLB_ENTRIES);
  private top = 0;
  private readonly watched: Uint8Array;

  /** @param ramPages - pages of physical RAM (only they can be cached or watched). */
  constructor(ramPages: number) {
    this.watched = new Uint8Array(ramPages);
  }

  /** Number of indices currently tracked (installed since the last flush that dropped them). */
  get tracked(): number {
    return this.top;
  }

  /**
   * Install `entry` at `index`, withholding write bits when its frame is watched.
   *
   * Precondition: the frame (entry >>> 12) is a RAM page; `entry` has TLB_SUP_READ set.
   */
  install(index: number, entry: number, global: boolean): void {
    if (this.watched[entry >>> 12] === 1) entry &= ~WRITE_BITS;
    this.entries[index] = entry;
    if (this.marker[index] === 0) this.stack[this.top++] = index;
    this.marker[index] = global ? ON_STACK_GLOBAL : ON_STACK;
  }

  /** Drop the entry at `index` (INVLPG, or a page fault on that page). */
  invalidate(index: number): void {
    this.entries[index] = 0;
    // The index stays on the stack; demoting it lets the next flush forget it.
    if (this.marker[index] === ON_STACK_GLOBAL) this.marker[index] = ON_STACK;
  }

  /** Drop every non-global entry, or every entry when `includeGlobal`. */
  flush(includeGlobal: boolean): void {
    const { entries, stack, marker } = this;
    let kept = 0;
    for (let i = 0; i < this.top; i++) {
      const index = stack[i]!;
      if (!includeGlobal && marker[index] === ON_STACK_GLOBAL) {
        stack[kept++] = index;
      } else {
        entries[index] = 0;
        marker[index] = 0;
      }
    }
    this.top = kept;
  }

  /** Start or stop withholding write permission for a physical RAM page. */
  watch(physPage: number, on: boolean): void {
    if (physPage < 0 || physPage >= this.watched.length) return;
    this.watched[physPage] = on ? 1 : 0;
    if (!on) return; // write bits come back on the next walk that grants them
    const { entries, stack } = this;
    for (let i = 0; i < this.top; i++) {
      const index = stack[i]!;
      const e = entries[index]!;
      if (e !== 0 && e >>> 12 === physPage) entries[index] = e & ~WRITE_BITS;
    }
  }

  /** Whether writes to a physical page are being withheld. */
  isWatched(physPage: number): boolean {
    return this.watched[physPage] === 1;
  }
}
