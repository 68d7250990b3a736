/**
 * The tracer: turns the CPU's fault-bus observations, the Host's observer calls and (when
 * asked) every instruction into {@link TraceEvent}s for a sink.
 *
 * Reference: HOUSE_STYLE 6 (observe hooks: synchronous, read-only), lguest-abi.md §1.3
 * (SET_PTE(pgdir, vaddr, pte), SET_PGD(pgdir, index), SET_PMD(pmd, index), NEW_PGTABLE(pgdir),
 * FLUSH_TLB(all)).
 */
import {
  HYPERCALL_NAMES,
  LHCALL_FLUSH_TLB,
  LHCALL_NEW_PGTABLE,
  LHCALL_SET_PGD,
  LHCALL_SET_PMD,
  LHCALL_SET_PTE,
  type HostObserver,
  type LgCpu,
} from "@littleguest/lguest-host";
import { SWITCHER_ADDR } from "@littleguest/switcher";
import { TLB_FRAME_MASK, TLB_SUP_READ } from "@littleguest/x86-core";
import { decodeInstruction } from "../disasm/decode.js";
import { formatInstruction } from "../disasm/format.js";
import { type PageTableEvent, TRACE_CATEGORIES, type TraceCategory, type TraceEvent, trapName } from "./events.js";

/** Options of {@link traceGuest}. */
export interface TraceOptions {
  /** What to record. */
  readonly categories: ReadonlySet<TraceCategory>;
  /** Receives each event as it happens (synchronously; it must not change the Guest). */
  readonly sink: (event: TraceEvent) => void;
}

/**
 * Parse a comma-separated category list ("exits,irq", "all").
 * @throws RangeError naming the unknown category and the known ones.
 */
export function parseTraceCategories(list: string): Set<TraceCategory> {
  const out = new Set<TraceCategory>();
  for (const raw of list.split(",")) {
    const name = raw.trim();
    if (name === "") continue;
    if (name === "all") {
      for (const c of TRACE_CATEGORIES) if (c !== "insn") out.add(c);
      continue;
    }
    if (!(TRACE_CATEGORIES as readonly string[]).includes(name)) {
      throw new RangeError(`unknown trace category '${name}'; choose from ${TRACE_CATEGORIES.join(", ")} or all (all but insn)`);
    }
    out.add(name as TraceCategory);
  }
  if (out.size === 0) throw new RangeError(`no trace category given; choose from ${TRACE_CATEGORIES.join(", ")} or all`);
  return out;
}

/** x86-core's EventKind values (a const enum, which isolated modules cannot import). */
const EVENT_SOFTWARE = 1;
const EVENT_EXTERNAL = 2;

const PAGE_TABLE_OPS: Readonly<Record<number, PageTableEvent["op"]>> = {
  [LHCALL_NEW_PGTABLE]: "new_pgtable",
  [LHCALL_SET_PTE]: "set_pte",
  [LHCALL_SET_PGD]: "set_pgd",
  [LHCALL_SET_PMD]: "set_pmd",
  [LHCALL_FLUSH_TLB]: "flush_tlb",
};

/** Make every hook of `first` also call `then`'s (and `first` gain the hooks only `then` has). */
function chain(first: HostObserver, then: HostObserver): void {
  const keys = ["exit", "hypercall", "pageFault", "trapReflected", "irqRaised", "irqDelivered", "dying"] as const;
  for (const k of keys) {
    const a = first[k] as ((...args: unknown[]) => void) | undefined;
    const b = then[k] as ((...args: unknown[]) => void) | undefined;
    if (b === undefined) continue;
    (first as Record<string, unknown>)[k] =
      a === undefined
        ? b.bind(then)
        : (...args: unknown[]) => {
            a(...args);
            b.apply(then, args);
          };
  }
}

/*D:100 Tracing must cost nothing when it is off and must not change what it watches. Both
 * buses were built for it: the CPU shows every exception it delivers to fault-bus observers,
 * and the Host calls an observer at each exit, hypercall, page fault and interrupt, which it
 * checks once per event, never per instruction. Only the instruction trace needs the CPU's
 * per-instruction hook, and the CPU looks at that once per run call. Each event is stamped
 * with the retired-instruction count and the Guest's virtual time rather than the wall clock,
 * so the trace of a run is as reproducible as the run. :*/

/**
 * Start tracing `guest`: the Host observer, the CPU's fault bus and, for `insn`, the CPU's
 * instruction hook. Replaces any observer the Guest had until the returned function is
 * called, which restores it.
 */
export function traceGuest(guest: LgCpu, options: TraceOptions): () => void {
  const { categories: cats, sink } = options;
  const cpu = guest.cpu;
  const stamp = () => ({ insn: cpu.instructions, ns: guest.clock.now() });
  const previous = guest.observer;
  const observer: HostObserver = {};
  if (cats.has("exits")) {
    observer.exit = (trapnum, errcode, eip, cr2) =>
      sink({ type: "exit", ...stamp(), trapnum, name: trapName(trapnum), errcode, eip, ...(trapnum === 14 ? { cr2 } : {}) });
  }
  if (cats.has("hypercalls") || cats.has("pagetables")) {
    observer.hypercall = (call, a1, a2, a3, a4, async) => {
      if (cats.has("hypercalls")) sink({ type: "hypercall", ...stamp(), call, name: HYPERCALL_NAMES[call] ?? `#${call}`, args: [a1, a2, a3, a4], async });
      const op = PAGE_TABLE_OPS[call];
      if (op === undefined || !cats.has("pagetables")) return;
      const base = { type: "pagetable" as const, ...stamp(), op };
      if (op === "new_pgtable") sink({ ...base, pgdir: a1 });
      else if (op === "set_pte") sink({ ...base, pgdir: a1, vaddr: a2, pte: a3 });
      else if (op === "set_pgd" || op === "set_pmd") sink({ ...base, pgdir: a1, index: a2 });
      else sink({ ...base, all: a1 !== 0 });
    };
  }
  if (cats.has("pagetables")) {
    observer.pageFault = (cr2, errcode, eip, outcome) => sink({ type: "pagefault", ...stamp(), cr2, errcode, eip, outcome });
  }
  if (cats.has("faults")) {
    observer.trapReflected = (trapnum, errcode, eip) => sink({ type: "trap", ...stamp(), trapnum, name: trapName(trapnum), errcode, eip });
  }
  if (cats.has("irq")) {
    observer.irqRaised = (irq) => sink({ type: "irq", ...stamp(), irq, op: "raised" });
    observer.irqDelivered = (irq, eip) => sink({ type: "irq", ...stamp(), irq, op: "delivered", eip });
  }
  // Whoever watched before keeps watching: every hook of theirs is called after ours.
  if (previous !== null) chain(observer, previous);
  guest.observer = observer;
  const disposers: (() => void)[] = [];
  if (cats.has("faults")) {
    disposers.push(
      cpu.faults.observe((vector, errcode, hasCode, kind, eip) => {
        if (kind === EVENT_EXTERNAL) return;
        const lo = guest.idt[vector * 2]!;
        const hi = guest.idt[vector * 2 + 1]!;
        const target = ((hi & 0xffff0000) | (lo & 0xffff)) >>> 0;
        sink({
          type: "fault",
          ...stamp(),
          vector,
          name: trapName(vector),
          errcode: hasCode ? errcode >>> 0 : null,
          eip: eip >>> 0,
          kind: kind === EVENT_SOFTWARE ? "software" : "exception",
          direct: target < SWITCHER_ADDR,
        });
      }),
    );
  }
  if (cats.has("insn")) {
    const before = cpu.onInstruction;
    const code = new CodeReader(guest);
    cpu.onInstruction = (c, eip) => {
      const cpl = c.cpl;
      code.reset(cpl);
      const decoded = decodeInstruction(code.byteAt, eip >>> 0, eip >>> 0);
      const text = decoded.length === 0 ? undefined : formatInstruction(decoded);
      sink({ type: "insn", insn: c.instructions, ns: guest.clock.now(), eip: eip >>> 0, cpl, ...(text === undefined ? {} : { text }) });
    };
    disposers.push(() => {
      cpu.onInstruction = before;
    });
  }
  return () => {
    guest.observer = previous;
    for (const d of disposers) d();
  };
}

/*D:240 An instruction trace names each instruction, which means reading its bytes without
 * disturbing anything. The Guest's code is read through the Guest's own page tables, with the
 * shadow pager's side-effect-free walk, so tracing neither fills the TLB nor sets an accessed
 * bit nor raises a fault the Guest would see. Ring 0 is the Switcher, which the Guest's page
 * tables do not describe; its bytes are read through the TLB entry the CPU used to fetch
 * them, and left unnamed when there is none. :*/
class CodeReader {
  private readonly limit: number;
  private cpl = 0;
  private page = -1;
  private frame = -1;
  /** The byte at a linear address, or -1 where it cannot be read (bound once, reused). */
  readonly byteAt = (linear: number): number => {
    const p = linear >>> 12;
    if (p !== this.page) {
      this.page = p;
      this.frame = this.frameOf(p);
    }
    return this.frame < 0 ? -1 : this.guest.cpu.memory.read8(this.frame + (linear & 0xfff));
  };

  constructor(private readonly guest: LgCpu) {
    this.limit = guest.pfnLimit * 4096;
  }

  /** Start reading a new instruction, fetched at privilege `cpl`. */
  reset(cpl: number): void {
    this.cpl = cpl;
    this.page = -1;
  }

  private frameOf(page: number): number {
    if (this.cpl !== 0) {
      const gpa = this.guest.mmu.tryGuestPa((page << 12) >>> 0);
      return gpa < 0 || gpa >= this.limit ? -1 : this.guest.memBase + gpa;
    }
    const e = this.guest.cpu.tlb[page]!;
    return (e & TLB_SUP_READ) === 0 ? -1 : (e & TLB_FRAME_MASK) >>> 0;
  }
}
