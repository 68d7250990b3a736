/*
 * proc.c - processes: an address space each (the kernel half shared), a
 * kernel stack each, a round-robin scheduler on the lguest timer, and the
 * first Linux i386 system calls.
 *
 * Reference: lguest-abi.md §9.2 (a context switch is lazy: load_sp0 →
 * SET_STACK, write_cr3 → NEW_PGTABLE, both queued in the async ring while in
 * lazy mode and flushed with FLUSH_ASYNC at the end of the switch), §1.4 (the
 * ring protocol: 0xFF free, 0 pending), §4.2 (a trap gate for int $0x80 is a
 * direct trap: system calls never leave the Guest); the Linux i386 system
 * call ABI (eax = number, ebx/ecx/edx = arguments, result in eax).
 */
#include "kernel.h"

#define MAX_TASKS 16
#define USER_BASE 0x08048000u
#define USER_STACK_TOP 0xC0000000u
#define PTE_USER_RW 0x067 /* present, writable, user, accessed, dirty */
#define PDE_USER 0x027	  /* present, writable, user, accessed */
#define TIMESLICE 2	  /* timer ticks */

#define SYS_exit 1
#define SYS_write 4
#define SYS_getpid 20
#define SYS_access 33
#define SYS_brk 45
#define SYS_ioctl 54
#define SYS_readlink 85
#define SYS_uname 122
#define SYS_mprotect 125
#define SYS_writev 146
#define SYS_sched_yield 158
#define SYS_rt_sigaction 174
#define SYS_rt_sigprocmask 175
#define SYS_getuid32 199
#define SYS_getgid32 200
#define SYS_geteuid32 201
#define SYS_getegid32 202
#define SYS_set_thread_area 243
#define SYS_exit_group 252
#define SYS_set_tid_address 258
#define ENOENT 2
#define EBADF 9
#define EFAULT 14
#define EINVAL 22
#define ENOTTY 25
#define ENOSYS 38
#define USER_STACK_PAGES 16

enum state { UNUSED, RUNNABLE, ZOMBIE };

struct task {
	enum state state;
	u32 pid;
	u32 pgdir;	 /* physical */
	u32 kstack;	 /* physical frame of the kernel stack */
	u32 esp;	 /* saved kernel esp while switched out */
	u32 exit_code;
	u32 slice;
	u32 brk_start, brk; /* the heap: [brk_start, brk) mapped */
	u32 tls[6];	    /* the three TLS descriptors (GDT entries 6-8) */
};

static struct task tasks[MAX_TASKS];
static struct task idle_task; /* the boot thread: runs when nothing else can */
static struct task *current = &idle_task;
static u32 next_pid = 1;
u32 context_switches, syscalls;

extern u32 boot_pgdir[1024];
extern char user_program[], user_program_end[];
extern char ret_from_trap[];
void switch_to(u32 *save_esp, u32 next_esp);

/*G:400 lguest's lazy mode: during a context switch the Guest queues its
 * hypercalls in the async ring in lguest_data instead of trapping for each,
 * and one FLUSH_ASYNC at the end delivers them all. The Host runs queued
 * calls in ring order before the synchronous one, so the new kernel stack and
 * the new page tables are in place before the Guest goes on. :*/
static u32 ring_next;
static void async_hcall(u32 call, u32 a1, u32 a2, u32 a3)
{
	struct hcall_args *h = &lguest_data.hcalls[ring_next];
	if (lguest_data.hcall_status[ring_next] != 0xff) {
		hcall(call, a1, a2, a3, 0); /* full: a direct call drains it */
		return;
	}
	h->arg0 = call;
	h->arg1 = a1;
	h->arg2 = a2;
	h->arg3 = a3;
	h->arg4 = 0;
	__asm__ volatile("" ::: "memory");
	lguest_data.hcall_status[ring_next] = 0;
	ring_next = (ring_next + 1) % LHCALL_RING_SIZE;
}

static void map_user(struct task *t, u32 vaddr, u32 frame)
{
	u32 *pgdir = va(t->pgdir);
	u32 pde = pgdir[vaddr >> 22];
	if (!(pde & 1)) {
		pde = alloc_frame() | PDE_USER;
		pgdir[vaddr >> 22] = pde;
		hcall(LHCALL_SET_PGD, t->pgdir, vaddr >> 22, 0, 0);
	}
	u32 *pt = va(pde & ~0xfffu);
	pt[(vaddr >> 12) & 0x3ff] = frame | PTE_USER_RW;
	hcall(LHCALL_SET_PTE, t->pgdir, vaddr, frame | PTE_USER_RW, 0);
}

static u32 *user_pte(struct task *t, u32 vaddr)
{
	u32 pde = ((u32 *)va(t->pgdir))[vaddr >> 22];
	if (!(pde & 1))
		return NULL;
	return (u32 *)va(pde & ~0xfffu) + ((vaddr >> 12) & 0x3ff);
}

/* A fresh task: an address space sharing the kernel half, and a kernel stack whose first
 * switch_to "returns" through ret_from_trap into ring 3 at `eip` with `esp`. */
static struct task *new_task(void)
{
	struct task *t = 0;
	for (int i = 0; i < MAX_TASKS; i++)
		if (tasks[i].state == UNUSED) {
			t = &tasks[i];
			break;
		}
	if (t == 0)
		panic("out of task slots");
	memset(t, 0, sizeof(*t));
	t->pid = next_pid++;
	t->pgdir = alloc_frame();
	u32 *pgdir = va(t->pgdir);
	for (u32 i = PAGE_OFFSET >> 22; i < 1023; i++)
		pgdir[i] = boot_pgdir[i];
	t->kstack = alloc_frame();
	return t;
}

static void start_task(struct task *t, u32 eip, u32 esp)
{
	u32 *sp = (u32 *)((u8 *)va(t->kstack) + PAGE_SIZE);
	*--sp = USER_DS;	 /* ss */
	*--sp = esp;		 /* esp */
	*--sp = 0x202;		 /* eflags: IF */
	*--sp = USER_CS;	 /* cs */
	*--sp = eip;		 /* eip */
	*--sp = 0;		 /* errcode */
	*--sp = 0;		 /* vector */
	*--sp = USER_DS;	 /* ds */
	*--sp = USER_DS;	 /* es */
	*--sp = 0;		 /* fs */
	*--sp = 0;		 /* gs */
	for (int i = 0; i < 8; i++)
		*--sp = 0; /* pushal block */
	*--sp = (u32)ret_from_trap;
	for (int i = 0; i < 4; i++)
		*--sp = 0; /* ebp, ebx, esi, edi */
	t->esp = (u32)sp;
	t->slice = TIMESLICE;
	t->state = RUNNABLE;
}

/* A new process running the embedded user program. */
static struct task *spawn(void)
{
	struct task *t = new_task();
	u32 code = alloc_frame();
	memcpy(va(code), user_program, (size_t)(user_program_end - user_program));
	map_user(t, USER_BASE, code);
	map_user(t, USER_STACK_TOP - PAGE_SIZE, alloc_frame());
	start_task(t, USER_BASE, USER_STACK_TOP);
	return t;
}

/* Copy `n` bytes to user address `dst` of task `t` (pages must be mapped). */
static void copy_to_task(struct task *t, u32 dst, const void *src, u32 n)
{
	const u8 *s = src;
	while (n > 0) {
		u32 *pte = user_pte(t, dst);
		if (pte == NULL || !(*pte & 1))
			panic("copy_to_task: unmapped user page");
		u32 off = dst & 0xfff, k = PAGE_SIZE - off < n ? PAGE_SIZE - off : n;
		memcpy((u8 *)va(*pte & ~0xfffu) + off, s, k);
		dst += k;
		s += k;
		n -= k;
	}
}

static void map_range(struct task *t, u32 start, u32 end)
{
	for (u32 a = start & ~0xfffu; a < end; a += PAGE_SIZE) {
		u32 *pte = user_pte(t, a);
		if (pte == NULL || !(*pte & 1))
			map_user(t, a, alloc_frame());
	}
}

#define PT_LOAD 1
#define AT_NULL 0
#define AT_PHDR 3
#define AT_PHENT 4
#define AT_PHNUM 5
#define AT_PAGESZ 6
#define AT_ENTRY 9
#define AT_UID 11
#define AT_EUID 12
#define AT_GID 13
#define AT_EGID 14
#define AT_CLKTCK 17
#define AT_RANDOM 25

/*G:700 Starting a real program is the ELF loader's job: every PT_LOAD segment
 * becomes fresh zeroed pages at its address with the file's bytes copied in,
 * the heap starts after the highest one, and the stack gets what the i386
 * System V ABI promises a program at its entry point: argc, the argv and
 * environment pointers, and the auxiliary vector telling the C library where
 * its program headers are, the page size, and sixteen random bytes (from a
 * fixed seed here, so runs repeat). :*/
struct task *spawn_program(const struct file *f, u32 argc, const char *const *argv)
{
	const u8 *img = f->data;
	if (f->size < 52 || img[0] != 0x7f || img[1] != 'E' || img[2] != 'L' || img[3] != 'F' || img[4] != 1 ||
	    *(const u16 *)(img + 18) != 3)
		return NULL;
	u32 entry = *(const u32 *)(img + 24), phoff = *(const u32 *)(img + 28);
	u32 phnum = *(const u16 *)(img + 44), phentsize = *(const u16 *)(img + 42);
	if (phoff + phnum * phentsize > f->size)
		return NULL;
	struct task *t = new_task();
	u32 top = 0, phdr = 0;
	for (u32 i = 0; i < phnum; i++) {
		const u32 *ph = (const u32 *)(img + phoff + i * phentsize);
		u32 type = ph[0], off = ph[1], vaddr = ph[2], filesz = ph[4], memsz = ph[5];
		if (type != PT_LOAD || memsz == 0)
			continue;
		if (vaddr >= PAGE_OFFSET || memsz > PAGE_OFFSET - vaddr || off + filesz > f->size)
			panic("exec: a segment outside user space or the file");
		map_range(t, vaddr, vaddr + memsz);
		copy_to_task(t, vaddr, img + off, filesz);
		if (phoff >= off && phoff < off + filesz)
			phdr = vaddr + (phoff - off);
		if (vaddr + memsz > top)
			top = vaddr + memsz;
	}
	t->brk_start = t->brk = (top + 0xfff) & ~0xfffu;

	u32 sp = USER_STACK_TOP;
	map_range(t, USER_STACK_TOP - USER_STACK_PAGES * PAGE_SIZE, USER_STACK_TOP);
	u32 ptrs[32];
	if (argc > 16)
		argc = 16;
	for (u32 i = 0; i < argc; i++) {
		u32 len = strlen(argv[i]) + 1;
		sp -= len;
		copy_to_task(t, sp, argv[i], len);
		ptrs[i] = sp;
	}
	static const char env0[] = "PATH=/bin:/usr/bin", env1[] = "HOME=/", env2[] = "TERM=vt100";
	const char *envs[] = { env0, env1, env2 };
	u32 envp[3];
	for (u32 i = 0; i < 3; i++) {
		u32 len = strlen(envs[i]) + 1;
		sp -= len;
		copy_to_task(t, sp, envs[i], len);
		envp[i] = sp;
	}
	static u32 seed = 0x2545f491;
	u32 rnd[4];
	for (int i = 0; i < 4; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 17;
		seed ^= seed << 5;
		rnd[i] = seed;
	}
	sp -= 16;
	copy_to_task(t, sp, rnd, 16);
	u32 random = sp;
	sp &= ~15u;
	u32 aux[] = { AT_PHDR, phdr, AT_PHENT, phentsize, AT_PHNUM, phnum, AT_PAGESZ, PAGE_SIZE, AT_ENTRY, entry,
		      AT_UID, 0, AT_EUID, 0, AT_GID, 0, AT_EGID, 0, AT_CLKTCK, 100, AT_RANDOM, random, AT_NULL, 0 };
	u32 words = 1 + argc + 1 + 3 + 1 + sizeof(aux) / 4;
	sp -= words * 4;
	sp &= ~15u;
	u32 at = sp;
	copy_to_task(t, at, &argc, 4);
	at += 4;
	copy_to_task(t, at, ptrs, argc * 4);
	at += argc * 4;
	u32 zero = 0;
	copy_to_task(t, at, &zero, 4);
	at += 4;
	copy_to_task(t, at, envp, 12);
	at += 12;
	copy_to_task(t, at, &zero, 4);
	at += 4;
	copy_to_task(t, at, aux, sizeof(aux));
	start_task(t, entry, sp);
	return t;
}

static void release(struct task *t)
{
	u32 *pgdir = va(t->pgdir);
	for (u32 i = 0; i < PAGE_OFFSET >> 22; i++) {
		if (!(pgdir[i] & 1))
			continue;
		u32 *pt = va(pgdir[i] & ~0xfffu);
		for (u32 k = 0; k < 1024; k++)
			if (pt[k] & 1) {
				free_frame(pt[k] & ~0xfffu);
				pt[k] = 0;
				hcall(LHCALL_SET_PTE, t->pgdir, (i << 22) | (k << 12), 0, 0);
			}
		free_frame(pgdir[i] & ~0xfffu);
		pgdir[i] = 0;
		hcall(LHCALL_SET_PGD, t->pgdir, i, 0, 0);
	}
	free_frame(t->pgdir);
	free_frame(t->kstack);
	t->state = UNUSED;
}

/* Pick the next runnable task after `current` (round robin); the idle task if none. */
void schedule(void)
{
	int start = current == &idle_task ? MAX_TASKS - 1 : (int)(current - tasks);
	struct task *next = &idle_task;
	for (int k = 1; k <= MAX_TASKS; k++) {
		struct task *t = &tasks[(start + k) % MAX_TASKS];
		if (t->state == RUNNABLE) {
			next = t;
			break;
		}
	}
	if (next == current)
		return;
	struct task *prev = current;
	current = next;
	next->slice = TIMESLICE;
	context_switches++;
	/* Lazy mode: queue the new kernel stack and address space, then flush once. */
	if (next != &idle_task) {
		async_hcall(LHCALL_SET_STACK, KERNEL_DS, next->kstack + PAGE_OFFSET + PAGE_SIZE, 1);
		async_hcall(LHCALL_NEW_PGTABLE, next->pgdir, 0, 0);
		async_hcall(LHCALL_LOAD_TLS, pa(next->tls), 0, 0);
	} else {
		async_hcall(LHCALL_SET_STACK, KERNEL_DS, (u32)boot_stack_top, 2);
		async_hcall(LHCALL_NEW_PGTABLE, pa(boot_pgdir), 0, 0);
	}
	hcall(LHCALL_FLUSH_ASYNC, 0, 0, 0, 0);
	switch_to(&prev->esp, next->esp);
}

void timer_tick(void)
{
	if (current != &idle_task && --current->slice == 0)
		schedule();
}

static bool user_range_ok(u32 addr, u32 len)
{
	return addr < PAGE_OFFSET && len <= PAGE_OFFSET - addr;
}

static u32 sys_write(u32 fd, u32 buf, u32 len)
{
	if (fd != 1 && fd != 2)
		return (u32)-EBADF;
	if (!user_range_ok(buf, len))
		return (u32)-EFAULT;
	console_write((const char *)buf, len);
	return len;
}

static u32 sys_brk(u32 addr)
{
	struct task *t = current;
	if (addr < t->brk_start || addr >= USER_STACK_TOP - USER_STACK_PAGES * PAGE_SIZE - (1u << 20))
		return t->brk;
	if (addr > t->brk)
		map_range(t, t->brk, addr);
	t->brk = (addr + 0xfff) & ~0xfffu;
	return addr;
}

/* struct user_desc: entry_number, base_addr, limit, then flag bits. */
static u32 sys_set_thread_area(u32 uinfo)
{
	if (!user_range_ok(uinfo, 16))
		return (u32)-EFAULT;
	u32 *u = (u32 *)uinfo;
	u32 entry = u[0];
	if (entry == 0xffffffffu)
		entry = u[0] = 6;
	if (entry < 6 || entry > 8)
		return (u32)-EINVAL;
	u32 base = u[1], limit = u[2], flags = u[3];
	u32 seg32 = flags & 1, pages = (flags >> 4) & 1, present = !((flags >> 5) & 1);
	u32 lo = (base << 16) | (limit & 0xffff);
	u32 hi = (base & 0xff000000) | ((base >> 16) & 0xff) | (limit & 0xf0000) | (pages << 23) | (seg32 << 22) |
		 (present << 15) | (3 << 13) | (1 << 12) | (2 << 8);
	current->tls[(entry - 6) * 2] = lo;
	current->tls[(entry - 6) * 2 + 1] = hi;
	hcall(LHCALL_LOAD_TLS, pa(current->tls), 0, 0, 0);
	return 0;
}

static void put_field(char *dst, const char *s)
{
	u32 n = strlen(s);
	memcpy(dst, s, n + 1);
}

u32 do_syscall(u32 nr, u32 a1, u32 a2, u32 a3)
{
	syscalls++;
	switch (nr) {
	case SYS_getpid:
	case SYS_set_tid_address:
		return current->pid;
	case SYS_write:
		return sys_write(a1, a2, a3);
	case SYS_writev: {
		if (!user_range_ok(a2, a3 * 8))
			return (u32)-EFAULT;
		u32 total = 0;
		for (u32 i = 0; i < a3; i++) {
			const u32 *iov = (const u32 *)a2 + 2 * i;
			u32 r = sys_write(a1, iov[0], iov[1]);
			if ((s32)r < 0)
				return r;
			total += r;
		}
		return total;
	}
	case SYS_brk:
		return sys_brk(a1);
	case SYS_set_thread_area:
		return sys_set_thread_area(a1);
	case SYS_uname: {
		if (!user_range_ok(a1, 6 * 65))
			return (u32)-EFAULT;
		char *u = (char *)a1;
		memset(u, 0, 6 * 65);
		put_field(u, "Linux");
		put_field(u + 65, "littleguest");
		put_field(u + 130, "4.14.0-littleguest");
		put_field(u + 195, "#1");
		put_field(u + 260, "i686");
		put_field(u + 325, "(none)");
		return 0;
	}
	case SYS_ioctl:
		return (u32)-ENOTTY;
	case SYS_mprotect: /* every user page is read-write already; protections are not enforced yet */
		return 0;
	case SYS_rt_sigaction:
	case SYS_rt_sigprocmask:
	case SYS_getuid32:
	case SYS_getgid32:
	case SYS_geteuid32:
	case SYS_getegid32:
		return 0;
	case SYS_access:
	case SYS_readlink:
		return (u32)-ENOENT;
	case SYS_sched_yield:
		schedule();
		return 0;
	case SYS_exit:
	case SYS_exit_group:
		current->exit_code = a1 & 0xff;
		current->state = ZOMBIE;
		schedule();
		panic("a dead task ran again");
	default:
		if (kernel_debug)
			printk("[kernel] pid %u: system call %u not implemented (ENOSYS)\n", current->pid, nr);
		return (u32)-ENOSYS;
	}
}

/* Run one program to its exit; returns its exit status (or 127 when it cannot start). */
u32 run_program(const struct file *f, u32 argc, const char *const *argv)
{
	if (spawn_program(f, argc, argv) == NULL)
		return 127;
	for (;;) {
		schedule();
		for (int i = 0; i < MAX_TASKS; i++)
			if (tasks[i].state == ZOMBIE) {
				u32 code = tasks[i].exit_code;
				release(&tasks[i]);
				return code;
			}
		safe_halt();
	}
}

/* Run `n` processes to completion from the boot thread; returns the sum of their exit codes. */
u32 run_processes(u32 n)
{
	for (u32 i = 0; i < n; i++)
		spawn();
	u32 sum = 0, done = 0;
	while (done < n) {
		schedule(); /* let them run; we come back when none is runnable */
		for (int i = 0; i < MAX_TASKS; i++)
			if (tasks[i].state == ZOMBIE) {
				sum += tasks[i].exit_code;
				release(&tasks[i]);
				done++;
			}
		if (done < n)
			safe_halt();
	}
	return sum;
}
