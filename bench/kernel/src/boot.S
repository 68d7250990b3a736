/*
 * boot.S - multiboot v1 header and entry for the benchmark kernel.
 *
 * Multiboot 0.6.96 3.1/3.2: EAX = 0x2BADB002, EBX = info block, 32-bit
 * protected mode, flat segments (we keep the loader's: this kernel never
 * reloads a segment register and takes no exceptions), paging off, IF = 0.
 */
#define MB_HEADER_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003 /* page-align modules, memory info */

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
	mov %eax, %edx
	mov %ebx, %esi
	mov $__bss_start, %edi
	mov $__bss_end, %ecx
	sub %edi, %ecx
	shr $2, %ecx
	xor %eax, %eax
	rep stosl
	mov $boot_stack_top, %esp
	xor %ebp, %ebp
	push %esi
	push %edx
	call bench_main
1:	cli
	hlt
	jmp 1b
	.size _start, . - _start

	.section .bss
	.p2align 4
	.skip 16384
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
