/*
 * main.c - the order of events, from multiboot entry to the exit port.
 */
#include "demo.h"

#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002u
#define EXIT_CHECKS_FAILED 1
#define CR0_WP (1u << 16)
#define CR0_PG (1u << 31)
#define CR4_PSE (1u << 4)

static void check_boot(uint32_t magic)
{
	puts_serial("boot: eax ");
	put_hex(magic);
	check(magic == MULTIBOOT_BOOTLOADER_MAGIC, "");
}

static void check_descriptors(void)
{
	gdt_init();
	idt_init();
	uint16_t tr, cs, ss;
	__asm__ volatile("str %0" : "=r"(tr));
	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	__asm__ volatile("mov %%ss, %0" : "=r"(ss));
	puts_serial("gdt: cs ");
	put_hex8(cs);
	puts_serial(" ss ");
	put_hex8(ss);
	puts_serial(" tr ");
	put_hex8(tr);
	puts_serial("; idt: 32 exceptions + int 0x80 (dpl 3)");
	check(cs == SEL_KERNEL_CS && ss == SEL_KERNEL_DS && tr == SEL_TSS, "");
}

/* One frame, two 4 MiB pages: a write through one shows through the other. */
static void check_paging(void)
{
	paging_init();
	uint32_t cr0, cr4;
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	volatile uint32_t *alias = (volatile uint32_t *)(PSE_ALIAS + 0x1230);
	volatile uint32_t *direct = (volatile uint32_t *)(PSE_PHYS + 0x1230);
	*alias = 0x5EED1234;
	uint32_t seen = *direct;
	puts_serial("paging: cr0.pg/wp ");
	put_hex(cr0 & (CR0_PG | CR0_WP));
	puts_serial(" cr4.pse ");
	put_hex(cr4 & CR4_PSE);
	puts_serial("; 4 MiB alias 00801230 -> 00401230 reads ");
	put_hex(seen);
	check((cr0 & (CR0_PG | CR0_WP)) == (CR0_PG | CR0_WP) && (cr4 & CR4_PSE) && seen == 0x5EED1234,
	      "");
}

/*L:570 What follows is a tour of the protection hardware in the order a
 * kernel meets it: descriptors, then paging, then the faults a kernel causes
 * on purpose or by accident, then a trip to ring 3 and back, then plain
 * arithmetic. Every line the kernel prints is the same on every correct
 * 32-bit x86, real or emulated: no vendor strings, no timestamps, and fault
 * addresses at fixed windows rather than wherever the linker put a variable.
 * That is why expected-output.txt can be compared byte for byte with what
 * QEMU prints, and with what littleguest's bare machine prints. :*/
void kmain(uint32_t magic, uint32_t mbi)
{
	(void)mbi;
	put_line("littleguest demo kernel: protection, paging and traps on bare IA-32");
	check_boot(magic);
	check_descriptors();
	check_paging();
	run_fault_checks();
	run_user_check();
	run_arith_checks();
	if (checks_failed) {
		puts_serial("demo: FAIL: ");
		put_dec(checks_failed);
		puts_serial(" of ");
		put_dec(checks_run);
		put_line(" checks failed");
		exit_machine(EXIT_CHECKS_FAILED);
	}
	puts_serial("demo: all ");
	put_dec(checks_run);
	put_line(" checks passed");
	exit_machine(0);
}
