/**
 * Shared pieces of the test-Guest suite: an assembler library appended to the harness's
 * PROLOGUE (page-table building, user mode, a parameter block the test patches before a run),
 * a bounded run loop that lets the test look at the Host's counters at every NOTIFY, and small
 * helpers to read the shadow pager's counters and a Guest's symbols.
 *
 * Guest-physical layout the library assumes (8 MiB of Guest RAM):
 *   0x080000 PARAMS       dwords the test writes before running (read by the Guest)
 *   0x090000 SCRATCH      data pages the Guest writes magic values into
 *   0x100000              the image (text, lguest_data, boot stack)
 *   0x1E0000 USER_STACK   top of the ring-3 stack
 *   0x1F0000 KSTACK       top of the ring-1 stack given to SET_STACK (one page below it)
 *   0x300000 PGDIR        the standard page directory; its page tables follow at PTS
 *   0x310000 PGDIR_EXTRA  more directories and tables for tests that need them
 *   0x400000              "fresh" pages nobody touches until a test does
 */
import type { RunEvent, ShadowCounters, ShadowPager } from "@littleguest/lguest-host";
import { buildGuest } from "./guest-asm.js";
import { machine, type TestMachine } from "./machine.js";

/** Guest-physical address of the parameter block. */
export const PARAMS = 0x80000;
/** Guest-physical scratch page. */
export const SCRATCH = 0x90000;
/** The standard page directory. */
export const PGDIR = 0x300000;
/** Its page tables (contiguous, one per 4 MiB). */
export const PTS = 0x301000;
/** Top of the ring-1 stack used with SET_STACK. */
export const KSTACK = 0x1f0000;
/** Top of the ring-3 stack. */
export const USER_STACK = 0x1e0000;

/**
 * Assembler helpers, placed after the PROLOGUE (which ends in `.text`). Register use is noted
 * per macro; none touches the stack unless it says so.
 */
export const LIB = String.raw`
#define PARAMS 0x80000
#define SCRATCH 0x90000
#define PGDIR 0x300000
#define PTS 0x301000
#define PGDIR_EXTRA 0x310000
#define KSTACK 0x1f0000
#define USER_STACK 0x1e0000
#define PAGE_OFFSET 0xc0000000

/* zero_pages addr, n: clear n pages (eax, ecx, edi). */
.macro zero_pages addr, n=1
	cld
	movl $\addr, %edi
	xorl %eax, %eax
	movl $(\n * 1024), %ecx
	rep stosl
.endm

/* fill_pt dst, first, count: count dwords at dst = first, first + 0x1000, ... (eax, ecx, edi). */
.macro fill_pt dst, first, count
	movl $\dst, %edi
	movl $\first, %eax
	movl $\count, %ecx
9:	movl %eax, (%edi)
	addl $0x1000, %eax
	addl $4, %edi
	loop 9b
.endm

/*
 * map_std pgdir, pts, mib, flags: a directory at pgdir mapping the first mib MiB (a multiple
 * of 4) of Guest-physical memory both at 0 and at PAGE_OFFSET, through the same page tables
 * at pts; PTEs and PDEs carry flags (7 = present, writable, user). (eax, ecx, edi)
 */
.macro map_std pgdir=PGDIR, pts=PTS, mib=8, flags=7
	zero_pages \pgdir
	fill_pt \pts, \flags, (\mib * 256)
	movl $\pgdir, %edi
	movl $(\pts + \flags), %eax
	movl $(\mib / 4), %ecx
9:	movl %eax, (%edi)
	movl %eax, 0xc00(%edi)
	addl $0x1000, %eax
	addl $4, %edi
	loop 9b
.endm

/* The standard address space, switched to (ends linear_pages mode). */
.macro std_space mib=8, flags=7
	map_std PGDIR, PTS, \mib, \flags
	hcall LHCALL_NEW_PGTABLE, $PGDIR
.endm

/* Flat 4 GiB user code and data at DPL 3 in GDT entries 14 and 15. */
.macro user_gdt
	hcall LHCALL_LOAD_GDT_ENTRY, $14, $0x0000ffff, $0x00cffa00
	hcall LHCALL_LOAD_GDT_ENTRY, $15, $0x0000ffff, $0x00cff200
.endm

/* The ring-1 stack for traps from ring 3: KERNEL_DS, KSTACK, one page. */
.macro kstack
	hcall LHCALL_SET_STACK, $KERNEL_DS, $KSTACK, $1
.endm

/* Drop to ring 3 at eip with esp and eflags, through the Guest's own iret (pushes 5 words). */
.macro enter_user eip, esp=$USER_STACK, eflags=$0x202
	pushl $USER_DS
	pushl \esp
	pushl \eflags
	pushl $USER_CS
	pushl $\eip
	jmp lguest_iret
.endm

/* Reload the kernel data segments (a handler entered from ring 3 may find them null). */
.macro kernel_ds
	movl $KERNEL_DS, %eax
	movl %eax, %ds
	movl %eax, %es
.endm

/* Enable the timer: unblock IRQ 0. */
.macro unblock_timer
	andl $~1, lguest_data + LD_BLOCKED
.endm
`;

/** Build a test Guest: PROLOGUE (by buildGuest) + {@link LIB} + `body`. */
export function guestSource(body: string): string {
  return `${LIB}\n${body}`;
}

/** A machine running {@link guestSource}(body), with `params` written at {@link PARAMS}. */
export function libMachine(
  body: string,
  options: { seed?: number; hostCpus?: number; victim?: "random" | "lru"; params?: readonly number[] } = {},
): TestMachine {
  const m = machine(guestSource(body), options);
  const params = options.params ?? [];
  for (let i = 0; i < params.length; i++) m.memory.write32(m.memBase + PARAMS + i * 4, params[i]!);
  return m;
}

/** The shadow pager's counters of a machine's Guest. */
export function shadow(m: TestMachine): ShadowCounters {
  return (m.guest.mmu as unknown as ShadowPager).shadowCounters();
}

/** The shadow pager of a machine's Guest. */
export function pager(m: TestMachine): ShadowPager {
  return m.guest.mmu as unknown as ShadowPager;
}

/** How a bounded run ended. */
export interface RunResult {
  readonly notifies: number[];
  /** The kill reason, or "" when the Guest is still alive. */
  readonly reason: string;
  readonly last: RunEvent;
}

/**
 * Run the Guest until it dies, goes idle, or uses `budget` instructions in one call; NOTIFY
 * addresses are collected and `onNotify` sees each one while the Guest is stopped there.
 * Throws only if `run()` itself throws.
 */
export function runGuest(
  m: TestMachine,
  options: { budget?: number; maxEvents?: number; onNotify?: (value: number, index: number) => void } = {},
): RunResult {
  const { budget = 5_000_000, maxEvents = 1000, onNotify } = options;
  const notifies: number[] = [];
  let last: RunEvent = { kind: "budget" };
  for (let k = 0; k < maxEvents; k++) {
    last = m.guest.run({ budget });
    if (last.kind === "notify") {
      notifies.push(last.address);
      onNotify?.(last.address, notifies.length - 1);
      continue;
    }
    if (last.kind === "dead") return { notifies, reason: last.reason, last };
    break;
  }
  return { notifies, reason: "", last };
}

/** Close the Guest and return the pages whose reference counts differ from the baseline. */
export function closeAndLeaks(m: TestMachine): unknown[] {
  m.host.close(m.guest);
  return m.allocator.compare(m.baseline);
}

const SYMS_MARK = "@SYMS@";

/**
 * Assembler that records the addresses of `labels` in the image, for {@link symbols}.
 * Put it anywhere in the body.
 */
export function symtab(...labels: string[]): string {
  return `\n.section .data\n.ascii "${SYMS_MARK}"\n.long ${labels.join(", ")}\n.text\n`;
}

/** The label addresses recorded by {@link symtab} in the Guest built from `body`. */
export function symbols(body: string, count: number): number[] {
  const image = buildGuest(guestSource(body));
  const mark = new TextEncoder().encode(SYMS_MARK);
  for (let i = 0; i + mark.length <= image.length; i++) {
    let ok = true;
    for (let j = 0; j < mark.length && ok; j++) ok = image[i + j] === mark[j];
    if (!ok) continue;
    const view = new DataView(image.buffer, image.byteOffset + i + mark.length, count * 4);
    return Array.from({ length: count }, (_, k) => view.getUint32(k * 4, true));
  }
  throw new Error("no symbol table in the Guest image");
}

/** A 32-bit PRNG (mulberry32) for reproducible adversarial inputs. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** The two dwords of a segment descriptor (SDM Vol. 3A §3.4.5). */
export function segment(base: number, limit: number, access: number, flags: number): [number, number] {
  const lo = ((base & 0xffff) << 16) | (limit & 0xffff);
  const hi = (base & 0xff000000) | (((flags & 0xf) << 20) | (limit & 0xf0000)) | ((access & 0xff) << 8) | ((base >>> 16) & 0xff);
  return [lo >>> 0, hi >>> 0];
}

/** `0x…` for asm operands. */
export function hx(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}
