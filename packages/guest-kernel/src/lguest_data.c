/*
 * lguest_data.c - the page this Guest shares with the Host, with the values
 * a Guest's static initializer gives it (lguest-abi.md §2): every async ring
 * slot free (0xFF), the timer blocked until the Guest wants it, the address
 * of its no-interrupt iret, PAGE_OFFSET, and the system-call vector 0x80.
 */
#include "lguest.h"

extern char lguest_noirq_iret[];

struct lguest_data lguest_data __attribute__((aligned(4096))) = {
	.irq_enabled = 0,
	.blocked_interrupts = 1,
	.hcall_status = { [0 ... LHCALL_RING_SIZE - 1] = 0xff },
	.noirq_iret = (u32)lguest_noirq_iret,
	.kernel_address = PAGE_OFFSET,
	.syscall_vec = 0x80,
};
