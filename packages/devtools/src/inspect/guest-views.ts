/**
 * Read-only views of one Guest and its Host for people: registers, descriptor tables, the
 * TSS the CPU uses, the pgdir cache, the Switcher's mapping per host CPU and the software TLB.
 *
 * Reference: lguest-abi.md §3.2–§3.3 (the Switcher at 0xFFC00000: one text page, then a regs
 * page and a read-only `lguest_ro_state` page per host CPU; the regs-page remap: a Guest sees
 * its own vCPU's regs page in its host CPU's slot), §4 (IDT), §5 (GDT), §6.5 (four cached
 * pgdirs), SDM Vol. 3A §7.2.1 (TSS fields).
 */
import type { LgCpu, RegsField, ShadowInspection } from "@littleguest/lguest-host";
import {
  lguestPagesAddress,
  PAGE_SIZE,
  REGS,
  RO,
  SHARED_SWITCHER_PAGES,
  type Switcher,
  SWITCHER_ADDR,
  TSS,
} from "@littleguest/switcher";
import {
  type Cpu,
  type PhysicalMemory,
  TLB_FRAME_MASK,
  TLB_SUP_EXEC,
  TLB_SUP_READ,
  TLB_SUP_WRITE,
  TLB_USER_EXEC,
  TLB_USER_READ,
  TLB_USER_WRITE,
} from "@littleguest/x86-core";
import { decodeGate, decodeSegment, decodeTable, type GateView, type SegmentView } from "./descriptors.js";

/** The Guest's `struct lguest_regs` plus what the Host keeps beside it. */
export interface GuestRegisters {
  /** Every field of `struct lguest_regs`, by name. */
  readonly regs: Readonly<Record<RegsField, number>>;
  /** CR2 of the Guest's last page fault. */
  readonly cr2: number;
  /** The Guest's kernel stack for traps from ring 3. */
  readonly ss1: number;
  readonly esp1: number;
  /** The Guest's wanted CR0.TS, halted state, pending virtual IRQs (bit n = IRQ n). */
  readonly ts: number;
  readonly halted: boolean;
  readonly irqsPending: number;
  /** Guest-physical address of `lguest_data` (0 before LGUEST_INIT). */
  readonly lguestData: number;
  /** Instructions the CPU has retired (Switcher code included). */
  readonly instructions: number;
  /** Why the Guest died, or null. */
  readonly dead: string | null;
}

/** The Guest's registers as the regs page holds them (meaningful while the Guest is out of the CPU). */
export function guestRegisters(guest: LgCpu): GuestRegisters {
  const regs = {} as Record<RegsField, number>;
  for (const f of Object.keys(REGS) as RegsField[]) regs[f] = guest.reg(f) >>> 0;
  return {
    regs,
    cr2: guest.lastPageFault >>> 0,
    ss1: guest.ss1,
    esp1: guest.esp1 >>> 0,
    ts: guest.ts,
    halted: guest.halted,
    irqsPending: guest.irqsPending >>> 0,
    lguestData: guest.lguestData >>> 0,
    instructions: guest.cpu.instructions,
    dead: guest.dead,
  };
}

/** The Guest's GDT after the Host's fix-ups (what the CPU loads), non-empty entries only. */
export function guestGdt(guest: LgCpu): SegmentView[] {
  return decodeTable(guest.gdt, decodeSegment);
}

/**
 * The Guest's IDT: `guest` as LOAD_IDT_ENTRY stored it, or `live`, the per-CPU image the CPU
 * uses (direct traps copied, everything else leading into the Switcher).
 */
export function guestIdt(guest: LgCpu, which: "guest" | "live" = "guest"): GateView[] {
  return decodeTable(which === "guest" ? guest.guestIdt : guest.idt, decodeGate);
}

/** The TSS of one host CPU's `lguest_ro_state` (what the CPU switches stacks with). */
export interface TssView {
  readonly hostCpu: number;
  /** Linear address of the TSS inside the Switcher mapping. */
  readonly linear: number;
  readonly esp0: number;
  readonly ss0: number;
  readonly esp1: number;
  readonly ss1: number;
  readonly ioBitmapBase: number;
}

/** Read host CPU `hostCpu`'s TSS. */
export function switcherTss(switcher: Switcher, memory: PhysicalMemory, hostCpu: number): TssView {
  const at = switcher.roStatePage(hostCpu) + RO.guestTss;
  return {
    hostCpu,
    linear: (lguestPagesAddress(hostCpu) + PAGE_SIZE + RO.guestTss) >>> 0,
    esp0: memory.read32(at + TSS.esp0) >>> 0,
    ss0: memory.read32(at + TSS.ss0) & 0xffff,
    esp1: memory.read32(at + TSS.esp1) >>> 0,
    ss1: memory.read32(at + TSS.ss1) & 0xffff,
    ioBitmapBase: memory.read16(at + TSS.ioBitmapBase),
  };
}

/** One page of the Switcher's 4 MiB as a host CPU's Guests see it. */
export interface SwitcherPageView {
  /** Linear address in every Guest (and the Host). */
  readonly linear: number;
  /** "text", "regs" or "ro_state". */
  readonly role: "text" | "regs" | "ro_state";
  /** Host-physical page the Guest-side PTE maps now (the regs slot: the last vCPU's regs page). */
  readonly hostPhys: number;
  /** Writable for the Guest side. */
  readonly writable: boolean;
}

/** The Switcher mapping of one host CPU. */
export interface SwitcherCpuView {
  readonly hostCpu: number;
  /** Host-physical address of the PTE page Guest shadow slot 1023 points at on this CPU. */
  readonly ptePage: number;
  /** Host-physical address of the CPU's own regs page (the Host's mapping). */
  readonly hostRegsPage: number;
  readonly pages: readonly SwitcherPageView[];
}

/** The Switcher's layout: its linear base, the shared text page, and each host CPU's mapping. */
export interface SwitcherView {
  readonly base: number;
  readonly textPage: number;
  readonly cpus: readonly SwitcherCpuView[];
}

/** Read the Switcher's mapping per host CPU from its PTE pages. */
export function switcherLayout(switcher: Switcher, memory: PhysicalMemory): SwitcherView {
  const cpus: SwitcherCpuView[] = [];
  for (let c = 0; c < switcher.hostCpus; c++) {
    const pte = switcher.ptePage(c);
    const slot = SHARED_SWITCHER_PAGES + c * 2;
    const page = (index: number, role: SwitcherPageView["role"]): SwitcherPageView => {
      const e = memory.read32(pte + index * 4);
      return { linear: (SWITCHER_ADDR + index * PAGE_SIZE) >>> 0, role, hostPhys: (e & ~0xfff) >>> 0, writable: (e & 2) !== 0 };
    };
    cpus.push({ hostCpu: c, ptePage: pte, hostRegsPage: switcher.hostRegsPage(c), pages: [page(0, "text"), page(slot, "regs"), page(slot + 1, "ro_state")] });
  }
  return { base: SWITCHER_ADDR, textPage: switcher.textPage, cpus };
}

/** One valid entry of the CPU's software TLB. */
export interface TlbEntryView {
  readonly linear: number;
  readonly physical: number;
  /** Rights cached: r/w/x for supervisor then for user, "-" where not granted. */
  readonly rights: string;
}

/** The valid entries of the CPU's software TLB, in address order (scans 1 Mi entries). */
export function tlbEntries(cpu: Cpu, limit = Number.POSITIVE_INFINITY): TlbEntryView[] {
  const out: TlbEntryView[] = [];
  const tlb = cpu.tlb;
  for (let i = 0; i < tlb.length && out.length < limit; i++) {
    const e = tlb[i]!;
    if (e === 0) continue;
    const bit = (b: number, c: string) => ((e & b) !== 0 ? c : "-");
    out.push({
      linear: (i * 4096) >>> 0,
      physical: (e & TLB_FRAME_MASK) >>> 0,
      rights: `${bit(TLB_SUP_READ, "r")}${bit(TLB_SUP_WRITE, "w")}${bit(TLB_SUP_EXEC, "x")}/${bit(TLB_USER_READ, "r")}${bit(TLB_USER_WRITE, "w")}${bit(TLB_USER_EXEC, "x")}`,
    });
  }
  return out;
}

/** The shadow pager's four cached address spaces (null when the strategy has no such view). */
export function pgdirCache(guest: LgCpu): ShadowInspection | null {
  const mmu = guest.mmu as unknown as { inspect?: () => ShadowInspection };
  return typeof mmu.inspect === "function" ? mmu.inspect() : null;
}
