/*
 * main.c - the benchmark sequence and its serial markers.
 */
#include "bench.h"

/* Iterations at scale=1, from the per-iteration instruction counts in the
 * README, chosen for roughly 100 million instructions per loop. */
#define ALU_ITERS 7000000u /* 15 instructions each */
#define BRANCH_ITERS 3000000u /* about 43, counting both calls */
#define MEM_ITERS 5000000u /* 22 */
#define STRING_ITERS 50000u /* 2 x 1024 rep iterations each */

static uint32_t big[BIG_WORDS] __attribute__((aligned(4096)));
static uint32_t small[SMALL_WORDS] __attribute__((aligned(4096)));

/*L:580 A benchmark kernel must not time itself: its clock would be the
 * emulator's virtual clock, which is exactly what is being measured. So it
 * only announces. The runner reads the serial stream and takes its own
 * timestamp when "@begin NAME" and "@end NAME CHECKSUM" arrive, and divides
 * the instructions the emulator retired in between by the wall time. The
 * checksum keeps everyone honest: a faster emulator that gets a different
 * checksum is not faster, it is wrong. Set-up such as filling buffers happens
 * outside the markers. :*/
static void begin(const char *name)
{
	puts_serial("@begin ");
	puts_serial(name);
	putc_serial('\n');
}

static void end(const char *name, uint32_t checksum)
{
	puts_serial("@end ");
	puts_serial(name);
	putc_serial(' ');
	put_hex(checksum);
	putc_serial('\n');
}

static void fill(uint32_t *buf, uint32_t words)
{
	for (uint32_t i = 0; i < words; i++)
		buf[i] = i * 0x9E3779B9u;
}

void bench_main(uint32_t magic, uint32_t mbi)
{
	uint32_t scale = scale_from_multiboot(magic, mbi);
	puts_serial("littleguest bench kernel, scale=");
	put_dec(scale);
	putc_serial('\n');

	begin("alu");
	end("alu", loop_alu(ALU_ITERS * scale));

	begin("branch");
	end("branch", loop_branch(BRANCH_ITERS * scale));

	fill(big, BIG_WORDS);
	begin("mem-nopaging");
	end("mem-nopaging", loop_mem(big, BIG_WORDS - 1, MEM_ITERS * scale));

	paging_enable();
	fill(big, BIG_WORDS);
	begin("mem-paging");
	end("mem-paging", loop_mem(big, BIG_WORDS - 1, MEM_ITERS * scale));

	fill(small, SMALL_WORDS);
	begin("small-ws");
	end("small-ws", loop_mem(small, SMALL_WORDS - 1, MEM_ITERS * scale));

	fill(big, BIG_WORDS);
	begin("string");
	end("string", loop_string(big, STRING_ITERS * scale));

	puts_serial("@done\n");
	exit_machine(0);
}
