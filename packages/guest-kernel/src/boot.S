/*
 * boot.S - where the Host starts the Guest: ring 1, flat segments, Guest-
 * physical addresses (the Host's linear_pages mode: every address maps to
 * the same Guest-physical one), esi = 0 = the address of boot_params.
 *
 * Reference: lguest-abi.md §1.5 (LGUEST_INIT, then NEW_PGTABLE with the
 * kernel's initial page table), §6.7 (linear_pages until the first
 * NEW_PGTABLE), §6.2 (check_gpgd: directory flags within PRESENT|RW|USER|
 * ACCESSED|DIRTY; check_gpte: no large pages).
 */
#include "lguest.h"

/* Page tables for the first BOOT_MAP_PAGES*4 MiB, mapped at 0 and at PAGE_OFFSET. */
#define BOOT_MAP_PAGES 4
#define PTE_KERNEL 0x63 /* present, writable, accessed, dirty */
#define PDE_KERNEL 0x23 /* present, writable, accessed */
#define PHYS(x) ((x) - PAGE_OFFSET)

/*G:100 A Guest kernel wakes up in an odd world: ring 1, its code linked for
 * 0xC0100000 but running at 0x100000, and no page tables at all. The Host
 * makes that work by pretending every address is physical (linear_pages).
 * So the first instructions use only physical addresses: a stack, the
 * LGUEST_INIT handshake that tells the Host where lguest_data lives, and
 * page tables that map the first 16 MiB twice, at 0 (where the code runs
 * now) and at PAGE_OFFSET (where it was linked). NEW_PGTABLE hands them to
 * the Host, which ends the pretending; one absolute jump later the kernel
 * runs where it belongs, and C can begin. :*/
	.section .text.boot, "ax"
	.globl _start
_start:
	movl $PHYS(boot_stack_top), %esp
	movl $LHCALL_LGUEST_INIT, %eax
	movl $PHYS(lguest_data), %ebx
	xorl %ecx, %ecx
	xorl %edx, %edx
	xorl %esi, %esi
	int $0x1f

	/* PTEs: page i -> frame i, for BOOT_MAP_PAGES page tables. */
	movl $PHYS(boot_pt), %edi
	movl $PTE_KERNEL, %eax
	movl $(BOOT_MAP_PAGES * 1024), %ecx
1:	stosl
	addl $PAGE_SIZE, %eax
	loop 1b

	/* Directory slots 0.. and 768.. (PAGE_OFFSET >> 22) point at them. */
	movl $PHYS(boot_pgdir), %edi
	movl $(PHYS(boot_pt) + PDE_KERNEL), %eax
	xorl %ecx, %ecx
2:	movl %eax, (%edi,%ecx,4)
	movl %eax, ((PAGE_OFFSET >> 22) * 4)(%edi,%ecx,4)
	addl $PAGE_SIZE, %eax
	incl %ecx
	cmpl $BOOT_MAP_PAGES, %ecx
	jne 2b

	movl $LHCALL_NEW_PGTABLE, %eax
	movl $PHYS(boot_pgdir), %ebx
	int $0x1f

	movl $boot_stack_top, %esp
	movl $start_kernel, %eax
	jmp *%eax

/*
 * The Guest's iret: restore the virtual interrupt flag from the frame into
 * lguest_data, then iret. The Host never injects an interrupt at the iret
 * itself (lguest_data.noirq_iret names it): it reuses this frame instead.
 * %ss: because %ds may already hold a user selector.
 */
	.text
	.globl lguest_iret
lguest_iret:
	pushl %eax
	movl 12(%esp), %eax
	andl $0x200, %eax
	movl %eax, %ss:lguest_data
	popl %eax
	.globl lguest_noirq_iret
lguest_noirq_iret:
	iret

	.bss
	.balign PAGE_SIZE
	.globl boot_pgdir
boot_pgdir:
	.skip PAGE_SIZE
boot_pt:
	.skip BOOT_MAP_PAGES * PAGE_SIZE
	.globl boot_stack
boot_stack:
	.skip 2 * PAGE_SIZE
	.globl boot_stack_top
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
