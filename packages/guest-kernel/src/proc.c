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
#define SYS_sched_yield 158
#define ENOSYS 38

enum state { UNUSED, RUNNABLE, ZOMBIE };

struct task {
	enum state state;
	u32 pid;
	u32 pgdir;	 /* physical */
	u32 kstack;	 /* physical frame of the kernel stack */
	u32 esp;	 /* saved kernel esp while switched out */
	u32 exit_code;
	u32 slice;
	u32 user_pages[2];
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

/* A new process running the embedded user program, ready to "return" to ring 3. */
static struct task *spawn(void)
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
	t->user_pages[0] = alloc_frame();
	memcpy(va(t->user_pages[0]), user_program, (size_t)(user_program_end - user_program));
	map_user(t, USER_BASE, t->user_pages[0]);
	t->user_pages[1] = alloc_frame();
	map_user(t, USER_STACK_TOP - PAGE_SIZE, t->user_pages[1]);

	/* The kernel stack: an iret frame to ring 3, the registers trap_common pops, and
	 * what switch_to pops, returning into ret_from_trap. */
	t->kstack = alloc_frame();
	u32 *sp = (u32 *)((u8 *)va(t->kstack) + PAGE_SIZE);
	*--sp = USER_DS;	 /* ss */
	*--sp = USER_STACK_TOP;	 /* esp */
	*--sp = 0x202;		 /* eflags: IF */
	*--sp = USER_CS;	 /* cs */
	*--sp = USER_BASE;	 /* eip */
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
	return t;
}

static void release(struct task *t)
{
	u32 *pgdir = va(t->pgdir);
	u32 addrs[2] = { USER_BASE, USER_STACK_TOP - PAGE_SIZE };
	for (int i = 0; i < 2; i++) {
		u32 *pt = va(pgdir[addrs[i] >> 22] & ~0xfffu);
		pt[(addrs[i] >> 12) & 0x3ff] = 0;
		hcall(LHCALL_SET_PTE, t->pgdir, addrs[i], 0, 0);
		free_frame(t->user_pages[i]);
	}
	for (u32 i = 0; i < PAGE_OFFSET >> 22; i++)
		if (pgdir[i] & 1) {
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

u32 do_syscall(u32 nr, u32 a1, u32 a2, u32 a3)
{
	syscalls++;
	switch (nr) {
	case SYS_getpid:
		return current->pid;
	case SYS_write:
		if (a1 != 1 && a1 != 2)
			return (u32)-9; /* EBADF */
		if (a2 >= PAGE_OFFSET || a3 > PAGE_OFFSET - a2)
			return (u32)-14; /* EFAULT */
		console_write((const char *)a2, a3);
		return a3;
	case SYS_sched_yield:
		schedule();
		return 0;
	case SYS_exit:
		current->exit_code = a1;
		current->state = ZOMBIE;
		schedule();
		panic("a dead task ran again");
	default:
		return (u32)-ENOSYS;
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
