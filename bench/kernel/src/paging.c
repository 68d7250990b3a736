/*
 * paging.c - identity-map the first 8 MiB with 4 KiB pages and turn paging on.
 *
 * SDM vol. 3A 4.3. No 4 MiB pages on purpose: the mem-paging loop exists to
 * make the TLB miss, and one large page would hide every miss.
 */
#include "bench.h"

#define PTE_P 0x001u
#define PTE_RW 0x002u
#define CR0_PG (1u << 31)
#define MAPPED_TABLES 2 /* 2 x 4 MiB; link.ld asserts the image fits */

static uint32_t page_directory[1024] __attribute__((aligned(4096)));
static uint32_t page_tables[MAPPED_TABLES][1024] __attribute__((aligned(4096)));

void paging_enable(void)
{
	for (uint32_t t = 0; t < MAPPED_TABLES; t++) {
		for (uint32_t i = 0; i < 1024; i++)
			page_tables[t][i] = ((t * 1024 + i) << 12) | PTE_P | PTE_RW;
		page_directory[t] = (uint32_t)page_tables[t] | PTE_P | PTE_RW;
	}
	uint32_t cr0;
	__asm__ volatile("mov %0, %%cr3" : : "r"(page_directory) : "memory");
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0 | CR0_PG) : "memory");
}
