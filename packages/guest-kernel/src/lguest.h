/*
 * lguest.h - the lguest ABI as this Guest uses it: hypercall numbers (the
 * 3.x column), struct lguest_data, segment selectors.
 *
 * Reference: littleguest's shared/reference/lguest-abi.md §1.2 (numbers),
 * §2 (lguest_data, i386 layout with noirq_iret, 1388 bytes), §5 (segments).
 * The same facts are exported to TypeScript by @littleguest/lguest-host/abi;
 * a test checks the two agree.
 */
#ifndef LGUEST_H
#define LGUEST_H

#define PAGE_OFFSET 0xC0000000
#define PAGE_SIZE 4096

#define LHCALL_FLUSH_ASYNC 0
#define LHCALL_LGUEST_INIT 1
#define LHCALL_SHUTDOWN 2
#define LHCALL_NEW_PGTABLE 4
#define LHCALL_FLUSH_TLB 5
#define LHCALL_LOAD_IDT_ENTRY 6
#define LHCALL_SET_STACK 7
#define LHCALL_TS 8
#define LHCALL_SET_CLOCKEVENT 9
#define LHCALL_HALT 10
#define LHCALL_SET_PMD 13 /* PAE only */
#define LHCALL_SET_PTE 14
#define LHCALL_SET_PGD 15
#define LHCALL_LOAD_TLS 16
#define LHCALL_NOTIFY 17
#define LHCALL_LOAD_GDT_ENTRY 18
#define LHCALL_SEND_INTERRUPTS 19

#define LGUEST_SHUTDOWN_POWEROFF 1
#define LGUEST_SHUTDOWN_RESTART 2

#define KERNEL_CS 0x61
#define KERNEL_DS 0x69
#define USER_CS 0x73
#define USER_DS 0x7b

#define LHCALL_RING_SIZE 64

#ifndef __ASSEMBLER__
#include "types.h"

struct hcall_args {
	u32 arg0, arg1, arg2, arg3, arg4;
};

struct lguest_data {
	u32 irq_enabled;
	u32 blocked_interrupts;
	u32 cr2;
	u32 time_sec, time_nsec;
	u32 irq_pending;
	u8 hcall_status[LHCALL_RING_SIZE];
	struct hcall_args hcalls[LHCALL_RING_SIZE];
	u32 reserve_mem;
	u32 tsc_khz;
	u32 noirq_iret;
	u32 kernel_address;
	u32 syscall_vec;
};

extern struct lguest_data lguest_data;

/* int $0x1f with the call in eax and arguments in ebx, ecx, edx, esi. */
static inline u32 hcall(u32 call, u32 a1, u32 a2, u32 a3, u32 a4)
{
	__asm__ volatile("int $0x1f"
			 : "+a"(call)
			 : "b"(a1), "c"(a2), "d"(a3), "S"(a4)
			 : "memory");
	return call;
}

static inline u32 pa(const void *v)
{
	return (u32)v - PAGE_OFFSET;
}

static inline void *va(u32 p)
{
	return (void *)(p + PAGE_OFFSET);
}
#endif
#endif
