/*
 * loops.c - the CPU-bound loops the benchmark runner times.
 *
 * Each returns a checksum that depends on every iteration, so an emulator
 * that skips or miscomputes work is caught, and no compiler can delete a loop.
 * Per-iteration instruction counts (gcc 12 -O2, see the README) set the
 * iteration counts in main.c.
 */
#include "bench.h"

/*
 * The alu loop keeps five values in registers and stirs them with one of each
 * kind of integer operation compilers emit most: add, sub, xor, and, or,
 * shifts, rotates, a three-operand imul and an lea doing arithmetic. No memory
 * is touched, so it measures decode, execute and flags and nothing else: the
 * ceiling for the other loops. In asm so it is the same fifteen instructions
 * whatever the compiler.
 */
uint32_t loop_alu(uint32_t n)
{
	uint32_t a = 0x01234567, b = 0x89ABCDEF, c = 0xDEADBEEF, d = 0x0BADF00D, e = 0x13579BDF;
	__asm__ volatile("1:\n\t"
			 "addl %[b], %[a]\n\t"
			 "xorl %[a], %[c]\n\t"
			 "roll $7, %[c]\n\t"
			 "subl %[c], %[d]\n\t"
			 "imull $0x01000193, %[d], %[e]\n\t"
			 "leal 0x11(%[a],%[e],4), %[b]\n\t"
			 "shrl $3, %[b]\n\t"
			 "andl $0x7FFFFFFF, %[c]\n\t"
			 "orl %[d], %[a]\n\t"
			 "rorl $13, %[d]\n\t"
			 "sarl $2, %[e]\n\t"
			 "xorl %[e], %[a]\n\t"
			 "shll $1, %[c]\n\t"
			 "decl %[n]\n\t"
			 "jnz 1b"
			 : [a] "+r"(a), [b] "+r"(b), [c] "+r"(c), [d] "+r"(d), [e] "+r"(e),
			   [n] "+r"(n)
			 :
			 : "cc");
	return a ^ b ^ c ^ d ^ e;
}

/* The branch loop: direct calls, returns, data-dependent conditional
 * branches (built with -fno-if-conversion so they stay branches, not cmov)
 * and an indirect call through a table of eight small functions. */
typedef uint32_t (*step_fn)(uint32_t acc, uint32_t x);

#define STEP __attribute__((noinline))
static STEP uint32_t step_add(uint32_t acc, uint32_t x) { return acc + x; }
static STEP uint32_t step_sub(uint32_t acc, uint32_t x) { return acc - x; }
static STEP uint32_t step_xor(uint32_t acc, uint32_t x) { return acc ^ x; }
static STEP uint32_t step_rol(uint32_t acc, uint32_t x) { return ((acc << 3) | (acc >> 29)) ^ x; }
static STEP uint32_t step_mul(uint32_t acc, uint32_t x) { return acc * 33 + x; }
static STEP uint32_t step_and(uint32_t acc, uint32_t x) { return (acc & x) + 1; }
static STEP uint32_t step_or(uint32_t acc, uint32_t x) { return (acc | x) >> 1; }
static STEP uint32_t step_neg(uint32_t acc, uint32_t x) { return -acc + (x >> 16); }

static step_fn const step_table[8] = {
	step_add, step_sub, step_xor, step_rol, step_mul, step_and, step_or, step_neg,
};

static STEP uint32_t classify(uint32_t x)
{
	if (x & 0x10)
		return 1;
	if (x & 0x20)
		return 2;
	return (x & 0x40) ? 3 : 5;
}

uint32_t loop_branch(uint32_t n)
{
	uint32_t x = 0x2545F491, acc = 0;
	for (uint32_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		acc += classify(x);
		if (x & 0x100)
			acc ^= i;
		acc = step_table[x >> 29](acc, x);
	}
	return acc;
}

/*L:590 The three memory loops run the same code over different ground. A
 * xorshift generator picks a word to load and another to store, each
 * anywhere in the region, so consecutive accesses land on unrelated pages.
 * Over 4 MiB with paging off, this costs an emulator only its memory path.
 * Over the same 4 MiB with 4 KiB paging on, 1024 pages is far more than any
 * TLB holds, so nearly every access misses and walks the page tables: the
 * difference between mem-nopaging and mem-paging is the price of a miss.
 * Over 16 KiB (four pages) the TLB always hits, and small-ws shows what
 * paging costs when the TLB does its job. A hypervisor's shadow paging
 * changes mem-paging most, which is why it is the loop to watch. :*/
uint32_t loop_mem(uint32_t *buf, uint32_t word_mask, uint32_t n)
{
	uint32_t x = 0x9E3779B9, sum = 0;
	while (n--) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		sum += buf[x & word_mask];
		buf[(x >> 12) & word_mask] = sum ^ x;
	}
	return sum;
}

static void rep_movsd(uint32_t *dst, const uint32_t *src, uint32_t words)
{
	__asm__ volatile("rep movsl" : "+D"(dst), "+S"(src), "+c"(words) : : "memory");
}

static void rep_stosd(uint32_t *dst, uint32_t value, uint32_t words)
{
	__asm__ volatile("rep stosl" : "+D"(dst), "+c"(words) : "a"(value) : "memory");
}

/* The string loop: per iteration one 4 KiB rep stosd into the lower 2 MiB
 * and one 4 KiB rep movsd from there into the upper 2 MiB. */
uint32_t loop_string(uint32_t *buf, uint32_t n)
{
	const uint32_t block = PAGE_SIZE / 4, half = BIG_WORDS / 2;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t *fill = buf + ((i * 7) & 511) * block;
		uint32_t *from = buf + ((i * 5) & 511) * block;
		uint32_t *to = buf + half + ((i * 3) & 511) * block;
		rep_stosd(fill, i * 0x9E3779B9u, block);
		rep_movsd(to, from, block);
	}
	uint32_t hash = 0x811C9DC5u; /* FNV-1a over every 16th word and its index */
	for (uint32_t w = 0; w < BIG_WORDS; w += 16)
		hash = (hash ^ (buf[w] + w)) * 0x01000193u;
	return hash;
}
