/**
 * Reading traces: one readable line per event, JSON Lines in and out, and the summary
 * `lguest trace summarize` prints (counts and the top causes).
 */
import { TRACE_CATEGORIES, type TraceEvent } from "./events.js";

/** Turns an address into `symbol+0x12`, or null when it knows none. */
export type Symbolizer = (address: number) => string | null;

function hex(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}

function at(eip: number, symbolize?: Symbolizer): string {
  const s = symbolize?.(eip >>> 0);
  return s ? `${hex(eip)} <${s}>` : hex(eip);
}

/** One event as a line for people (no trailing newline). */
export function formatTraceEvent(e: TraceEvent, symbolize?: Symbolizer): string {
  const head = `[${String(e.insn).padStart(12)} ${(e.ns / 1e6).toFixed(3).padStart(11)}ms]`;
  switch (e.type) {
    case "exit":
      return `${head} exit       ${e.trapnum} ${e.name} eip=${at(e.eip, symbolize)}${e.cr2 === undefined ? "" : ` cr2=${hex(e.cr2)}`} err=${hex(e.errcode)}`;
    case "hypercall":
      return `${head} hypercall  ${e.name}(${e.args.map(hex).join(", ")})${e.async ? " async" : ""}`;
    case "fault":
      return `${head} fault      ${e.vector} ${e.name}${e.errcode === null ? "" : ` err=${hex(e.errcode)}`} eip=${at(e.eip, symbolize)} ${e.kind}, ${e.direct ? "direct to the Guest" : "to the Host"}`;
    case "trap":
      return `${head} reflect    ${e.trapnum} ${e.name} err=${hex(e.errcode)} eip=${at(e.eip, symbolize)}`;
    case "pagefault":
      return `${head} pagefault  cr2=${hex(e.cr2)} err=${hex(e.errcode)} eip=${at(e.eip, symbolize)} ${e.outcome}`;
    case "pagetable": {
      const parts: string[] = [];
      if (e.pgdir !== undefined) parts.push(`pgdir=${hex(e.pgdir)}`);
      if (e.vaddr !== undefined) parts.push(`vaddr=${hex(e.vaddr)}`);
      if (e.pte !== undefined) parts.push(`pte=${hex(e.pte)}`);
      if (e.index !== undefined) parts.push(`index=${e.index}`);
      if (e.all !== undefined) parts.push(e.all ? "all" : "user");
      return `${head} pagetable  ${e.op} ${parts.join(" ")}`;
    }
    case "irq":
      return `${head} irq        ${e.irq} ${e.op}${e.eip === undefined ? "" : ` at eip=${at(e.eip, symbolize)}`}`;
    case "insn":
      return `${head} insn       ${at(e.eip, symbolize)} ring ${e.cpl}${e.cpl === 0 ? " (Switcher)" : ""}${e.text === undefined ? "" : `  ${e.text}`}`;
  }
}

/** One event as a JSON line (no trailing newline). */
export function traceEventToJson(e: TraceEvent): string {
  return JSON.stringify(e);
}

const TYPES = new Set(["exit", "hypercall", "fault", "trap", "pagefault", "pagetable", "irq", "insn"]);

/**
 * Parse one JSON line of a trace.
 * @throws SyntaxError naming the line when it is not a trace event.
 */
export function parseTraceLine(line: string, lineNumber: number): TraceEvent {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new SyntaxError(`line ${lineNumber}: not JSON (a trace file has one JSON event per line)`);
  }
  const o = v as { type?: unknown; insn?: unknown };
  if (typeof o !== "object" || o === null || typeof o.type !== "string" || !TYPES.has(o.type) || typeof o.insn !== "number") {
    throw new SyntaxError(`line ${lineNumber}: not a trace event (expected {"type": …, "insn": …})`);
  }
  return v as TraceEvent;
}

/** Counts and top causes of a trace. */
export interface TraceSummary {
  readonly events: number;
  /** Events by type. */
  readonly byType: Readonly<Record<string, number>>;
  /** First and last instruction count and virtual time seen. */
  readonly span: { readonly firstInsn: number; readonly lastInsn: number; readonly firstNs: number; readonly lastNs: number };
  /** Exits by reason, most frequent first. */
  readonly exits: readonly (readonly [string, number])[];
  /** Hypercalls by name, most frequent first (async ones counted too). */
  readonly hypercalls: readonly (readonly [string, number])[];
  /** CPU-delivered exceptions by name, and how many went straight to the Guest. */
  readonly faults: readonly (readonly [string, number])[];
  readonly directFaults: number;
  /** Reflected traps by name. */
  readonly reflected: readonly (readonly [string, number])[];
  /** Page faults by outcome. */
  readonly pageFaults: Readonly<Record<"hidden" | "reflected" | "killed", number>>;
  /** The EIPs that took the most page faults, and the pages faulted on most. */
  readonly topFaultEips: readonly (readonly [number, number])[];
  readonly topFaultPages: readonly (readonly [number, number])[];
  /** Page-table operations by name. */
  readonly pageTableOps: readonly (readonly [string, number])[];
  /** Virtual IRQs: raised and delivered per IRQ number. */
  readonly irqs: readonly (readonly [number, { raised: number; delivered: number }])[];
  /** The hottest EIPs of an instruction trace. */
  readonly topInsnEips: readonly (readonly [number, number])[];
}

function bump<K>(m: Map<K, number>, k: K): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

function top<K>(m: Map<K, number>, n: number): [K, number][] {
  return [...m.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n);
}

/** Accumulates events one at a time (a trace may be far larger than memory wants to hold). */
export class TraceSummarizer {
  private events = 0;
  private readonly byType: Record<string, number> = {};
  private firstInsn = -1;
  private lastInsn = 0;
  private firstNs = 0;
  private lastNs = 0;
  private readonly exits = new Map<string, number>();
  private readonly hcalls = new Map<string, number>();
  private readonly faults = new Map<string, number>();
  private directFaults = 0;
  private readonly reflected = new Map<string, number>();
  private readonly pageFaults = { hidden: 0, reflected: 0, killed: 0 };
  private readonly faultEips = new Map<number, number>();
  private readonly faultPages = new Map<number, number>();
  private readonly ptOps = new Map<string, number>();
  private readonly irqs = new Map<number, { raised: number; delivered: number }>();
  private readonly insnEips = new Map<number, number>();

  /** Count one event. */
  add(e: TraceEvent): void {
    this.events++;
    this.byType[e.type] = (this.byType[e.type] ?? 0) + 1;
    if (this.firstInsn < 0) {
      this.firstInsn = e.insn;
      this.firstNs = e.ns;
    }
    this.lastInsn = e.insn;
    this.lastNs = e.ns;
    switch (e.type) {
      case "exit":
        bump(this.exits, `${e.trapnum} ${e.name}`);
        break;
      case "hypercall":
        bump(this.hcalls, e.name);
        break;
      case "fault":
        bump(this.faults, `${e.vector} ${e.name}`);
        if (e.direct) this.directFaults++;
        break;
      case "trap":
        bump(this.reflected, `${e.trapnum} ${e.name}`);
        break;
      case "pagefault":
        this.pageFaults[e.outcome]++;
        bump(this.faultEips, e.eip >>> 0);
        bump(this.faultPages, (e.cr2 & ~0xfff) >>> 0);
        break;
      case "pagetable":
        bump(this.ptOps, e.op);
        break;
      case "irq": {
        const r = this.irqs.get(e.irq) ?? { raised: 0, delivered: 0 };
        r[e.op]++;
        this.irqs.set(e.irq, r);
        break;
      }
      case "insn":
        bump(this.insnEips, e.eip >>> 0);
        break;
    }
  }

  /** The summary so far, with `n` entries in each top list. */
  result(n = 10): TraceSummary {
    return {
      events: this.events,
      byType: { ...this.byType },
      span: { firstInsn: Math.max(0, this.firstInsn), lastInsn: this.lastInsn, firstNs: this.firstNs, lastNs: this.lastNs },
      exits: top(this.exits, n),
      hypercalls: top(this.hcalls, n),
      faults: top(this.faults, n),
      directFaults: this.directFaults,
      reflected: top(this.reflected, n),
      pageFaults: { ...this.pageFaults },
      topFaultEips: top(this.faultEips, n),
      topFaultPages: top(this.faultPages, n),
      pageTableOps: top(this.ptOps, n),
      irqs: [...this.irqs.entries()].sort((a, b) => a[0] - b[0]),
      topInsnEips: top(this.insnEips, n),
    };
  }
}

/** The summary as text: counts per type, then each non-empty top list. */
export function formatTraceSummary(s: TraceSummary, symbolize?: Symbolizer): string {
  const lines: string[] = [];
  const insns = s.span.lastInsn - s.span.firstInsn;
  lines.push(`${s.events} events over ${insns} instructions (${((s.span.lastNs - s.span.firstNs) / 1e6).toFixed(3)} ms of Guest time)`);
  const kinds = Object.entries(s.byType).sort((a, b) => b[1] - a[1]);
  lines.push(`  by type: ${kinds.map(([k, v]) => `${k} ${v}`).join(", ")}`);
  const list = (title: string, rows: readonly (readonly [string, number])[]) => {
    if (rows.length === 0) return;
    lines.push(`${title}:`);
    for (const [k, v] of rows) lines.push(`  ${String(v).padStart(10)}  ${k}`);
  };
  const addrs = (title: string, rows: readonly (readonly [number, number])[]) => {
    if (rows.length === 0) return;
    lines.push(`${title}:`);
    for (const [k, v] of rows) lines.push(`  ${String(v).padStart(10)}  ${at(k, symbolize)}`);
  };
  list("exits by reason", s.exits);
  list("hypercalls", s.hypercalls);
  if (s.faults.length > 0) list(`exceptions delivered by the CPU (${s.directFaults} straight to the Guest)`, s.faults);
  list("traps reflected by the Host", s.reflected);
  const pf = s.pageFaults;
  if (pf.hidden + pf.reflected + pf.killed > 0) {
    const total = pf.hidden + pf.reflected + pf.killed;
    lines.push(`page faults: ${total} (${pf.hidden} hidden by the shadow pager, ${pf.reflected} reflected to the Guest, ${pf.killed} fatal)`);
  }
  addrs("instructions that faulted most", s.topFaultEips);
  if (s.topFaultPages.length > 0) {
    lines.push("pages faulted on most:");
    for (const [k, v] of s.topFaultPages) lines.push(`  ${String(v).padStart(10)}  ${hex(k)}`);
  }
  list("page-table operations", s.pageTableOps);
  if (s.irqs.length > 0) {
    lines.push("virtual interrupts:");
    for (const [irq, r] of s.irqs) lines.push(`  irq ${String(irq).padStart(2)}: raised ${r.raised}, delivered ${r.delivered}`);
  }
  addrs("hottest instructions", s.topInsnEips);
  return lines.join("\n");
}

/** The categories, for help texts. */
export const TRACE_CATEGORY_LIST = TRACE_CATEGORIES.join(",");
