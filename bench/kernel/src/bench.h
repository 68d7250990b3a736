/*
 * bench.h - shared declarations for the littleguest benchmark kernel.
 *
 * Devices: 16550 UART at 0x3F8 (LSR bit 5 = THR empty), QEMU isa-debug-exit
 * at 0xF4. Paging: SDM vol. 3A 4.3, 4 KiB pages only (PDE/PTE bit 0 P,
 * bit 1 R/W; CR0.PG bit 31).
 */
#ifndef BENCH_H
#define BENCH_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

#define PAGE_SIZE 4096u
#define BIG_WORDS (1024u * 1024u) /* 4 MiB = 1024 pages of 32-bit words */
#define SMALL_WORDS (4096u) /* 16 KiB working set */

/* serial.c */
void putc_serial(char c);
void puts_serial(const char *s);
void put_hex(uint32_t v);
void put_dec(uint32_t v);
__attribute__((noreturn)) void exit_machine(uint32_t value);
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

/* cmdline.c */
uint32_t scale_from_multiboot(uint32_t magic, uint32_t mbi);

/* paging.c */
void paging_enable(void);

/* loops.c */
uint32_t loop_alu(uint32_t n);
uint32_t loop_branch(uint32_t n);
uint32_t loop_mem(uint32_t *buf, uint32_t word_mask, uint32_t n);
uint32_t loop_string(uint32_t *buf, uint32_t n);

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

#endif
