/*
 * entry.S - the Guest's trap and interrupt entry points.
 *
 * The CPU (for direct traps) or the Host (for reflected ones) leaves the
 * same frame: eflags, cs, eip and, for vectors 8, 10-14 and 17, an error
 * code (lguest-abi.md §4.3). Each stub makes the frame uniform (error code
 * 0 where none was pushed, then the vector), saves the registers and calls
 * trap_handler() with a pointer to them. The way back is lguest_iret, which
 * restores the virtual interrupt flag before the real iret.
 */
#include "lguest.h"

.macro TRAP_NOERR vec
	.globl trap_\vec
trap_\vec:
	pushl $0
	pushl $\vec
	jmp trap_common
.endm
.macro TRAP_ERR vec
	.globl trap_\vec
trap_\vec:
	pushl $\vec
	jmp trap_common
.endm

	.text
TRAP_NOERR 0
TRAP_NOERR 1
TRAP_NOERR 3
TRAP_NOERR 4
TRAP_NOERR 5
TRAP_NOERR 6
TRAP_NOERR 7
TRAP_ERR 10
TRAP_ERR 11
TRAP_ERR 12
TRAP_ERR 13
TRAP_ERR 14
TRAP_NOERR 16
TRAP_ERR 17
TRAP_NOERR 19
TRAP_NOERR 32
TRAP_NOERR 33
TRAP_NOERR 128

trap_common:
	pushl %ds
	pushl %es
	pushl %fs
	pushl %gs
	pushal
	movl $KERNEL_DS, %eax
	movl %eax, %ds
	movl %eax, %es
	pushl %esp
	call trap_handler
	addl $4, %esp
	.globl ret_from_trap
ret_from_trap:
	popal
	popl %gs
	popl %fs
	popl %es
	popl %ds
	addl $8, %esp
	jmp lguest_iret

/*
 * switch_to(u32 *save_esp, u32 next_esp): save the callee-saved registers on
 * this kernel stack, remember where it ends, and continue on the other task's.
 * A new task's stack is built so that this returns into ret_from_trap.
 */
	.globl switch_to
switch_to:
	movl 4(%esp), %eax
	movl 8(%esp), %edx
	pushl %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	movl %esp, (%eax)
	movl %edx, %esp
	popl %edi
	popl %esi
	popl %ebx
	popl %ebp
	ret

	.section .note.GNU-stack, "", @progbits
