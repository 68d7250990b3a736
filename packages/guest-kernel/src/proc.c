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
#include "task.h"

#define USER_BASE 0x08048000u
#define PTE_USER_RW 0x067 /* present, writable, user, accessed, dirty */
#define PDE_USER 0x027	  /* present, writable, user, accessed */
#define PTE_RW 0x002
#define PTE_COW 0x200 /* an "available" bit: read-only because shared by fork */

static struct task tasks[MAX_TASKS];
static struct task idle_task; /* the boot thread: runs when nothing else can */
struct task *current = &idle_task;
static u32 next_pid = 1;
u32 context_switches, syscalls, cow_copies, demand_zero_pages;

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

static void map_user_pte(struct task *t, u32 vaddr, u32 pte);

static void map_user(struct task *t, u32 vaddr, u32 frame)
{
	map_user_pte(t, vaddr, frame | PTE_USER_RW);
}

static void map_user_pte(struct task *t, u32 vaddr, u32 value)
{
	u32 *pgdir = va(t->pgdir);
	u32 pde = pgdir[vaddr >> 22];
	if (!(pde & 1)) {
		pde = alloc_frame() | PDE_USER;
		pgdir[vaddr >> 22] = pde;
		hcall(LHCALL_SET_PGD, t->pgdir, vaddr >> 22, 0, 0);
	}
	u32 *pt = va(pde & ~0xfffu);
	pt[(vaddr >> 12) & 0x3ff] = value;
	hcall(LHCALL_SET_PTE, t->pgdir, vaddr, value, 0);
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
	files_init_console(t);
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
static bool load_image(struct task *t, const struct file *f, u32 argc, const char *const *argv, u32 envc,
		       const char *const *envv, u32 *entry_out, u32 *sp_out)
{
	const u8 *img = f->data;
	if (img == NULL) /* a file written at run time: not contiguous, not executable (yet) */
		return false;
	if (f->size < 52 || img[0] != 0x7f || img[1] != 'E' || img[2] != 'L' || img[3] != 'F' || img[4] != 1 ||
	    *(const u16 *)(img + 18) != 3)
		return false;
	u32 entry = *(const u32 *)(img + 24), phoff = *(const u32 *)(img + 28);
	u32 phnum = *(const u16 *)(img + 44), phentsize = *(const u16 *)(img + 42);
	if (phoff + phnum * phentsize > f->size || phentsize < 32)
		return false;
	u32 top = 0, phdr = 0;
	for (u32 i = 0; i < phnum; i++) {
		const u32 *ph = (const u32 *)(img + phoff + i * phentsize);
		u32 type = ph[0], off = ph[1], vaddr = ph[2], filesz = ph[4], memsz = ph[5];
		if (type != PT_LOAD || memsz == 0)
			continue;
		if (vaddr >= PAGE_OFFSET || memsz > PAGE_OFFSET - vaddr || off + filesz > f->size || filesz > memsz)
			return false;
		map_range(t, vaddr, vaddr + memsz);
		copy_to_task(t, vaddr, img + off, filesz);
		if (phoff >= off && phoff < off + filesz)
			phdr = vaddr + (phoff - off);
		if (vaddr + memsz > top)
			top = vaddr + memsz;
	}
	t->brk_start = t->brk = (top + 0xfff) & ~0xfffu;
	t->mmap_top = t->mmap_base = USER_STACK_TOP - USER_STACK_PAGES * PAGE_SIZE - (1u << 20);

	u32 sp = USER_STACK_TOP;
	map_range(t, USER_STACK_TOP - USER_STACK_PAGES * PAGE_SIZE, USER_STACK_TOP);
	u32 ptrs[64];
	u32 n = argc + envc;
	if (n > 62)
		return false;
	for (u32 i = 0; i < n; i++) {
		const char *str = i < argc ? argv[i] : envv[i - argc];
		u32 len = strlen(str) + 1;
		sp -= len;
		copy_to_task(t, sp, str, len);
		ptrs[i] = sp;
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
	u32 aux[] = { AT_PHDR, phdr, AT_PHENT, phentsize, AT_PHNUM, phnum, AT_PAGESZ, PAGE_SIZE, AT_ENTRY, entry,
		      AT_UID, 0, AT_EUID, 0, AT_GID, 0, AT_EGID, 0, AT_CLKTCK, 100, AT_RANDOM, random, AT_NULL, 0 };
	u32 words = 1 + argc + 1 + envc + 1 + sizeof(aux) / 4;
	sp = (sp - words * 4) & ~15u;
	u32 at = sp, zero = 0;
	copy_to_task(t, at, &argc, 4);
	at += 4;
	copy_to_task(t, at, ptrs, argc * 4);
	at += argc * 4;
	copy_to_task(t, at, &zero, 4);
	at += 4;
	copy_to_task(t, at, ptrs + argc, envc * 4);
	at += envc * 4;
	copy_to_task(t, at, &zero, 4);
	at += 4;
	copy_to_task(t, at, aux, sizeof(aux));
	t->exe = f;
	*entry_out = entry;
	*sp_out = sp;
	return true;
}

static const char *const default_env[] = { "PATH=/bin:/usr/bin", "HOME=/", "TERM=vt100" };

struct task *spawn_program(const struct file *f, u32 argc, const char *const *argv)
{
	struct task *t = new_task();
	u32 entry, sp;
	if (!load_image(t, f, argc, argv, 3, default_env, &entry, &sp)) {
		t->state = ZOMBIE;
		return NULL;
	}
	t->cwd[0] = '/';
	files_init_console(t);
	start_task(t, entry, sp);
	return t;
}

/* Free the user half of an address space, telling the Host about every entry. */
static void release_user(u32 pgdir_pa)
{
	u32 *pgdir = va(pgdir_pa);
	for (u32 i = 0; i < PAGE_OFFSET >> 22; i++) {
		if (!(pgdir[i] & 1))
			continue;
		u32 *pt = va(pgdir[i] & ~0xfffu);
		for (u32 k = 0; k < 1024; k++)
			if (pt[k] & 1) {
				free_frame(pt[k] & ~0xfffu);
				pt[k] = 0;
				hcall(LHCALL_SET_PTE, pgdir_pa, (i << 22) | (k << 12), 0, 0);
			}
		free_frame(pgdir[i] & ~0xfffu);
		pgdir[i] = 0;
		hcall(LHCALL_SET_PGD, pgdir_pa, i, 0, 0);
	}
}

static void release(struct task *t)
{
	release_user(t->pgdir);
	free_frame(t->pgdir);
	free_frame(t->kstack);
	t->state = UNUSED;
}

/* The Host cannot replace a TLS descriptor a segment register holds (its Switcher would
 * reload a stale one on the next entry), so the kernel drops %fs and %gs before LOAD_TLS; the
 * user's own values come back from its trap frame. */
static inline void clear_tls_segments(void)
{
	__asm__ volatile("movl %0, %%fs\n\tmovl %0, %%gs" : : "r"(0));
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
	if (next != &idle_task)
		timer_resume(); /* a task will run: it needs its time slices */
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
	clear_tls_segments();
	hcall(LHCALL_FLUSH_ASYNC, 0, 0, 0, 0);
	switch_to(&prev->esp, next->esp);
}

void timer_tick(void)
{
	if (current != &idle_task && --current->slice == 0)
		schedule();
}

void sleep_on(const void *chan)
{
	current->wait_chan = chan;
	current->state = BLOCKED;
	schedule();
}

void wake_up(const void *chan)
{
	bool woke = false;
	for (int i = 0; i < MAX_TASKS; i++)
		if (tasks[i].state == BLOCKED && tasks[i].wait_chan == chan) {
			tasks[i].state = RUNNABLE;
			tasks[i].wait_chan = NULL;
			woke = true;
		}
	if (woke)
		timer_resume();
}

/* Whether the tick is needed: a task can run, or one sleeps until a tick. */
bool any_runnable(void)
{
	for (int i = 0; i < MAX_TASKS; i++)
		if (tasks[i].state == RUNNABLE || (tasks[i].state == BLOCKED && tasks[i].wake_tick != 0))
			return true;
	return false;
}

static int sleep_chan; /* nanosleep's wait channel */

/* Called on every tick: wake the tasks whose nanosleep has run out. */
void wake_sleepers(void)
{
	for (int i = 0; i < MAX_TASKS; i++) {
		struct task *t = &tasks[i];
		if (t->state == BLOCKED && t->wake_tick != 0 && (s32)(ticks - t->wake_tick) >= 0) {
			t->wake_tick = 0;
			t->state = RUNNABLE;
			t->wait_chan = NULL;
		}
	}
}

/*G:930 Sleeping is counted in timer ticks (10 ms of the Guest's virtual time):
 * the task blocks until its tick comes, and the timer keeps running while
 * anyone sleeps. Because time is virtual, `sleep 1` takes a second of Guest
 * time but no more real time than the instructions between. :*/
u32 sys_nanosleep(u32 req, u32 rem)
{
	if (!user_range_ok(req, 8))
		return (u32)-EFAULT;
	u32 sec = ((const u32 *)req)[0], nsec = ((const u32 *)req)[1];
	if (nsec >= 1000000000u)
		return (u32)-EINVAL;
	u32 n = sec * 100 + (nsec + 9999999u) / 10000000u; /* ticks, rounded up */
	if (n == 0)
		return 0;
	current->wake_tick = ticks + n;
	timer_resume();
	while (current->wake_tick != 0) {
		if (signal_pending()) {
			u32 left = current->wake_tick - ticks;
			current->wake_tick = 0;
			if (rem != 0 && user_range_ok(rem, 8)) {
				((u32 *)rem)[0] = left / 100;
				((u32 *)rem)[1] = (left % 100) * 10000000u;
			}
			return (u32)-EINTR;
		}
		sleep_on(&sleep_chan);
	}
	return 0;
}

struct task *task_by_pid(u32 pid)
{
	if (pid == 0)
		return &idle_task;
	for (int i = 0; i < MAX_TASKS; i++)
		if (tasks[i].state != UNUSED && tasks[i].pid == pid)
			return &tasks[i];
	return NULL;
}

void sys_exit(u32 code)
{
	exit_with_status((code & 0xff) << 8);
}

/* End the current task with wait4's encoding of how it ended (exit code << 8, or a signal). */
void exit_with_status(u32 status)
{
	files_close_all(current);
	current->exit_status = status;
	current->state = ZOMBIE;
	for (int i = 0; i < MAX_TASKS; i++)
		if (tasks[i].state != UNUSED && tasks[i].ppid == current->pid)
			tasks[i].ppid = 0; /* orphans go to the kernel, which reaps them */
	struct task *parent = task_by_pid(current->ppid);
	if (parent != NULL) {
		wake_up(parent);
		if (parent != &idle_task)
			send_signal(parent, 17); /* SIGCHLD */
	}
	schedule();
	panic("a dead task ran again");
}

#define WNOHANG 1

u32 sys_wait4(s32 pid, u32 status_ptr, u32 options)
{
	if (status_ptr != 0 && !user_range_ok(status_ptr, 4))
		return (u32)-EFAULT;
	for (;;) {
		bool any = false;
		for (int i = 0; i < MAX_TASKS; i++) {
			struct task *t = &tasks[i];
			if (t->state == UNUSED || t->ppid != current->pid || (pid > 0 && t->pid != (u32)pid))
				continue;
			any = true;
			if (t->state == ZOMBIE) {
				u32 got = t->pid;
				if (status_ptr != 0)
					*(u32 *)status_ptr = t->exit_status;
				release(t);
				return got;
			}
		}
		if (!any)
			return (u32)-ECHILD;
		if (options & WNOHANG)
			return 0;
		if (signal_pending())
			return (u32)-EINTR;
		sleep_on(current);
	}
}

/*G:710 fork shares every user page between parent and child, read-only in
 * both and marked copy-on-write; the first write to one faults, and only then
 * is that page copied (or, if the other side has let go of it, simply made
 * writable again). Each change goes to the Host with SET_PTE, which keeps its
 * shadow of both address spaces honest. The child's kernel stack starts with
 * a copy of the parent's trap frame, with eax = 0, so that when the scheduler
 * first switches to it, it "returns" from the same system call as its parent. :*/
u32 sys_fork(struct trap_frame *f)
{
	struct task *child = new_task();
	child->ppid = current->pid;
	u32 *ppgd = va(current->pgdir);
	for (u32 i = 0; i < PAGE_OFFSET >> 22; i++) {
		if (!(ppgd[i] & 1))
			continue;
		u32 *pt = va(ppgd[i] & ~0xfffu);
		for (u32 k = 0; k < 1024; k++)
			if (pt[k] & 1) {
				u32 vaddr = (i << 22) | (k << 12);
				if (pt[k] & PTE_RW) { /* both copies read-only until one writes */
					pt[k] = (pt[k] & ~PTE_RW) | PTE_COW;
					hcall(LHCALL_SET_PTE, current->pgdir, vaddr, pt[k], 0);
				}
				share_frame(pt[k] & ~0xfffu);
				map_user_pte(child, vaddr, pt[k]);
			}
	}
	child->brk_start = current->brk_start;
	child->brk = current->brk;
	child->mmap_top = current->mmap_top;
	child->mmap_base = current->mmap_base;
	memcpy(child->tls, current->tls, sizeof(child->tls));
	memcpy(child->sig, current->sig, sizeof(child->sig));
	child->blocked = current->blocked;
	child->exe = current->exe;
	memcpy(child->cwd, current->cwd, sizeof(child->cwd));
	files_fork(child, current);
	u32 *sp = (u32 *)((u8 *)va(child->kstack) + PAGE_SIZE);
	sp -= sizeof(struct trap_frame) / 4;
	memcpy(sp, f, sizeof(struct trap_frame));
	((struct trap_frame *)sp)->eax = 0;
	*--sp = (u32)ret_from_trap;
	for (int i = 0; i < 4; i++)
		*--sp = 0;
	child->esp = (u32)sp;
	child->slice = TIMESLICE;
	child->state = RUNNABLE;
	return child->pid;
}

/* Copy a NUL-terminated user string into `out` (at most `max` bytes). */
static bool get_user_string(u32 addr, char *out, u32 max)
{
	for (u32 i = 0; i < max; i++) {
		if (!user_range_ok(addr + i, 1))
			return false;
		out[i] = *(const char *)(addr + i);
		if (out[i] == 0)
			return true;
	}
	return false;
}

u32 sys_execve(struct trap_frame *f, const char *path, const u32 *argv, const u32 *envp)
{
	static char strings[8192];
	static const char *args[64];
	u32 used = 0, argc = 0, envc = 0;
	const u32 *lists[2] = { argv, envp };
	for (int l = 0; l < 2; l++) {
		const u32 *list = lists[l];
		for (u32 i = 0; list != NULL; i++) {
			if (!user_range_ok((u32)(list + i), 4))
				return (u32)-EFAULT;
			u32 p = list[i];
			if (p == 0)
				break;
			if (argc + envc >= 60 || !get_user_string(p, strings + used, sizeof(strings) - used))
				return (u32)-EFAULT;
			args[argc + envc] = strings + used;
			used += strlen(strings + used) + 1;
			if (l == 0)
				argc++;
			else
				envc++;
		}
	}
	const struct file *file = resolve_exe(path);
	if (file == NULL)
		return (u32)-ENOENT;
	u32 old = current->pgdir;
	u32 fresh = alloc_frame();
	u32 *pgdir = va(fresh);
	for (u32 i = PAGE_OFFSET >> 22; i < 1023; i++)
		pgdir[i] = boot_pgdir[i];
	current->pgdir = fresh;
	u32 entry, sp;
	if (!load_image(current, file, argc, args, envc, args + argc, &entry, &sp)) {
		release_user(fresh);
		free_frame(fresh);
		current->pgdir = old;
		return (u32)-ENOEXEC;
	}
	hcall(LHCALL_NEW_PGTABLE, fresh, 0, 0, 0);
	release_user(old);
	free_frame(old);
	memset(current->tls, 0, sizeof(current->tls));
	for (int i = 0; i < 32; i++)
		if (current->sig[i].handler != 1)
			current->sig[i].handler = 0; /* caught signals revert to their default */
	clear_tls_segments();
	hcall(LHCALL_LOAD_TLS, pa(current->tls), 0, 0, 0);
	memset(f, 0, sizeof(*f));
	f->eip = entry;
	f->esp = sp;
	f->cs = USER_CS;
	f->ss = f->ds = f->es = USER_DS;
	f->eflags = 0x202;
	return 0;
}

u32 sys_brk(u32 addr)
{
	struct task *t = current;
	if (addr < t->brk_start || addr >= t->mmap_top - (1u << 20))
		return t->brk;
	/* Demand-zero: the new heap pages are mapped by the first fault on each. */
	t->brk = (addr + 0xfff) & ~0xfffu;
	return addr;
}

#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20

u32 sys_mmap(u32 addr, u32 len, u32 prot, u32 flags, u32 fd, u32 pgoff)
{
	(void)prot;
	(void)fd;
	(void)pgoff;
	if (len == 0 || !(flags & MAP_ANONYMOUS))
		return (u32)-ENOSYS;
	len = (len + 0xfff) & ~0xfffu;
	u32 start;
	if (flags & MAP_FIXED) {
		if ((addr & 0xfff) || !user_range_ok(addr, len))
			return (u32)-EINVAL;
		start = addr;
		sys_munmap(start, len);
	} else {
		if (len > current->mmap_top - current->brk - (1u << 20))
			return (u32)-ENOMEM;
		current->mmap_top -= len;
		start = current->mmap_top;
	}
	return start; /* demand-zero: pages arrive with the first fault on each */
}

u32 sys_munmap(u32 addr, u32 len)
{
	if ((addr & 0xfff) || !user_range_ok(addr, len))
		return (u32)-EINVAL;
	/* Few pages: one SET_PTE each (flush_tlb_single). Many: native writes, then one
	 * FLUSH_TLB(0) drops the Host's shadow of the user half (flush_tlb_user). */
	bool batch = len >= 16 * PAGE_SIZE;
	bool any = false;
	for (u32 a = addr; a < addr + len; a += PAGE_SIZE) {
		u32 *pte = user_pte(current, a);
		if (pte != NULL && (*pte & 1)) {
			free_frame(*pte & ~0xfffu);
			*pte = 0;
			any = true;
			if (!batch)
				hcall(LHCALL_SET_PTE, current->pgdir, a, 0, 0);
		}
	}
	if (batch && any)
		hcall(LHCALL_FLUSH_TLB, 0, 0, 0, 0);
	return 0;
}

/* struct user_desc: entry_number, base_addr, limit, then flag bits. */
u32 sys_set_thread_area(u32 uinfo)
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
	clear_tls_segments();
	hcall(LHCALL_LOAD_TLS, pa(current->tls), 0, 0, 0);
	return 0;
}

/* Run one program to its exit; returns its exit status (or 127 when it cannot start). */
u32 run_program(const struct file *f, u32 argc, const char *const *argv)
{
	struct task *t = spawn_program(f, argc, argv);
	if (t == NULL)
		return 127;
	u32 pid = t->pid;
	for (;;) {
		schedule();
		for (int i = 0; i < MAX_TASKS; i++) {
			struct task *z = &tasks[i];
			if (z->state == ZOMBIE && z->ppid == 0) {
				u32 status = z->exit_status, was = z->pid;
				release(z);
				if (was == pid) /* killed by a signal: 128 + its number, as shells report it */
					return (status & 0x7f) != 0 ? 128 + (status & 0x7f) : status >> 8;
			}
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
				sum += tasks[i].exit_status >> 8;
				release(&tasks[i]);
				done++;
			}
		if (done < n)
			safe_halt();
	}
	return sum;
}

/* A write to a copy-on-write page (from the program, or from the kernel on its behalf):
 * copy it if it is still shared, else just make it writable again. */
bool cow_fault(u32 addr, u32 errcode)
{
	if (!(errcode & 2) || addr >= PAGE_OFFSET || current == &idle_task)
		return false;
	u32 *pte = user_pte(current, addr);
	if (pte == NULL || !(*pte & 1) || !(*pte & PTE_COW))
		return false;
	u32 frame = *pte & ~0xfffu, flags = (*pte & 0xfff & ~PTE_COW) | PTE_RW;
	if (frame_shared(frame)) {
		u32 copy = alloc_frame();
		memcpy(va(copy), va(frame), PAGE_SIZE);
		free_frame(frame); /* one owner fewer */
		frame = copy;
	}
	*pte = frame | flags;
	hcall(LHCALL_SET_PTE, current->pgdir, addr & ~0xfffu, *pte, 0);
	cow_copies++;
	return true;
}

/*G:720 Memory a program asks for (the heap through brk, anonymous mmap) is only
 * promised: nothing is mapped until the program touches a page. The fault is a
 * not-present #PF the Host cannot fix (the Guest's own tables say not present),
 * so it reflects it; the kernel sees the address inside the heap or the mmap
 * area and maps a fresh zeroed frame there. :*/
bool demand_zero_fault(u32 addr, u32 errcode)
{
	if ((errcode & 1) || addr >= PAGE_OFFSET || current == &idle_task)
		return false;
	struct task *t = current;
	bool heap = addr >= t->brk_start && addr < t->brk;
	bool anon = addr >= t->mmap_top && addr < t->mmap_base;
	if (!heap && !anon)
		return false;
	map_user(t, addr & ~0xfffu, alloc_frame());
	demand_zero_pages++;
	return true;
}

/* mprotect: write permission of the pages already present in [addr, addr+len). PROT_WRITE
 * makes them writable (a copy-on-write page stays read-only until its fault); without it
 * they become read-only, so a later write is a SIGSEGV. Reading is always allowed (no
 * PROT_NONE), and pages not yet faulted in take the protection of their area. */
u32 sys_mprotect(u32 addr, u32 len, u32 prot)
{
	if ((addr & 0xfff) || !user_range_ok(addr, len))
		return (u32)-EINVAL;
	for (u32 a = addr; a < addr + len; a += PAGE_SIZE) {
		u32 *pte = user_pte(current, a);
		if (pte == NULL || !(*pte & 1))
			continue;
		u32 v = *pte;
		if (prot & 2)
			v = (v & PTE_COW) ? v : v | PTE_RW;
		else
			v &= ~(u32)(PTE_RW | PTE_COW);
		if (v != *pte) {
			if ((*pte & PTE_COW) && !(prot & 2) && frame_shared(*pte & ~0xfffu))
				v |= PTE_COW; /* still shared: a later PROT_WRITE must copy it first */
			*pte = v;
			hcall(LHCALL_SET_PTE, current->pgdir, a, v, 0);
		}
	}
	return 0;
}
