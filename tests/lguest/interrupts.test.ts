/**
 * Virtual interrupts (lguest-abi.md §4.4, §4.5, §4.8): the timer (SET_CLOCKEVENT, IRQ 0 on
 * vector 32), HALT until an interrupt with virtual time skipping the idle period, irq_enabled
 * 0 → irq_pending and SEND_INTERRUPTS, blocked_interrupts, LHREQ_IRQ from the Launcher, and
 * an interrupt that arrives exactly at the Guest's noirq_iret reusing the frame.
 */
import { describe, expect, it } from "vitest";
import { closeAndLeaks, KSTACK, libMachine, runGuest, USER_STACK } from "./guest-lib.js";

describe("the timer", () => {
  it("SET_CLOCKEVENT + unblocked IRQ 0 + HALT: the handler runs once the time has passed, with virtual time skipping the wait", () => {
    const m = libMachine(`
main:
	idt_entry 32, timer
	unblock_timer
	movl $0x200, lguest_data + LD_IRQ_ENABLED
	NOTIFY lguest_data + LD_TIME_SEC
	NOTIFY lguest_data + LD_TIME_NSEC
	hcall LHCALL_SET_CLOCKEVENT, $10000000
	hcall LHCALL_HALT
after_halt:
	NOTIFY $0xaf
	NOTIFY lguest_data + LD_IRQ_ENABLED
	DONE
timer:
	NOTIFY lguest_data + LD_IRQ_ENABLED
	NOTIFY (%esp)
	movl 8(%esp), %eax
	andl $0x200, %eax
	NOTIFY %eax
	NOTIFY lguest_data + LD_TIME_SEC
	NOTIFY lguest_data + LD_TIME_NSEC
	jmp lguest_iret
`);
    const out = runGuest(m);
    expect(out.reason).toBe("CRASH: ok");
    const [s0, n0, irqInHandler, , frameIf, s1, n1, after, irqAfter] = out.notifies as number[];
    expect(irqInHandler).toBe(0); // interrupt gate
    expect(frameIf).toBe(0x200);
    expect(after).toBe(0xaf);
    expect(irqAfter! & 0x200).toBe(0x200); // lguest_iret restored virtual IF from the frame
    const elapsed = (s1! - s0!) * 1e9 + (n1! - n0!);
    expect(elapsed).toBeGreaterThanOrEqual(10_000_000);
    expect(elapsed).toBeLessThan(10_100_000);
    // the 10 ms were skipped, not executed: a few hundred Guest instructions at most
    expect(m.guest.cpu.instructions).toBeLessThan(100_000);
    expect(m.guest.counters.interruptsDelivered).toBe(1);
    expect(closeAndLeaks(m)).toEqual([]);
  });

  it("a halted Guest with interrupts off is woken with them on", () => {
    const m = libMachine(`
main:
	idt_entry 32, timer
	unblock_timer
	movl $0, lguest_data + LD_IRQ_ENABLED
	hcall LHCALL_SET_CLOCKEVENT, $1000
	hcall LHCALL_HALT
	NOTIFY $0xaf
	DONE
timer:
	movl 8(%esp), %eax
	andl $0x200, %eax
	NOTIFY %eax
	jmp lguest_iret
`);
    const out = runGuest(m);
    expect(out.notifies).toEqual([0x200, 0xaf]);
    expect(closeAndLeaks(m)).toEqual([]);
  });

  it("with irq_enabled 0 the Host only sets irq_pending; re-enabling and SEND_INTERRUPTS delivers", () => {
    const m = libMachine(`
main:
	idt_entry 32, timer
	unblock_timer
	movl $0, lguest_data + LD_IRQ_ENABLED
	hcall LHCALL_SET_CLOCKEVENT, $100000
	movl $20000, %ecx                  /* 200 us of virtual time */
1:	loop 1b
	NOTIFY lguest_data + LD_IRQ_PENDING
	NOTIFY ticks
	movl $0x200, lguest_data + LD_IRQ_ENABLED
	hcall LHCALL_SEND_INTERRUPTS
	NOTIFY ticks
	NOTIFY lguest_data + LD_IRQ_PENDING
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
    expect(out.notifies).toEqual([0x200, 0, 1, 0]);
    expect(m.guest.counters.interruptsDelivered).toBe(1);
    expect(m.guest.counters.hypercalls[19]).toBe(1);
    expect(closeAndLeaks(m)).toEqual([]);
  });

  it("blocked_interrupts masks the timer: no delivery and no irq_pending until the Guest unblocks it", () => {
    const m = libMachine(`
main:
	idt_entry 32, timer
	movl $0x200, lguest_data + LD_IRQ_ENABLED
	hcall LHCALL_SET_CLOCKEVENT, $100000
	movl $20000, %ecx
1:	loop 1b
	NOTIFY ticks
	NOTIFY lguest_data + LD_IRQ_PENDING
	unblock_timer
	hcall LHCALL_SEND_INTERRUPTS
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
    expect(out.notifies).toEqual([0, 0, 1]);
    expect(m.guest.counters.interruptsDelivered).toBe(1);
    expect(closeAndLeaks(m)).toEqual([]);
  });

  it("a halted Guest whose only interrupt is blocked sleeps: run() reports idle with no wake-up time", () => {
    const m = libMachine(`
main:
	idt_entry 32, timer
	movl $0x200, lguest_data + LD_IRQ_ENABLED
	hcall LHCALL_SET_CLOCKEVENT, $1000
	hcall LHCALL_HALT
	NOTIFY $0xbad
timer:
	NOTIFY $0xbad
`);
    const out = runGuest(m);
    expect(out.notifies).toEqual([]);
    expect(out.last).toEqual({ kind: "idle", wakeAtNs: null });
    expect(m.guest.counters.interruptsDelivered).toBe(0);
    expect(closeAndLeaks(m)).toEqual([]);
  });
});

describe("interrupt handlers behind trap gates", () => {
  it("an IRQ delivered through a trap gate leaves virtual IF on; through an interrupt gate it turns it off", () => {
    const m = libMachine(`
main:
	idt_entry 33, irq_trap, 0xf
	idt_entry 34, irq_intr, 0xe
	movl $0x200, lguest_data + LD_IRQ_ENABLED
	hcall LHCALL_HALT
	hcall LHCALL_HALT
	DONE
irq_trap:
	NOTIFY lguest_data + LD_IRQ_ENABLED
	jmp lguest_iret
irq_intr:
	NOTIFY lguest_data + LD_IRQ_ENABLED
	jmp lguest_iret
`);
    expect(m.guest.run({ budget: 100_000 })).toEqual({ kind: "idle", wakeAtNs: null });
    m.guest.irq(1);
    const first = m.guest.run({ budget: 100_000 });
    expect(m.guest.run({ budget: 100_000 })).toEqual({ kind: "idle", wakeAtNs: null });
    m.guest.irq(2);
    const second = runGuest(m);
    expect(first).toEqual({ kind: "notify", address: 0x200 });
    expect(second.notifies).toEqual([0]);
    expect(second.reason).toBe("CRASH: ok");
    expect(m.guest.counters.interruptsDelivered).toBe(2);
    expect(closeAndLeaks(m)).toEqual([]);
  });
});

describe("interrupts in ring 3", () => {
  it("a timer interrupt in user mode arrives on the kernel stack with the user's ss and esp", () => {
    const m = libMachine(`
main:
	idt_entry 32, timer
	unblock_timer
	std_space
	kstack
	user_gdt
	hcall LHCALL_SET_CLOCKEVENT, $20000
	enter_user user
user:
	jmp user
timer:
	movl %esp, %edi
	NOTIFY %edi
	NOTIFY 4(%esp)
	movl 8(%esp), %eax
	andl $0x200, %eax
	NOTIFY %eax
	NOTIFY 12(%esp)
	NOTIFY 16(%esp)
	NOTIFY %ss:lguest_data+LD_IRQ_ENABLED  /* ds is null here: the user never loaded one */
	DONE
`);
    const out = runGuest(m);
    expect(out.reason).toBe("CRASH: ok");
    expect(out.notifies).toEqual([KSTACK - 20, 0x73, 0x200, USER_STACK, 0x7b, 0]);
    expect(m.guest.counters.interruptsDelivered).toBe(1);
    expect(closeAndLeaks(m)).toEqual([]);
  });
});

describe("interrupts from the Launcher (LHREQ_IRQ)", () => {
  it("irq(n) between runs wakes the halted Guest on vector 32 + n; an IRQ without a handler stays undelivered", () => {
    const m = libMachine(`
main:
	idt_entry 33, irq1
	movl $0x200, lguest_data + LD_IRQ_ENABLED
	hcall LHCALL_HALT
	NOTIFY $0x99
	DONE
irq1:
	NOTIFY $33
	jmp lguest_iret
`);
    expect(m.guest.run({ budget: 1_000_000 })).toEqual({ kind: "idle", wakeAtNs: null });
    expect(m.guest.irq(32)).toBe(false);
    expect(m.guest.irq(-1)).toBe(false);
    expect(m.guest.irq(5)).toBe(true); // vector 37: no handler
    expect(m.guest.irq(1)).toBe(true);
    const out = runGuest(m);
    expect(out.reason).toBe("CRASH: ok");
    expect(out.notifies).toEqual([33, 0x99]);
    expect(m.guest.counters.interruptsDelivered).toBe(1);
    expect(closeAndLeaks(m)).toEqual([]);
  });
});

describe("an interrupt at noirq_iret", () => {
  /*
   * The Guest spins through lguest_iret (nine instructions a lap) with interrupts on. The
   * timer is armed for 20000 ns plus k·10 ns (one instruction each at the virtual clock's
   * rate), so consecutive k land the interrupt on consecutive instructions of the lap, one
   * of them the noirq iret itself. The handler reports the eip and esp of the frame it got.
   */
  const body = `
main:
	idt_entry 32, timer
	unblock_timer
	movl $0x200, lguest_data + LD_IRQ_ENABLED
	NOTIFY $noirq_iret
	NOTIFY $spin
	hcall LHCALL_SET_CLOCKEVENT, PARAMS
spin:
	pushl $0x202
	pushl $KERNEL_CS
	pushl $spin
	jmp lguest_iret
timer:
	movl %esp, %edi
	NOTIFY (%esp)
	NOTIFY %edi
	DONE
`;

  it("reuses the frame of the iret it interrupts: no handler ever sees noirq_iret as its return address", () => {
    const seen: { eip: number; esp: number }[] = [];
    let noirq = 0;
    let spin = 0;
    for (let k = 0; k < 18; k++) {
      const m = libMachine(body, { params: [20_000 + 10 * k] });
      const out = runGuest(m);
      expect(out.reason).toBe("CRASH: ok");
      [noirq, spin] = out.notifies as [number, number];
      seen.push({ eip: out.notifies[2]!, esp: out.notifies[3]! });
      expect(m.guest.counters.interruptsDelivered).toBe(1);
      expect(closeAndLeaks(m)).toEqual([]);
    }
    expect(seen.filter((s) => s.eip === noirq)).toEqual([]);
    // Two laps: each instruction position once, except that the interrupt at the noirq iret
    // and the one right after it both return to spin on the same frame.
    const atSpin = seen.filter((s) => s.eip === spin);
    expect(atSpin.length).toBe(4);
    expect(new Set(atSpin.map((s) => s.esp)).size).toBe(1);
    expect(new Set(seen.map((s) => s.eip)).size).toBe(8);
  });
});
