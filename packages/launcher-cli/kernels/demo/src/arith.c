/*
 * arith.c - integer arithmetic with known answers.
 *
 * SDM vol. 2: MUL/IMUL/DIV/IDIV (edx:eax forms), ROL/ROR/SAR/SHLD/SHRD,
 * BSF/BSR/BT/BTS/BSWAP. Written in asm where the compiler might otherwise
 * pick a different instruction, so each one named here really runs.
 */
#include "demo.h"

static uint32_t crc_table[256];

static void put_pair(uint32_t a, uint32_t b)
{
	put_hex(a);
	putc_serial(' ');
	put_hex(b);
}

static void crc32_build_table(void)
{
	for (uint32_t n = 0; n < 256; n++) {
		uint32_t c = n;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		crc_table[n] = c;
	}
}

static uint32_t crc32(const char *s, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;
	for (size_t i = 0; i < n; i++)
		c = crc_table[(c ^ (uint8_t)s[i]) & 0xFF] ^ (c >> 8);
	return c ^ 0xFFFFFFFFu;
}

static void check_crc(void)
{
	crc32_build_table();
	uint32_t sum = 0, weighted = 0;
	for (int i = 0; i < 256; i++) {
		sum += crc_table[i];
		weighted = weighted * 31 + crc_table[i];
	}
	uint32_t crc = crc32("123456789", 9);
	puts_serial("(h) crc32 table: sum, weighted sum: ");
	put_pair(sum, weighted);
	check(sum == 0xFFFFFF80u && weighted == 0xEB207800u, "");
	puts_serial("(h) crc32(\"123456789\") = ");
	put_hex(crc);
	check(crc == 0xCBF43926u, "");
}

static void check_multiply(void)
{
	uint32_t lo, hi, prod;
	__asm__("mull %3" : "=a"(lo), "=d"(hi) : "a"(0xDEADBEEFu), "r"(0xCAFEBABEu));
	__asm__("imull %2, %0" : "=r"(prod) : "0"(-7), "r"(0x12345));
	puts_serial("(h) mul deadbeef*cafebabe, imul -7*12345: ");
	put_pair(hi, lo);
	putc_serial(' ');
	put_hex(prod);
	check(hi == 0xB092AB7Bu && lo == 0x88CF5B62u && prod == 0xFFF8091Du, "");
}

static void check_divide(void)
{
	uint32_t q, r, sq, sr;
	__asm__("divl %4" : "=a"(q), "=d"(r) : "a"(0x23456789u), "d"(1u), "r"(0x10000u));
	__asm__("cltd; idivl %3" : "=a"(sq), "=d"(sr) : "a"(-1000), "r"(7));
	puts_serial("(h) div 1:23456789/10000, idiv -1000/7: ");
	put_pair(q, r);
	putc_serial(' ');
	put_pair(sq, sr);
	check(q == 0x12345u && r == 0x6789u && sq == (uint32_t)-142 && sr == (uint32_t)-6, "");
}

static void check_shifts(void)
{
	uint32_t rl = 0x12345678, rr = 0x12345678, ld = 0x12345678, rd = 0x12345678;
	int32_t sa = (int32_t)0x80000000u;
	__asm__("roll $8, %0" : "+r"(rl));
	__asm__("rorl $4, %0" : "+r"(rr));
	__asm__("shldl $12, %1, %0" : "+r"(ld) : "r"(0x9ABCDEF0u));
	__asm__("shrdl $12, %1, %0" : "+r"(rd) : "r"(0x9ABCDEF0u));
	__asm__("sarl $31, %0" : "+r"(sa));
	puts_serial("(h) rol ror shld shrd sar: ");
	put_pair(rl, rr);
	putc_serial(' ');
	put_pair(ld, rd);
	putc_serial(' ');
	put_hex((uint32_t)sa);
	check(rl == 0x34567812u && rr == 0x81234567u && ld == 0x456789ABu && rd == 0xEF012345u &&
		      sa == -1,
	      "");
}

/* Population count by halving, so the compiler cannot call libgcc for it. */
static uint32_t popcount(uint32_t x)
{
	x = x - ((x >> 1) & 0x55555555u);
	x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
	x = (x + (x >> 4)) & 0x0F0F0F0Fu;
	return (x * 0x01010101u) >> 24;
}

static void check_bits(void)
{
	uint32_t lo, hi, sw = 0x11223344, bits = 0;
	uint8_t was_set, now_set;
	__asm__("bsfl %1, %0" : "=r"(lo) : "r"(0x00F01000u));
	__asm__("bsrl %1, %0" : "=r"(hi) : "r"(0x00F01000u));
	__asm__("bswapl %0" : "+r"(sw));
	__asm__("btsl $7, %0; setc %1; btl $7, %0; setc %2"
		: "+r"(bits), "=q"(was_set), "=q"(now_set) : : "cc");
	uint32_t pop = popcount(0xF0F0F0F0u);
	puts_serial("(h) bsf bsr bswap bts popcount: ");
	put_dec(lo);
	putc_serial(' ');
	put_dec(hi);
	putc_serial(' ');
	put_hex(sw);
	putc_serial(' ');
	put_hex(bits);
	putc_serial(' ');
	put_dec(pop);
	check(lo == 12 && hi == 23 && sw == 0x44332211u && bits == 0x80 && !was_set && now_set &&
		      pop == 16,
	      "");
}

static void check_xorshift(void)
{
	uint32_t x = 1, acc = 0;
	for (int i = 0; i < 1000; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		acc += x ^ (uint32_t)i;
	}
	puts_serial("(h) xorshift32 x1000 from 1, running sum: ");
	put_pair(x, acc);
	check(x == 0x10173C27u && acc == 0xD4325D80u, "");
}

void run_arith_checks(void)
{
	check_crc();
	check_multiply();
	check_divide();
	check_shifts();
	check_bits();
	check_xorshift();
}
