/*
 * virtio_console.c - the Guest's console: a virtio console found on the
 * lguest bus, transmitting through its second virtqueue.
 *
 * Reference: lguest-abi.md §8.2–§8.3 (v24–3.x: the device page is the first
 * page above RAM; struct lguest_device_desc {type, num_vq, feature_len,
 * config_len, status} then num_vq struct lguest_vqconfig {u16 num, u16 irq,
 * u32 pfn}; a queue is kicked with NOTIFY(pfn << 12), a status change with
 * NOTIFY(address of the descriptor)); Virtio 1.0 §2.4 legacy split ring with
 * 4096-byte alignment, §5.3 console (type 3, transmitq = queue 1), status
 * bits ACKNOWLEDGE 1, DRIVER 2, DRIVER_OK 4.
 */
#include "kernel.h"

#define VIRTIO_ID_CONSOLE 3
#define VRING_AVAIL_F_NO_INTERRUPT 1
#define STATUS_DRIVER_OK 7

struct vring_desc {
	u32 addr, addr_high, len;
	u16 flags, next;
};

struct vq {
	u32 num;
	u32 ring_pa;
	struct vring_desc *desc;
	volatile u16 *avail; /* flags, idx, ring[num] */
	volatile u16 *used;  /* flags, idx, then {u32 id, u32 len}[num] */
};

static struct vq tx, rx;
static bool ready;
static char tx_buf[1024];
static u32 rx_irq, rx_last_used;
static bool rx_eof;
#define RX_BUFS 8
#define RX_BUF_BYTES 256
static char rx_bufs[RX_BUFS][RX_BUF_BYTES];

/* Console input waiting to be read (a ring of bytes). */
static char in_buf[4096];
static u32 in_head, in_count;
int console_input_chan; /* tasks reading the console sleep on its address */

static void rx_post(u32 id)
{
	rx.desc[id].addr = pa(rx_bufs[id]);
	rx.desc[id].addr_high = 0;
	rx.desc[id].len = RX_BUF_BYTES;
	rx.desc[id].flags = 2; /* VRING_DESC_F_WRITE: the device fills it */
	u16 idx = rx.avail[1];
	rx.avail[2 + idx % rx.num] = (u16)id;
	__asm__ volatile("" ::: "memory");
	rx.avail[1] = (u16)(idx + 1);
}

static void vq_init(struct vq *q, u32 num, u32 pfn)
{
	q->num = num;
	q->ring_pa = pfn << 12;
	q->desc = va(q->ring_pa);
	q->avail = (volatile u16 *)((u8 *)q->desc + 16 * num);
	u32 used_off = (16 * num + 2 * (3 + num) + 4095) & ~4095u;
	q->used = (volatile u16 *)((u8 *)q->desc + used_off);
}

/*G:500 The console the user sees is a virtio device on lguest's own bus. The
 * Launcher describes it in the page just above the Guest's RAM: a type, and
 * for each queue the page frame of its ring and its interrupt. Writing is
 * three steps: put the bytes in a buffer, publish the buffer in the ring's
 * available half, and kick with NOTIFY naming the ring. The kick goes to the
 * Launcher and the Host resumes the Guest only after the Launcher has printed
 * the bytes and marked the buffer used, so the same buffer can be reused at
 * once. :*/
void virtio_console_init(u32 ram_bytes)
{
	u8 *desc = va(ram_bytes);
	for (u32 off = 0; off < PAGE_SIZE - 5 && desc[off] != 0;) {
		u8 *d = desc + off;
		u32 num_vq = d[1], feature_len = d[2], config_len = d[3];
		if (d[0] == VIRTIO_ID_CONSOLE && num_vq >= 2) {
			const u8 *rcfg = d + 5, *cfg = d + 5 + 8; /* queue 0 receives, queue 1 transmits */
			vq_init(&rx, *(const u16 *)rcfg, *(const u32 *)(rcfg + 4));
			rx_irq = *(const u16 *)(rcfg + 2);
			for (u32 i = 0; i < RX_BUFS; i++)
				rx_post(i);
			vq_init(&tx, *(const u16 *)cfg, *(const u32 *)(cfg + 4));
			tx.avail[0] = VRING_AVAIL_F_NO_INTERRUPT;
			d[4] = STATUS_DRIVER_OK;
			hcall(LHCALL_NOTIFY, ram_bytes + off, 0, 0, 0);
			hcall(LHCALL_NOTIFY, rx.ring_pa, 0, 0, 0); /* receive buffers are ready */
			ready = true;
			return;
		}
		off += 5 + num_vq * 8 + feature_len * 2 + config_len;
	}
}

/* Transmit `n` bytes; false when there is no virtio console (the caller falls back). */
bool virtio_console_write(const char *s, size_t n)
{
	if (!ready)
		return false;
	while (n > 0) {
		size_t k = n < sizeof(tx_buf) ? n : sizeof(tx_buf);
		memcpy(tx_buf, s, k);
		tx.desc[0].addr = pa(tx_buf);
		tx.desc[0].addr_high = 0;
		tx.desc[0].len = k;
		tx.desc[0].flags = 0;
		u16 idx = tx.avail[1];
		tx.avail[2 + idx % tx.num] = 0;
		__asm__ volatile("" ::: "memory");
		tx.avail[1] = (u16)(idx + 1);
		hcall(LHCALL_NOTIFY, tx.ring_pa, 0, 0, 0);
		s += k;
		n -= k;
	}
	return true;
}

/* The console's interrupt line (0: none). */
u32 virtio_console_irq(void)
{
	return ready ? rx_irq : 0;
}

/*G:510 Input travels the other way: the Guest lends the Launcher eight
 * buffers in the receive queue, and the Launcher fills one whenever the user
 * types, marks it used and raises the console's interrupt. The handler moves
 * the bytes into the kernel's input buffer, lends the buffer out again and
 * wakes whoever sleeps in read(). A buffer handed back empty means the
 * Launcher's input has ended. :*/
void virtio_console_interrupt(void)
{
	bool repost = false;
	while (rx_last_used != rx.used[1]) {
		const u32 *elem = (const u32 *)(rx.used + 2) + 2 * (rx_last_used % rx.num);
		u32 id = elem[0], len = elem[1];
		rx_last_used = (u16)(rx_last_used + 1);
		if (id >= RX_BUFS)
			continue;
		if (len == 0)
			rx_eof = true;
		for (u32 i = 0; i < len && i < RX_BUF_BYTES && in_count < sizeof(in_buf); i++) {
			in_buf[(in_head + in_count) % sizeof(in_buf)] = rx_bufs[id][i];
			in_count++;
		}
		rx_post(id);
		repost = true;
	}
	if (repost)
		hcall(LHCALL_NOTIFY, rx.ring_pa, 0, 0, 0);
	wake_up(&console_input_chan);
}

/* Read console input: the bytes waiting (at most n), 0 at end of input, -1 if none yet. */
s32 console_read(char *dst, u32 n)
{
	if (in_count == 0)
		return rx_eof || !ready ? 0 : -1;
	u32 k = 0;
	while (k < n && in_count > 0) {
		dst[k++] = in_buf[in_head];
		in_head = (in_head + 1) % sizeof(in_buf);
		in_count--;
	}
	return (s32)k;
}

/* Whether a read of the console would not block. */
bool console_readable(void)
{
	return in_count > 0 || rx_eof || !ready;
}
