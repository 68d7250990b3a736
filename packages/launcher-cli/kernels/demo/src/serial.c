/*
 * serial.c - output through COM1 and the way out of the machine.
 *
 * 16550 UART at 0x3F8: THR at +0, LSR at +5 with bit 5 = THR empty.
 * QEMU isa-debug-exit at 0xF4: writing v exits QEMU with status (v << 1) | 1.
 */
#include "demo.h"

#define COM1 0x3F8
#define UART_THR 0
#define UART_LSR 5
#define LSR_THR_EMPTY 0x20
#define EXIT_PORT 0xF4

void putc_serial(char c)
{
	while (!(inb(COM1 + UART_LSR) & LSR_THR_EMPTY))
		;
	outb(COM1 + UART_THR, (uint8_t)c);
}

void puts_serial(const char *s)
{
	while (*s)
		putc_serial(*s++);
}

void put_line(const char *s)
{
	puts_serial(s);
	putc_serial('\n');
}

static void put_hex_digits(uint32_t v, int digits)
{
	static const char hex[] = "0123456789abcdef";
	for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4)
		putc_serial(hex[(v >> shift) & 0xF]);
}

void put_hex(uint32_t v)
{
	put_hex_digits(v, 8);
}

void put_hex8(uint32_t v)
{
	put_hex_digits(v, 2);
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

/*L:510 There is no power switch on this machine. QEMU's isa-debug-exit
 * device ends the emulator when the Guest writes to its port, with exit
 * status (value << 1) | 1, so writing 0 gives status 1 and no value can
 * pretend to be an ordinary clean exit. The bare machine copies that rule
 * exactly so that test scripts can treat both the same way. :*/
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
