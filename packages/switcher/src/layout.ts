/**
 * Where the Switcher lives and the layout of its pages: the facts the Host, the Switcher and
 * a Guest must agree on byte for byte.
 *
 * Reference: lguest-abi.md §3.2 (placement, the "v23 … 3.9 non-PAE" row: fixed at
 * 0xFFC00000, PGD slot 1023), §3.3 (`struct lguest_pages`, `struct lguest_regs`,
 * `struct lguest_ro_state`), §5 (GDT indices and selectors), SDM Vol. 3A §7.2.1 (the
 * 32-bit TSS, 104 bytes).
 */

/** Bytes in a page. */
export const PAGE_SIZE = 4096;

/** Linear address of the Switcher in the Host and in every Guest: the top 4 MiB. */
export const SWITCHER_ADDR = 0xffc00000;
/** The page-directory slot that maps the Switcher (SWITCHER_ADDR >> 22). */
export const SWITCHER_PGD_INDEX = 1023;
/** Pages of Switcher text, shared by all host CPUs. */
export const SHARED_SWITCHER_PAGES = 1;
/** Pages per host CPU: the regs page and the read-only state page. */
export const PAGES_PER_HOST_CPU = 2;
/** Host CPUs the Switcher is built for unless told otherwise. */
export const DEFAULT_HOST_CPUS = 2;
/**
 * Most host CPUs one 4 MiB Switcher slot can hold: 1 text page + 2 per CPU ≤ 1024 PTEs.
 * (lguest sized it by NR_CPUS; this is the ceiling of the slot itself.)
 */
export const MAX_HOST_CPUS = (1024 - SHARED_SWITCHER_PAGES) >> 1;
/** Bytes of address space the Guest must leave alone at the top (lguest_data.reserve_mem). */
export const SWITCHER_RESERVE_BYTES = 4 << 20;

/** Linear address of host CPU `cpu`'s `lguest_pages` (its regs page; the ro_state page follows). */
export function lguestPagesAddress(cpu: number): number {
  return (SWITCHER_ADDR + (SHARED_SWITCHER_PAGES + cpu * PAGES_PER_HOST_CPU) * PAGE_SIZE) >>> 0;
}

// ---------------------------------------------------------------- struct lguest_regs

/** Size of `struct lguest_regs` (18 dwords). */
export const LGUEST_REGS_SIZE = 72;
/** Offset of `struct lguest_regs` in the regs page: its last 72 bytes. */
export const REGS_OFFSET = PAGE_SIZE - LGUEST_REGS_SIZE;

/**
 * Byte offsets inside `struct lguest_regs`. The first eleven are what the Switcher pushes
 * (in reverse), trapnum and errcode come from the vector stub, the last five from the CPU.
 */
export const REGS = {
  eax: 0,
  ebx: 4,
  ecx: 8,
  edx: 12,
  esi: 16,
  edi: 20,
  ebp: 24,
  gs: 28,
  fs: 32,
  ds: 36,
  es: 40,
  trapnum: 44,
  errcode: 48,
  eip: 52,
  cs: 56,
  eflags: 60,
  esp: 64,
  ss: 68,
} as const;

/** Name of a `struct lguest_regs` field. */
export type RegsField = keyof typeof REGS;

/**
 * The trap number the Host writes before every entry: no vector has it, so a fault taken
 * inside the Switcher itself (which never completes the frame) shows up as this and the Guest
 * is killed ("unhandled trap 256").
 */
export const TRAPNUM_IN_SWITCHER = 256;

// ---------------------------------------------------------------- struct lguest_ro_state

/** Entries of the per-CPU Guest IDT. */
export const IDT_ENTRIES = 256;
/** Entries of the per-CPU Guest GDT (GDT_ENTRIES on i386). */
export const GDT_ENTRIES = 32;
/** Bytes of the 32-bit TSS without an I/O bitmap. */
export const TSS_SIZE = 104;

/** Byte offsets inside `struct lguest_ro_state` (the second page of each CPU's pair). */
export const RO = {
  hostCr3: 0,
  hostIdtDesc: 4,
  hostGdtDesc: 10,
  hostSp: 16,
  guestIdtDesc: 20,
  guestGdtDesc: 26,
  guestTss: 32,
  guestIdt: 136,
  guestGdt: 2184,
} as const;
/** End of `struct lguest_ro_state` (it must fit in its page). */
export const RO_STATE_SIZE = RO.guestGdt + GDT_ENTRIES * 8;

/** Byte offsets inside the 32-bit TSS (SDM Vol. 3A Figure 7-2). */
export const TSS = {
  esp0: 4,
  ss0: 8,
  esp1: 12,
  ss1: 16,
  esp2: 20,
  ss2: 24,
  cr3: 28,
  ioBitmapBase: 102,
} as const;

// ---------------------------------------------------------------- segments

/** GDT index of the first TLS entry (6, 7, 8 are the thread areas). */
export const GDT_ENTRY_TLS_MIN = 6;
/** Number of TLS entries. */
export const GDT_ENTRY_TLS_ENTRIES = 3;
/** The Switcher's own code segment (ring 0, flat), present in Host and Guest GDTs. */
export const GDT_ENTRY_LGUEST_CS = 10;
/** The Switcher's own data segment. */
export const GDT_ENTRY_LGUEST_DS = 11;
/** The Guest kernel's code segment (DPL 1 in the Guest's GDT). */
export const GDT_ENTRY_KERNEL_CS = 12;
/** The Guest kernel's data segment. */
export const GDT_ENTRY_KERNEL_DS = 13;
/** User code. */
export const GDT_ENTRY_DEFAULT_USER_CS = 14;
/** User data. */
export const GDT_ENTRY_DEFAULT_USER_DS = 15;
/** The TSS descriptor (the guest TSS inside ro_state). */
export const GDT_ENTRY_TSS = 16;
/** The LDT descriptor slot (lguest Guests have no LDT). */
export const GDT_ENTRY_LDT = 17;
/** The double-fault TSS (Host-owned). */
export const GDT_ENTRY_DOUBLEFAULT_TSS = 31;

/** Selector of LGUEST_CS (0x50). */
export const LGUEST_CS = GDT_ENTRY_LGUEST_CS * 8;
/** Selector of LGUEST_DS (0x58). */
export const LGUEST_DS = GDT_ENTRY_LGUEST_DS * 8;
/** The Guest kernel's privilege level: ring 1. */
export const GUEST_PL = 1;
/** Selector of the Guest kernel's code segment at ring 1 (0x61). */
export const KERNEL_CS_SEL = GDT_ENTRY_KERNEL_CS * 8 + GUEST_PL;
/** Selector of the Guest kernel's data segment at ring 1 (0x69). */
export const KERNEL_DS_SEL = GDT_ENTRY_KERNEL_DS * 8 + GUEST_PL;
/** Selector of user code at ring 3 (0x73). */
export const USER_CS_SEL = GDT_ENTRY_DEFAULT_USER_CS * 8 + 3;
/** Selector of user data at ring 3 (0x7B). */
export const USER_DS_SEL = GDT_ENTRY_DEFAULT_USER_DS * 8 + 3;
/** Selector of the TSS (0x80). */
export const TSS_SEL = GDT_ENTRY_TSS * 8;

/** Whether GDT entry `index` belongs to the Host: the Guest can never change it. */
export function isHostGdtEntry(index: number): boolean {
  return (
    index === GDT_ENTRY_TSS ||
    index === GDT_ENTRY_LGUEST_CS ||
    index === GDT_ENTRY_LGUEST_DS ||
    index === GDT_ENTRY_DOUBLEFAULT_TSS
  );
}

// ---------------------------------------------------------------- vectors

/** The hypercall vector: `int $0x1f` from ring 1. */
export const LGUEST_TRAP_ENTRY = 0x1f;
/** Vectors whose exception pushes an error code (so the stub pushes none). */
export function vectorHasErrorCode(vector: number): boolean {
  return vector === 8 || (vector >= 10 && vector <= 14) || vector === 17;
}

// ---------------------------------------------------------------- what changed since the last entry

/** The Guest's IDT changed: rebuild the per-CPU IDT (copy_traps). */
export const CHANGED_IDT = 1;
/** The Guest's GDT changed: copy every Guest-owned entry. */
export const CHANGED_GDT = 2;
/** Only the TLS entries changed. */
export const CHANGED_GDT_TLS = 4;
/** Everything (a different vCPU or host CPU ran last). */
export const CHANGED_ALL = CHANGED_IDT | CHANGED_GDT;
