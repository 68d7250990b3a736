/*
 * virtio_blk.c - the Guest's block device: a virtio-blk device on the lguest
 * bus, driven synchronously (the Launcher serves a request before the NOTIFY
 * that kicked it returns, so the Guest only checks the used ring).
 *
 * Reference: Virtio 1.0 §5.2 (device id 2; config: capacity, u64 sectors of
 * 512 bytes; request = header {u32 type, u32 reserved, u64 sector}, data,
 * status byte; IN 0, OUT 1), lguest-abi.md §8.2–§8.3 (descriptor layout on
 * the lguest bus).
 */
#include "kernel.h"

#define VIRTIO_ID_BLOCK 2
#define BLK_BOUNCE 4096

struct vring_desc {
	u32 addr, addr_high, len;
	u16 flags, next;
};

static struct {
	u32 num, ring_pa;
	struct vring_desc *desc;
	volatile u16 *avail, *used;
} q;
static bool present;
static u32 capacity; /* sectors */
static u16 last_used;
static struct {
	u32 type, reserved, sector_lo, sector_hi;
} header;
static u8 bounce[BLK_BOUNCE] __attribute__((aligned(16)));
static volatile u8 status;

void virtio_blk_init(u32 ram_bytes)
{
	u8 *desc = va(ram_bytes);
	for (u32 off = 0; off < PAGE_SIZE - 5 && desc[off] != 0;) {
		u8 *d = desc + off;
		u32 num_vq = d[1], feature_len = d[2], config_len = d[3];
		if (d[0] == VIRTIO_ID_BLOCK && num_vq >= 1) {
			const u8 *cfg = d + 5;
			q.num = *(const u16 *)cfg;
			q.ring_pa = *(const u32 *)(cfg + 4) << 12;
			q.desc = va(q.ring_pa);
			q.avail = (volatile u16 *)((u8 *)q.desc + 16 * q.num);
			q.used = (volatile u16 *)((u8 *)q.desc + ((16 * q.num + 2 * (3 + q.num) + 4095) & ~4095u));
			q.avail[0] = 1; /* no interrupts: requests complete synchronously */
			capacity = *(const u32 *)(d + 5 + num_vq * 8 + feature_len * 2);
			(void)config_len;
			d[4] = 7;
			hcall(LHCALL_NOTIFY, ram_bytes + off, 0, 0, 0);
			present = true;
			return;
		}
		off += 5 + num_vq * 8 + feature_len * 2 + config_len;
	}
}

u32 virtio_blk_bytes(void)
{
	return present ? capacity * 512 : 0;
}

/* One request of `count` (≤ 8) sectors through the bounce buffer; false on an I/O error. */
static bool request(bool write, u32 sector, u32 count)
{
	header.type = write ? 1 : 0;
	header.reserved = 0;
	header.sector_lo = sector;
	header.sector_hi = 0;
	status = 0xff;
	q.desc[0] = (struct vring_desc){ pa(&header), 0, 16, 1, 1 };
	q.desc[1] = (struct vring_desc){ pa(bounce), 0, count * 512, (u16)(1 | (write ? 0 : 2)), 2 };
	q.desc[2] = (struct vring_desc){ pa((const void *)&status), 0, 1, 2, 0 };
	u16 idx = q.avail[1];
	q.avail[2 + idx % q.num] = 0;
	__asm__ volatile("" ::: "memory");
	q.avail[1] = (u16)(idx + 1);
	hcall(LHCALL_NOTIFY, q.ring_pa, 0, 0, 0);
	if (q.used[1] == last_used)
		return false; /* the Launcher did not answer */
	last_used = q.used[1];
	return status == 0;
}

/* Read or write `len` bytes at byte `offset` of the device (partial sectors handled). */
s32 virtio_blk_rw(bool write, u32 offset, u8 *buf, u32 len)
{
	if (!present)
		return -6; /* ENXIO */
	u32 size = capacity * 512;
	if (offset >= size)
		return 0;
	if (len > size - offset)
		len = size - offset;
	u32 done = 0;
	while (done < len) {
		u32 at = offset + done, sector = at / 512, skip = at % 512;
		u32 chunk = len - done < BLK_BOUNCE - skip ? len - done : BLK_BOUNCE - skip;
		u32 sectors = (skip + chunk + 511) / 512;
		if (write && (skip != 0 || chunk % 512 != 0) && !request(false, sector, sectors))
			return -5; /* read-modify-write of the partial sectors */
		if (write)
			memcpy(bounce + skip, buf + done, chunk);
		if (!request(write, sector, sectors))
			return -5; /* EIO */
		if (!write)
			memcpy(buf + done, bounce + skip, chunk);
		done += chunk;
	}
	return (s32)len;
}
