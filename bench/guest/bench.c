/*
 * bench.c - lmbench-style micro-benchmarks for the littleguest Guest, one
 * program with the benchmark named in argv[1] and the iteration count in
 * argv[2]. Built by bench/guest.mjs with gcc -m32 -nostdlib -static; runs as
 * the Guest's first process.
 */
#include "ulib.h"

#define SYS_sched_yield 158

static u32 atou(const char *s)
{
	u32 v = 0;
	while (*s >= '0' && *s <= '9')
		v = v * 10 + (u32)(*s++ - '0');
	return v;
}

static int streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static void null_syscall(u32 n)
{
	for (u32 i = 0; i < n; i++)
		getpid();
}

/* `procs` processes in a ring of pipes; a byte goes around `n` times. */
static void ring(u32 procs, u32 n)
{
	int p[8][2];
	for (u32 i = 0; i < procs; i++)
		pipe(p[i]);
	for (u32 k = 1; k < procs; k++) {
		if (fork() == 0) {
			char c;
			for (u32 i = 0; i < n; i++) {
				read(p[k][0], &c, 1);
				write(p[(k + 1) % procs][1], &c, 1);
			}
			exit(0);
		}
	}
	char c = 'x';
	for (u32 i = 0; i < n; i++) {
		write(p[1 % procs][1], &c, 1);
		read(p[0][0], &c, 1);
	}
	for (u32 k = 1; k < procs; k++)
		waitpid(-1, 0);
}

static void page_faults(u32 n)
{
	u32 batch = 64;
	for (u32 done = 0; done < n; done += batch) {
		volatile u32 *m = mmap_anon(batch * 4096);
		for (u32 i = 0; i < batch; i++)
			m[i * 1024] = i;
		munmap((void *)m, batch * 4096);
	}
}

static void fork_exit(u32 n)
{
	for (u32 i = 0; i < n; i++) {
		if (fork() == 0)
			exit(0);
		waitpid(-1, 0);
	}
}

/* A 1 MiB working set, then fork: the child writes every page. */
static void cow_storm(u32 n)
{
	u32 pages = 256;
	volatile u32 *m = mmap_anon(pages * 4096);
	for (u32 i = 0; i < pages; i++)
		m[i * 1024] = i;
	for (u32 k = 0; k < n; k++) {
		if (fork() == 0) {
			for (u32 i = 0; i < pages; i++)
				m[i * 1024] = i + 1;
			exit(0);
		}
		waitpid(-1, 0);
	}
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	u32 n = atou(argv[2]);
	const char *b = argv[1];
	if (streq(b, "null-syscall"))
		null_syscall(n);
	else if (streq(b, "ctxsw-2"))
		ring(2, n);
	else if (streq(b, "ctxsw-8"))
		ring(8, n);
	else if (streq(b, "page-fault"))
		page_faults(n);
	else if (streq(b, "fork-exit"))
		fork_exit(n);
	else if (streq(b, "cow-storm"))
		cow_storm(n);
	else
		return 2;
	return 0;
}
