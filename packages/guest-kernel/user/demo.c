/*
 * demo.c - /init of the bundled initramfs: what a Guest's processes do on the
 * lguest Host, in a few steps a user can watch (and count with --stats).
 */
#include "ulib.h"

static char *const no_env[] = { 0 };

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	puts("littleguest demo: user programs on the lguest Host\n");
	puts("  pid ");
	put_u32((u32)getpid());
	puts(": the first process (a static i386 ELF from the initramfs)\n");

	/* A pipe between a parent and a forked child. */
	int fds[2];
	pipe(fds);
	int child = fork();
	if (child == 0) {
		puts("  pid ");
		put_u32((u32)getpid());
		puts(": a forked child, writing into a pipe\n");
		write(fds[1], "hello through a pipe", 20);
		exit(3);
	}
	char buf[32];
	int n = read(fds[0], buf, sizeof(buf));
	int status = 0;
	waitpid(child, &status);
	puts("  parent read \"");
	write(1, buf, (u32)(n > 0 ? n : 0));
	puts("\"; the child exited with ");
	put_u32((u32)(status >> 8));
	puts("\n");

	/* fork + exec of another program, with arguments. */
	child = fork();
	if (child == 0) {
		char *args[] = { "/bin/hello", "from", "execve", 0 };
		execve("/bin/hello", args, no_env);
		exit(127);
	}
	waitpid(child, &status);

	/* Fresh memory is demand-zero: the first touch of each page is a page fault the Host
	 * reflects and the Guest kernel answers with a zeroed frame. */
	u32 pages = 256;
	volatile u32 *mem = mmap_anon(pages * 4096);
	u32 sum = 0;
	for (u32 i = 0; i < pages; i++)
		mem[i * 1024] = i;
	for (u32 i = 0; i < pages; i++)
		sum += mem[i * 1024];
	munmap((void *)mem, pages * 4096);
	puts("  touched ");
	put_u32(pages);
	puts(" fresh pages (checksum ");
	put_u32(sum);
	puts("): each first touch was a page fault the Host reflected to the Guest kernel\n");
	puts("littleguest demo: done. Try: lguest run --stats, or lguest run --add /bin/busybox:/bin/busybox -- /bin/busybox sh\n");
	return 0;
}
