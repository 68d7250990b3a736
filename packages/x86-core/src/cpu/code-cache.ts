/**
 * The decoded-instruction cache, keyed by physical address.
 *
 * Keying by physical address makes the cache survive CR3 reloads and TLB
 * flushes: the bytes at a physical address only change when someone writes
 * them. To notice those writes for free, every page holding decoded code is
 * "watched": the translator stops granting TLB write permission for it, so
 * the first write takes the CPU's slow path, which drops the page's decoded
 * instructions and lifts the watch. Instructions that straddle two pages are
 * never cached (one per page boundary at most; they are decoded each time).
 */
import type { Insn } from "../decoder/insn.js";
import type { Translator } from "../paging/translator.js";

/** Decoded instructions of RAM pages. */
export class CodeCache {
  private readonly pages: (Insn[] | undefined)[];
  private readonly live: number[] = [];
  private readonly listed: Uint8Array;
  /** Pages whose decoded instructions were dropped because they were written (statistics). */
  invalidations = 0;

  constructor(
    pageCount: number,
    private readonly translator: Translator,
  ) {
    this.pages = new Array(pageCount).fill(undefined);
    this.listed = new Uint8Array(pageCount);
  }

  /** The instruction decoded at `pa`, if any. */
  lookup(pa: number): Insn | undefined {
    if (pa >= 0x100000000) return undefined;
    const p = this.pages[pa >>> 12];
    return p === undefined ? undefined : p[pa & 0xfff];
  }

  /** Remember `insn` at `pa` (it must lie within that page). */
  store(pa: number, insn: Insn): void {
    if (pa >= 0x100000000) return;
    const page = pa >>> 12;
    if (page >= this.pages.length) return;
    let p = this.pages[page];
    if (p === undefined) {
      p = new Array(4096);
      this.pages[page] = p;
      if (this.listed[page] === 0) {
        this.listed[page] = 1;
        this.live.push(page);
      }
      this.translator.watchWrites(page, true);
    }
    // A translator may hand back an integral number V8 keeps boxed; storing it as is would
    // change every record's hidden class the first time it happens (deoptimising the
    // interpreter mid-run). Addresses below 1 GiB are stored as small integers.
    insn.pa = pa < 0x40000000 ? pa | 0 : pa;
    p[pa & 0xfff] = insn;
  }

  /** Drop a page's instructions when it holds any; true if it did. */
  invalidateIfCode(page: number): boolean {
    if (this.pages[page] === undefined) return false;
    this.pages[page] = undefined;
    this.invalidations++;
    this.translator.watchWrites(page, false);
    return true;
  }

  /** Whether `insn` (found at `pa`) directly follows `from` in the same page, so they may be linked. */
  samePageSuccessor(from: Insn, insn: Insn, pa: number): boolean {
    return insn.pa === pa && from.pa >= 0 && from.pa + from.len === pa && from.pa >>> 12 === pa >>> 12;
  }

  /** Drop everything (CS default size changed). */
  clear(): void {
    for (const page of this.live) {
      this.listed[page] = 0;
      if (this.pages[page] !== undefined) {
        this.pages[page] = undefined;
        this.translator.watchWrites(page, false);
      }
    }
    this.live.length = 0;
  }

  /** Number of pages with decoded instructions. */
  get pageCount(): number {
    let n = 0;
    for (const page of this.live) if (this.pages[page] !== undefined) n++;
    return n;
  }
}
