/*
 * signal.c - Linux signals for i386 programs: handlers, masks, pending sets,
 * the rt signal frame on the user stack, rt_sigreturn, kill, and the default
 * actions.
 *
 * Reference: the Linux i386 ABI: rt_sigaction's struct {handler, flags,
 * restorer, mask (8 bytes)}, SA_RESTORER 0x04000000, SA_NODEFER 0x40000000,
 * SA_RESETHAND 0x80000000; SIG_DFL 0, SIG_IGN 1; SIG_BLOCK 0, SIG_UNBLOCK 1,
 * SIG_SETMASK 2; struct rt_sigframe {pretcode, sig, pinfo, puc, siginfo
 * (128 bytes), ucontext {flags, link, stack (12 bytes), sigcontext (22
 * dwords: gs fs es ds edi esi ebp esp ebx edx ecx eax trapno err eip cs
 * eflags esp_at_signal ss fpstate oldmask cr2), sigmask (8 bytes)}}; the
 * default actions of signal(7).
 */
#include "task.h"

#define SA_NODEFER 0x40000000u
#define SA_RESETHAND 0x80000000u
#define SA_RESTORER 0x04000000u
#define SA_SIGINFO 4u
#define SIGKILL 9
#define SIGSTOP 19
#define SIGCHLD 17
#define SIGCONT 18
#define SIGURG 23
#define SIGWINCH 28

static u32 bit(u32 sig)
{
	return 1u << (sig - 1);
}

u32 sys_rt_sigaction(u32 sig, u32 act, u32 oact)
{
	if (sig < 1 || sig > 32 || sig == SIGKILL || sig == SIGSTOP)
		return (u32)-EINVAL;
	struct sigaction_k *h = &current->sig[sig - 1];
	if (oact != 0) {
		if (!user_range_ok(oact, 20))
			return (u32)-EFAULT;
		u32 *o = (u32 *)oact;
		o[0] = h->handler;
		o[1] = h->flags;
		o[2] = h->restorer;
		o[3] = h->mask;
		o[4] = 0;
	}
	if (act != 0) {
		if (!user_range_ok(act, 16))
			return (u32)-EFAULT;
		const u32 *a = (const u32 *)act;
		h->handler = a[0];
		h->flags = a[1];
		h->restorer = a[2];
		h->mask = a[3];
	}
	return 0;
}

u32 sys_rt_sigprocmask(u32 how, u32 set, u32 oset)
{
	if (oset != 0) {
		if (!user_range_ok(oset, 8))
			return (u32)-EFAULT;
		((u32 *)oset)[0] = current->blocked;
		((u32 *)oset)[1] = 0;
	}
	if (set != 0) {
		if (!user_range_ok(set, 8))
			return (u32)-EFAULT;
		u32 m = ((const u32 *)set)[0] & ~(bit(SIGKILL) | bit(SIGSTOP));
		if (how == 0)
			current->blocked |= m;
		else if (how == 1)
			current->blocked &= ~m;
		else if (how == 2)
			current->blocked = m;
		else
			return (u32)-EINVAL;
	}
	return 0;
}

/* Make `sig` pending for `t` and wake it if it sleeps (its system call may return -EINTR). */
void send_signal(struct task *t, u32 sig)
{
	if (sig < 1 || sig > 32)
		return;
	t->pending |= bit(sig);
	if (t->state == BLOCKED) {
		t->state = RUNNABLE;
		t->wait_chan = NULL;
		timer_resume();
	}
}

bool signal_pending(void)
{
	return (current->pending & ~current->blocked) != 0;
}

u32 sys_rt_sigsuspend(u32 mask)
{
	if (!user_range_ok(mask, 8))
		return (u32)-EFAULT;
	current->saved_blocked = current->blocked;
	current->restore_blocked = true;
	current->blocked = ((const u32 *)mask)[0] & ~(bit(SIGKILL) | bit(SIGSTOP));
	while (!signal_pending())
		sleep_on(current);
	return (u32)-EINTR;
}

static bool ignored_by_default(u32 sig)
{
	return sig == SIGCHLD || sig == SIGCONT || sig == SIGURG || sig == SIGWINCH;
}

/*G:920 Signals are delivered on the way back to user mode, the way Linux
 * does it: if one is pending and not blocked, the kernel writes a signal frame
 * below the user's stack pointer (the interrupted registers, the old signal
 * mask, and a return address that leads to rt_sigreturn) and sends the thread
 * to its handler instead of where it was. rt_sigreturn reads the frame back. A
 * signal whose action is the default either does nothing (SIGCHLD and a few
 * others) or ends the process, as the shell expects when it reports "killed". :*/
void deliver_signals(struct trap_frame *f)
{
	u32 ready = current->pending & ~current->blocked;
	if (ready == 0 || (f->cs & 3) != 3)
		return;
	u32 sig = 1;
	while (!(ready & bit(sig)))
		sig++;
	current->pending &= ~bit(sig);
	struct sigaction_k *h = &current->sig[sig - 1];
	if (h->handler == 1 || (h->handler == 0 && ignored_by_default(sig)))
		return;
	if (h->handler == 0)
		exit_with_status(sig);
	u32 old_blocked = current->restore_blocked ? current->saved_blocked : current->blocked;
	current->restore_blocked = false;
	u32 regs[22] = { f->gs, f->fs, f->es, f->ds, f->edi, f->esi, f->ebp, f->esp, f->ebx, f->edx, f->ecx,
			 f->eax, f->vector, f->errcode, f->eip, f->cs, f->eflags, f->esp, f->ss, 0, old_blocked, 0 };
	bool rt = (h->flags & SA_SIGINFO) != 0;
	/* rt frame: pretcode, sig, pinfo, puc, siginfo[128], ucontext[116], retcode[8];
	 * legacy frame (no SA_SIGINFO): pretcode, sig, sigcontext[88], extramask, retcode[8]. */
	u32 size = rt ? 16 + 128 + 116 + 8 : 8 + 88 + 4 + 8;
	u32 frame = ((f->esp - size) & ~15u) - 4;
	if (!user_range_ok(frame, size))
		exit_with_status(11); /* SIGSEGV: no room for the frame */
	u32 *fr = (u32 *)frame;
	memset(fr, 0, size);
	u32 retcode = frame + size - 8;
	/* rt: movl $173, %eax; int $0x80 — legacy: popl %eax; movl $119, %eax; int $0x80 */
	static const u8 rt_code[8] = { 0xb8, 173, 0, 0, 0, 0xcd, 0x80, 0x90 };
	static const u8 code[8] = { 0x58, 0xb8, 119, 0, 0, 0, 0xcd, 0x80 };
	memcpy((void *)retcode, rt ? rt_code : code, 8);
	fr[0] = (h->flags & SA_RESTORER) ? h->restorer : retcode;
	fr[1] = sig;
	u32 info = 0, uc = 0;
	if (rt) {
		info = frame + 16;
		uc = info + 128;
		((u32 *)info)[0] = sig;
		memcpy((u32 *)(uc + 20), regs, sizeof(regs));
		((u32 *)(uc + 108))[0] = old_blocked;
		fr[2] = info;
		fr[3] = uc;
	} else {
		memcpy(fr + 2, regs, sizeof(regs));
	}
	current->blocked |= h->mask;
	if (!(h->flags & SA_NODEFER))
		current->blocked |= bit(sig);
	u32 handler = h->handler;
	if (h->flags & SA_RESETHAND)
		h->handler = 0;
	f->esp = frame;
	f->eip = handler;
	f->eax = sig;
	f->edx = info;
	f->ecx = uc;
	f->eflags &= ~0x100u; /* TF */
}

/* Restore the registers and mask a signal frame saved (sc: the 22-dword sigcontext). */
static u32 restore_frame(struct trap_frame *f, const u32 *sc, u32 mask)
{
	f->gs = sc[0];
	f->fs = sc[1];
	f->es = USER_DS;
	f->ds = USER_DS;
	f->edi = sc[4];
	f->esi = sc[5];
	f->ebp = sc[6];
	f->ebx = sc[8];
	f->edx = sc[9];
	f->ecx = sc[10];
	f->eip = sc[14];
	f->eflags = (f->eflags & ~0xcd5u) | (sc[16] & 0xcd5u); /* arithmetic flags, DF, TF */
	f->esp = sc[7];
	current->blocked = mask & ~(bit(SIGKILL) | bit(SIGSTOP));
	return sc[11]; /* eax as it was */
}

u32 sys_rt_sigreturn(struct trap_frame *f)
{
	u32 frame = f->esp - 4; /* the handler's ret popped pretcode */
	if (!user_range_ok(frame, 16 + 128 + 116))
		exit_with_status(11);
	u32 uc = frame + 16 + 128;
	return restore_frame(f, (const u32 *)(uc + 20), *(const u32 *)(uc + 108));
}

u32 sys_sigreturn(struct trap_frame *f)
{
	u32 frame = f->esp - 8; /* ret popped pretcode, the restorer popped sig */
	if (!user_range_ok(frame, 8 + 88))
		exit_with_status(11);
	const u32 *sc = (const u32 *)(frame + 8);
	return restore_frame(f, sc, sc[20]);
}
