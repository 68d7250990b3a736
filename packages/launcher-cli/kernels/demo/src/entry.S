/*
 * entry.S - the 33 entry stubs, the common trap path, and the two doors
 * between ring 0 and ring 3.
 *
 * SDM vol. 3A 6.12 (exception- and interrupt-handling procedures) and
 * 6.13 (error codes): vectors 8, 10-14 and 17 push an error code, the rest
 * do not, so the stubs for those push a zero to keep one frame layout.
 */

#define SEL_KERNEL_DS 0x10
#define SEL_USER_CS 0x1B
#define SEL_USER_DS 0x23

	.macro STUB_NOERR n
	.p2align 2
stub_\n:
	pushl $0
	pushl $\n
	jmp trap_common
	.endm

	.macro STUB_ERR n
	.p2align 2
stub_\n:
	pushl $\n
	jmp trap_common
	.endm

	.text
	STUB_NOERR 0
	STUB_NOERR 1
	STUB_NOERR 2
	STUB_NOERR 3
	STUB_NOERR 4
	STUB_NOERR 5
	STUB_NOERR 6
	STUB_NOERR 7
	STUB_ERR 8
	STUB_NOERR 9
	STUB_ERR 10
	STUB_ERR 11
	STUB_ERR 12
	STUB_ERR 13
	STUB_ERR 14
	STUB_NOERR 15
	STUB_NOERR 16
	STUB_ERR 17
	STUB_NOERR 18
	STUB_NOERR 19
	STUB_NOERR 20
	STUB_NOERR 21
	STUB_NOERR 22
	STUB_NOERR 23
	STUB_NOERR 24
	STUB_NOERR 25
	STUB_NOERR 26
	STUB_NOERR 27
	STUB_NOERR 28
	STUB_NOERR 29
	STUB_NOERR 30
	STUB_NOERR 31
	STUB_NOERR 128

/*L:540 Whatever the vector, the CPU has by now pushed EIP, CS and EFLAGS (and,
 * coming from ring 3, the user's ESP and SS, having switched to the stack the
 * TSS names), and the stub added the vector and an error code. We save the
 * rest so the C handler sees one struct trap_frame and may change any field:
 * moving EIP is how a handler steps over a faulting instruction. The data
 * segments are reloaded because a trap from ring 3 arrives with the user's
 * selectors still in DS and ES. :*/
trap_common:
	push %ds
	push %es
	push %fs
	push %gs
	pushal
	mov $SEL_KERNEL_DS, %ax
	mov %ax, %ds
	mov %ax, %es
	push %esp
	call trap_dispatch
	add $4, %esp
	popal
	pop %gs
	pop %fs
	pop %es
	pop %ds
	add $8, %esp /* vector and error code */
	iret

	.section .rodata
	.p2align 2
	.globl trap_stubs
trap_stubs:
	.long stub_0, stub_1, stub_2, stub_3, stub_4, stub_5, stub_6, stub_7
	.long stub_8, stub_9, stub_10, stub_11, stub_12, stub_13, stub_14, stub_15
	.long stub_16, stub_17, stub_18, stub_19, stub_20, stub_21, stub_22, stub_23
	.long stub_24, stub_25, stub_26, stub_27, stub_28, stub_29, stub_30, stub_31
	.globl syscall_stub
syscall_stub:
	.long stub_128

/*
 * int enter_user(eip, esp): run a ring-3 task until something ends it with
 * leave_user(result), which then appears to return from here.
 */
	.text
	.globl enter_user
	.type enter_user, @function
enter_user:
	push %ebp
	push %ebx
	push %esi
	push %edi
	mov %esp, kernel_resume_esp
	mov 20(%esp), %ecx /* user eip */
	mov 24(%esp), %edx /* user esp */
	mov $SEL_USER_DS, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %fs
	mov %ax, %gs
	pushl $SEL_USER_DS /* ss */
	pushl %edx /* esp */
	pushl $0x00000002 /* eflags: IF = 0, IOPL = 0, bit 1 always set */
	pushl $SEL_USER_CS
	pushl %ecx
	iret
	.size enter_user, . - enter_user

/* leave_user(result): called on the ring-0 trap stack; drop it and resume. */
	.globl leave_user
	.type leave_user, @function
leave_user:
	mov 4(%esp), %eax
	mov $SEL_KERNEL_DS, %cx
	mov %cx, %fs
	mov %cx, %gs
	mov kernel_resume_esp, %esp
	pop %edi
	pop %esi
	pop %ebx
	pop %ebp
	ret
	.size leave_user, . - leave_user

	.section .bss
	.p2align 2
kernel_resume_esp:
	.long 0

	.section .note.GNU-stack, "", @progbits
