/*
 * console.c - the early console: text goes to the Launcher in NOTIFY
 * hypercalls naming a NUL-terminated buffer of at most 16 characters, the
 * way lguest 3.x Guests printed before their virtio console was up
 * (lguest-abi.md §8.3, v24–3.x: "early console = NOTIFY on a NUL-terminated
 * string"). The Launcher prints any NOTIFY address that is not a device's.
 */
#include "kernel.h"

#define EARLY_CHUNK 16

static char early_buf[EARLY_CHUNK + 1];

void console_write(const char *s, size_t n)
{
	if (virtio_console_write(s, n))
		return;
	while (n > 0) {
		size_t k = n < EARLY_CHUNK ? n : EARLY_CHUNK;
		memcpy(early_buf, s, k);
		early_buf[k] = 0;
		hcall(LHCALL_NOTIFY, pa(early_buf), 0, 0, 0);
		s += k;
		n -= k;
	}
}

void puts(const char *s)
{
	console_write(s, strlen(s));
}

static void put_unsigned(u32 v, u32 base)
{
	char buf[12];
	int i = 0;
	do {
		buf[i++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v != 0);
	char out[12];
	int k = 0;
	while (i > 0)
		out[k++] = buf[--i];
	console_write(out, (size_t)k);
}

void printk(const char *fmt, ...)
{
	__builtin_va_list ap;
	__builtin_va_start(ap, fmt);
	const char *start = fmt;
	for (const char *p = fmt; *p; p++) {
		if (*p != '%')
			continue;
		console_write(start, (size_t)(p - start));
		p++;
		switch (*p) {
		case 'u':
			put_unsigned(__builtin_va_arg(ap, u32), 10);
			break;
		case 'x':
			put_unsigned(__builtin_va_arg(ap, u32), 16);
			break;
		case 's':
			puts(__builtin_va_arg(ap, const char *));
			break;
		case '%':
			console_write("%", 1);
			break;
		default:
			console_write(p - 1, 2);
		}
		start = p + 1;
	}
	console_write(start, strlen(start));
	__builtin_va_end(ap);
}
