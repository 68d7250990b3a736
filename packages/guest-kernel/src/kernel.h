/* kernel.h - what the Guest kernel's files share. */
#ifndef KERNEL_H
#define KERNEL_H
#include "lguest.h"
#include "types.h"

void console_write(const char *s, size_t n);
void puts(const char *s);
void printk(const char *fmt, ...);

/* Power the Guest off; the Launcher exits with `status`. */
void __attribute__((noreturn)) power_off(u32 status);
/* Stop with a message: the Launcher prints it and exits non-zero. */
void __attribute__((noreturn)) panic(const char *msg);
#endif
