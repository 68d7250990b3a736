/**
 * Text forms of the inspector's views, for the `lguest` monitor, `--inspect-on-exit` and
 * tests. Columns are fixed so a reader can compare two dumps line by line.
 */
import type { GateView, SegmentView } from "./descriptors.js";
import type { GuestRegisters, SwitcherView, TlbEntryView, TssView } from "./guest-views.js";
import { PAGE_STATUSES, type PageTableComparison, pteFlags } from "./page-tables.js";
import type { ShadowInspection } from "@littleguest/lguest-host";

/** `0x` and eight hex digits. */
export function hex8(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, "0")}`;
}

/** The registers in four columns, then the Host's extras. */
export function formatRegisters(r: GuestRegisters): string {
  const g = r.regs;
  const row = (names: readonly (keyof typeof g)[]) => names.map((n) => `${n.padStart(6)}=${hex8(g[n])}`).join(" ");
  return [
    row(["eax", "ebx", "ecx", "edx"]),
    row(["esi", "edi", "ebp", "esp"]),
    row(["eip", "eflags", "errcode", "trapnum"]),
    `    cs=${hex4(g.cs)}     ss=${hex4(g.ss)}     ds=${hex4(g.ds)}     es=${hex4(g.es)}     fs=${hex4(g.fs)}     gs=${hex4(g.gs)}`,
    `   cr2=${hex8(r.cr2)}  esp1=${hex4(r.ss1)}:${hex8(r.esp1)}  ts=${r.ts}  halted=${r.halted ? "yes" : "no"}  irqs pending=${hex8(r.irqsPending)}  lguest_data=${hex8(r.lguestData)}`,
    `   ring ${g.cs & 3}, ${r.instructions} instructions retired${r.dead === null ? "" : `, dead: ${r.dead}`}`,
  ].join("\n");
}

function hex4(n: number): string {
  return `0x${(n & 0xffff).toString(16).padStart(4, "0")}`;
}

/** A descriptor table, one entry a line. */
export function formatSegments(entries: readonly SegmentView[]): string {
  const lines = [" idx  sel     base        limit       dpl  kind"];
  for (const e of entries) {
    lines.push(
      `${String(e.index).padStart(4)}  ${hex4(e.index * 8)}  ${hex8(e.base)}  ${hex8(e.limit)}  ${e.dpl}    ${e.present ? "" : "not present: "}${e.kind}${e.big ? " 32-bit" : ""}`,
    );
  }
  return lines.join("\n");
}

/** An IDT, one present gate a line. */
export function formatGates(gates: readonly GateView[]): string {
  const lines = [" vec  selector  offset      dpl  kind"];
  for (const g of gates) {
    lines.push(`${`0x${g.vector.toString(16).padStart(2, "0")}`.padStart(4)}  ${hex4(g.selector)}    ${hex8(g.offset)}  ${g.dpl}    ${g.present ? "" : "not present: "}${g.kind}`);
  }
  return lines.join("\n");
}

/** A TSS's stack fields. */
export function formatTss(t: TssView): string {
  return `host CPU ${t.hostCpu} TSS at ${hex8(t.linear)}: ss0:esp0=${hex4(t.ss0)}:${hex8(t.esp0)} ss1:esp1=${hex4(t.ss1)}:${hex8(t.esp1)} iomap base=${t.ioBitmapBase}`;
}

/** The Guest's page tables beside the shadow, one range a line, then totals. */
export function formatPageTables(c: PageTableComparison, limit = 200): string {
  const lines = [
    `pgdir slot ${c.slot}: Guest pgdir ${c.guestPgdir === null ? "none (linear_pages boot mode)" : hex8(c.guestPgdir)}, shadow ${c.shadowPgdir === null ? "none" : hex8(c.shadowPgdir)} (Host), Guest RAM at Host ${hex8(c.memBase)}`,
    "  virtual                pages   guest: phys      flags  shadow: host   flags  status",
  ];
  for (const r of c.ranges.slice(0, limit)) {
    const end = (r.vaddr + r.pages * 4096 - 1) >>> 0;
    lines.push(
      `  ${hex8(r.vaddr)}-${hex8(end)} ${String(r.pages).padStart(6)}  ${r.guestPhys < 0 ? "-".padEnd(10) : hex8(r.guestPhys)}  ${pteFlags(r.guestPte).padEnd(5)}  ${r.hostPhys < 0 ? "-".padEnd(10) : hex8(r.hostPhys)}  ${pteFlags(r.shadowPte).padEnd(5)}  ${r.status}`,
    );
  }
  if (c.ranges.length > limit) lines.push(`  … ${c.ranges.length - limit} more ranges`);
  lines.push(`  pages: ${PAGE_STATUSES.map((s) => `${s} ${c.totals[s]}`).join(", ")}`);
  return lines.join("\n");
}

/** The pgdir cache. */
export function formatPgdirs(p: ShadowInspection): string {
  const lines = [`pgdir cache (${p.linearMode ? "linear_pages boot mode" : "Guest page tables"}), kernel at ${hex8(p.kernelAddress)}, stack ${hex8(p.stack.top)} (${p.stack.pages} pages)`];
  p.slots.forEach((s, i) => {
    lines.push(`  ${i === p.current ? "*" : " "} slot ${i}: Guest pgdir ${s.gpgdir === null ? "-".padEnd(10) : hex8(s.gpgdir)}  shadow ${s.shadow === null ? "-" : hex8(s.shadow)}`);
  });
  return lines.join("\n");
}

/** The Switcher's layout per host CPU; `lastHostCpu` marks where the vCPU ran last. */
export function formatSwitcher(v: SwitcherView, lastHostCpu: number, vcpuRegsPage: number): string {
  const lines = [`Switcher at ${hex8(v.base)} (4 MiB, PGD slot 1023); text page at Host ${hex8(v.textPage)}`];
  for (const c of v.cpus) {
    lines.push(`  host CPU ${c.hostCpu}${c.hostCpu === lastHostCpu ? " (this vCPU ran here last)" : ""}: PTE page ${hex8(c.ptePage)}, Host's regs page ${hex8(c.hostRegsPage)}`);
    for (const p of c.pages) {
      const note = p.role === "regs" ? (p.hostPhys === vcpuRegsPage >>> 0 ? " = this vCPU's regs page (remapped)" : p.hostPhys === c.hostRegsPage >>> 0 ? " = the Host's own" : "") : "";
      lines.push(`    ${hex8(p.linear)}  ${p.role.padEnd(8)}  -> ${hex8(p.hostPhys)} ${p.writable ? "rw" : "ro"}${note}`);
    }
  }
  return lines.join("\n");
}

/** TLB entries, one a line. */
export function formatTlb(entries: readonly TlbEntryView[]): string {
  const lines = [`${entries.length} TLB entries (rights: supervisor rwx / user rwx)`];
  for (const e of entries) lines.push(`  ${hex8(e.linear)} -> ${hex8(e.physical)}  ${e.rights}`);
  return lines.join("\n");
}
