/*
 * mm.c - the Guest's memory: a frame allocator over the RAM the e820 map
 * reports, the kernel's linear map of that RAM at PAGE_OFFSET, and the
 * paravirtual page-table updates lguest needs.
 *
 * Reference: lguest-abi.md §9.2 (set_pte_at: native write + SET_PTE with
 * the owning top level; set_pmd on a 2-level Guest: native write + SET_PGD;
 * flush_tlb_single: SET_PTE(current, addr, 0) — here the new value, which
 * the Host installs at once when it is Accessed or Dirty), §6.2 (directory
 * flags within PRESENT|RW|USER|ACCESSED|DIRTY; no large pages), §3.2 (the
 * top 4 MiB, reserve_mem, belong to the Switcher).
 */
#include "kernel.h"

#define PTE_P 0x001
#define PTE_RW 0x002
#define PTE_A 0x020
#define PTE_D 0x040
#define PTE_KERNEL (PTE_P | PTE_RW | PTE_A | PTE_D)
#define PDE_KERNEL (PTE_P | PTE_RW | PTE_A)
#define BOOT_MAPPED (16u << 20)
#define DEVICE_PAGES 256 /* the lguest bus: descriptor page and rings just above RAM */

extern u32 boot_pgdir[1024];
extern char _end[];

static u32 next_frame;	/* physical address of the next never-used frame */
static u32 ram_end;	/* physical end of usable RAM */
static u32 free_list;	/* physical address of a freed frame, or 0; linked through its first word */
u32 frames_in_use;

/* Reference counts of frames shared copy-on-write (index: frame number); 0 for a frame with
 * one owner, so kernel frames need no bookkeeping. Allocated by mm_init. */
static u16 *frame_shares;
static u32 frame_shares_len;

u32 alloc_frame(void)
{
	u32 f;
	if (free_list != 0) {
		f = free_list;
		free_list = *(u32 *)va(f);
	} else {
		if (next_frame >= ram_end)
			panic("out of memory");
		f = next_frame;
		next_frame += PAGE_SIZE;
	}
	memset(va(f), 0, PAGE_SIZE);
	frames_in_use++;
	return f;
}

void free_frame(u32 f)
{
	u32 n = f >> 12;
	if (frame_shares != NULL && n < frame_shares_len && frame_shares[n] > 0) {
		frame_shares[n]--; /* another owner keeps it */
		return;
	}
	*(u32 *)va(f) = free_list;
	free_list = f;
	frames_in_use--;
}

/* set_pmd on a 2-level Guest: write the directory entry, tell the Host with SET_PGD. */
static void set_pgd(u32 *pgdir, u32 index, u32 value)
{
	pgdir[index] = value;
	hcall(LHCALL_SET_PGD, pa(pgdir), index, 0, 0);
}

/* set_pte_at: write the entry, tell the Host which address space and address. */
static void set_pte(u32 *pgdir, u32 *pte, u32 vaddr, u32 value)
{
	*pte = value;
	hcall(LHCALL_SET_PTE, pa(pgdir), vaddr, value, 0);
}

/* One more owner of frame `f` (a page shared copy-on-write by fork). */
void share_frame(u32 f)
{
	u32 n = f >> 12;
	if (frame_shares != NULL && n < frame_shares_len && frame_shares[n] < 0xffff)
		frame_shares[n]++;
}

/* Whether frame `f` has other owners. */
bool frame_shared(u32 f)
{
	u32 n = f >> 12;
	return frame_shares != NULL && n < frame_shares_len && frame_shares[n] > 0;
}

/* Map [start, start + len) at PAGE_OFFSET + start (pages the frame allocator never hands out).
 * Like Linux's set_pte without an mm: native writes, then one FLUSH_TLB(1) for all of them. */
static void map_kernel_range(u32 start, u32 len)
{
	for (u32 a = start; a < start + len && a < 0u - lguest_data.reserve_mem - PAGE_OFFSET; a += PAGE_SIZE) {
		u32 v = PAGE_OFFSET + a;
		u32 pde = boot_pgdir[v >> 22];
		if (!(pde & PTE_P)) {
			pde = alloc_frame() | PDE_KERNEL;
			set_pgd(boot_pgdir, v >> 22, pde);
		}
		((u32 *)va(pde & ~0xfffu))[(v >> 12) & 0x3ff] = a | PTE_KERNEL;
	}
	hcall(LHCALL_FLUSH_TLB, 1, 0, 0, 0);
}

/*G:300 boot.S mapped only the first 16 MiB. Now the kernel maps all of its
 * RAM at PAGE_OFFSET, one page table at a time, telling the Host about each new
 * directory entry with SET_PGD, and drops the identity mapping at 0 that only
 * the first instructions needed. The top of the address space stays empty:
 * LGUEST_INIT told the Guest, in reserve_mem, how much of it the Switcher
 * needs. :*/
void mm_init(u32 ram_bytes, u32 reserved_from)
{
	u32 limit = 0u - lguest_data.reserve_mem - PAGE_OFFSET; /* lowmem the address space allows */
	u32 mapped_end = ram_bytes < limit ? ram_bytes : limit;
	ram_end = reserved_from < mapped_end ? reserved_from : mapped_end; /* the initrd stays put */
	next_frame = (pa(_end) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	for (u32 base = BOOT_MAPPED; base < mapped_end; base += 1024 * PAGE_SIZE) {
		u32 pt = alloc_frame();
		u32 *ptes = va(pt);
		for (u32 i = 0; i < 1024 && base + i * PAGE_SIZE < mapped_end; i++)
			ptes[i] = (base + i * PAGE_SIZE) | PTE_KERNEL;
		set_pgd(boot_pgdir, (PAGE_OFFSET + base) >> 22, pt | PDE_KERNEL);
	}
	for (u32 i = 0; i < (BOOT_MAPPED >> 22); i++)
		set_pgd(boot_pgdir, i, 0);
	map_kernel_range(mapped_end, DEVICE_PAGES * PAGE_SIZE);
	frame_shares_len = ram_end >> 12;
	u32 bytes = frame_shares_len * 2, first = 0;
	for (u32 done = 0; done < bytes; done += PAGE_SIZE) { /* contiguous: fresh frames come in order */
		u32 f = alloc_frame();
		if (done == 0)
			first = f;
	}
	frame_shares = va(first);
}

/* Demand-zero area for the demo: kernel addresses no one maps until touched. */
#define DEMAND_BASE 0xE0000000u
#define DEMAND_SIZE (4u << 20)
static u32 demand_pt;
u32 demand_faults;

/*G:310 A page fault the Host cannot fix in its shadow is the Guest's: the Host
 * writes the address into lguest_data.cr2 and reflects #PF. Here the Guest
 * fills in a zeroed page and publishes the new entry with SET_PTE, the
 * paravirtual side of "write the PTE, then flush the TLB entry". The entry is
 * already Accessed and Dirty, so the Host installs it at once instead of
 * waiting for the next fault. :*/
bool page_fault(u32 addr, u32 errcode)
{
	(void)errcode;
	if (addr < DEMAND_BASE || addr >= DEMAND_BASE + DEMAND_SIZE)
		return false;
	if (demand_pt == 0) {
		demand_pt = alloc_frame();
		set_pgd(boot_pgdir, DEMAND_BASE >> 22, demand_pt | PDE_KERNEL);
	}
	u32 *pte = (u32 *)va(demand_pt) + ((addr >> 12) & 0x3ff);
	set_pte(boot_pgdir, pte, addr & ~(PAGE_SIZE - 1), alloc_frame() | PTE_KERNEL);
	demand_faults++;
	return true;
}
