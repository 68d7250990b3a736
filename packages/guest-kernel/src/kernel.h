/* kernel.h - what the Guest kernel's files share. */
#ifndef KERNEL_H
#define KERNEL_H
#include "lguest.h"
#include "types.h"

void console_write(const char *s, size_t n);
void virtio_console_init(u32 ram_bytes);
bool virtio_console_write(const char *s, size_t n);
u32 virtio_console_irq(void);
void virtio_blk_init(u32 ram_bytes);
u32 virtio_blk_bytes(void);
s32 virtio_blk_rw(bool write, u32 offset, u8 *buf, u32 len);
void virtio_console_interrupt(void);
s32 console_read(char *dst, u32 n);
bool console_readable(void);
extern int console_input_chan;
void wake_up(const void *chan);
bool any_runnable(void);
void puts(const char *s);
void printk(const char *fmt, ...);

/* Power the Guest off; the Launcher exits with `status`. */
void __attribute__((noreturn)) power_off(u32 status);
/* Stop with a message: the Launcher prints it and exits non-zero. */
void __attribute__((noreturn)) panic(const char *msg);

extern char boot_stack_top[];
extern bool kernel_debug;  /* "lguest.debug" on the command line */
extern bool kernel_strace; /* "lguest.strace": every system call and its result */
extern volatile u32 ticks;
extern u32 breakpoints, demand_faults, frames_in_use;

void traps_init(void);
void timer_start(void);
void timer_resume(void);
void safe_halt(void);
void local_irq_enable(void);
void local_irq_disable(void);

void mm_init(u32 ram_bytes, u32 reserved_from);
u32 alloc_frame(void);
void free_frame(u32 frame);
void share_frame(u32 frame);
bool frame_shared(u32 frame);
bool cow_fault(u32 addr, u32 errcode);
bool demand_zero_fault(u32 addr, u32 errcode);
bool page_fault(u32 addr, u32 errcode);

void schedule(void);
void timer_tick(void);
struct trap_frame;
void do_syscall(struct trap_frame *f);
u32 run_processes(u32 n);

struct file {
	const char *name; /* path without the leading '/' */
	u32 mode;
	const u8 *data;	 /* initramfs bytes, or NULL once the file lives in `pages` */
	u32 size;
	u32 *pages;	 /* writable files: a frame of frame addresses (NULL: read-only data) */
	char wname[116]; /* the name of a file created at run time */
};
#define FILE_MAX_BYTES (1024u * 4096u)
struct file *fs_create(const char *path, u32 mode);
bool fs_make_writable(struct file *f);
u32 fs_read(const struct file *f, u32 off, u8 *buf, u32 len);
s32 fs_write(struct file *f, u32 off, const u8 *buf, u32 len);
void fs_truncate(struct file *f, u32 size);
void fs_delete(struct file *f);
bool fs_rename(struct file *f, const char *path);
void fs_init(u32 initrd, u32 size);
struct file *fs_lookup(const char *path);
const struct file *fs_nth(u32 n);
struct task *spawn_program(const struct file *f, u32 argc, const char *const *argv);
u32 run_program(const struct file *f, u32 argc, const char *const *argv);
extern u32 context_switches, syscalls;
#endif
