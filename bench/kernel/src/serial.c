/*
 * serial.c - COM1 output and the exit port (QEMU isa-debug-exit at 0xF4:
 * writing v exits with status (v << 1) | 1).
 */
#include "bench.h"

#define COM1 0x3F8
#define UART_LSR 5
#define LSR_THR_EMPTY 0x20
#define EXIT_PORT 0xF4

void putc_serial(char c)
{
	while (!(inb(COM1 + UART_LSR) & LSR_THR_EMPTY))
		;
	outb(COM1, (uint8_t)c);
}

void puts_serial(const char *s)
{
	while (*s)
		putc_serial(*s++);
}

void put_hex(uint32_t v)
{
	static const char hex[] = "0123456789abcdef";
	for (int shift = 28; shift >= 0; shift -= 4)
		putc_serial(hex[(v >> shift) & 0xF]);
}

void put_dec(uint32_t v)
{
	char buf[10];
	int n = 0;
	do {
		buf[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		putc_serial(buf[--n]);
}

void exit_machine(uint32_t value)
{
	__asm__ volatile("outl %0, %1" : : "a"(value), "Nd"((uint16_t)EXIT_PORT));
	for (;;)
		__asm__ volatile("cli; hlt");
}

void *memset(void *d, int c, size_t n)
{
	uint8_t *p = d;
	while (n--)
		*p++ = (uint8_t)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	uint8_t *p = d;
	const uint8_t *q = s;
	while (n--)
		*p++ = *q++;
	return d;
}
