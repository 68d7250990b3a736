/*
 * traps.c - the C half of every exception and of the syscall vector.
 *
 * SDM vol. 3A 6.15: faults report the address of the faulting instruction,
 * traps (#BP from int3) the address after it. #PF leaves the linear address
 * in CR2 and an error code with P (bit 0), W/R (bit 1), U/S (bit 2).
 */
#include "demo.h"

#define VEC_PF 14
#define EXIT_UNEXPECTED_TRAP 2

struct trap_record last_trap;

static struct {
	bool armed;
	uint32_t vector;
	enum recovery how;
	uint32_t skip_bytes;
} expected;

/*L:550 Each demonstration announces the one exception it is about to cause
 * and how to recover from it, then causes it. The handler compares, records
 * what the CPU reported (vector, error code, CR2, where it happened), and
 * recovers in the announced way. This is the exception-table idea Linux uses
 * for copy_from_user, cut down to one entry. Anything unannounced is a bug in
 * the kernel or the CPU underneath, so it is printed with FAIL and ends the
 * run at once rather than limping on. :*/
void expect_trap(uint32_t vector, enum recovery how, uint32_t skip_bytes)
{
	expected.armed = true;
	expected.vector = vector;
	expected.how = how;
	expected.skip_bytes = skip_bytes;
	last_trap.count = 0;
}

static void record(struct trap_frame *f)
{
	last_trap.vector = f->vector;
	last_trap.error = f->error;
	last_trap.cr2 = f->vector == VEC_PF ? read_cr2() : 0;
	last_trap.eip = f->eip;
	last_trap.cs = f->cs;
	last_trap.count++;
}

static __attribute__((noreturn)) void unexpected(struct trap_frame *f)
{
	puts_serial("FAIL: unexpected exception ");
	put_dec(f->vector);
	puts_serial(" error ");
	put_hex(f->error);
	puts_serial(" at ");
	put_hex(f->cs);
	putc_serial(':');
	put_hex(f->eip);
	puts_serial(" cr2 ");
	put_hex(read_cr2());
	putc_serial('\n');
	exit_machine(EXIT_UNEXPECTED_TRAP);
}

static bool user_range_ok(uint32_t p, uint32_t len)
{
	extern uint8_t __user_start[], __user_end[];
	return p >= (uint32_t)__user_start && len <= (uint32_t)__user_end - p;
}

static void syscall(struct trap_frame *f)
{
	if ((f->cs & 3) != 3) {
		unexpected(f);
	}
	switch (f->eax) {
	case SYS_WRITE:
		if (!user_range_ok(f->ebx, f->ecx)) {
			f->eax = (uint32_t)-1;
			return;
		}
		for (uint32_t i = 0; i < f->ecx; i++)
			putc_serial(((const char *)f->ebx)[i]);
		f->eax = 0;
		return;
	case SYS_PUTHEX:
		put_hex(f->ebx);
		f->eax = 0;
		return;
	default:
		f->eax = (uint32_t)-1;
	}
}

void trap_dispatch(struct trap_frame *f)
{
	if (f->vector == SYSCALL_VECTOR) {
		syscall(f);
		return;
	}
	if (!expected.armed || f->vector != expected.vector)
		unexpected(f);
	expected.armed = false;
	record(f);
	switch (expected.how) {
	case RECOVER_RETURN:
		return;
	case RECOVER_MAP_AND_RETRY:
		map_demand_window();
		return;
	case RECOVER_SKIP:
		f->eip += expected.skip_bytes;
		return;
	case RECOVER_KILL_USER:
		if ((f->cs & 3) != 3)
			unexpected(f);
		leave_user(-(int)f->vector);
	}
}
