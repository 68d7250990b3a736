/*
 * descriptors.c - our own GDT, TSS and IDT.
 *
 * SDM vol. 3A 3.4.5 (segment descriptors), 7.2.1 (32-bit TSS),
 * 6.11 (IDT descriptors: interrupt gate type 0xE, trap gate type 0xF).
 */
#include "demo.h"

struct tss {
	uint16_t link, _r0;
	uint32_t esp0;
	uint16_t ss0, _r1;
	uint32_t esp1;
	uint16_t ss1, _r2;
	uint32_t esp2;
	uint16_t ss2, _r3;
	uint32_t cr3, eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
	uint16_t es, _r4, cs, _r5, ss, _r6, ds, _r7, fs, _r8, gs, _r9, ldt, _r10;
	uint16_t trap, iomap_base;
} __attribute__((packed));

struct table_pointer {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

/* access byte: P | DPL | S | type; flags nibble: G (4 KiB units) | D (32-bit) */
#define ACC_KERNEL_CODE 0x9A
#define ACC_KERNEL_DATA 0x92
#define ACC_USER_CODE 0xFA
#define ACC_USER_DATA 0xF2
#define ACC_TSS 0x89 /* present, DPL 0, available 32-bit TSS */
#define FLAGS_4K_32BIT 0xC
#define GDT_ENTRIES 6

#define GATE_INTERRUPT_DPL0 0x8E
#define GATE_INTERRUPT_DPL3 0xEE
#define GATE_TRAP_DPL3 0xEF

static uint64_t gdt[GDT_ENTRIES];
static uint64_t idt[256];
static struct tss tss;
static uint8_t trap_stack[4096] __attribute__((aligned(16)));

static uint64_t segment(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
	uint64_t d = limit & 0xFFFF;
	d |= (uint64_t)(base & 0xFFFFFF) << 16;
	d |= (uint64_t)access << 40;
	d |= (uint64_t)((limit >> 16) & 0xF) << 48;
	d |= (uint64_t)(flags & 0xF) << 52;
	d |= (uint64_t)(base >> 24) << 56;
	return d;
}

static uint64_t gate(uint32_t handler, uint8_t type)
{
	uint64_t d = handler & 0xFFFF;
	d |= (uint64_t)SEL_KERNEL_CS << 16;
	d |= (uint64_t)type << 40;
	d |= (uint64_t)(handler >> 16) << 48;
	return d;
}

/*L:520 The loader's GDT is somewhere we cannot see and must not trust, so
 * the first real work is building our own: flat code and data for ring 0 and
 * ring 3, and a TSS. A 32-bit kernel that never switches tasks still needs a
 * TSS, for one field above all: when an interrupt arrives from ring 3 the CPU
 * takes the new stack from TSS.ss0:esp0. We point esp0 at a small stack of its
 * own, away from the kernel's, so that abandoning a user task mid-trap leaves
 * the kernel's stack untouched. The lguest Switcher plays this same trick
 * with esp0 aimed at the end of the regs page. :*/
void gdt_init(void)
{
	gdt[1] = segment(0, 0xFFFFF, ACC_KERNEL_CODE, FLAGS_4K_32BIT);
	gdt[2] = segment(0, 0xFFFFF, ACC_KERNEL_DATA, FLAGS_4K_32BIT);
	gdt[3] = segment(0, 0xFFFFF, ACC_USER_CODE, FLAGS_4K_32BIT);
	gdt[4] = segment(0, 0xFFFFF, ACC_USER_DATA, FLAGS_4K_32BIT);
	gdt[5] = segment((uint32_t)&tss, sizeof(tss) - 1, ACC_TSS, 0);

	tss.ss0 = SEL_KERNEL_DS;
	tss.esp0 = (uint32_t)(trap_stack + sizeof(trap_stack));
	tss.iomap_base = sizeof(tss); /* no I/O bitmap: ring 3 gets no ports */

	struct table_pointer p = { sizeof(gdt) - 1, (uint32_t)gdt };
	__asm__ volatile("lgdt %0\n\t"
			 "ljmp %1, $1f\n"
			 "1:\n\t"
			 "mov %2, %%ds\n\t"
			 "mov %2, %%es\n\t"
			 "mov %2, %%fs\n\t"
			 "mov %2, %%gs\n\t"
			 "mov %2, %%ss\n\t"
			 "ltr %w3"
			 :
			 : "m"(p), "i"(SEL_KERNEL_CS), "r"(SEL_KERNEL_DS), "r"(SEL_TSS)
			 : "memory");
}

/* int3 and the syscall vector are the only doors ring 3 may knock on. */
void idt_init(void)
{
	for (int v = 0; v < 32; v++)
		idt[v] = gate(trap_stubs[v], v == 3 ? GATE_INTERRUPT_DPL3 : GATE_INTERRUPT_DPL0);
	idt[SYSCALL_VECTOR] = gate(syscall_stub, GATE_TRAP_DPL3);

	struct table_pointer p = { sizeof(idt) - 1, (uint32_t)idt };
	__asm__ volatile("lidt %0" : : "m"(p));
}
