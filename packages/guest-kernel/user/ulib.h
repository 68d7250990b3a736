/*
 * ulib.h - the few Linux i386 system calls and helpers the bundled user
 * programs need (they are built with gcc -m32 -nostdlib -static: no C library).
 * The system-call ABI: int $0x80, eax = number, ebx/ecx/edx = arguments.
 */
#ifndef ULIB_H
#define ULIB_H

typedef unsigned int u32;

static inline int sys3(int nr, int a, int b, int c)
{
	int r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
	return r;
}

#define SYS_exit 1
#define SYS_fork 2
#define SYS_read 3
#define SYS_write 4
#define SYS_execve 11
#define SYS_getpid 20
#define SYS_pipe 42
#define SYS_wait4 114
#define SYS_munmap 91
#define SYS_mmap2 192

static inline void exit(int code) { for (;;) sys3(SYS_exit, code, 0, 0); }
static inline int fork(void) { return sys3(SYS_fork, 0, 0, 0); }
static inline int read(int fd, void *b, u32 n) { return sys3(SYS_read, fd, (int)b, (int)n); }
static inline int write(int fd, const void *b, u32 n) { return sys3(SYS_write, fd, (int)b, (int)n); }
static inline int getpid(void) { return sys3(SYS_getpid, 0, 0, 0); }
static inline int pipe(int fds[2]) { return sys3(SYS_pipe, (int)fds, 0, 0); }
static inline int waitpid(int pid, int *status) { return sys3(SYS_wait4, pid, (int)status, 0); }
static inline int execve(const char *p, char *const *argv, char *const *envp) { return sys3(SYS_execve, (int)p, (int)argv, (int)envp); }
static inline int munmap(void *a, u32 n) { return sys3(SYS_munmap, (int)a, (int)n, 0); }

static inline void *mmap_anon(u32 len)
{
	int r;
	__asm__ volatile("push %%ebp\n\tmovl $0, %%ebp\n\tint $0x80\n\tpop %%ebp"
			 : "=a"(r)
			 : "a"(SYS_mmap2), "b"(0), "c"(len), "d"(3), "S"(0x22), "D"(-1)
			 : "memory");
	return (void *)r;
}

static inline u32 strlen(const char *s)
{
	u32 n = 0;
	while (s[n])
		n++;
	return n;
}

static inline void puts(const char *s) { write(1, s, strlen(s)); }

static inline void put_u32(u32 v)
{
	char b[12];
	int i = 11;
	b[i] = 0;
	do {
		b[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	puts(b + i);
}

/* The start: argc and argv from the System V stack, then main. */
int main(int argc, char **argv);
__asm__(".globl _start\n_start:\n\tmovl (%esp), %eax\n\tleal 4(%esp), %edx\n\tpushl %edx\n\tpushl %eax\n\tcall main\n\tmovl %eax, %ebx\n\tmovl $1, %eax\n\tint $0x80\n");
#endif
