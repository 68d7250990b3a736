/**
 * The views `--inspect-on-exit` and the monitor print, by name, over a Guest machine.
 */
import {
  decodeInstruction,
  formatInstruction,
  comparePageTables,
  formatGates,
  formatPageTables,
  formatPgdirs,
  formatRegisters,
  formatSegments,
  formatSwitcher,
  formatTlb,
  formatTss,
  guestGdt,
  guestIdt,
  guestRegisters,
  hasShadowView,
  hex8,
  pgdirCache,
  switcherLayout,
  switcherTss,
  tlbEntries,
} from "@littleguest/devtools";
import { HYPERCALL_NAMES } from "@littleguest/lguest-host/abi";
import { LauncherError } from "../errors.js";
import type { GuestMachine } from "../guest/machine.js";

/** The views, in the order `--inspect-on-exit` prints its default set. */
export const INSPECT_VIEWS = ["registers", "counters", "pgdirs", "pagetables", "switcher", "gdt", "idt", "tss", "tlb"] as const;
/** One view's name. */
export type InspectView = (typeof INSPECT_VIEWS)[number];
/** What `--inspect-on-exit` shows without a list. */
export const DEFAULT_INSPECT: readonly InspectView[] = ["registers", "counters", "pgdirs", "pagetables", "switcher"];

/**
 * Parse "registers,pagetables" (or "all").
 * @throws LauncherError bad-option naming the unknown view and the known ones.
 */
export function parseInspectList(list: string, option: string): InspectView[] {
  const out: InspectView[] = [];
  for (const name of list.split(",").map((s) => s.trim())) {
    if (name === "") continue;
    if (name === "all") return [...INSPECT_VIEWS];
    if (!(INSPECT_VIEWS as readonly string[]).includes(name)) {
      throw new LauncherError("bad-option", `${option}: unknown view '${name}'; choose from ${INSPECT_VIEWS.join(", ")} or all`);
    }
    if (!out.includes(name as InspectView)) out.push(name as InspectView);
  }
  return out.length > 0 ? out : [...DEFAULT_INSPECT];
}

/** One view as text. `arg` is the pgdir-cache slot for `pagetables`, the entry limit for `tlb`. */
export function renderView(machine: GuestMachine, view: InspectView, arg?: number): string {
  const g = machine.guest;
  switch (view) {
    case "registers":
      return formatRegisters(guestRegisters(g));
    case "gdt":
      return `Guest GDT (after the Host's fix-ups):\n${formatSegments(guestGdt(g))}`;
    case "idt":
      return `Guest IDT (as LOAD_IDT_ENTRY stored it):\n${formatGates(guestIdt(g))}`;
    case "tss": {
      const sw = machine.host.switcher;
      return Array.from({ length: sw.hostCpus }, (_, c) => formatTss(switcherTss(sw, machine.memory, c))).join("\n");
    }
    case "pgdirs": {
      const p = pgdirCache(g);
      return p === null ? "this MMU strategy keeps no pgdir cache" : formatPgdirs(p);
    }
    case "pagetables":
      if (!hasShadowView(g)) return "this MMU strategy has no shadow tables to compare";
      if (arg !== undefined && (arg < 0 || arg > 3)) return `there is no pgdir slot ${arg}; the cache has slots 0..3`;
      return formatPageTables(comparePageTables(g, machine.memory, { slot: arg }));
    case "switcher":
      return formatSwitcher(switcherLayout(machine.host.switcher, machine.memory), g.lastHostCpu, g.regsPage);
    case "tlb":
      return formatTlb(tlbEntries(g.cpu, arg ?? 64));
    case "counters":
      return formatCounters(machine);
  }
}

function formatCounters(machine: GuestMachine): string {
  const c = machine.guest.counters;
  const exits = c.exits.flatMap((n, t) => (n > 0 ? [`${t === 256 ? "switcher" : t} ${n}`] : [])).join(", ");
  const calls = c.hypercalls.flatMap((n, k) => (n > 0 ? [`${HYPERCALL_NAMES[k] ?? `#${k}`} ${n}`] : [])).join(", ");
  return [
    `instructions ${machine.guest.cpu.instructions}, Guest time ${(machine.guest.clock.now() / 1e6).toFixed(3)} ms`,
    `exits by trap: ${exits || "none"}`,
    `hypercalls: ${calls || "none"} (async ${c.asyncHypercalls})`,
    `traps reflected ${c.reflectedTraps}, interrupts delivered ${c.interruptsDelivered}, instructions emulated ${c.emulatedInstructions}`,
    `Host pages in use ${machine.allocator.inUse}; Guest RAM at Host ${hex8(machine.memBase)}`,
  ].join("\n");
}

/** Dump `count` bytes of Guest-virtual memory from `vaddr`, 16 a line ("unmapped" where the Guest maps nothing). */
export function dumpGuestMemory(machine: GuestMachine, vaddr: number, count: number): string {
  const g = machine.guest;
  const lines: string[] = [];
  for (let a = vaddr >>> 0; a < vaddr + count; a += 16) {
    const bytes: string[] = [];
    for (let k = 0; k < 16 && a + k < vaddr + count; k++) {
      const gpa = g.mmu.tryGuestPa((a + k) >>> 0);
      bytes.push(gpa < 0 || gpa >= machine.ramBytes ? "??" : machine.memory.read8(machine.memBase + gpa).toString(16).padStart(2, "0"));
    }
    lines.push(`${hex8(a)}: ${bytes.join(" ")}`);
  }
  return lines.join("\n");
}

/**
 * `count` instructions of Guest-virtual memory from `vaddr`, disassembled as objdump does
 * (AT&T), read through the Guest's page tables without side effects; `??` where unmapped.
 */
export function disassembleGuest(machine: GuestMachine, vaddr: number, count: number, symbolize: (a: number) => string | null): string {
  const g = machine.guest;
  const at = (a: number) => {
    const gpa = g.mmu.tryGuestPa(a >>> 0);
    return gpa < 0 || gpa >= machine.ramBytes ? -1 : machine.memory.read8(machine.memBase + gpa);
  };
  const lines: string[] = [];
  let a = vaddr >>> 0;
  for (let k = 0; k < count; k++) {
    const insn = decodeInstruction(at, a, a);
    const sym = symbolize(a);
    if (insn.length === 0) {
      lines.push(`${hex8(a)}: ?? (not mapped)`);
      break;
    }
    const bytes = Array.from({ length: insn.length }, (_, j) => at(a + j).toString(16).padStart(2, "0")).join(" ");
    lines.push(`${hex8(a)}${sym === null ? "" : ` <${sym}>`}: ${bytes.padEnd(21)} ${formatInstruction(insn, "att", symbolize)}`);
    a = (a + insn.length) >>> 0;
  }
  return lines.join("\n");
}
