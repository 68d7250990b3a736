/*
 * demo.h - shared declarations for the littleguest demo kernel.
 *
 * Hardware touched (Intel SDM vol. 3A): segment descriptors and the TSS
 * (ch. 3, 7), gates and exception delivery (ch. 6), 32-bit paging with
 * 4 KiB and 4 MiB pages (ch. 4.3), the 16550 UART at 0x3F8 and QEMU's
 * isa-debug-exit port at 0xF4.
 */
#ifndef DEMO_H
#define DEMO_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

/* Selectors into our GDT (see descriptors.c); user ones carry RPL 3. */
#define SEL_KERNEL_CS 0x08
#define SEL_KERNEL_DS 0x10
#define SEL_USER_CS 0x1B
#define SEL_USER_DS 0x23
#define SEL_TSS 0x28
/* One past the last GDT slot: loading it must raise #GP(0x58). */
#define SEL_PAST_GDT 0x58

#define SYSCALL_VECTOR 0x80
#define SYS_WRITE 1 /* ebx = user string, ecx = length */
#define SYS_PUTHEX 2 /* ebx = value printed in hex */

#define PAGE_SIZE 4096u

/* Fixed virtual addresses, so CR2 values in the output never move when the
 * code is edited and relinked. Both sit in the last two slots of page
 * table 0. */
#define RO_WINDOW 0x003FE000u /* read-only view of a kernel page */
#define DEMAND_WINDOW 0x003FF000u /* not present until the first touch */
#define PSE_PHYS 0x00400000u /* 4 MiB page, mapped 1:1 */
#define PSE_ALIAS 0x00800000u /* second 4 MiB page onto the same frame */
#define KERNEL_FIRST_PAGE 0x00100000u /* supervisor-only; the user pokes it */

/* What trap_common (entry.S) pushes, lowest address first. */
struct trap_frame {
	uint32_t edi, esi, ebp, esp_at_pushal, ebx, edx, ecx, eax;
	uint32_t gs, fs, es, ds;
	uint32_t vector, error;
	/* pushed by the CPU */
	uint32_t eip, cs, eflags;
	uint32_t user_esp, user_ss; /* only when coming from ring 3 */
};

/* serial.c */
void putc_serial(char c);
void puts_serial(const char *s);
void put_hex(uint32_t v);
void put_hex8(uint32_t v);
void put_dec(uint32_t v);
void put_line(const char *s);
__attribute__((noreturn)) void exit_machine(uint32_t value);

/* descriptors.c */
void gdt_init(void);
void idt_init(void);

/* paging.c */
uint32_t *pte_for(uint32_t vaddr);
void invlpg(uint32_t vaddr);
void paging_init(void);
void map_demand_window(void);
uint32_t demand_frame_phys(void);
uint32_t ro_backing_phys(void);

/* traps.c */
enum recovery {
	RECOVER_RETURN, /* a trap: the CPU already points past the instruction */
	RECOVER_MAP_AND_RETRY, /* map the demand window; run the instruction again */
	RECOVER_SKIP, /* step over an instruction of known length */
	RECOVER_KILL_USER, /* abandon the ring-3 task, resume the kernel */
};
struct trap_record {
	uint32_t vector, error, cr2, eip, cs;
	uint32_t count;
};
extern struct trap_record last_trap;
void expect_trap(uint32_t vector, enum recovery how, uint32_t skip_bytes);
void trap_dispatch(struct trap_frame *f);
static inline uint32_t read_cr2(void)
{
	uint32_t v;
	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

/* entry.S */
extern const uint32_t trap_stubs[32];
extern const uint32_t syscall_stub;
int enter_user(uint32_t eip, uint32_t esp);
__attribute__((noreturn)) void leave_user(int result);

/* checks.c */
void check(bool ok, const char *what);
void report_trap(const char *label);
extern uint32_t checks_run, checks_failed;
void run_fault_checks(void);

/* user.c */
extern uint8_t user_stack[PAGE_SIZE];
void run_user_check(void);

/* arith.c */
void run_arith_checks(void);

/* libc-ish helpers the compiler may call */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

#endif
