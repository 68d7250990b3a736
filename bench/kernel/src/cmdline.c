/*
 * cmdline.c - find "scale=N" in the multiboot command line.
 *
 * Multiboot 0.6.96 3.3: info block flags bit 2 says the cmdline field
 * (offset 16) holds the physical address of a NUL-terminated string.
 * QEMU passes "KERNEL-PATH APPEND-STRING" there; GRUB similar.
 */
#include "bench.h"

#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002u
#define MBI_FLAG_CMDLINE (1u << 2)
#define SCALE_MAX 256u /* keeps every iteration count below 2^31 */

static bool starts_token(const char *s, const char *start)
{
	return s == start || s[-1] == ' ';
}

static uint32_t parse_decimal(const char *s)
{
	uint32_t v = 0;
	while (*s >= '0' && *s <= '9' && v < 100000)
		v = v * 10 + (uint32_t)(*s++ - '0');
	return v;
}

uint32_t scale_from_multiboot(uint32_t magic, uint32_t mbi)
{
	if (magic != MULTIBOOT_BOOTLOADER_MAGIC || mbi == 0)
		return 1;
	const uint32_t *info = (const uint32_t *)mbi;
	if (!(info[0] & MBI_FLAG_CMDLINE) || info[4] == 0)
		return 1;
	const char *cmdline = (const char *)info[4];
	uint32_t scale = 1;
	for (const char *s = cmdline; *s; s++) {
		if (starts_token(s, cmdline) && s[0] == 's' && s[1] == 'c' && s[2] == 'a' &&
		    s[3] == 'l' && s[4] == 'e' && s[5] == '=')
			scale = parse_decimal(s + 6);
	}
	if (scale < 1)
		scale = 1;
	if (scale > SCALE_MAX)
		scale = SCALE_MAX;
	return scale;
}
