/*
 * main.c - the Guest kernel after boot.S: read what the Launcher left in
 * boot_params, greet, and power off.
 *
 * Reference: the Linux x86 boot protocol (Documentation/x86/boot, zero-page):
 * e820_entries at 0x1E8, the e820 table at 0x2D0 (20 bytes per entry),
 * setup_header fields cmd_line_ptr at 0x228, hardware_subarch at 0x23C;
 * lguest-abi.md §8.2 (boot_params at Guest-physical 0, hardware_subarch 1).
 */
#include "kernel.h"

#define BP_E820_ENTRIES 0x1e8
#define BP_CMD_LINE_PTR 0x228
#define BP_HARDWARE_SUBARCH 0x23c
#define BP_E820_TABLE 0x2d0
#define BP_RAMDISK_IMAGE 0x218
#define BP_RAMDISK_SIZE 0x21c
#define X86_SUBARCH_LGUEST 1

/* A power-off message the littleguest Launcher understands: "exit N". */
void power_off(u32 status)
{
	static char msg[16] = "exit ";
	char digits[4];
	int n = 0;
	do {
		digits[n++] = (char)('0' + status % 10);
		status /= 10;
	} while (status != 0 && n < 3);
	int k = 5;
	while (n > 0)
		msg[k++] = digits[--n];
	msg[k] = 0;
	for (;;)
		hcall(LHCALL_SHUTDOWN, pa(msg), LGUEST_SHUTDOWN_POWEROFF, 0, 0);
}

void panic(const char *msg)
{
	for (;;)
		hcall(LHCALL_SHUTDOWN, pa(msg), LGUEST_SHUTDOWN_POWEROFF, 0, 0);
}

/*G:800 With `lguest run -- PROGRAM ARGS` the Launcher puts the argument
 * vector into the initramfs as /.lguest/argv, NUL-separated; the kernel runs
 * that program as its first process and powers off with its exit status.
 * Without one it runs the initramfs's /init, as Linux does. :*/
bool kernel_debug, kernel_strace;

static bool has_word(const char *s, const char *w)
{
	u32 n = strlen(w);
	for (const char *p = s; *p; p++)
		if ((p == s || p[-1] == ' ') && memcmp(p, w, n) == 0 && (p[n] == 0 || p[n] == ' '))
			return true;
	return false;
}

static void run_first_program(void)
{
	struct file *a = fs_lookup(".lguest/argv");
	static char buf[1024];
	static const char *argv[16];
	u32 n, argc = 0;
	if (a != NULL) {
		n = a->size < sizeof(buf) - 1 ? a->size : sizeof(buf) - 1;
		memcpy(buf, a->data, n);
	} else if (fs_lookup("init") != NULL) { /* no program named: the initramfs's /init */
		memcpy(buf, "/init", 6);
		n = 5;
	} else
		return;
	buf[n] = 0;
	for (u32 i = 0; i < n && argc < 16; i += strlen(buf + i) + 1)
		argv[argc++] = buf + i;
	struct file *f = argc > 0 ? fs_lookup(argv[0]) : NULL;
	if (f == NULL) {
		printk("%s: not found in the initramfs\n", argc > 0 ? argv[0] : "(no program)");
		power_off(127);
	}
	local_irq_enable();
	timer_start();
	u32 before = frames_in_use;
	u32 status = run_program(f, argc, argv);
	if (kernel_debug)
		printk("[kernel] frames in use: %u before the first process, %u after the last\n", before, frames_in_use);
	power_off(status);
}

void start_kernel(void)
{
	const u8 *bp = va(0);
	if (*(const u32 *)(bp + BP_HARDWARE_SUBARCH) != X86_SUBARCH_LGUEST)
		panic("not started by an lguest Launcher (hardware_subarch != 1)");
	u32 ram = 0;
	u32 entries = bp[BP_E820_ENTRIES];
	for (u32 i = 0; i < entries && i < 128; i++) {
		const u8 *e = bp + BP_E820_TABLE + i * 20;
		if (*(const u32 *)(e + 16) == 1)
			ram += *(const u32 *)(e + 8);
	}
	u32 cmdline = *(const u32 *)(bp + BP_CMD_LINE_PTR);
	kernel_debug = cmdline != 0 && has_word(va(cmdline), "lguest.debug");
	kernel_strace = cmdline != 0 && has_word(va(cmdline), "lguest.strace");
	u32 initrd = *(const u32 *)(bp + BP_RAMDISK_IMAGE), initrd_size = *(const u32 *)(bp + BP_RAMDISK_SIZE);
	mm_init(ram, initrd_size ? initrd : ram);
	virtio_console_init(ram);
	virtio_blk_init(ram);
	traps_init();
	if (initrd_size != 0) {
		fs_init(initrd, initrd_size);
		if (fs_lookup("tmp") == NULL)
			fs_create("tmp", 0041777); /* a writable /tmp */
		run_first_program(); /* does not return when the Launcher named a program */
	}
	printk("littleguest Guest kernel on lguest: %u MiB RAM, reserve_mem %u KiB\n", ram >> 20,
	       lguest_data.reserve_mem >> 10);
	printk("command line: %s\n", cmdline ? (const char *)va(cmdline) : "");
	printk("memory: kernel mapped at %x, %u frames in use after the page tables\n", PAGE_OFFSET, frames_in_use);

	/* Three breakpoints: a trap gate, delivered by the CPU without the Host. */
	for (int i = 0; i < 3; i++)
		__asm__ volatile("int3");
	printk("traps: %u breakpoints handled directly\n", breakpoints);

	/* Touch four untouched kernel pages: each is a #PF the Host reflects and the Guest fills. */
	volatile u32 *area = (volatile u32 *)0xE0000000u;
	for (u32 page = 0; page < 4; page++)
		area[page * 1024] = page + 1;
	u32 sum = 0;
	for (u32 page = 0; page < 4; page++)
		sum += area[page * 1024];
	printk("page faults: %u demand-zero pages filled, checksum %u\n", demand_faults, sum);

	/* The timer: IRQ 0 every 10 ms of virtual time, while the Guest sleeps in HALT. */
	local_irq_enable();
	timer_start();
	while (ticks < 5) {
		timer_resume(); /* nothing else is runnable: ask for each tick explicitly */
		safe_halt();
	}
	printk("timer: %u ticks while halted; wall clock %u s\n", ticks, lguest_data.time_sec);

	/* Three processes in ring 3, each in its own address space, preempted by the timer. */
	u32 frames = frames_in_use;
	u32 codes = run_processes(3);
	local_irq_disable();
	printk("processes: exit codes sum to %u; %u system calls, %u context switches; frames back to %u of %u\n", codes,
	       syscalls, context_switches, frames_in_use, frames);
	power_off(frames_in_use == frames ? 0 : 1);
}
