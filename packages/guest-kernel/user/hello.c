/* hello.c - /bin/hello: prints its arguments, proving execve passed them. */
#include "ulib.h"

int main(int argc, char **argv)
{
	puts("  pid ");
	put_u32((u32)getpid());
	puts(": /bin/hello, started by execve with argv:");
	for (int i = 0; i < argc; i++) {
		puts(" ");
		puts(argv[i]);
	}
	puts("\n");
	return 0;
}
