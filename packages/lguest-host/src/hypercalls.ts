/**
 * Hypercalls: `int $0x1f` from ring 1 with the call in eax and arguments in ebx, ecx, edx,
 * esi; and the async ring the Guest fills in lazy mode.
 *
 * Reference: lguest-abi.md §1.1 (the trap, the registers, kill on an unknown number and on any
 * call before LGUEST_INIT: "hypercall N before INIT"; a second INIT: "already have
 * lguest_data"), §1.3 (what each call does), §1.4 (the ring: 0xFF free, 0 pending; drained in
 * order from the Host's cursor before every synchronous call, stopping at a NOTIFY), §2 (what
 * LGUEST_INIT reads and writes in lguest_data), §6.2/§3.2 (reserve_mem, kernel_address below
 * the Switcher).
 */
import { HypercallBus, type HypercallArgs } from "@littleguest/x86-core";
import { GDT_ENTRY_TLS_ENTRIES, SWITCHER_ADDR, SWITCHER_RESERVE_BYTES, CHANGED_GDT, CHANGED_GDT_TLS, CHANGED_IDT } from "@littleguest/switcher";
import {
  HCALL_STATUS_FREE,
  LGUEST_SHUTDOWN_RESTART,
  LHCALL_FLUSH_ASYNC,
  LHCALL_FLUSH_TLB,
  LHCALL_HALT,
  LHCALL_LGUEST_INIT,
  LHCALL_LOAD_GDT_ENTRY,
  LHCALL_LOAD_IDT_ENTRY,
  LHCALL_LOAD_TLS,
  LHCALL_NEW_PGTABLE,
  LHCALL_NOTIFY,
  LHCALL_RING_SIZE,
  LHCALL_SEND_INTERRUPTS,
  LHCALL_SET_CLOCKEVENT,
  LHCALL_SET_PGD,
  LHCALL_SET_PMD,
  LHCALL_SET_PTE,
  LHCALL_SET_STACK,
  LHCALL_SHUTDOWN,
  LHCALL_TS,
  SHUTDOWN_MESSAGE_BYTES,
  HYPERCALL_NAMES,
} from "./abi/hypercalls.js";
import { HCALL_RECORD_BYTES, LGUEST_DATA, LGUEST_DATA_SIZE, SYSCALL_VECTOR } from "./abi/lguest-data.js";
import { hex } from "./guest-memory.js";
import { copyTraps, loadIdtEntry } from "./idt.js";
import { writeTimestamp } from "./interrupts.js";
import type { LgCpu } from "./lguest.js";
import { loadGdtEntry, loadTls } from "./segments.js";

/** A hypercall's number and arguments, read once from the regs page or a ring slot. */
class Args implements HypercallArgs {
  call = 0;
  a1 = 0;
  a2 = 0;
  a3 = 0;
  a4 = 0;
  arg(n: 1 | 2 | 3 | 4): number {
    return n === 1 ? this.a1 : n === 2 ? this.a2 : n === 3 ? this.a3 : this.a4;
  }
}

/*H:150 Every hypercall is one small handler registered on x86-core's sealed hypercall bus
 * under its number, so the table below is the whole ABI at a glance, and a number nobody
 * registered is simply not there: the Guest that calls it dies with "Bad hypercall". :*/

/** The Host's hypercall table, sealed. */
export const HYPERCALLS: HypercallBus<LgCpu> = (() => {
  const bus = new HypercallBus<LgCpu>();
  const on = (call: number, fn: (cpu: LgCpu, a: HypercallArgs) => void) =>
    bus.register(call, HYPERCALL_NAMES[call]!, (cpu, a) => {
      fn(cpu, a);
      return undefined;
    }, "lguest-host");
  on(LHCALL_FLUSH_ASYNC, () => {});
  on(LHCALL_LGUEST_INIT, (cpu) => cpu.kill("already have lguest_data"));
  on(LHCALL_SHUTDOWN, (cpu, a) => {
    const bytes = cpu.mem.readBytes(a.arg(1), SHUTDOWN_MESSAGE_BYTES);
    if (bytes === null) return;
    const end = bytes.indexOf(0);
    const msg = String.fromCharCode(...bytes.subarray(0, end < 0 ? bytes.length : end));
    cpu.kill(`CRASH: ${msg}`);
    if (a.arg(2) === LGUEST_SHUTDOWN_RESTART) cpu.restart = true;
  });
  on(LHCALL_FLUSH_TLB, (cpu, a) => {
    if (a.arg(1) !== 0) cpu.mmu.flushAll();
    else cpu.mmu.flushUser();
  });
  on(LHCALL_NEW_PGTABLE, (cpu, a) => cpu.mmu.newPageTable(a.arg(1)));
  on(LHCALL_SET_STACK, (cpu, a) => setStack(cpu, a.arg(1), a.arg(2), a.arg(3)));
  on(LHCALL_SET_PTE, (cpu, a) => cpu.mmu.setPte(a.arg(1), a.arg(2), a.arg(3), a.arg(4)));
  on(LHCALL_SET_PGD, (cpu, a) => {
    const index = a.arg(2) >>> 0;
    const pgd = index < 1024 ? cpu.mem.read32(((a.arg(1) & ~0xfff) + index * 4) | 0) : 0;
    cpu.mmu.setPgd(a.arg(1), index, pgd);
  });
  // PAE only: a non-PAE Host has no middle level; like a PAE Host it drops every shadow.
  on(LHCALL_SET_PMD, (cpu, a) => cpu.mmu.setPmd(a.arg(1), a.arg(2), 0));
  on(LHCALL_TS, (cpu, a) => {
    cpu.ts = a.arg(1);
  });
  on(LHCALL_HALT, (cpu) => {
    cpu.halted = true;
  });
  on(LHCALL_NOTIFY, (cpu, a) => {
    cpu.pendingNotify = a.arg(1) >>> 0;
  });
  on(LHCALL_SET_CLOCKEVENT, (cpu, a) => {
    const delta = a.arg(1) >>> 0;
    cpu.timerExpiry = delta === 0 ? -1 : cpu.clock.now() + delta;
  });
  on(LHCALL_LOAD_GDT_ENTRY, (cpu, a) => {
    if (!loadGdtEntry(cpu.gdt, a.arg(1), a.arg(2), a.arg(3))) cpu.kill(`too many gdt entries ${a.arg(1)}`);
    else cpu.changed |= CHANGED_GDT;
  });
  on(LHCALL_LOAD_IDT_ENTRY, (cpu, a) => {
    const vector = a.arg(1) >>> 0;
    const r = loadIdtEntry(cpu.guestIdt, vector, a.arg(2), a.arg(3));
    if (r === "bad-vector") cpu.kill(`Too many gates ${vector}`);
    else if (r === "bad-type") cpu.kill(`bad IDT type ${(a.arg(3) >>> 8) & 0xf}`);
    else if (r === "stored") {
      copyTraps(cpu.guestIdt, cpu.idt);
      cpu.changed |= CHANGED_IDT;
    }
  });
  on(LHCALL_LOAD_TLS, (cpu, a) => {
    const words: number[] = [];
    for (let k = 0; k < GDT_ENTRY_TLS_ENTRIES * 2; k++) words.push(cpu.mem.read32((a.arg(1) + k * 4) | 0));
    if (cpu.dead !== null) return;
    loadTls(cpu.gdt, words);
    cpu.changed |= CHANGED_GDT_TLS;
  });
  on(LHCALL_SEND_INTERRUPTS, () => {});
  bus.seal();
  return bus;
})();

/** guest_set_stack: the Guest kernel stack for traps from user mode. */
function setStack(cpu: LgCpu, seg: number, esp: number, pages: number): void {
  if ((seg & 3) !== 1) {
    cpu.kill(`bad stack segment ${seg}`);
    return;
  }
  if (pages >>> 0 > 2) {
    cpu.kill(`bad stack pages ${pages >>> 0}`);
    return;
  }
  cpu.ss1 = seg & 0xffff;
  cpu.esp1 = esp;
  cpu.stackPages = pages;
  cpu.mmu.pinStack(esp, pages);
}

const scratch = new Args();
const ringArgs = new Args();

/** Run one call (do_hcall); unknown numbers kill. */
function doHcall(cpu: LgCpu, a: Args, async: boolean): void {
  if (a.call >>> 0 < cpu.counters.hypercalls.length) cpu.counters.hypercalls[a.call >>> 0]!++;
  const r = HYPERCALLS.dispatch(cpu, a);
  if (!r.handled) cpu.kill(`Bad hypercall ${a.call}`);
  observeHcall(cpu, a, async);
}

/** Show a hypercall that ran to the Guest's observer, if any. */
function observeHcall(cpu: LgCpu, a: Args, async: boolean): void {
  cpu.observer?.hypercall?.(a.call >>> 0, a.a1 >>> 0, a.a2 >>> 0, a.a3 >>> 0, a.a4 >>> 0, async);
}

/** do_async_hcalls: run the ring's pending calls in order from the Host's cursor. */
function doAsyncHcalls(cpu: LgCpu): void {
  const statusAt = cpu.lguestData + LGUEST_DATA.hcallStatus;
  for (let n = 0; n < LHCALL_RING_SIZE; n++) {
    const i = cpu.nextHcall;
    if (cpu.mem.read8(statusAt + i) === HCALL_STATUS_FREE || cpu.dead !== null) break;
    cpu.nextHcall = (cpu.nextHcall + 1) % LHCALL_RING_SIZE;
    const rec = cpu.lguestData + LGUEST_DATA.hcalls + i * HCALL_RECORD_BYTES;
    const a = ringArgs;
    a.call = cpu.mem.read32(rec);
    a.a1 = cpu.mem.read32(rec + 4);
    a.a2 = cpu.mem.read32(rec + 8);
    a.a3 = cpu.mem.read32(rec + 12);
    a.a4 = cpu.mem.read32(rec + 16);
    if (cpu.dead !== null) return;
    cpu.counters.asyncHypercalls++;
    doHcall(cpu, a, true);
    cpu.mem.write8(cpu.lguestData + LGUEST_DATA.hcallStatus + i, HCALL_STATUS_FREE);
    if (cpu.dead !== null || cpu.pendingNotify >= 0) break;
  }
}

/*H:160 The first hypercall must be LGUEST_INIT, with the Guest-physical address of its
 * lguest_data page; before that the Host knows nowhere to put an interrupt or a fault
 * address. The Host checks the page lies in Guest RAM, tells the Guest how much address
 * space the Switcher needs and whether it may trust the TSC (never, here: time is virtual),
 * accepts only the system-call vector Linux uses, learns where the kernel starts, and throws
 * every shadow away: its own writes may have touched pages the Guest mapped read-only. :*/

/** LGUEST_INIT (initialize + lguest_arch_init_hypercalls + page_table_guest_data_init). */
function initialize(cpu: LgCpu, a: Args): void {
  if (a.call !== LHCALL_LGUEST_INIT) {
    cpu.kill(`hypercall ${a.call} before INIT`);
    return;
  }
  cpu.counters.hypercalls[LHCALL_LGUEST_INIT]!++;
  const data = a.a1 >>> 0;
  if (!cpu.mem.addressOk(data, LGUEST_DATA_SIZE)) {
    cpu.kill(`bad guest page ${hex(data)}`);
    return;
  }
  cpu.mem.write32(data + LGUEST_DATA.tscKhz, 0);
  if (cpu.mem.read32(data + LGUEST_DATA.syscallVec) >>> 0 !== SYSCALL_VECTOR) {
    cpu.kill(`bad guest page ${hex(data)}`);
    return;
  }
  cpu.lguestData = data;
  cpu.noirqIret = cpu.mem.read32(data + LGUEST_DATA.noirqIret);
  const kernelAddress = cpu.mem.read32(data + LGUEST_DATA.kernelAddress) >>> 0;
  cpu.mem.write32(data + LGUEST_DATA.reserveMem, SWITCHER_RESERVE_BYTES);
  if (kernelAddress >= SWITCHER_ADDR) {
    cpu.kill(`bad kernel address ${hex(kernelAddress)}`);
    return;
  }
  cpu.kernelAddress = kernelAddress;
  cpu.mmu.setKernelAddress(kernelAddress);
  writeTimestamp(cpu);
  cpu.mmu.clearAll();
}

/** do_hypercalls: INIT first; else the ring, then the synchronous call unless a NOTIFY is pending. */
export function doHypercalls(cpu: LgCpu): void {
  const a = scratch;
  a.call = cpu.reg("eax");
  a.a1 = cpu.reg("ebx");
  a.a2 = cpu.reg("ecx");
  a.a3 = cpu.reg("edx");
  a.a4 = cpu.reg("esi");
  if (cpu.lguestData === 0) {
    initialize(cpu, a);
    observeHcall(cpu, a, false);
    cpu.hcallPending = false;
    return;
  }
  doAsyncHcalls(cpu);
  if (cpu.pendingNotify < 0 && cpu.dead === null) {
    a.call = cpu.reg("eax");
    a.a1 = cpu.reg("ebx");
    a.a2 = cpu.reg("ecx");
    a.a3 = cpu.reg("edx");
    a.a4 = cpu.reg("esi");
    doHcall(cpu, a, false);
    cpu.hcallPending = false;
  }
}
