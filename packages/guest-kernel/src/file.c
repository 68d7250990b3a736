/*
 * file.c - open files: per-process descriptor tables over the console, the
 * read-only initramfs, /dev/null and /dev/zero, and pipes; and the file system
 * calls of the Linux i386 ABI.
 *
 * Reference: Linux i386 syscall numbers; struct stat64 (i386 layout, 96
 * bytes), struct linux_dirent64 (u64 ino, s64 off, u16 reclen, u8 type,
 * name); termios TCGETS 0x5401, TIOCGWINSZ 0x5413; fcntl F_DUPFD 0,
 * F_GETFD 1, F_SETFD 2, F_GETFL 3, F_SETFL 4, F_DUPFD_CLOEXEC 1030;
 * open flags O_ACCMODE 3, O_CREAT 0100, O_DIRECTORY 0200000, AT_FDCWD -100.
 */
#include "task.h"

enum ftype { F_CONSOLE = 1, F_NULL, F_ZERO, F_FILE, F_DIR, F_PIPE_R, F_PIPE_W, F_BLOCK };

#define PIPE_BYTES 4096
struct pipe {
	u8 buf[PIPE_BYTES];
	u32 rpos, count, readers, writers;
	bool used;
};

struct ofile {
	enum ftype type;
	u32 refs, flags;
	struct file *f; /* F_FILE, F_DIR */
	u32 off;
	struct pipe *pipe;
	bool used;
};

#define MAX_OFILES 128
#define MAX_PIPES 16
static struct ofile ofiles[MAX_OFILES];
static struct pipe pipes[MAX_PIPES];
static struct file root_dir = { "", 0040755, NULL, 0, NULL, { 0 } };

#define SYS_read 3
#define SYS_write 4
#define SYS_open 5
#define SYS_close 6
#define SYS_chdir 12
#define SYS_lseek 19
#define SYS_access 33
#define SYS_dup 41
#define SYS_pipe 42
#define SYS_ioctl 54
#define SYS_fcntl 55
#define SYS_dup2 63
#define SYS_readlink 85
#define SYS__llseek 140
#define SYS_readv 145
#define SYS_writev 146
#define SYS_getcwd 183
#define SYS_stat64 195
#define SYS_lstat64 196
#define SYS_fstat64 197
#define SYS_getdents64 220
#define SYS_fcntl64 221
#define SYS_openat 295
#define SYS_fstatat64 300
#define SYS_faccessat 307
#define SYS_dup3 330
#define SYS_pipe2 331
#define SYS_statx 383
#define SYS_poll 168
#define SYS_unlink 10
#define SYS_chmod 15
#define SYS_rename 38
#define SYS_mkdir 39
#define SYS_rmdir 40
#define SYS_fchmod 94
#define SYS_fsync 118
#define SYS_fdatasync 148
#define SYS_truncate64 193
#define SYS_ftruncate64 194
#define SYS_chown32 212
#define SYS_mkdirat 296
#define SYS_unlinkat 301
#define SYS_renameat 302
#define SYS_utimensat 320
#define SYS_renameat2 353
#define O_TRUNC 01000
#define O_APPEND 02000
#define O_EXCL 0200
#define AT_REMOVEDIR 0x200
#define POLLIN 1
#define POLLOUT 4
#define POLLHUP 16
#define POLLNVAL 32

#define O_ACCMODE 3
#define O_CREAT 0100
#define O_CLOEXEC 02000000
#define AT_FDCWD ((u32)-100)

static struct ofile *new_ofile(enum ftype type)
{
	for (int i = 0; i < MAX_OFILES; i++)
		if (!ofiles[i].used) {
			memset(&ofiles[i], 0, sizeof(ofiles[i]));
			ofiles[i].used = true;
			ofiles[i].type = type;
			ofiles[i].refs = 1;
			return &ofiles[i];
		}
	return NULL;
}

static void put_ofile(struct ofile *o)
{
	if (--o->refs > 0)
		return;
	if (o->type == F_PIPE_R || o->type == F_PIPE_W) {
		struct pipe *p = o->pipe;
		if (o->type == F_PIPE_R)
			p->readers--;
		else
			p->writers--;
		wake_up(p);
		if (p->readers == 0 && p->writers == 0)
			p->used = false;
	}
	o->used = false;
}

/* Another descriptor for the same open file (dup, fork): a pipe end counts once per open file. */
static void get_ofile(struct ofile *o)
{
	o->refs++;
}

void files_init_console(struct task *t)
{
	struct ofile *c = new_ofile(F_CONSOLE);
	if (c == NULL)
		panic("out of open files");
	c->flags = 2;
	c->refs = 3;
	t->fds[0] = t->fds[1] = t->fds[2] = c;
}

void files_fork(struct task *child, struct task *parent)
{
	for (int i = 0; i < MAX_FDS; i++) {
		child->fds[i] = parent->fds[i];
		if (child->fds[i] != NULL)
			get_ofile(child->fds[i]);
	}
}

void files_close_all(struct task *t)
{
	for (int i = 0; i < MAX_FDS; i++)
		if (t->fds[i] != NULL) {
			put_ofile(t->fds[i]);
			t->fds[i] = NULL;
		}
}

static s32 alloc_fd(u32 from)
{
	for (u32 i = from; i < MAX_FDS; i++)
		if (current->fds[i] == NULL)
			return (s32)i;
	return -EMFILE;
}

static struct ofile *fd_get(u32 fd)
{
	return fd < MAX_FDS ? current->fds[fd] : NULL;
}

/* Absolute path (no leading '/') for `path` relative to the cwd; "." and ".." resolved. */
static bool normalize(const char *path, char *out, u32 max)
{
	char tmp[256];
	u32 n = 0;
	if (path[0] != '/') {
		for (const char *c = current->cwd; *c && n < sizeof(tmp) - 2; c++)
			tmp[n++] = *c;
		tmp[n++] = '/';
	}
	for (const char *c = path; *c; c++) {
		if (n >= sizeof(tmp) - 1)
			return false;
		tmp[n++] = *c;
	}
	tmp[n] = 0;
	u32 o = 0;
	for (u32 i = 0; i <= n;) {
		while (tmp[i] == '/')
			i++;
		if (tmp[i] == 0)
			break;
		u32 j = i;
		while (tmp[j] != '/' && tmp[j] != 0)
			j++;
		u32 len = j - i;
		if (len == 1 && tmp[i] == '.') {
		} else if (len == 2 && tmp[i] == '.' && tmp[i + 1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
		} else {
			if (o + len + 2 > max)
				return false;
			if (o > 0)
				out[o++] = '/';
			memcpy(out + o, tmp + i, len);
			o += len;
		}
		i = j;
	}
	out[o] = 0;
	return true;
}

static struct file *lookup_path(const char *path)
{
	char norm[256];
	if (path[0] == 0)
		return NULL; /* Linux: an empty path names nothing (ENOENT) */
	if (!normalize(path, norm, sizeof(norm)))
		return NULL;
	if (norm[0] == 0)
		return &root_dir;
	if (memcmp(norm, "proc/self/exe", 14) == 0)
		return (struct file *)current->exe;
	return fs_lookup(norm);
}

const struct file *resolve_exe(const char *path)
{
	if (!user_range_ok((u32)path, 1))
		return NULL;
	const struct file *f = lookup_path(path);
	return f != NULL && (f->mode & 0170000) == 0100000 ? f : NULL;
}

static bool is_dir(const struct file *f)
{
	return (f->mode & 0170000) == 0040000;
}

/* The directory that would hold normalized path `norm` exists. */
static bool parent_exists(const char *norm)
{
	char parent[128];
	u32 n = strlen(norm);
	while (n > 0 && norm[n - 1] != '/')
		n--;
	if (n == 0)
		return true; /* in the root */
	if (n >= sizeof(parent))
		return false;
	memcpy(parent, norm, n - 1);
	parent[n - 1] = 0;
	const struct file *p = fs_lookup(parent);
	return p != NULL && is_dir(p);
}

/* The device a normalized path names (/dev/null, /dev/zero, /dev/console, /dev/tty, /dev/vda), or 0. */
static enum ftype dev_type(const char *norm)
{
	if (memcmp(norm, "dev/null", 9) == 0)
		return F_NULL;
	if (memcmp(norm, "dev/zero", 9) == 0)
		return F_ZERO;
	if (memcmp(norm, "dev/console", 12) == 0 || memcmp(norm, "dev/tty", 8) == 0)
		return F_CONSOLE;
	if (memcmp(norm, "dev/vda", 8) == 0 && virtio_blk_bytes() != 0)
		return F_BLOCK;
	return 0;
}

static u32 sys_open(u32 pathp, u32 flags)
{
	if (!user_range_ok(pathp, 1))
		return (u32)-EFAULT;
	const char *path = (const char *)pathp;
	enum ftype type = F_FILE;
	struct file *f = NULL;
	char norm[256];
	if (!normalize(path, norm, sizeof(norm)))
		return (u32)-ENOENT;
	if (memcmp(norm, "dev/null", 9) == 0)
		type = F_NULL;
	else if (memcmp(norm, "dev/zero", 9) == 0)
		type = F_ZERO;
	else if (memcmp(norm, "dev/console", 12) == 0 || memcmp(norm, "dev/tty", 8) == 0)
		type = F_CONSOLE;
	else if (memcmp(norm, "dev/vda", 8) == 0) {
		if (virtio_blk_bytes() == 0)
			return (u32)-ENXIO;
		type = F_BLOCK;
	}
	else {
		f = lookup_path(path);
		if (f != NULL && (flags & O_CREAT) && (flags & O_EXCL))
			return (u32)-EEXIST;
		if (f == NULL) {
			if (!(flags & O_CREAT))
				return (u32)-ENOENT;
			if (!parent_exists(norm))
				return (u32)-ENOENT;
			f = fs_create(norm, 0100644);
			if (f == NULL)
				return (u32)-ENOSPC;
		}
		if (is_dir(f))
			type = F_DIR;
		if ((flags & O_ACCMODE) != 0) {
			if (type == F_DIR)
				return (u32)-EISDIR;
			if (f == current->exe || !fs_make_writable(f))
				return (u32)-ETXTBSY;
			if (flags & O_TRUNC)
				fs_truncate(f, 0);
		}
	}
	s32 fd = alloc_fd(0);
	if (fd < 0)
		return (u32)fd;
	struct ofile *o = new_ofile(type);
	if (o == NULL)
		return (u32)-EMFILE;
	o->f = f;
	o->flags = flags;
	current->fds[fd] = o;
	return (u32)fd;
}

static bool dir_empty(const struct file *d)
{
	u32 n = strlen(d->name);
	for (const struct file *e = fs_nth(0); e != NULL; e = fs_nth((u32)(e - fs_nth(0)) + 1))
		if (e != d && memcmp(e->name, d->name, n) == 0 && e->name[n] == '/')
			return false;
	return true;
}

static u32 sys_unlink(u32 pathp, bool dir)
{
	if (!user_range_ok(pathp, 1))
		return (u32)-EFAULT;
	struct file *f = lookup_path((const char *)pathp);
	if (f == NULL || f == &root_dir)
		return (u32)-ENOENT;
	if (dir != is_dir(f))
		return (u32)(dir ? -ENOTDIR : -EISDIR);
	if (dir && !dir_empty(f))
		return (u32)-ENOTEMPTY;
	for (int i = 0; i < MAX_OFILES; i++)
		if (ofiles[i].used && ofiles[i].f == f)
			return (u32)-EBUSY; /* open files are not kept alive after unlink yet */
	fs_delete(f);
	return 0;
}

static u32 sys_mkdir(u32 pathp)
{
	char norm[256];
	if (!user_range_ok(pathp, 1))
		return (u32)-EFAULT;
	if (!normalize((const char *)pathp, norm, sizeof(norm)) || norm[0] == 0)
		return (u32)-EEXIST;
	if (fs_lookup(norm) != NULL)
		return (u32)-EEXIST;
	if (!parent_exists(norm))
		return (u32)-ENOENT;
	return fs_create(norm, 0040755) != NULL ? 0 : (u32)-ENOSPC;
}

static u32 sys_rename(u32 from, u32 to)
{
	char norm[256];
	if (!user_range_ok(from, 1) || !user_range_ok(to, 1))
		return (u32)-EFAULT;
	struct file *f = lookup_path((const char *)from);
	if (f == NULL || f == &root_dir)
		return (u32)-ENOENT;
	if (is_dir(f) && !dir_empty(f))
		return (u32)-EBUSY; /* moving a whole tree is not supported yet */
	if (!normalize((const char *)to, norm, sizeof(norm)) || !parent_exists(norm))
		return (u32)-ENOENT;
	struct file *old = fs_lookup(norm);
	if (old == f)
		return 0;
	if (old != NULL) {
		if (is_dir(old))
			return (u32)-EISDIR;
		fs_delete(old);
	}
	return fs_rename(f, norm) ? 0 : (u32)-ENOSPC;
}

static u32 do_read(struct ofile *o, u8 *buf, u32 len)
{
	switch (o->type) {
	case F_CONSOLE:
		for (;;) {
			s32 n = console_read((char *)buf, len);
			if (n >= 0)
				return (u32)n;
			sleep_on(&console_input_chan);
		}
	case F_NULL:
		return 0;
	case F_ZERO:
		memset(buf, 0, len);
		return len;
	case F_BLOCK: {
		s32 n = virtio_blk_rw(false, o->off, buf, len);
		if (n > 0)
			o->off += (u32)n;
		return (u32)n;
	}
	case F_FILE: {
		if ((o->flags & O_ACCMODE) == 1)
			return (u32)-EBADF; /* opened write-only */
		u32 n = fs_read(o->f, o->off, buf, len);
		o->off += n;
		return n;
	}
	case F_DIR:
		return (u32)-EISDIR;
	case F_PIPE_R: {
		struct pipe *p = o->pipe;
		while (p->count == 0) {
			if (p->writers == 0)
				return 0;
			sleep_on(p);
		}
		u32 n = 0;
		while (n < len && p->count > 0) {
			buf[n++] = p->buf[p->rpos];
			p->rpos = (p->rpos + 1) % PIPE_BYTES;
			p->count--;
		}
		wake_up(p);
		return n;
	}
	default:
		return (u32)-EBADF;
	}
}

static u32 do_write(struct ofile *o, const u8 *buf, u32 len)
{
	switch (o->type) {
	case F_CONSOLE:
		console_write((const char *)buf, len);
		return len;
	case F_NULL:
	case F_ZERO:
		return len;
	case F_BLOCK: {
		if ((o->flags & O_ACCMODE) == 0)
			return (u32)-EBADF;
		s32 n = virtio_blk_rw(true, o->off, (u8 *)buf, len);
		if (n > 0)
			o->off += (u32)n;
		return n == 0 && len > 0 ? (u32)-28 /* ENOSPC */ : (u32)n;
	}
	case F_FILE: {
		if ((o->flags & O_ACCMODE) == 0)
			return (u32)-EBADF;
		if (o->flags & O_APPEND)
			o->off = o->f->size;
		s32 n = fs_write(o->f, o->off, buf, len);
		if (n > 0)
			o->off += (u32)n;
		return (u32)n;
	}
	case F_PIPE_W: {
		struct pipe *p = o->pipe;
		u32 n = 0;
		while (n < len) {
			if (p->readers == 0) {
				/* Nobody will ever read this: SIGPIPE, whose default action ends the writer
				 * (handlers are not delivered yet). */
				if (n == 0)
					exit_with_status(SIGPIPE);
				return n;
			}
			if (p->count == PIPE_BYTES) {
				wake_up(p);
				sleep_on(p);
				continue;
			}
			p->buf[(p->rpos + p->count) % PIPE_BYTES] = buf[n++];
			p->count++;
		}
		wake_up(p);
		return n;
	}
	default:
		return (u32)-EBADF;
	}
}

static void fill_stat(const struct file *f, enum ftype type, u8 *st)
{
	memset(st, 0, 96);
	u32 mode = type == F_NULL || type == F_ZERO || type == F_CONSOLE ? 0020666 : 0100644, size = 0, ino = 1;
	if (type == F_FILE || type == F_DIR) {
		mode = f->mode;
		size = f->size;
		ino = (u32)f;
	} else if (type == F_PIPE_R || type == F_PIPE_W)
		mode = 0010600;
	else if (type == F_BLOCK) {
		mode = 0060660;
		size = virtio_blk_bytes();
		*(u32 *)(st + 32) = (253u << 8); /* st_rdev: major 253, minor 0 */
	}
	*(u32 *)(st + 12) = ino;
	*(u32 *)(st + 16) = mode;
	*(u32 *)(st + 20) = 1;
	*(u32 *)(st + 44) = size;
	*(u32 *)(st + 52) = 4096;
	*(u32 *)(st + 56) = (size + 511) / 512;
	*(u32 *)(st + 64) = *(u32 *)(st + 72) = *(u32 *)(st + 80) = lguest_data.time_sec;
	*(u32 *)(st + 88) = ino;
}

static u32 sys_getdents64(struct ofile *o, u8 *buf, u32 len)
{
	if (o->type != F_DIR)
		return (u32)-ENOTDIR;
	const char *dir = o->f->name;
	u32 dlen = strlen(dir), n = 0;
	for (const struct file *e = fs_nth(o->off); e != NULL; e = fs_nth(++o->off)) {
		const char *name = e->name;
		if (dlen > 0) {
			if (memcmp(name, dir, dlen) != 0 || name[dlen] != '/')
				continue;
			name += dlen + 1;
		}
		bool direct = true;
		for (const char *c = name; *c; c++)
			if (*c == '/')
				direct = false;
		if (!direct || *name == 0 || name[0] == '.')
			continue;
		u32 nl = strlen(name), reclen = (19 + nl + 1 + 7) & ~7u;
		if (n + reclen > len)
			break;
		u8 *d = buf + n;
		memset(d, 0, reclen);
		*(u32 *)d = (u32)e;
		*(u32 *)(d + 8) = o->off + 1;
		*(u16 *)(d + 16) = (u16)reclen;
		d[18] = (e->mode & 0170000) == 0040000 ? 4 : (e->mode & 0170000) == 0120000 ? 10 : 8;
		memcpy(d + 19, name, nl + 1);
		n += reclen;
	}
	return n;
}

/* What `o` is ready for now (POLLIN / POLLOUT / POLLHUP). */
static u32 poll_ready(struct ofile *o)
{
	switch (o->type) {
	case F_CONSOLE:
		return (console_readable() ? POLLIN : 0) | POLLOUT;
	case F_PIPE_R:
		return (o->pipe->count > 0 ? POLLIN : 0) | (o->pipe->writers == 0 ? POLLHUP : 0);
	case F_PIPE_W:
		return (o->pipe->count < PIPE_BYTES ? POLLOUT : 0);
	default:
		return POLLIN | POLLOUT;
	}
}

/* poll(fds, n, timeout): wait until one descriptor is ready (timeout 0: just look). */
static u32 sys_poll(u32 fds, u32 n, s32 timeout)
{
	if (n > MAX_FDS || !user_range_ok(fds, n * 8))
		return (u32)-EFAULT;
	for (;;) {
		u32 ready = 0;
		const void *chan = NULL;
		for (u32 i = 0; i < n; i++) {
			u8 *p = (u8 *)fds + i * 8;
			s32 fd = *(s32 *)p;
			u16 events = *(u16 *)(p + 4), revents = 0;
			if (fd >= 0) {
				struct ofile *o = fd_get((u32)fd);
				if (o == NULL)
					revents = POLLNVAL;
				else {
					revents = (u16)(poll_ready(o) & (events | POLLHUP));
					if (chan == NULL)
						chan = o->type == F_CONSOLE ? (const void *)&console_input_chan
						       : (o->type == F_PIPE_R || o->type == F_PIPE_W) ? (const void *)o->pipe
												       : NULL;
				}
			}
			*(u16 *)(p + 6) = revents;
			if (revents != 0)
				ready++;
		}
		if (ready > 0 || timeout == 0 || chan == NULL)
			return ready;
		sleep_on(chan);
	}
}

u32 do_file_syscall(struct trap_frame *f, u32 nr, bool *handled)
{
	u32 a1 = f->ebx, a2 = f->ecx, a3 = f->edx, a4 = f->esi;
	*handled = true;
	struct ofile *o;
	switch (nr) {
	case SYS_read:
		if ((o = fd_get(a1)) == NULL)
			return (u32)-EBADF;
		if (!user_range_ok(a2, a3))
			return (u32)-EFAULT;
		return do_read(o, (u8 *)a2, a3);
	case SYS_write:
		if ((o = fd_get(a1)) == NULL)
			return (u32)-EBADF;
		if (!user_range_ok(a2, a3))
			return (u32)-EFAULT;
		return do_write(o, (const u8 *)a2, a3);
	case SYS_readv:
	case SYS_writev: {
		if ((o = fd_get(a1)) == NULL)
			return (u32)-EBADF;
		if (!user_range_ok(a2, a3 * 8))
			return (u32)-EFAULT;
		u32 total = 0;
		for (u32 i = 0; i < a3; i++) {
			const u32 *iov = (const u32 *)a2 + 2 * i;
			if (!user_range_ok(iov[0], iov[1]))
				return (u32)-EFAULT;
			u32 r = nr == SYS_readv ? do_read(o, (u8 *)iov[0], iov[1]) : do_write(o, (const u8 *)iov[0], iov[1]);
			if ((s32)r < 0)
				return total > 0 ? total : r;
			total += r;
			if (r < iov[1])
				break;
		}
		return total;
	}
	case SYS_open:
		return sys_open(a1, a2);
	case SYS_openat:
		if (a1 != AT_FDCWD && user_range_ok(a2, 1) && *(const char *)a2 != '/')
			return (u32)-ENOSYS;
		return sys_open(a2, a3);
	case SYS_close:
		if ((o = fd_get(a1)) == NULL)
			return (u32)-EBADF;
		put_ofile(o);
		current->fds[a1] = NULL;
		return 0;
	case SYS_dup:
	case SYS_fcntl:
	case SYS_fcntl64:
		if ((o = fd_get(a1)) == NULL)
			return (u32)-EBADF;
		if (nr != SYS_dup && a2 != 0 && a2 != 1030) {
			if (a2 == 3)
				return o->flags;
			return 0; /* F_GETFD, F_SETFD, F_SETFL: accepted */
		}
		{
			s32 fd = alloc_fd(nr == SYS_dup ? 0 : a3);
			if (fd < 0)
				return (u32)fd;
			get_ofile(o);
			current->fds[fd] = o;
			return (u32)fd;
		}
	case SYS_dup2:
	case SYS_dup3:
		if ((o = fd_get(a1)) == NULL || a2 >= MAX_FDS)
			return (u32)-EBADF;
		if (a1 == a2)
			return nr == SYS_dup3 ? (u32)-EINVAL : a2;
		if (current->fds[a2] != NULL)
			put_ofile(current->fds[a2]);
		get_ofile(o);
		current->fds[a2] = o;
		return a2;
	case SYS_pipe:
	case SYS_pipe2: {
		if (!user_range_ok(a1, 8))
			return (u32)-EFAULT;
		struct pipe *p = NULL;
		for (int i = 0; i < MAX_PIPES; i++)
			if (!pipes[i].used) {
				p = &pipes[i];
				break;
			}
		s32 rfd = alloc_fd(0);
		if (p == NULL || rfd < 0)
			return (u32)-EMFILE;
		struct ofile *r = new_ofile(F_PIPE_R);
		current->fds[rfd] = r;
		s32 wfd = alloc_fd(0);
		struct ofile *w = wfd < 0 ? NULL : new_ofile(F_PIPE_W);
		if (r == NULL || w == NULL) {
			current->fds[rfd] = NULL;
			if (r != NULL)
				r->used = false;
			if (w != NULL)
				w->used = false;
			return (u32)-EMFILE;
		}
		memset(p, 0, sizeof(*p));
		p->used = true;
		p->readers = p->writers = 1;
		r->pipe = w->pipe = p;
		current->fds[wfd] = w;
		((u32 *)a1)[0] = (u32)rfd;
		((u32 *)a1)[1] = (u32)wfd;
		return 0;
	}
	case SYS_ioctl:
		if ((o = fd_get(a1)) == NULL)
			return (u32)-EBADF;
		if (o->type != F_CONSOLE)
			return (u32)-ENOTTY;
		if (a2 == 0x5401 && user_range_ok(a3, 36)) { /* TCGETS: a cooked terminal */
			memset((void *)a3, 0, 36);
			((u32 *)a3)[0] = 0x0500;  /* c_iflag: ICRNL | IXON */
			((u32 *)a3)[1] = 0x0005;  /* c_oflag: OPOST | ONLCR */
			((u32 *)a3)[2] = 0x00bf;  /* c_cflag: CS8 | CREAD | B38400 */
			((u32 *)a3)[3] = 0x8a3b;  /* c_lflag: ISIG | ICANON | ECHO... */
			return 0;
		}
		if (a2 == 0x5413 && user_range_ok(a3, 8)) { /* TIOCGWINSZ: 24 x 80 */
			((u16 *)a3)[0] = 24;
			((u16 *)a3)[1] = 80;
			((u16 *)a3)[2] = ((u16 *)a3)[3] = 0;
			return 0;
		}
		return 0;
	case SYS_lseek:
	case SYS__llseek: {
		if ((o = fd_get(a1)) == NULL)
			return (u32)-EBADF;
		if (o->type != F_FILE && o->type != F_BLOCK)
			return (u32)-ESPIPE;
		u32 off = nr == SYS_lseek ? a2 : a3, whence = nr == SYS_lseek ? a3 : f->edi;
		u32 end = o->type == F_BLOCK ? virtio_blk_bytes() : o->f->size;
		u32 base = whence == 0 ? 0 : whence == 1 ? o->off : end;
		o->off = base + off;
		if (nr == SYS__llseek) {
			if (!user_range_ok(a4, 8))
				return (u32)-EFAULT;
			((u32 *)a4)[0] = o->off;
			((u32 *)a4)[1] = 0;
			return 0;
		}
		return o->off;
	}
	case SYS_stat64:
	case SYS_lstat64:
	case SYS_fstatat64: {
		u32 pathp = nr == SYS_fstatat64 ? a2 : a1, buf = nr == SYS_fstatat64 ? a3 : a2;
		if (!user_range_ok(pathp, 1) || !user_range_ok(buf, 96))
			return (u32)-EFAULT;
		if (nr == SYS_fstatat64 && *(const char *)pathp == 0) { /* AT_EMPTY_PATH */
			if ((o = fd_get(a1)) == NULL)
				return (u32)-EBADF;
			fill_stat(o->f, o->type, (u8 *)buf);
			return 0;
		}
		char norm[256];
		enum ftype dev = normalize((const char *)pathp, norm, sizeof(norm)) ? dev_type(norm) : 0;
		if (dev != 0) {
			fill_stat(NULL, dev, (u8 *)buf);
			return 0;
		}
		const struct file *file = lookup_path((const char *)pathp);
		if (file == NULL)
			return (u32)-ENOENT;
		fill_stat(file, (file->mode & 0170000) == 0040000 ? F_DIR : F_FILE, (u8 *)buf);
		return 0;
	}
	case SYS_fstat64:
		if ((o = fd_get(a1)) == NULL)
			return (u32)-EBADF;
		if (!user_range_ok(a2, 96))
			return (u32)-EFAULT;
		fill_stat(o->f, o->type, (u8 *)a2);
		return 0;
	case SYS_access:
	case SYS_faccessat: {
		u32 pathp = nr == SYS_faccessat ? a2 : a1;
		if (!user_range_ok(pathp, 1))
			return (u32)-EFAULT;
		return lookup_path((const char *)pathp) != NULL ? 0 : (u32)-ENOENT;
	}
	case SYS_readlink: {
		if (!user_range_ok(a1, 1) || !user_range_ok(a2, a3))
			return (u32)-EFAULT;
		const struct file *file = lookup_path((const char *)a1);
		if (file == NULL)
			return (u32)-ENOENT;
		char norm[256];
		if (normalize((const char *)a1, norm, sizeof(norm)) && memcmp(norm, "proc/self/exe", 14) == 0) {
			u32 n = strlen(file->name) + 1;
			if (n > a3)
				n = a3;
			((char *)a2)[0] = '/';
			memcpy((char *)a2 + 1, file->name, n - 1);
			return n;
		}
		if ((file->mode & 0170000) != 0120000)
			return (u32)-EINVAL;
		u32 n = file->size < a3 ? file->size : a3;
		memcpy((void *)a2, file->data, n);
		return n;
	}
	case SYS_getdents64:
		if ((o = fd_get(a1)) == NULL)
			return (u32)-EBADF;
		if (!user_range_ok(a2, a3))
			return (u32)-EFAULT;
		return sys_getdents64(o, (u8 *)a2, a3);
	case SYS_getcwd: {
		u32 n = strlen(current->cwd) + 1;
		if (!user_range_ok(a1, a2))
			return (u32)-EFAULT;
		if (n > a2)
			return (u32)-ERANGE;
		memcpy((void *)a1, current->cwd, n);
		return n;
	}
	case SYS_chdir: {
		if (!user_range_ok(a1, 1))
			return (u32)-EFAULT;
		const struct file *file = lookup_path((const char *)a1);
		if (file == NULL)
			return (u32)-ENOENT;
		if ((file->mode & 0170000) != 0040000)
			return (u32)-ENOTDIR;
		current->cwd[0] = '/';
		u32 n = strlen(file->name);
		if (n + 2 > sizeof(current->cwd))
			return (u32)-ERANGE;
		memcpy(current->cwd + 1, file->name, n + 1);
		return 0;
	}
	case SYS_poll:
		return sys_poll(a1, a2, (s32)a3);
	case SYS_unlink:
		return sys_unlink(a1, false);
	case SYS_unlinkat:
		if (a1 != AT_FDCWD && user_range_ok(a2, 1) && *(const char *)a2 != '/')
			return (u32)-ENOSYS;
		return sys_unlink(a2, (a3 & AT_REMOVEDIR) != 0);
	case SYS_rmdir:
		return sys_unlink(a1, true);
	case SYS_mkdir:
		return sys_mkdir(a1);
	case SYS_mkdirat:
		if (a1 != AT_FDCWD && user_range_ok(a2, 1) && *(const char *)a2 != '/')
			return (u32)-ENOSYS;
		return sys_mkdir(a2);
	case SYS_rename:
		return sys_rename(a1, a2);
	case SYS_renameat:
	case SYS_renameat2:
		return sys_rename(a2, a4);
	case SYS_ftruncate64:
		if ((o = fd_get(a1)) == NULL || o->type != F_FILE || (o->flags & O_ACCMODE) == 0)
			return (u32)-EBADF;
		fs_truncate(o->f, a2);
		return 0;
	case SYS_truncate64: {
		if (!user_range_ok(a1, 1))
			return (u32)-EFAULT;
		struct file *file = lookup_path((const char *)a1);
		if (file == NULL)
			return (u32)-ENOENT;
		fs_truncate(file, a2);
		return 0;
	}
	case SYS_utimensat: /* times are not kept, but the file must exist (touch relies on it) */
		if (a2 == 0)
			return fd_get(a1) != NULL ? 0 : (u32)-EBADF;
		if (!user_range_ok(a2, 1))
			return (u32)-EFAULT;
		if (a1 != AT_FDCWD && *(const char *)a2 != '/')
			return (u32)-ENOSYS;
		return lookup_path((const char *)a2) != NULL ? 0 : (u32)-ENOENT;
	case SYS_chmod:
	case SYS_fchmod:
	case SYS_chown32:
	case SYS_fsync:
	case SYS_fdatasync:
		return 0;
	case SYS_statx:
		return (u32)-ENOSYS; /* the C library falls back to stat64 */
	default:
		*handled = false;
		return 0;
	}
}
