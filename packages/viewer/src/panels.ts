/**
 * The panels: the Host's and the shadow pager's counters, the Switcher's layout per host CPU,
 * and the Guest's page tables beside the shadow. Each renders one {@link Snapshot} into its
 * container; none keeps state between snapshots.
 */
import { hex8, PAGE_STATUSES, type PageStatus, pteFlags } from "@littleguest/devtools";
import { type Child, el, fill } from "./dom.js";
import type { NamedCount, Snapshot } from "./snapshot.js";

/** What each page-table status means, for the legend and the rows' tooltips. */
export const STATUS_MEANING: Readonly<Record<PageStatus, string>> = {
  same: "both map it: the same frame, the rights lguest gives",
  "not-shadowed": "the Guest maps it; the shadow is filled at the first touch",
  "write-protected-until-dirty": "writable but clean in the Guest: read-only in the shadow until the first write",
  stale: "the shadow maps a page the Guest no longer does (a bug)",
  differs: "the frame or the rights break lguest's rules (a bug)",
};

function row(label: string, value: string, key?: string): HTMLTableRowElement {
  return el("tr", {}, [el("th", { scope: "row" }, [label]), el("td", key === undefined ? {} : { "data-counter": key }, [value])]);
}

function counts(title: string, list: readonly NamedCount[], key: string): HTMLTableRowElement[] {
  if (list.length === 0) return [row(title, "none", key)];
  return list.map((c, k) => row(k === 0 ? title : "", `${c.name}: ${c.count}`, k === 0 ? key : undefined));
}

function percent(part: number, whole: number): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : "n/a";
}

/** The counters panel: instructions, exits by trap, hypercalls by name, the shadow pager's figures. */
export function renderCounters(container: Element, s: Snapshot): void {
  const rows: HTMLTableRowElement[] = [
    row("instructions", String(s.instructions), "instructions"),
    row("Guest time", `${(s.guestTimeNs / 1e6).toFixed(3)} ms`),
    row("Guest at", `${hex8(s.eip)} ring ${s.ring}${s.halted ? ", halted" : ""}${s.dead === null ? "" : `, dead: ${s.dead}`}`),
    row("exits", String(s.exitTotal), "exits"),
    ...counts("exits by trap", s.exits, "exits-by-trap"),
    row("hypercalls", `${s.hypercallTotal} (async ${s.asyncHypercalls})`, "hypercalls"),
    ...counts("hypercalls by name", s.hypercalls, "hypercalls-by-name"),
    row("traps reflected", String(s.reflectedTraps)),
    row("interrupts delivered", String(s.interruptsDelivered)),
    row("instructions emulated", String(s.emulatedInstructions)),
  ];
  const sh = s.shadow;
  if (sh !== null) {
    const switches = sh.pgdirHits + sh.pgdirMisses;
    rows.push(
      row("page faults hidden", String(sh.hiddenFaults), "hidden-faults"),
      row("page faults reflected", String(sh.reflectedFaults), "reflected-faults"),
      row("shadow fills / zaps", `${sh.shadowFills} / ${sh.shadowZaps}`),
      row("pgdir cache", `${sh.pgdirHits} hits, ${sh.pgdirMisses} misses (${percent(sh.pgdirHits, switches)}), ${sh.pgdirEvictions} evictions`, "pgdir-cache"),
      row("TLB flushes", String(sh.tlbFlushes)),
      row("walk references", String(sh.walkRefs)),
    );
  }
  rows.push(row("Host pages in use", `${s.hostPagesInUse} (Guest RAM ${s.ramBytes / 4096})`));
  fill(container, [el("table", { class: "kv" }, [el("tbody", {}, rows)])]);
}

/*D:570 The Switcher panel reads the Switcher's own PTE pages, not a table kept for show: for
 * each host CPU, what the top 4 MiB of every Guest address space maps right now. The text
 * page is the same for all; the regs slot is where the regs-page remap is visible, since the
 * host CPU this vCPU ran on last maps the vCPU's own regs page there while every other CPU
 * still maps its Host's page. Watching that row change is watching the Switcher work. :*/

/** The Switcher panel: its 4 MiB at the top of every address space, per host CPU. */
export function renderSwitcher(container: Element, s: Snapshot): void {
  const v = s.switcher;
  const body: HTMLTableRowElement[] = [];
  for (const c of v.cpus) {
    for (const p of c.pages) {
      let note = "";
      if (p.role === "regs") {
        if (p.hostPhys === s.regsPage >>> 0) note = "this vCPU's regs page (remapped)";
        else if (p.hostPhys === c.hostRegsPage >>> 0) note = "the Host's own";
      } else if (p.role === "text") note = "shared";
      body.push(
        el("tr", { "data-role": p.role }, [
          el("td", {}, [`${c.hostCpu}${c.hostCpu === s.lastHostCpu ? " *" : ""}`]),
          el("td", {}, [hex8(p.linear)]),
          el("td", {}, [p.role]),
          el("td", {}, [hex8(p.hostPhys)]),
          el("td", {}, [p.writable ? "rw" : "ro"]),
          el("td", {}, [note]),
        ]),
      );
    }
  }
  fill(container, [
    el("p", {}, [`Switcher at ${hex8(v.base)} (4 MiB, PGD slot 1023), text page at Host ${hex8(v.textPage)}; * marks the host CPU this vCPU ran on last.`]),
    el("table", { class: "grid" }, [
      el("thead", {}, [el("tr", {}, ["host CPU", "linear", "page", "Host page", "Guest", "note"].map((h) => el("th", {}, [h])))]),
      el("tbody", {}, body),
    ]),
  ]);
}

function addr(n: number): string {
  return n < 0 ? "-" : hex8(n);
}

/** The page-table panel: the pgdir cache, then the Guest's tables beside the shadow for the chosen range. */
export function renderPageTables(container: Element, s: Snapshot): void {
  const parts: Child[] = [];
  const p = s.pgdirs;
  if (p !== null) {
    parts.push(
      el("p", {}, [`pgdir cache (${p.linearMode ? "linear_pages boot mode" : "Guest page tables"}), kernel at ${hex8(p.kernelAddress)}, stack ${hex8(p.stack.top)} (${p.stack.pages} pages)`]),
      el(
        "ul",
        { class: "slots" },
        p.slots.map((slot, i) =>
          el("li", i === p.current ? { class: "current" } : {}, [
            `${i === p.current ? "* " : ""}slot ${i}: Guest pgdir ${slot.gpgdir === null ? "-" : hex8(slot.gpgdir)}, shadow ${slot.shadow === null ? "-" : hex8(slot.shadow)}`,
          ]),
        ),
      ),
    );
  }
  const t = s.pageTables;
  if (t === null) {
    parts.push(el("p", {}, ["no shadow tables to compare (another MMU strategy, or no such slot)"]));
    fill(container, parts);
    return;
  }
  parts.push(
    el("p", {}, [
      `slot ${t.slot}: Guest pgdir ${t.guestPgdir === null ? "none (linear_pages boot mode)" : hex8(t.guestPgdir)}, shadow ${t.shadowPgdir === null ? "none" : hex8(t.shadowPgdir)}; ${hex8(t.from)}–${hex8(t.to)}`,
    ]),
    el(
      "p",
      { class: "totals", "data-totals": "" },
      PAGE_STATUSES.map((st) => el("span", { class: `status-${st}`, title: STATUS_MEANING[st] }, [`${st} ${t.totals[st]}`])),
    ),
  );
  const rows = t.ranges.map((r) =>
    el("tr", { class: `status-${r.status}`, title: STATUS_MEANING[r.status] }, [
      el("td", {}, [`${hex8(r.vaddr)}–${hex8((r.vaddr + r.pages * 4096 - 1) >>> 0)}`]),
      el("td", { class: "num" }, [String(r.pages)]),
      el("td", {}, [addr(r.guestPhys)]),
      el("td", {}, [pteFlags(r.guestPte)]),
      el("td", {}, [addr(r.hostPhys)]),
      el("td", {}, [pteFlags(r.shadowPte)]),
      el("td", {}, [r.status]),
    ]),
  );
  parts.push(
    el("table", { class: "grid", id: "page-table-rows" }, [
      el("thead", {}, [el("tr", {}, ["virtual", "pages", "Guest phys", "flags", "shadow: Host", "flags", "status"].map((h) => el("th", {}, [h])))]),
      el("tbody", {}, rows),
    ]),
  );
  if (t.moreRanges > 0) parts.push(el("p", {}, [`… ${t.moreRanges} more ranges; narrow the range to see them`]));
  fill(container, parts);
}

/** The legend of the page-table statuses. */
export function statusLegend(): HTMLElement {
  return el(
    "dl",
    { class: "legend" },
    PAGE_STATUSES.flatMap((st) => [el("dt", { class: `status-${st}` }, [st]), el("dd", {}, [STATUS_MEANING[st]])]),
  );
}
