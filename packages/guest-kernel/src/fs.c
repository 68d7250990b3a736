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
	for (u32 i = 0; i < nfiles; i++)
		if (streq(files[i].name, path))
			return &files[i];
	return NULL;
}

/* The n-th file of the initramfs, or NULL past the end (for directory listings). */
const struct file *fs_nth(u32 n)
{
	return n < nfiles ? &files[n] : NULL;
}
