/*
 * boot.S - multiboot v1 header and the first instructions.
 *
 * Multiboot 0.6.96 section 3.1 (header) and 3.2 (machine state): we arrive
 * in 32-bit protected mode with EAX = 0x2BADB002, EBX = the info block,
 * flat 4 GiB segments whose GDT we must not trust, paging off, IF = 0.
 */

#define MB_HEADER_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003 /* bit 0: page-align modules, bit 1: memory info */

/*L:500 Every machine needs a first instruction, and for the bare machine the
 * contract is the multiboot specification: the same one GRUB and QEMU's
 * -kernel follow. That is the point. A kernel that boots under QEMU and under
 * littleguest's bare machine, printing the same bytes on both, checks our CPU
 * against a reference we did not write. The header below is twelve bytes
 * the loader looks for in the first 8 KiB of the file; because the kernel is
 * an ELF, the loader takes addresses from the program headers and needs no
 * more from us. :*/
	.section .multiboot, "a"
	.p2align 2
	.long MB_HEADER_MAGIC
	.long MB_FLAGS
	.long -(MB_HEADER_MAGIC + MB_FLAGS)

	.section .text.boot, "ax"
	.globl _start
	.type _start, @function
_start:
	cli
	cld
	/* Zero .bss ourselves rather than trusting every loader to do it. */
	mov %eax, %edx
	mov %ebx, %esi
	mov $__bss_start, %edi
	mov $__bss_end, %ecx
	sub %edi, %ecx
	xor %eax, %eax
	rep stosb
	mov $boot_stack_top, %esp
	xor %ebp, %ebp
	push %esi /* multiboot info */
	push %edx /* magic */
	call kmain
	/* kmain leaves through the exit port; should that port be missing, sleep. */
1:	cli
	hlt
	jmp 1b
	.size _start, . - _start

	.section .bss
	.p2align 4
boot_stack:
	.skip 16384
	.globl boot_stack_top
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
