/* task.h - processes and open files, shared by proc.c, file.c and syscall.c. */
#ifndef TASK_H
#define TASK_H
#include "kernel.h"

#define MAX_TASKS 32
#define MAX_FDS 32
#define USER_STACK_TOP 0xC0000000u
#define USER_STACK_PAGES 32
#define TIMESLICE 2 /* timer ticks */

/* Linux errno values the kernel returns (as -errno). */
#define EPERM 1
#define ENOENT 2
#define ESRCH 3
#define EINTR 4
#define EIO 5
#define ENOEXEC 8
#define ENXIO 6
#define EBADF 9
#define ECHILD 10
#define EAGAIN 11
#define ENOMEM 12
#define EFAULT 14
#define EEXIST 17
#define ENOTDIR 20
#define EISDIR 21
#define EINVAL 22
#define EMFILE 24
#define ENOTTY 25
#define ESPIPE 29
#define EROFS 30
#define EPIPE 32
#define ERANGE 34
#define ENOSYS 38
#define ENOTEMPTY 39
#define EBUSY 16
#define ENOSPC 28
#define ETXTBSY 26

/* The registers trap_common saves, then the CPU's or the Host's frame. */
struct trap_frame {
	u32 edi, esi, ebp, esp_dummy, ebx, edx, ecx, eax;
	u32 gs, fs, es, ds;
	u32 vector, errcode;
	u32 eip, cs, eflags;
	u32 esp, ss; /* only for traps from ring 3 */
};

enum task_state { UNUSED, RUNNABLE, BLOCKED, ZOMBIE };

struct ofile;

struct task {
	enum task_state state;
	u32 pid, ppid;
	u32 pgdir;  /* physical */
	u32 kstack; /* physical frame of the kernel stack */
	u32 esp;    /* saved kernel esp while switched out */
	u32 exit_status; /* wait4's encoding */
	u32 slice;
	u32 brk_start, brk;
	u32 mmap_top;  /* anonymous mappings grow down from here */
	u32 mmap_base; /* where they started: [mmap_top, mmap_base) is demand-zero */
	u32 tls[6];   /* the three TLS descriptors (GDT entries 6-8) */
	const void *wait_chan;
	struct sigaction_k {
		u32 handler, flags, restorer, mask;
	} sig[32];
	u32 pending, blocked;		   /* signal bit n-1 for signal n */
	u32 saved_blocked;		   /* rt_sigsuspend's mask to restore after the handler */
	bool restore_blocked;
	u32 wake_tick; /* nanosleep: the tick at which to wake (0: none) */
	const struct file *exe;
	struct ofile *fds[MAX_FDS];
	char cwd[64];
};

extern struct task *current;

static inline bool user_range_ok(u32 addr, u32 len)
{
	return addr < PAGE_OFFSET && len <= PAGE_OFFSET - addr;
}

/* proc.c */
void sleep_on(const void *chan);
u32 sys_nanosleep(u32 req, u32 rem);
void wake_sleepers(void);
void wake_up(const void *chan);
u32 sys_fork(struct trap_frame *f);
u32 sys_execve(struct trap_frame *f, const char *path, const u32 *argv, const u32 *envp);
u32 sys_wait4(s32 pid, u32 status_ptr, u32 options);
void sys_exit(u32 code) __attribute__((noreturn));
void exit_with_status(u32 status) __attribute__((noreturn));
#define SIGPIPE 13
u32 sys_brk(u32 addr);
u32 sys_mmap(u32 addr, u32 len, u32 prot, u32 flags, u32 fd, u32 pgoff);
u32 sys_munmap(u32 addr, u32 len);
u32 sys_mprotect(u32 addr, u32 len, u32 prot);
u32 sys_set_thread_area(u32 uinfo);

/* signal.c */
u32 sys_rt_sigaction(u32 sig, u32 act, u32 oact);
u32 sys_rt_sigprocmask(u32 how, u32 set, u32 oset);
u32 sys_rt_sigsuspend(u32 mask);
u32 sys_rt_sigreturn(struct trap_frame *f);
u32 sys_sigreturn(struct trap_frame *f);
void send_signal(struct task *t, u32 sig);
bool signal_pending(void);
void deliver_signals(struct trap_frame *f);
struct task *task_by_pid(u32 pid);

/* file.c */
void files_init_console(struct task *t);
void files_fork(struct task *child, struct task *parent);
void files_close_all(struct task *t);
u32 do_file_syscall(struct trap_frame *f, u32 nr, bool *handled);
const struct file *resolve_exe(const char *path);
#endif
