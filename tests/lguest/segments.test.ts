/**
 * Segments and TLS (lguest-abi.md §5): Guest GDT entries get DPL 0 → 1 and the Accessed bit,
 * the Host-owned entries (LGUEST_CS 10, LGUEST_DS 11, TSS 16, DOUBLEFAULT_TSS 31) cannot be
 * changed, LOAD_TLS fills entries 6–8 and a TLS selector then reads through its base, and
 * index 32 kills. The Guest looks at the GDT it really runs under through `sgdt` (the
 * read-only ro_state page is readable from ring 1).
 */
import { describe, expect, it } from "vitest";
import { closeAndLeaks, hx, libMachine, runGuest, SCRATCH, segment } from "./guest-lib.js";

const DPL1 = 0x2000;
const ACCESSED = 0x100;

describe("LOAD_GDT_ENTRY", () => {
  it("an entry written with DPL 0 is fixed to DPL 1 with Accessed set, and loads at ring 1", () => {
    const [lo, hi] = segment(SCRATCH, 0xfffff, 0x92, 0xc);
    const m = libMachine(`
main:
	movl $0x5eed, SCRATCH
	hcall LHCALL_LOAD_GDT_ENTRY, $20, $${hx(lo)}, $${hx(hi)}
	movl $(20 * 8 + 1), %eax
	movl %eax, %ds
	movl 0, %eax                       /* ds:0 is SCRATCH */
	movl $KERNEL_DS, %ecx
	movl %ecx, %ds
	NOTIFY %eax
	sgdt gdtr
	movl gdtr + 2, %ebx
	NOTIFY 20*8+4(%ebx)
	movl gdtr + 2, %ebx
	NOTIFY 12*8+4(%ebx)
	DONE
.data
gdtr: .word 0
	.long 0
.text
`);
    const out = runGuest(m);
    expect(out.reason).toBe("CRASH: ok");
    expect(out.notifies).toEqual([0x5eed, (hi | DPL1 | ACCESSED) >>> 0, 0x00cfbb00]);
    expect(m.guest.counters.hypercalls[18]).toBe(1);
    expect(closeAndLeaks(m)).toEqual([]);
  });

  it("the Host-owned entries 10, 11, 16 and 31 keep their values whatever the Guest writes", () => {
    const m = libMachine(`
main:
	hcall LHCALL_LOAD_GDT_ENTRY, $10, $0, $0
	hcall LHCALL_LOAD_GDT_ENTRY, $11, $0x0000ffff, $0x00cff200
	hcall LHCALL_LOAD_GDT_ENTRY, $16, $0, $0
	hcall LHCALL_LOAD_GDT_ENTRY, $31, $0x0000ffff, $0x00cffa00
	NOTIFY $1                          /* a round trip through the Switcher still works */
	sgdt gdtr
	movl gdtr + 2, %edi
	NOTIFY 10*8(%edi)
	NOTIFY 10*8+4(%edi)
	NOTIFY 11*8+4(%edi)
	NOTIFY 16*8+4(%edi)
	NOTIFY 31*8+4(%edi)
	DONE
.data
gdtr: .word 0
	.long 0
.text
`);
    const out = runGuest(m);
    expect(out.reason).toBe("CRASH: ok");
    const [one, cs10lo, cs10hi, ds11hi, tss16hi, df31hi] = out.notifies as number[];
    expect(one).toBe(1);
    // flat 4 GiB ring-0 code and data of the Switcher
    expect([cs10lo, cs10hi, ds11hi]).toEqual([0x0000ffff, 0x00cf9b00, 0x00cf9300]);
    // a present 32-bit TSS (busy while the Guest runs on it)
    expect(tss16hi! & 0x9d00).toBe(0x8900);
    expect(df31hi).not.toBe(0x00cffa00 | DPL1 | ACCESSED);
    expect(df31hi).not.toBe(0x00cffa00);
    expect(closeAndLeaks(m)).toEqual([]);
  });
});

describe("LOAD_TLS", () => {
  const tls = (bases: number[], access: number[]) =>
    bases.flatMap((b, i) => segment(b, 0xfffff, access[i]!, 0xc)).map((v) => `.long ${hx(v)}`);

  it("fills entries 6–8: mov $0x33, %gs then %gs:0 reads through the new base; a later LOAD_TLS replaces it", () => {
    const first = tls([SCRATCH + 0x200, SCRATCH + 0x300, SCRATCH + 0x400], [0xf2, 0x92, 0xf2]);
    const second = tls([SCRATCH + 0x400, SCRATCH + 0x300, SCRATCH + 0x200], [0xf2, 0x92, 0xf2]);
    const m = libMachine(`
main:
	movl $0x11111111, SCRATCH + 0x200
	movl $0x22222222, SCRATCH + 0x300
	movl $0x33333333, SCRATCH + 0x400
	hcall LHCALL_LOAD_TLS, $tls1, $0
	movl $0x33, %eax                   /* entry 6, RPL 3 */
	movl %eax, %gs
	movl %gs:0, %eax
	NOTIFY %eax
	movl $0x39, %eax                   /* entry 7 was DPL 0: now DPL 1, RPL 1 loads */
	movl %eax, %fs
	movl %fs:0, %eax
	NOTIFY %eax
	movl $0x43, %eax
	movl %eax, %gs
	movl %gs:0, %eax
	NOTIFY %eax
	movl $0x33, %eax
	movl %eax, %gs
	NOTIFY $0x55                       /* %gs survives a trip through the Host */
	movl %gs:0, %eax
	NOTIFY %eax
	xorl %eax, %eax                    /* as Linux does: clear %gs before LOAD_TLS */
	movl %eax, %gs
	hcall LHCALL_LOAD_TLS, $tls2, $0
	movl $0x33, %eax
	movl %eax, %gs
	movl %gs:0, %eax
	NOTIFY %eax
	DONE
.data
tls1:
${first.join("\n")}
tls2:
${second.join("\n")}
.text
`);
    const out = runGuest(m);
    expect(out.reason).toBe("CRASH: ok");
    expect(out.notifies).toEqual([0x11111111, 0x22222222, 0x33333333, 0x55, 0x11111111, 0x33333333]);
    expect(m.guest.counters.hypercalls[16]).toBe(2);
    expect(closeAndLeaks(m)).toEqual([]);
  });
});
