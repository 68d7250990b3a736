/*
 * traps.c - the Guest's IDT, its exception and timer handlers, and the
 * virtual interrupt flag.
 *
 * Reference: lguest-abi.md §4.2 (only trap gates can be direct; the kernel
 * stack must be registered with SET_STACK), §4.4 (irq_enabled in
 * lguest_data is the interrupt flag; irq_pending asks for SEND_INTERRUPTS),
 * §4.5 (SET_CLOCKEVENT in nanoseconds raises IRQ 0 on vector 32; the timer
 * starts blocked in blocked_interrupts), §4.6 (LOAD_IDT_ENTRY).
 */
#include "task.h"

#define GATE_INTERRUPT 0xe
#define GATE_TRAP 0xf
#define TIMER_VECTOR 32
#define TICK_NS 10000000u /* 100 Hz */


volatile u32 ticks;
u32 breakpoints;

extern char trap_33[];
extern char trap_0[], trap_1[], trap_3[], trap_4[], trap_5[], trap_6[], trap_7[], trap_10[], trap_11[],
	trap_12[], trap_13[], trap_14[], trap_16[], trap_17[], trap_19[], trap_32[], trap_128[];

static void set_gate(u32 vector, void *handler, u32 type, u32 dpl)
{
	u32 h = (u32)handler;
	u32 lo = (KERNEL_CS << 16) | (h & 0xffff);
	u32 hi = (h & 0xffff0000) | 0x8000 | (dpl << 13) | (type << 8);
	hcall(LHCALL_LOAD_IDT_ENTRY, vector, lo, hi, 0);
}

/*G:200 The Guest writes its IDT entries through the Host, which decides which
 * of them the CPU may deliver straight to the Guest. A trap gate for the
 * breakpoint makes int3 a direct trap: the CPU runs the Guest's handler
 * without ever leaving to the Host. Everything else here is an interrupt gate,
 * which the Host reflects, clearing the virtual interrupt flag on the way in
 * exactly as the CPU would clear the real one. :*/
static void set_flat_segment(u32 index, u32 access)
{
	/* base 0, limit 0xFFFFF pages, 32-bit, 4 KiB granular */
	hcall(LHCALL_LOAD_GDT_ENTRY, index, 0x0000ffff, 0x00cf0000 | (access << 8), 0);
}

void traps_init(void)
{
	/* User code and data (GDT entries 14 and 15, DPL 3): the Host's initial GDT has only the kernel's. */
	set_flat_segment(14, 0xfa);
	set_flat_segment(15, 0xf2);
	void *const handlers[] = { trap_0,  trap_1,  0,	      trap_3,  trap_4,	trap_5,	 trap_6,
				   trap_7,  0,	     0,	      trap_10, trap_11, trap_12, trap_13,
				   trap_14, 0,	     trap_16, trap_17, 0,	trap_19 };
	for (u32 v = 0; v < sizeof(handlers) / sizeof(handlers[0]); v++) {
		if (handlers[v] != 0)
			set_gate(v, handlers[v], v == 3 ? GATE_TRAP : GATE_INTERRUPT, v == 3 ? 3 : 0);
	}
	set_gate(TIMER_VECTOR, trap_32, GATE_INTERRUPT, 0);
	set_gate(TIMER_VECTOR + 1, trap_33, GATE_INTERRUPT, 0); /* IRQ 1: the Launcher's first device */
	/* System calls: a trap gate user mode may use, so the CPU delivers them directly. */
	set_gate(0x80, trap_128, GATE_TRAP, 3);
	/* The stack traps from user mode will land on, and the CPU's direct traps need mapped. */
	hcall(LHCALL_SET_STACK, KERNEL_DS, (u32)boot_stack_top, 2, 0);
}

void local_irq_enable(void)
{
	lguest_data.irq_enabled = 0x200;
	__asm__ volatile("" ::: "memory");
	if (lguest_data.irq_pending)
		hcall(LHCALL_SEND_INTERRUPTS, 0, 0, 0, 0);
}

void local_irq_disable(void)
{
	lguest_data.irq_enabled = 0;
	__asm__ volatile("" ::: "memory");
}

static bool timer_armed;

void timer_start(void)
{
	lguest_data.blocked_interrupts &= ~1u;
	hcall(LHCALL_SET_CLOCKEVENT, TICK_NS, 0, 0, 0);
	timer_armed = true;
}

/* Re-arm the tick after an idle stretch (called when a sleeping task wakes). */
void timer_resume(void)
{
	if (!timer_armed && !(lguest_data.blocked_interrupts & 1u)) {
		hcall(LHCALL_SET_CLOCKEVENT, TICK_NS, 0, 0, 0);
		timer_armed = true;
	}
}

/* Sleep until an interrupt: HALT with interrupts enabled (the Host wakes us with IF on). */
void safe_halt(void)
{
	lguest_data.irq_enabled = 0x200;
	hcall(LHCALL_HALT, 0, 0, 0, 0);
}

void trap_handler(struct trap_frame *f)
{
	switch (f->vector) {
	case TIMER_VECTOR:
		ticks++;
		wake_sleepers();
		/* Tickless when idle: with nothing runnable, stop the tick so the Host can let the
		 * Guest sleep until a device interrupt (timer_resume starts it again). */
		timer_armed = any_runnable();
		if (timer_armed)
			hcall(LHCALL_SET_CLOCKEVENT, TICK_NS, 0, 0, 0);
		/* The kernel is not preemptible: switch tasks only when the tick interrupted user mode. */
		if ((f->cs & 3) == 3) {
			timer_tick();
			deliver_signals(f);
		}
		return;
	case TIMER_VECTOR + 1:
		if (virtio_console_irq() == 1)
			virtio_console_interrupt();
		return;
	case 0x80:
		do_syscall(f);
		deliver_signals(f);
		return;
	case 3:
		breakpoints++;
		return;
	case 14:
		if (cow_fault(lguest_data.cr2, f->errcode) || demand_zero_fault(lguest_data.cr2, f->errcode) ||
		    page_fault(lguest_data.cr2, f->errcode))
			return;
		if ((f->cs & 3) == 3) { /* a user program touched what it does not own: SIGSEGV */
			if (kernel_debug)
				printk("[kernel] segmentation fault at %x, eip %x\n", lguest_data.cr2, f->eip);
			exit_with_status(11);
		}
		printk("page fault at %x (error %x), eip %x\n", lguest_data.cr2, f->errcode, f->eip);
		panic("unhandled page fault in the Guest kernel");
	default:
		if ((f->cs & 3) == 3) { /* #DE → SIGFPE, #UD → SIGILL, the rest → SIGSEGV */
			exit_with_status(f->vector == 0 ? 8 : f->vector == 6 ? 4 : 11);
		}
		printk("trap %u (error %x) at eip %x\n", f->vector, f->errcode, f->eip);
		panic("unexpected trap in the Guest kernel");
	}
}
