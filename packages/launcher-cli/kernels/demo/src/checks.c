/*
 * checks.c - provoke exceptions on purpose and check what the CPU reports.
 *
 * SDM vol. 3A table 6-1 (vectors), 4.7 (#PF error code), 6.13 (selector
 * error codes: the selector with its RPL bits replaced by EXT/IDT/TI = 0).
 * Each faulting instruction is written in asm with fixed registers so its
 * encoding, and so its length, is known: the handler may step over it, and
 * we can check the CPU reported its exact address by reading its bytes.
 */
#include "demo.h"

#define VEC_DE 0
#define VEC_BP 3
#define VEC_UD 6
#define VEC_GP 13
#define VEC_PF 14
#define PF_ERR_WRITE_NOT_PRESENT 0x2
#define PF_ERR_WRITE_PROTECTED 0x3

uint32_t checks_run, checks_failed;

void check(bool ok, const char *what)
{
	checks_run++;
	if (!ok)
		checks_failed++;
	puts_serial(what);
	put_line(ok ? ": ok" : ": FAIL");
}

void report_trap(const char *label)
{
	puts_serial(label);
	puts_serial(" vector ");
	put_dec(last_trap.vector);
	puts_serial(" err ");
	put_hex(last_trap.error);
	if (last_trap.vector == VEC_PF) {
		puts_serial(" cr2 ");
		put_hex(last_trap.cr2);
	}
}

static bool trapped_once(uint32_t vector, uint32_t error)
{
	return last_trap.count == 1 && last_trap.vector == vector && last_trap.error == error;
}

/* Did the CPU report the address of the instruction we meant to fault? */
static bool faulted_at(uint8_t b0, uint8_t b1)
{
	const uint8_t *insn = (const uint8_t *)last_trap.eip;
	return insn[0] == b0 && insn[1] == b1;
}

static void check_demand_fault(void)
{
	volatile uint32_t *window = (volatile uint32_t *)(DEMAND_WINDOW + 8);
	expect_trap(VEC_PF, RECOVER_MAP_AND_RETRY, 0);
	*window = 0xC0FFEE01;
	uint32_t via_frame = ((volatile uint32_t *)demand_frame_phys())[2];
	report_trap("(a) write to a not-present page:");
	puts_serial(", mapped and retried, frame holds ");
	put_hex(via_frame);
	check(trapped_once(VEC_PF, PF_ERR_WRITE_NOT_PRESENT) &&
		      last_trap.cr2 == DEMAND_WINDOW + 8 && via_frame == 0xC0FFEE01,
	      "");
}

static void check_write_protect(void)
{
	volatile uint32_t *backing = (volatile uint32_t *)ro_backing_phys();
	volatile uint32_t *window = (volatile uint32_t *)RO_WINDOW;
	*backing = 0x600DF00D;
	expect_trap(VEC_PF, RECOVER_SKIP, 2);
	__asm__ volatile("movl %%eax, (%%edx)" /* 89 02 */
			 : : "a"(0xBAD0BAD0u), "d"(RO_WINDOW) : "memory");
	report_trap("(b) ring-0 write to a read-only page, CR0.WP=1:");
	puts_serial(", skipped, page still holds ");
	put_hex(*window);
	check(trapped_once(VEC_PF, PF_ERR_WRITE_PROTECTED) && last_trap.cr2 == RO_WINDOW &&
		      faulted_at(0x89, 0x02) && *backing == 0x600DF00D,
	      "");
}

static void check_divide(const char *label, uint32_t high, uint32_t divisor)
{
	uint32_t low = 1234, hi = high;
	expect_trap(VEC_DE, RECOVER_SKIP, 2);
	__asm__ volatile("divl %%ecx" /* f7 f1 */
			 : "+a"(low), "+d"(hi) : "c"(divisor));
	report_trap(label);
	puts_serial(", skipped, eax still ");
	put_dec(low);
	check(trapped_once(VEC_DE, 0) && faulted_at(0xF7, 0xF1) && low == 1234, "");
}

static void check_undefined(void)
{
	expect_trap(VEC_UD, RECOVER_SKIP, 2);
	__asm__ volatile("ud2"); /* 0f 0b */
	report_trap("(d) ud2:");
	puts_serial(", skipped");
	check(trapped_once(VEC_UD, 0) && faulted_at(0x0F, 0x0B), "");
}

static void check_breakpoint(void)
{
	expect_trap(VEC_BP, RECOVER_RETURN, 0);
	__asm__ volatile("int3"); /* cc */
	report_trap("(e) int3:");
	puts_serial(", a trap: eip already past the cc byte");
	check(trapped_once(VEC_BP, 0) && ((const uint8_t *)last_trap.eip)[-1] == 0xCC, "");
}

static uint16_t read_ds(void)
{
	uint16_t v;
	__asm__ volatile("mov %%ds, %0" : "=r"(v));
	return v;
}

static void check_bad_ds(void)
{
	expect_trap(VEC_GP, RECOVER_SKIP, 2);
	__asm__ volatile("mov %%ax, %%ds" /* 8e d8 */ : : "a"(SEL_PAST_GDT) : "memory");
	report_trap("(f) mov 0x58 (past the GDT limit) to ds:");
	check(trapped_once(VEC_GP, SEL_PAST_GDT) && faulted_at(0x8E, 0xD8) &&
		      read_ds() == SEL_KERNEL_DS,
	      "");
}

static void check_tss_into_es(void)
{
	expect_trap(VEC_GP, RECOVER_SKIP, 2);
	__asm__ volatile("mov %%ax, %%es" /* 8e c0 */ : : "a"(SEL_TSS) : "memory");
	report_trap("(f) mov 0x28 (the TSS, a system segment) to es:");
	check(trapped_once(VEC_GP, SEL_TSS) && faulted_at(0x8E, 0xC0), "");
}

void run_fault_checks(void)
{
	check_demand_fault();
	check_write_protect();
	check_divide("(c) divide by zero:", 0, 0);
	check_divide("(c) divide overflow, edx:eax = 1:1234 by 1:", 1, 1);
	check_undefined();
	check_breakpoint();
	check_bad_ds();
	check_tss_into_es();
}
