/*
 * paging.c - 32-bit paging with both page sizes.
 *
 * SDM vol. 3A 4.3: a PDE either points at a page table (PS = 0) or, with
 * CR4.PSE = 1 and PS = 1, maps a 4 MiB page itself. Bits: P 0, R/W 1, U/S 2,
 * PS 7. CR0.PG = bit 31, CR0.WP = bit 16, CR4.PSE = bit 4.
 */
#include "demo.h"

#define PTE_P 0x001u
#define PTE_RW 0x002u
#define PTE_US 0x004u
#define PDE_PS 0x080u
#define CR0_WP (1u << 16)
#define CR0_PG (1u << 31)
#define CR4_PSE (1u << 4)

static uint32_t page_directory[1024] __attribute__((aligned(4096)));
static uint32_t page_table0[1024] __attribute__((aligned(4096)));
static uint8_t ro_backing[PAGE_SIZE] __attribute__((aligned(4096)));
static uint8_t demand_frame[PAGE_SIZE] __attribute__((aligned(4096)));

extern uint8_t __user_start[], __user_end[];

uint32_t *pte_for(uint32_t vaddr)
{
	return &page_table0[(vaddr >> 12) & 0x3FF];
}

void invlpg(uint32_t vaddr)
{
	__asm__ volatile("invlpg (%0)" : : "r"(vaddr) : "memory");
}

uint32_t demand_frame_phys(void)
{
	return (uint32_t)demand_frame;
}

uint32_t ro_backing_phys(void)
{
	return (uint32_t)ro_backing;
}

static void allow_user(uint8_t *start, uint8_t *end)
{
	for (uint32_t a = (uint32_t)start; a < (uint32_t)end; a += PAGE_SIZE)
		*pte_for(a) |= PTE_US;
}

/*L:530 The map is small but shows every kind of entry a hypervisor has to
 * understand. The first 4 MiB go through page table 0, one 4 KiB entry per
 * page: identity, supervisor-only, except page 0 (left out so a null pointer
 * faults), the user's code and stack (U/S set), and two windows at the top:
 * a read-only view of a kernel page and a page that is not there until the
 * first touch. The next two directory slots are 4 MiB pages with no page
 * table at all: 4-8 MiB mapped onto itself, and 8-12 MiB onto the same
 * frame, so a write through one address shows up at the other. The
 * directory entry for table 0 carries U/S; whether ring 3 may touch a page
 * is decided by the AND of both levels, so the page table has the last word.
 * CR0.WP makes read-only pages read-only for ring 0 too, which is what
 * copy-on-write in a kernel relies on. :*/
void paging_init(void)
{
	for (uint32_t i = 1; i < 1024; i++)
		page_table0[i] = (i << 12) | PTE_P | PTE_RW;
	allow_user(__user_start, __user_end);
	allow_user(user_stack, user_stack + PAGE_SIZE);
	*pte_for(RO_WINDOW) = ro_backing_phys() | PTE_P;
	*pte_for(DEMAND_WINDOW) = 0;

	page_directory[0] = (uint32_t)page_table0 | PTE_P | PTE_RW | PTE_US;
	page_directory[PSE_PHYS >> 22] = PSE_PHYS | PDE_PS | PTE_P | PTE_RW;
	page_directory[PSE_ALIAS >> 22] = PSE_PHYS | PDE_PS | PTE_P | PTE_RW;

	uint32_t cr0, cr4;
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | CR4_PSE));
	__asm__ volatile("mov %0, %%cr3" : : "r"(page_directory) : "memory");
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0 | CR0_PG | CR0_WP) : "memory");
}

/* The demand window's fixer: give it a frame and let the CPU try again. */
void map_demand_window(void)
{
	*pte_for(DEMAND_WINDOW) = demand_frame_phys() | PTE_P | PTE_RW;
	invlpg(DEMAND_WINDOW);
}
