/**
 * The Host page allocator: hands out 4 KiB pages of one region of physical memory and counts
 * references to them, the way Linux's page refcounts back lguest's shadow page tables.
 */
import type { PhysicalMemory } from "@littleguest/x86-core";
import { MmuError } from "../mmu-error.js";

/** One page still referenced, as reported by {@link HostPageAllocator.leaks}. */
export interface PageLeak {
  /** Physical page number. */
  readonly page: number;
  /** Its reference count. */
  readonly refs: number;
  /** The tag given when it was allocated, if any. */
  readonly tag: string | undefined;
}

/** A page whose reference count differs from a baseline, from {@link HostPageAllocator.compare}. */
export interface PageDelta {
  /** Physical page number. */
  readonly page: number;
  /** Reference count in the baseline. */
  readonly expected: number;
  /** Reference count now. */
  readonly actual: number;
  /** The tag of its current (or last) allocation, if any. */
  readonly tag: string | undefined;
}

/**
 * Reference counts frozen at one moment ({@link HostPageAllocator.snapshot}).
 * Opaque: only {@link HostPageAllocator.compare} reads it.
 */
export interface AllocatorSnapshot {
  /** First page of the region it was taken from. */
  readonly firstPage: number;
  /** A copy of every page's reference count. */
  readonly refs: Int32Array;
}

/*T:200 After a Guest dies, the Host must be able to prove it gave everything back. lguest
 * leaned on the kernel for that: each shadow PTE held a page reference taken by
 * get_user_pages, and releasing the shadow dropped it. Here the allocator is ours, so it keeps
 * the books itself: every page has a count, the Launcher's Guest RAM holds one reference per
 * page, a shadow mapping holds another, and a snapshot taken before the Guest started must
 * compare equal after it is gone. A tag on each allocation turns "page 1234 leaked" into
 * "a shadow PTE page of pgdir slot 2 leaked". :*/

/**
 * Allocates and reference-counts the pages [firstPage, firstPage + count) of a memory.
 *
 * Invariants: a page is free iff its count is 0; `inUse` is the number of pages with a
 * non-zero count; allocation order is deterministic (most recently freed first, initially
 * ascending). Exhaustion is a value (-1); misuse (put on a free page, a page outside the
 * region) throws {@link MmuError}.
 */
export class HostPageAllocator {
  /** Pages currently referenced. */
  inUse = 0;
  private readonly refs: Int32Array;
  private readonly tags: (string | undefined)[];
  /** Free-page stack; may contain pages taken by allocRange (skipped lazily on pop). */
  private readonly free: Int32Array;
  private readonly onStack: Uint8Array;
  private top = 0;

  /**
   * @param memory - the memory whose pages are handed out (pages are zeroed on allocation).
   * @param firstPage - first page number of the region.
   * @param count - number of pages in the region.
   */
  constructor(
    private readonly memory: PhysicalMemory,
    readonly firstPage: number,
    readonly count: number,
  ) {
    if (!Number.isInteger(firstPage) || !Number.isInteger(count) || firstPage < 0 || count < 0) {
      throw new MmuError("BAD_REGION", `allocator region ${firstPage}+${count} pages: use non-negative whole numbers`);
    }
    if (firstPage + count > memory.pages) {
      throw new MmuError(
        "BAD_REGION",
        `allocator region ends at page ${firstPage + count} but memory has ${memory.pages} pages: shrink the region`,
      );
    }
    this.refs = new Int32Array(count);
    this.tags = new Array<string | undefined>(count).fill(undefined);
    this.free = new Int32Array(count);
    this.onStack = new Uint8Array(count).fill(1);
    for (let i = count - 1; i >= 0; i--) this.free[this.top++] = i;
  }

  /**
   * Take one zeroed page with reference count 1.
   * @param tag - a label reported by {@link HostPageAllocator.leaks}.
   * @returns its physical page number, or -1 when the region is exhausted.
   */
  alloc(tag?: string): number {
    while (this.top > 0) {
      const i = this.free[--this.top]!;
      this.onStack[i] = 0;
      if (this.refs[i] === 0) return this.take(i, tag);
    }
    return -1;
  }

  /**
   * Take `n` contiguous zeroed pages (first fit, lowest address), each with count 1.
   * @returns the first page number, or -1 when no run of `n` free pages exists.
   */
  allocRange(n: number, tag?: string): number {
    if (n <= 0) return -1;
    let run = 0;
    for (let i = 0; i < this.count; i++) {
      run = this.refs[i] === 0 ? run + 1 : 0;
      if (run === n) {
        const start = i - n + 1;
        for (let j = start; j <= i; j++) this.take(j, tag);
        return this.firstPage + start;
      }
    }
    return -1;
  }

  /** Add a reference to an allocated page. Throws PAGE_NOT_IN_USE on a free page. */
  get(page: number): void {
    const i = this.index(page);
    if (this.refs[i] === 0) throw new MmuError("PAGE_NOT_IN_USE", `get on free page ${page}: allocate it first`);
    this.refs[i]!++;
  }

  /** Drop a reference; the page is freed when its count reaches 0. Throws on a free page. */
  put(page: number): void {
    const i = this.index(page);
    const r = this.refs[i]!;
    if (r === 0) throw new MmuError("PAGE_NOT_IN_USE", `put on free page ${page}: a reference was dropped twice`);
    this.refs[i] = r - 1;
    if (r === 1) {
      this.inUse--;
      if (this.onStack[i] === 0) {
        this.onStack[i] = 1;
        this.free[this.top++] = i;
      }
    }
  }

  /** The reference count of a page (0 = free). Throws PAGE_OUT_OF_RANGE outside the region. */
  refCount(page: number): number {
    return this.refs[this.index(page)]!;
  }

  /** Every page still referenced, ascending, with its count and tag. */
  leaks(): PageLeak[] {
    const out: PageLeak[] = [];
    for (let i = 0; i < this.count; i++) {
      const refs = this.refs[i]!;
      if (refs !== 0) out.push({ page: this.firstPage + i, refs, tag: this.tags[i] });
    }
    return out;
  }

  /** Freeze the current reference counts, to {@link HostPageAllocator.compare} against later. */
  snapshot(): AllocatorSnapshot {
    return { firstPage: this.firstPage, refs: this.refs.slice() };
  }

  /**
   * Pages whose count differs from `baseline`, ascending; empty when everything is back.
   * Precondition: `baseline` came from this allocator.
   */
  compare(baseline: AllocatorSnapshot): PageDelta[] {
    if (baseline.firstPage !== this.firstPage || baseline.refs.length !== this.count) {
      throw new MmuError("BAD_REGION", "snapshot was taken from another allocator region");
    }
    const out: PageDelta[] = [];
    for (let i = 0; i < this.count; i++) {
      const actual = this.refs[i]!;
      const expected = baseline.refs[i]!;
      if (actual !== expected) out.push({ page: this.firstPage + i, expected, actual, tag: this.tags[i] });
    }
    return out;
  }

  private take(i: number, tag: string | undefined): number {
    this.refs[i] = 1;
    this.tags[i] = tag;
    this.inUse++;
    const page = this.firstPage + i;
    this.memory.fill(page * 4096, 4096);
    return page;
  }

  private index(page: number): number {
    const i = page - this.firstPage;
    if (!Number.isInteger(page) || i < 0 || i >= this.count) {
      throw new MmuError(
        "PAGE_OUT_OF_RANGE",
        `page ${page} is outside the allocator region [${this.firstPage}, ${this.firstPage + this.count})`,
      );
    }
    return i;
  }
}
