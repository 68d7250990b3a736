/*
 * user.c - a tiny ring-3 task and the kernel code that runs it.
 *
 * SDM vol. 3A 6.12.1: an interrupt from ring 3 switches to TSS.ss0:esp0
 * and pushes the user's SS and ESP too; iret with a ring-3 CS goes back.
 * 4.6: a user-mode access to a supervisor page is a #PF with U/S = 1.
 */
#include "demo.h"

#define VEC_PF 14
#define PF_ERR_USER_WRITE_PROTECTION 0x7 /* present | write | user */

/* Everything the user task touches lives in the .user sections, which the
 * linker script gathers into pages that paging.c marks user-accessible. */
#define USER_TEXT __attribute__((section(".user.text"), noinline))
#define USER_RODATA __attribute__((section(".user.rodata")))

uint8_t user_stack[PAGE_SIZE] __attribute__((aligned(4096)));

static const char user_hello[] USER_RODATA = "(g) ring 3 says hello through int 0x80; sum 1..10 = ";
static const char user_newline[] USER_RODATA = "\n";

static inline __attribute__((always_inline)) uint32_t sys2(uint32_t nr, uint32_t a, uint32_t b)
{
	uint32_t ret = nr;
	__asm__ volatile("int $0x80" : "+a"(ret) : "b"(a), "c"(b) : "memory");
	return ret;
}

/*L:560 The user task is ordinary C placed in its own section. It can reach
 * the outside world only through int 0x80, whose gate has DPL 3; any other
 * vector, or any port, would be a #GP. It prints through the kernel, does a
 * little work, and then misbehaves: it writes to the kernel's first page,
 * which is present but supervisor-only, so the CPU raises #PF with error code
 * 7 (present, write, user) having already switched to the ring-0 stack. The
 * handler does not return to ring 3 at all. It drops that stack and jumps back
 * into the kernel as if enter_user() had returned: that is all "killing a
 * process" means when there is only one. :*/
USER_TEXT void user_main(void)
{
	volatile uint32_t sum = 0;
	for (uint32_t i = 1; i <= 10; i++)
		sum += i;
	sys2(SYS_WRITE, (uint32_t)user_hello, sizeof(user_hello) - 1);
	sys2(SYS_PUTHEX, sum, 0);
	sys2(SYS_WRITE, (uint32_t)user_newline, 1);
	*(volatile uint32_t *)KERNEL_FIRST_PAGE = 0xDEADBEEF;
	__asm__ volatile("ud2"); /* unreachable: an unexpected #UD would FAIL */
}

void run_user_check(void)
{
	expect_trap(VEC_PF, RECOVER_KILL_USER, 0);
	int result = enter_user((uint32_t)user_main, (uint32_t)(user_stack + PAGE_SIZE));
	report_trap("(g) user write to a supervisor page:");
	puts_serial(", from cpl ");
	put_dec(last_trap.cs & 3);
	puts_serial(", task killed, back in ring 0");
	uint16_t cs;
	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	check(result == -VEC_PF && last_trap.count == 1 &&
		      last_trap.error == PF_ERR_USER_WRITE_PROTECTION &&
		      last_trap.cr2 == KERNEL_FIRST_PAGE && (last_trap.cs & 3) == 3 &&
		      cs == SEL_KERNEL_CS && *(volatile uint32_t *)KERNEL_FIRST_PAGE == 0x1BADB002,
	      "");
}
