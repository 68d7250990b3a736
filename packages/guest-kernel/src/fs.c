/*
 * fs.c - the initial RAM file system, read straight from the Launcher's newc
 * cpio archive(s) at the top of RAM, files kept where they lie.
 *
 * Reference: Linux's initramfs buffer format (newc: "070701", thirteen
 * 8-digit hex fields, name padded to 4, data padded to 4, "TRAILER!!!";
 * archives may follow one another, with zero padding between them);
 * boot_params ramdisk_image 0x218 / ramdisk_size 0x21C.
 */
#include "kernel.h"

#define MAX_FILES 256

static struct file files[MAX_FILES];
static u32 nfiles;

static u32 hex8(const char *p)
{
	u32 v = 0;
	for (int i = 0; i < 8; i++) {
		char c = p[i];
		v = v * 16 + (u32)(c >= 'a' ? c - 'a' + 10 : c >= 'A' ? c - 'A' + 10 : c - '0');
	}
	return v;
}

static bool streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/*G:600 The Launcher hands over its files the way a Linux boot loader does:
 * an initramfs, a cpio archive at the top of RAM whose place boot_params
 * records. The kernel keeps its pages out of the frame allocator and reads
 * the files where they lie; a file is a name, a mode and a pointer into the
 * archive. Later archives override earlier ones, which is how the Launcher
 * adds the first program's arguments after whatever the user gave. :*/
void fs_init(u32 initrd, u32 size)
{
	const char *p = va(initrd), *end = p + size;
	while (p + 110 <= end) {
		if (p[0] == 0) { /* padding between concatenated archives */
			p += 4;
			continue;
		}
		if (!(p[0] == '0' && p[1] == '7' && p[2] == '0' && p[3] == '7' && p[4] == '0' && p[5] == '1'))
			panic("initrd: not a newc cpio archive");
		u32 mode = hex8(p + 6 + 8), filesize = hex8(p + 6 + 48), namesize = hex8(p + 6 + 88);
		const char *name = p + 110;
		const u8 *data = (const u8 *)(((u32)name + namesize + 3) & ~3u);
		p = (const char *)(((u32)data + filesize + 3) & ~3u);
		if (streq(name, "TRAILER!!!"))
			continue;
		struct file *f = fs_lookup(name);
		if (f == NULL) {
			if (nfiles == MAX_FILES)
				panic("initrd: too many files");
			f = &files[nfiles++];
		}
		f->name = name;
		f->mode = mode;
		f->data = data;
		f->size = filesize;
	}
}

struct file *fs_lookup(const char *path)
{
	while (*path == '/')
		path++;
	if (*path == 0)
		return NULL;
	for (u32 i = 0; i < nfiles; i++)
		if (streq(files[i].name, path))
			return &files[i];
	return NULL;
}

/*G:610 Files created at run time (a shell's redirections, /tmp) live in the
 * kernel's own frames: a writable file holds a page of frame addresses, one
 * per 4 KiB of contents, up to 4 MiB. A file from the initramfs becomes
 * writable the same way the first time someone opens it for writing: its
 * bytes are copied into fresh frames, and the archive's copy is forgotten. :*/
struct file *fs_create(const char *path, u32 mode)
{
	while (*path == '/')
		path++;
	u32 n = strlen(path);
	if (n == 0 || n >= sizeof(files[0].wname))
		return NULL;
	struct file *f = NULL;
	for (u32 i = 0; i < nfiles; i++)
		if (files[i].name[0] == 0) {
			f = &files[i];
			break;
		}
	if (f == NULL) {
		if (nfiles == MAX_FILES)
			return NULL;
		f = &files[nfiles++];
	}
	memset(f, 0, sizeof(*f));
	memcpy(f->wname, path, n + 1);
	f->name = f->wname;
	f->mode = mode;
	return f;
}

bool fs_make_writable(struct file *f)
{
	if (f->pages != NULL)
		return true;
	if (f->size > FILE_MAX_BYTES)
		return false;
	f->pages = va(alloc_frame());
	for (u32 off = 0; off < f->size; off += PAGE_SIZE) {
		u32 frame = alloc_frame();
		u32 k = f->size - off < PAGE_SIZE ? f->size - off : PAGE_SIZE;
		memcpy(va(frame), f->data + off, k);
		f->pages[off / PAGE_SIZE] = frame;
	}
	f->data = NULL;
	return true;
}

u32 fs_read(const struct file *f, u32 off, u8 *buf, u32 len)
{
	if (off >= f->size)
		return 0;
	u32 n = len < f->size - off ? len : f->size - off;
	if (f->pages == NULL) {
		memcpy(buf, f->data + off, n);
		return n;
	}
	for (u32 done = 0; done < n;) {
		u32 at = off + done, k = PAGE_SIZE - at % PAGE_SIZE;
		if (k > n - done)
			k = n - done;
		u32 frame = f->pages[at / PAGE_SIZE];
		if (frame != 0)
			memcpy(buf + done, (u8 *)va(frame) + at % PAGE_SIZE, k);
		else
			memset(buf + done, 0, k);
		done += k;
	}
	return n;
}

s32 fs_write(struct file *f, u32 off, const u8 *buf, u32 len)
{
	if (!fs_make_writable(f))
		return -27; /* EFBIG */
	if (off > FILE_MAX_BYTES || len > FILE_MAX_BYTES - off)
		return -27;
	for (u32 done = 0; done < len;) {
		u32 at = off + done, k = PAGE_SIZE - at % PAGE_SIZE;
		if (k > len - done)
			k = len - done;
		u32 *slot = &f->pages[at / PAGE_SIZE];
		if (*slot == 0)
			*slot = alloc_frame();
		memcpy((u8 *)va(*slot) + at % PAGE_SIZE, buf + done, k);
		done += k;
	}
	if (off + len > f->size)
		f->size = off + len;
	return (s32)len;
}

void fs_truncate(struct file *f, u32 size)
{
	if (!fs_make_writable(f))
		return;
	if (size > FILE_MAX_BYTES)
		size = FILE_MAX_BYTES;
	for (u32 p = (size + PAGE_SIZE - 1) / PAGE_SIZE; p < 1024; p++)
		if (f->pages[p] != 0) {
			free_frame(f->pages[p]);
			f->pages[p] = 0;
		}
	if (size < f->size && size % PAGE_SIZE != 0 && f->pages[size / PAGE_SIZE] != 0)
		memset((u8 *)va(f->pages[size / PAGE_SIZE]) + size % PAGE_SIZE, 0, PAGE_SIZE - size % PAGE_SIZE);
	f->size = size;
}

void fs_delete(struct file *f)
{
	if (f->pages != NULL) {
		fs_truncate(f, 0);
		free_frame(pa(f->pages));
	}
	memset(f, 0, sizeof(*f));
	f->name = f->wname; /* "": deleted, the slot is free */
}

bool fs_rename(struct file *f, const char *path)
{
	while (*path == '/')
		path++;
	u32 n = strlen(path);
	if (n == 0 || n >= sizeof(f->wname))
		return false;
	memcpy(f->wname, path, n + 1);
	f->name = f->wname;
	return true;
}

/* The n-th file of the initramfs, or NULL past the end (for directory listings). */
const struct file *fs_nth(u32 n)
{
	return n < nfiles ? &files[n] : NULL;
}
