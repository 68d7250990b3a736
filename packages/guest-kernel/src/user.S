/*
 * user.S - the first user program, embedded in the kernel image and copied
 * into each process at USER_BASE. Position-independent: it finds its data
 * with call/pop. Linux i386 system calls through int $0x80 (eax = number,
 * ebx, ecx, edx = arguments): write 4, exit 1, getpid 20, sched_yield 158.
 * Each process prints three lines, spinning in between so the timer must
 * preempt it, and exits with its pid as the status.
 */
#define SYS_exit 1
#define SYS_write 4
#define SYS_getpid 20

	.section .user, "ax"
	.globl user_program, user_program_end
user_program:
	call 1f
1:	popl %ebp                     /* %ebp = address of label 1 */
	movl $SYS_getpid, %eax
	int $0x80
	movl %eax, %esi               /* pid */
	movl $3, %edi                 /* lines to print */
2:	/* line = "process N: tick K\n" built on the stack */
	subl $32, %esp
	leal (msg - 1b)(%ebp), %ecx
	movl (%ecx), %eax
	movl %eax, (%esp)             /* "proc" */
	movl 4(%ecx), %eax
	movl %eax, 4(%esp)            /* "ess " */
	movl %esi, %eax
	addl $'0', %eax
	movb %al, 8(%esp)
	movb $':', 9(%esp)
	movb $' ', 10(%esp)
	movl $4, %eax
	subl %edi, %eax
	addl $'0', %eax
	movb %al, 11(%esp)
	movb $'\n', 12(%esp)
	movl $SYS_write, %eax
	movl $1, %ebx
	movl %esp, %ecx
	movl $13, %edx
	int $0x80
	addl $32, %esp
	movl $1000000, %ecx           /* spin ~10 ms of virtual time: the 20 ms slices preempt */
3:	decl %ecx
	jnz 3b
	decl %edi
	jnz 2b
	movl $SYS_exit, %eax
	movl %esi, %ebx
	int $0x80
4:	jmp 4b
msg:	.ascii "process "
user_program_end:

	.section .note.GNU-stack, "", @progbits
