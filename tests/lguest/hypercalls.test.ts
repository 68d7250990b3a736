/**
 * Every hypercall of the 3.x ABI (lguest-abi.md §1.2, §1.3) from a Guest, with its effect and
 * `counters.hypercalls[n]`, and the async ring (§1.4): records in lguest_data, status 0 =
 * pending, the Host drains them in ring order before the synchronous call, writes 0xFF back,
 * stops at a NOTIFY, and keeps its cursor between drains.
 */
import { LGUEST_DATA } from "@littleguest/lguest-host/abi";
import { describe, expect, it } from "vitest";
import { closeAndLeaks, libMachine, runGuest, shadow, symbols, symtab } from "./guest-lib.js";

/** ring slot, call, a1…a4: queue an async hypercall (immediates) and mark it pending. */
const RING_MACRO = String.raw`
.macro ring slot, call, a1=0, a2=0, a3=0, a4=0
	movl $\call, lguest_data + LD_HCALLS + \slot * 20
	movl $\a1, lguest_data + LD_HCALLS + \slot * 20 + 4
	movl $\a2, lguest_data + LD_HCALLS + \slot * 20 + 8
	movl $\a3, lguest_data + LD_HCALLS + \slot * 20 + 12
	movl $\a4, lguest_data + LD_HCALLS + \slot * 20 + 16
	movb $0, lguest_data + LD_HCALL_STATUS + \slot
.endm
`;

describe("each hypercall once", () => {
  it("a Guest that makes every valid call survives and each is counted under its number", () => {
    const m = libMachine(`
main:
	hcall LHCALL_FLUSH_ASYNC
	idt_entry 32, timer
	map_std
	hcall LHCALL_NEW_PGTABLE, $PGDIR
	hcall LHCALL_FLUSH_TLB, $0
	hcall LHCALL_FLUSH_TLB, $1
	hcall LHCALL_SET_STACK, $KERNEL_DS, $KSTACK, $1
	hcall LHCALL_TS, $0
	hcall LHCALL_SET_PMD, $PGDIR, $0
	hcall LHCALL_SET_PTE, $PGDIR, $0x40000000, $0
	hcall LHCALL_SET_PGD, $PGDIR, $256
	hcall LHCALL_LOAD_TLS, $SCRATCH, $0
	hcall LHCALL_LOAD_GDT_ENTRY, $20, $0, $0
	hcall LHCALL_SEND_INTERRUPTS
	unblock_timer
	hcall LHCALL_SET_CLOCKEVENT, $100000
	hcall LHCALL_HALT
	NOTIFY ticks
	DONE
timer:
	incl ticks
	jmp lguest_iret
.data
ticks: .long 0
.text
`);
    const out = runGuest(m);
    expect(out.reason).toBe("CRASH: ok");
    expect(out.notifies).toEqual([1]);
    const expected = new Array<number>(32).fill(0);
    for (const [n, count] of [
      [0, 1],
      [1, 1],
      [2, 1],
      [4, 1],
      [5, 2],
      [6, 1],
      [7, 1],
      [8, 1],
      [9, 1],
      [10, 1],
      [13, 1],
      [14, 1],
      [15, 1],
      [16, 1],
      [17, 1],
      [18, 1],
      [19, 1],
    ] as const)
      expected[n] = count;
    expect(m.guest.counters.hypercalls).toEqual(expected);
    expect(m.guest.counters.exits[0x1f]).toBe(expected.reduce((a, b) => a + b, 0));
    expect(m.guest.counters.asyncHypercalls).toBe(0);
    expect(closeAndLeaks(m)).toEqual([]);
  });
});

describe("hypercall effects", () => {
  it("LGUEST_INIT: the Host reports reserve_mem, tsc_khz 0 and the time, and throws away the boot shadows", () => {
    const body = `
main:
	NOTIFY lguest_data + LD_RESERVE_MEM
	NOTIFY lguest_data + LD_TSC_KHZ
	NOTIFY lguest_data + LD_TIME_SEC
	DONE
${symtab("lguest_data")}
`;
    const [ld] = symbols(body, 1);
    const m = libMachine(body);
    // lguest_data arrives claiming a TSC speed: the Host must overwrite it with 0
    m.memory.write32(m.memBase + ld! + LGUEST_DATA.tscKhz, 12345);
    const out = runGuest(m);
    expect(out.notifies[0]).toBe(4 << 20);
    expect(out.notifies[1]).toBe(0);
    expect(out.notifies[2]).toBeGreaterThan(1_700_000_000);
    expect(m.guest.counters.hypercalls[1]).toBe(1);
    expect(shadow(m).clearAlls).toBeGreaterThanOrEqual(1);
    expect(closeAndLeaks(m)).toEqual([]);
  });

  it("SHUTDOWN: POWEROFF ends with CRASH: message; RESTART says so to the Launcher", () => {
    const off = libMachine(`
main:
	hcall LHCALL_SHUTDOWN, $msg, $1
msg: .asciz "power off now"
`);
    const a = runGuest(off);
    expect(a.reason).toBe("CRASH: power off now");
    expect(a.last).toMatchObject({ kind: "dead", restart: false });
    expect(off.guest.counters.hypercalls[2]).toBe(1);
    expect(closeAndLeaks(off)).toEqual([]);
    const re = libMachine(`
main:
	hcall LHCALL_SHUTDOWN, $msg, $2
msg: .asciz "again"
`);
    const b = runGuest(re);
    expect(b.last).toEqual({ kind: "dead", reason: "CRASH: again", restart: true });
    expect(closeAndLeaks(re)).toEqual([]);
  });

  it("TS: with TS set an FPU instruction raises #NM in the Guest; with TS clear it runs without an exit", () => {
    const body = `
main:
	idt_entry 7, nm
	fld1
	NOTIFY $0x70
	hcall LHCALL_TS, $1
nm_insn:
	fld1
	NOTIFY $0x71
	DONE
nm:
	NOTIFY (%esp)                     /* eip: the FPU instruction */
	hcall LHCALL_TS, $0
	jmp lguest_iret
${symtab("nm_insn")}
`;
    const [nmInsn] = symbols(body, 1);
    const m = libMachine(body);
    const out = runGuest(m);
    expect(out.reason).toBe("CRASH: ok");
    expect(out.notifies).toEqual([0x70, nmInsn, 0x71]);
    expect(m.guest.counters.exits[7]).toBe(1);
    expect(m.guest.counters.reflectedTraps).toBe(1);
    expect(m.guest.counters.hypercalls[8]).toBe(2);
    expect(closeAndLeaks(m)).toEqual([]);
  });

  it("SET_PMD drops every shadow, so a kernel mapping changed behind the Host's back takes effect", () => {
    const m = libMachine(`
main:
	movl $0xaaaa, 0x400000
	movl $0xbbbb, 0x401000
	std_space
	movl 0xc0400000, %eax
	NOTIFY %eax
	movl $0x401007, PTS + 0x400 * 4
	movl 0xc0400000, %eax
	NOTIFY %eax
	hcall LHCALL_SET_PMD, $PGDIR, $768
	movl 0xc0400000, %eax
	NOTIFY %eax
	DONE
`);
    const before = { clearAlls: 0 };
    const out = runGuest(m, {
      onNotify: (_v, i) => {
        if (i === 1) before.clearAlls = shadow(m).clearAlls;
      },
    });
    expect(out.notifies).toEqual([0xaaaa, 0xaaaa, 0xbbbb]);
    expect(shadow(m).clearAlls - before.clearAlls).toBe(1);
    expect(m.guest.counters.hypercalls[13]).toBe(1);
    expect(closeAndLeaks(m)).toEqual([]);
  });

  it("LOAD_IDT_ENTRY: a handler can be installed and removed again; vectors 2, 8, 15 and 0x1F are ignored", () => {
    const m = libMachine(`
main:
	idt_entry 6, ud
	idt_entry 0x1f, hijack           /* ignored: hypercalls keep working */
	idt_entry 2, hijack
	idt_entry 8, hijack
	idt_entry 15, hijack
	ud2
	NOTIFY $0x61
	hcall LHCALL_LOAD_IDT_ENTRY, $6, $0, $0   /* not present: removed */
	NOTIFY $0x62
	ud2
ud:
	NOTIFY $0x60
	addl $2, (%esp)
	jmp lguest_iret
hijack:
	NOTIFY $0xbad
	DONE
`);
    const out = runGuest(m);
    expect(out.notifies).toEqual([0x60, 0x61, 0x62]);
    expect(out.reason).toMatch(/^unhandled trap 6 at 0x[0-9a-f]+ \(0x0\)$/);
    expect(m.guest.counters.hypercalls[6]).toBe(6);
    expect(closeAndLeaks(m)).toEqual([]);
  });

  it("SET_CLOCKEVENT(0) cancels the timer: a halted Guest with nothing else pending stays idle", () => {
    const m = libMachine(`
main:
	idt_entry 32, timer
	unblock_timer
	hcall LHCALL_SET_CLOCKEVENT, $50000
	hcall LHCALL_SET_CLOCKEVENT, $0
	hcall LHCALL_HALT
	NOTIFY $0xbad
timer:
	NOTIFY $0x32
	DONE
`);
    const out = runGuest(m);
    expect(out.notifies).toEqual([]);
    expect(out.last).toEqual({ kind: "idle", wakeAtNs: null });
    expect(m.guest.counters.interruptsDelivered).toBe(0);
    expect(closeAndLeaks(m)).toEqual([]);
  });
});

describe("the async hypercall ring", () => {
  it("queued calls run in ring order before the synchronous call, each slot is handed back as 0xFF, and the cursor persists", () => {
    const m = libMachine(`
${RING_MACRO}
main:
	ring 0, LHCALL_NOTIFY, 1
	ring 1, LHCALL_NOTIFY, 2
	ring 2, LHCALL_NOTIFY, 3
	NOTIFY $4
	movl lguest_data + LD_HCALL_STATUS, %eax
	NOTIFY %eax                        /* slots 0-3 */
	/* second batch starts at slot 3, where the Host's cursor is */
	ring 3, LHCALL_NOTIFY, 0x33
	ring 4, LHCALL_NOTIFY, 0x44
	hcall LHCALL_FLUSH_ASYNC
	NOTIFY $5
	/* third batch: a ring call with an effect (an IDT entry), then a fault that needs it */
	movl $ud, %eax
	andl $0xffff, %eax
	orl $(KERNEL_CS << 16), %eax
	movl %eax, lguest_data + LD_HCALLS + 5 * 20 + 8
	movl $ud, %eax
	andl $0xffff0000, %eax
	orl $0x8e00, %eax
	movl %eax, lguest_data + LD_HCALLS + 5 * 20 + 12
	movl $LHCALL_LOAD_IDT_ENTRY, lguest_data + LD_HCALLS + 5 * 20
	movl $6, lguest_data + LD_HCALLS + 5 * 20 + 4
	movb $0, lguest_data + LD_HCALL_STATUS + 5
	hcall LHCALL_FLUSH_ASYNC
	ud2
after_ud:
	/* fourth batch wraps: slots 6..63 are FLUSH_ASYNC, slot 0 a NOTIFY */
	movl $6, %ebx
1:	imull $20, %ebx, %eax
	movl $LHCALL_FLUSH_ASYNC, lguest_data + LD_HCALLS(%eax)
	movb $0, lguest_data + LD_HCALL_STATUS(%ebx)
	incl %ebx
	cmpl $64, %ebx
	jne 1b
	ring 0, LHCALL_NOTIFY, 0x77
	NOTIFY $0x78
	movl lguest_data + LD_HCALL_STATUS + 60, %eax
	NOTIFY %eax
	DONE
ud:
	NOTIFY $0x60
	movl $after_ud, (%esp)
	jmp lguest_iret
`);
    const out = runGuest(m);
    expect(out.reason).toBe("CRASH: ok");
    expect(out.notifies).toEqual([1, 2, 3, 4, 0xffffffff, 0x33, 0x44, 5, 0x60, 0x77, 0x78, 0xffffffff]);
    const c = m.guest.counters;
    expect(c.asyncHypercalls).toBe(3 + 2 + 1 + 58 + 1);
    expect(c.hypercalls[0]).toBe(2 + 58);
    expect(c.hypercalls[6]).toBe(1);
    expect(closeAndLeaks(m)).toEqual([]);
  });

  it("a ring NOTIFY stops the drain: the rest of the ring and the synchronous call wait for the next run()", () => {
    const body = `
${RING_MACRO}
main:
	ring 0, LHCALL_NOTIFY, 1
	ring 1, LHCALL_SET_CLOCKEVENT, 12345
	NOTIFY $2
	DONE
${symtab("lguest_data")}
`;
    const [ld] = symbols(body, 1);
    const m = libMachine(body);
    const first = m.guest.run({ budget: 1_000_000 });
    expect(first).toEqual({ kind: "notify", address: 1 });
    // slot 0 done, slot 1 still pending, the synchronous NOTIFY not yet run
    expect(m.memory.read8(m.memBase + ld! + LGUEST_DATA.hcallStatus)).toBe(0xff);
    expect(m.memory.read8(m.memBase + ld! + LGUEST_DATA.hcallStatus + 1)).toBe(0);
    expect(m.guest.counters.hypercalls[17]).toBe(1);
    expect(m.guest.run({ budget: 1_000_000 })).toEqual({ kind: "notify", address: 2 });
    expect(m.memory.read8(m.memBase + ld! + LGUEST_DATA.hcallStatus + 1)).toBe(0xff);
    expect(m.guest.counters.hypercalls[9]).toBe(1);
    expect(m.guest.timerExpiry).toBeGreaterThan(0);
    expect(runGuest(m).reason).toBe("CRASH: ok");
    expect(closeAndLeaks(m)).toEqual([]);
  });

  it("a bad call number in the ring kills the Guest like a synchronous one", () => {
    const m = libMachine(`
${RING_MACRO}
main:
	ring 0, 3
	NOTIFY $1
`);
    const out = runGuest(m);
    expect(out.notifies).toEqual([]);
    expect(out.reason).toBe("Bad hypercall 3");
    expect(closeAndLeaks(m)).toEqual([]);
  });
});
