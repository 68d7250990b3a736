/*
 * syscall.c - the Linux i386 system-call table: int $0x80 with the number in
 * eax and arguments in ebx, ecx, edx, esi, edi, ebp; the result (or -errno)
 * in eax. Numbers from the i386 syscall table (arch/x86/entry/syscalls/
 * syscall_32.tbl). Unknown calls return -ENOSYS.
 */
#include "task.h"

#define SYS_exit 1
#define SYS_fork 2
#define SYS_execve 11
#define SYS_time 13
#define SYS_getpid 20
#define SYS_getuid 24
#define SYS_kill 37
#define SYS_brk 45
#define SYS_getgid 47
#define SYS_geteuid 49
#define SYS_getegid 50
#define SYS_setpgid 57
#define SYS_umask 60
#define SYS_getppid 64
#define SYS_getpgrp 65
#define SYS_setsid 66
#define SYS_gettimeofday 78
#define SYS_munmap 91
#define SYS_wait4 114
#define SYS_clone 120
#define SYS_uname 122
#define SYS_mprotect 125
#define SYS_getpgid 132
#define SYS_sched_yield 158
#define SYS_nanosleep 162
#define SYS_clock_nanosleep 267
#define TIMER_ABSTIME 1
#define SYS_prctl 172
#define SYS_rt_sigreturn 173
#define SYS_sigreturn 119
#define SYS_rt_sigaction 174
#define SYS_rt_sigprocmask 175
#define SYS_rt_sigsuspend 179
#define SYS_vfork 190
#define SYS_ugetrlimit 191
#define SYS_mmap2 192
#define SYS_getuid32 199
#define SYS_getgid32 200
#define SYS_geteuid32 201
#define SYS_getegid32 202
#define SYS_madvise 219
#define SYS_gettid 224
#define SYS_set_thread_area 243
#define SYS_exit_group 252
#define SYS_set_tid_address 258
#define SYS_clock_gettime 265
#define SYS_waitpid 7
#define SYS_set_robust_list 311
#define SYS_getrandom 355
#define SYS_rseq 386
#define SYS_clock_gettime64 403

extern u32 syscalls;

static void put_field(char *dst, const char *s)
{
	memcpy(dst, s, strlen(s) + 1);
}

/* Nanoseconds since boot from the timer ticks (10 ms each). */
static u32 now_sec(void)
{
	return lguest_data.time_sec;
}

/*G:900 System calls arrive through a trap gate, so they cost no exit to the
 * Host at all: the CPU switches to the kernel stack SET_STACK named and runs
 * this dispatcher in ring 1. Only the work they do (a page-table update, a
 * console write) may leave the Guest. :*/
void do_syscall(struct trap_frame *f)
{
	syscalls++;
	u32 nr = f->eax, a1 = f->ebx, a2 = f->ecx, a3 = f->edx, a4 = f->esi;
	bool handled = false;
	u32 r = do_file_syscall(f, nr, &handled);
	if (handled) {
		f->eax = r;
		if (kernel_strace)
			printk("[strace] pid %u: %u(%x, %x, %x) = %x\n", current->pid, nr, a1, a2, a3, r);
		return;
	}
	switch (nr) {
	case SYS_exit:
	case SYS_exit_group:
		sys_exit(a1);
	case SYS_fork:
	case SYS_vfork:
		r = sys_fork(f);
		break;
	case SYS_clone: /* as fork: no threads */
		r = (a1 & 0x100) ? (u32)-ENOSYS : sys_fork(f); /* CLONE_VM */
		break;
	case SYS_execve:
		r = sys_execve(f, (const char *)a1, (const u32 *)a2, (const u32 *)a3);
		if (r == 0)
			return; /* f now starts the new image */
		break;
	case SYS_wait4:
		r = sys_wait4((s32)a1, a2, a3);
		break;
	case SYS_waitpid:
		r = sys_wait4((s32)a1, a2, a3);
		break;
	case SYS_getpid:
	case SYS_gettid:
	case SYS_set_tid_address:
		r = current->pid;
		break;
	case SYS_getppid:
		r = current->ppid;
		break;
	case SYS_getpgrp:
	case SYS_getpgid:
	case SYS_setsid:
		r = current->pid;
		break;
	case SYS_setpgid:
	case SYS_getuid:
	case SYS_getgid:
	case SYS_geteuid:
	case SYS_getegid:
	case SYS_getuid32:
	case SYS_getgid32:
	case SYS_geteuid32:
	case SYS_getegid32:
	case SYS_madvise:
	case SYS_prctl:
		r = 0;
		break;
	case SYS_umask:
		r = 022;
		break;
	case SYS_brk:
		r = sys_brk(a1);
		break;
	case SYS_mprotect:
		r = sys_mprotect(a1, a2, a3);
		break;
	case SYS_mmap2:
		r = sys_mmap(a1, a2, a3, a4, f->edi, f->ebp);
		break;
	case SYS_munmap:
		r = sys_munmap(a1, a2);
		break;
	case SYS_set_thread_area:
		r = sys_set_thread_area(a1);
		break;
	case SYS_uname: {
		if (!user_range_ok(a1, 6 * 65)) {
			r = (u32)-EFAULT;
			break;
		}
		char *u = (char *)a1;
		memset(u, 0, 6 * 65);
		put_field(u, "Linux");
		put_field(u + 65, "littleguest");
		put_field(u + 130, "4.14.0-littleguest");
		put_field(u + 195, "#1");
		put_field(u + 260, "i686");
		put_field(u + 325, "(none)");
		r = 0;
		break;
	}
	case SYS_time:
		r = now_sec();
		if (a1 != 0 && user_range_ok(a1, 4))
			*(u32 *)a1 = r;
		break;
	case SYS_gettimeofday:
		if (a1 != 0) {
			if (!user_range_ok(a1, 8)) {
				r = (u32)-EFAULT;
				break;
			}
			((u32 *)a1)[0] = lguest_data.time_sec;
			((u32 *)a1)[1] = lguest_data.time_nsec / 1000;
		}
		r = 0;
		break;
	case SYS_clock_gettime:
		if (!user_range_ok(a2, 8)) {
			r = (u32)-EFAULT;
			break;
		}
		((u32 *)a2)[0] = lguest_data.time_sec;
		((u32 *)a2)[1] = lguest_data.time_nsec;
		r = 0;
		break;
	case SYS_getrandom: {
		if (!user_range_ok(a1, a2)) {
			r = (u32)-EFAULT;
			break;
		}
		static u32 seed = 0x9e3779b9;
		for (u32 i = 0; i < a2; i++) {
			seed ^= seed << 13;
			seed ^= seed >> 17;
			seed ^= seed << 5;
			((u8 *)a1)[i] = (u8)seed;
		}
		r = a2;
		break;
	}
	case SYS_rt_sigsuspend:
		r = sys_rt_sigsuspend(a1);
		break;
	case SYS_rt_sigaction:
		r = sys_rt_sigaction(a1, a2, a3);
		break;
	case SYS_rt_sigprocmask:
		r = sys_rt_sigprocmask(a1, a2, a3);
		break;
	case SYS_rt_sigreturn:
		f->eax = sys_rt_sigreturn(f);
		return;
	case SYS_sigreturn:
		f->eax = sys_sigreturn(f);
		return;
	case SYS_kill: {
		s32 pid = (s32)a1;
		struct task *t = pid > 0 ? task_by_pid((u32)pid) : pid == 0 || pid == -1 ? current : NULL;
		if (t == NULL || t->state == UNUSED || t->state == ZOMBIE)
			r = (u32)-ESRCH;
		else {
			if (a2 != 0)
				send_signal(t, a2);
			r = 0;
		}
		break;
	}
	case SYS_sched_yield:
		schedule();
		r = 0;
		break;
	case SYS_nanosleep:
		r = sys_nanosleep(a1, a2);
		break;
	case SYS_clock_nanosleep: /* relative sleeps on any clock; absolute ones are not supported */
		r = (a2 & TIMER_ABSTIME) ? (u32)-EINVAL : sys_nanosleep(a3, a4);
		break;
	default:
		if (kernel_debug)
			printk("[kernel] pid %u: system call %u not implemented (ENOSYS)\n", current->pid, nr);
		r = (u32)-ENOSYS;
	}
	f->eax = r;
	if (kernel_strace)
		printk("[strace] pid %u: %u(%x, %x, %x) = %x\n", current->pid, nr, a1, a2, a3, r);
}
