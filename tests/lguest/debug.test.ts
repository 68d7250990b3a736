/**
 * What devtools gets from the Host (lguest-abi.md §1.1, §4.3, §5, §7.2): the observer sees
 * every exit with its trap number, every hypercall with the registers it was made with, each
 * page fault with what became of it, and virtual IRQs raised and delivered; `requestStop`
 * from a breakpoint leaves the Guest with every register in its regs page; `step` runs exactly
 * one Guest instruction (a hidden page fault is not a step, a hypercall completes, a
 * reflected trap lands on the handler's first instruction).
 */
import type { HostObserver } from "@littleguest/lguest-host";
import { describe, expect, it } from "vitest";
import { closeAndLeaks, libMachine, runGuest, symbols, symtab } from "./guest-lib.js";

const LHCALL_NOTIFY = 17;
const LHCALL_NEW_PGTABLE = 4;
const LHCALL_SHUTDOWN = 2;

/** An observer that writes every event down as a tuple. */
function recorder(): { events: (string | number | boolean)[][]; observer: HostObserver } {
  const events: (string | number | boolean)[][] = [];
  return {
    events,
    observer: {
      exit: (t, e, eip, cr2) => events.push(["exit", t, e, eip, cr2]),
      hypercall: (c, a1, a2, a3, a4, async) => events.push(["hcall", c, a1, a2, a3, a4, async]),
      pageFault: (cr2, e, eip, outcome) => events.push(["pf", cr2, e, eip, outcome]),
      trapReflected: (t, e, eip) => events.push(["trap", t, e, eip]),
      irqRaised: (irq) => events.push(["irq", irq]),
      irqDelivered: (irq, eip) => events.push(["irq-in", irq, eip]),
    },
  };
}

describe("the Host observer", () => {
  const body = `
main:
	idt_entry 14, pf_handler
	idt_entry 6, ud_handler
	map_std
	movl $0, PTS + 0x480 * 4          /* page 0x480000 not present */
	hcall LHCALL_NEW_PGTABLE, $PGDIR
touch:
	movl $0x55, 0xc0400000             /* present in the Guest's tables: a hidden fault */
refused:
	movl 0xc0480000, %eax              /* not present: reflected */
undefined:
	ud2
	NOTIFY $0x1234
	DONE
pf_handler:
	movl $0x480007, PTS + 0x480 * 4
	hcall LHCALL_SET_PTE, $PGDIR, $0xc0480000, $0x480007
	addl $4, %esp
	jmp lguest_iret
ud_handler:
	addl $2, (%esp)
	jmp lguest_iret
${symtab("touch", "refused", "undefined")}
`;

  it("sees each hypercall with its arguments, each exit, hidden and reflected faults, and reflected traps", () => {
    const [touch, refused, undefinedAt] = symbols(body, 3);
    const m = libMachine(body);
    const r = recorder();
    m.guest.observer = r.observer;
    const out = runGuest(m);
    expect(out.reason).toBe("CRASH: ok");
    const ev = r.events;
    // Every synchronous hypercall is an exit with trap 0x1f, then the call with ebx..esi.
    const newPgtable = ev.findIndex((e) => e[0] === "hcall" && e[1] === LHCALL_NEW_PGTABLE);
    expect(ev[newPgtable]).toEqual(["hcall", LHCALL_NEW_PGTABLE, 0x300000, 0, 0, 0, false]);
    expect(ev[newPgtable - 1]![0]).toBe("exit");
    expect(ev[newPgtable - 1]![1]).toBe(0x1f);
    expect(ev).toContainEqual(["hcall", LHCALL_NOTIFY, 0x1234, 0, 0, 0, false]);
    expect(ev.at(-1)).toEqual(["hcall", LHCALL_SHUTDOWN, expect.any(Number), 1, 0, 0, false]);
    // A write to a page the Guest maps: not present in the shadow, hidden (error code 2: write, not present).
    expect(ev).toContainEqual(["pf", 0xc0400000, 2, touch, "hidden"]);
    // A read the Guest's own tables refuse: reflected (error code 0: read, not present).
    expect(ev).toContainEqual(["pf", 0xc0480000, 0, refused, "reflected"]);
    // #UD arrives through an interrupt gate the Host keeps: exit 6, reflected.
    expect(ev).toContainEqual(["trap", 6, 0, undefinedAt]);
    const exits = ev.filter((e) => e[0] === "exit");
    const hcalls = ev.filter((e) => e[0] === "hcall" && e[6] === false);
    // Counters and events agree: one exit event per counted exit, one event per hypercall.
    expect(exits.length).toBe(m.guest.counters.exits.reduce((a, b) => a + b, 0));
    expect(hcalls.length).toBe(m.guest.counters.hypercalls.reduce((a, b) => a + b, 0));
    expect(exits.filter((e) => e[1] === 14).length).toBe(ev.filter((e) => e[0] === "pf").length);
    expect(closeAndLeaks(m)).toEqual([]);
  });

  it("sees a virtual IRQ raised by the Launcher and delivered where the Guest was", () => {
    const src = `
main:
	idt_entry 33, irq1
	movl $0x200, lguest_data + LD_IRQ_ENABLED
	andl $~2, lguest_data + LD_BLOCKED
	NOTIFY $1
spin:
	cmpl $0, seen
	je spin
	DONE
irq1:
	movl $1, seen
	jmp lguest_iret
.data
seen: .long 0
.text
${symtab("spin")}
`;
    const [spin] = symbols(src, 1);
    const m = libMachine(src);
    const r = recorder();
    m.guest.observer = r.observer;
    const out = runGuest(m, { onNotify: () => m.guest.irq(1) });
    expect(out.reason).toBe("CRASH: ok");
    const raised = r.events.findIndex((e) => e[0] === "irq");
    expect(r.events[raised]).toEqual(["irq", 1]);
    const delivered = r.events.find((e) => e[0] === "irq-in")!;
    expect(delivered[1]).toBe(1);
    // Delivered at the NOTIFY's return address or in the spin loop (cmpl: 7 bytes, je: 2).
    expect(delivered[2]).toBeGreaterThanOrEqual(spin! - 2);
    expect(delivered[2]).toBeLessThanOrEqual(spin! + 9);
    expect(closeAndLeaks(m)).toEqual([]);
  });
});

describe("stopping and stepping a Guest", () => {
  const body = `
main:
	map_std
	hcall LHCALL_NEW_PGTABLE, $PGDIR
	idt_entry 6, ud_handler
	int3
after_bp:
	movl $7, %eax
i2:
	addl $5, %eax
i3:
	movl %eax, 0xc0400000              /* first write to this page: a hidden fault */
i4:
	movl $LHCALL_NOTIFY, %eax
i5:
	int $0x1f
i6:
	ud2
	NOTIFY %eax
	DONE
ud_handler:
	nop
	addl $2, (%esp)
	jmp lguest_iret
${symtab("after_bp", "i2", "i3", "i4", "i5", "i6", "ud_handler")}
`;

  it("a breakpoint's requestStop returns `stopped` with the registers in the regs page; step runs one Guest instruction at a time", () => {
    const [afterBp, i2, i3, i4, i5, i6, udHandler] = symbols(body, 7);
    const m = libMachine(body);
    // int3 is a direct trap in lguest; a debugger claims it before the Guest's IDT sees it.
    m.guest.cpu.faults.claim(3, () => {
      m.guest.requestStop();
      return true;
    });
    const before = m.guest.cpu.instructions;
    expect(m.guest.run({ budget: 1_000_000 })).toEqual({ kind: "stopped" });
    expect(m.guest.reg("eip") >>> 0).toBe(afterBp);
    expect(m.guest.reg("cs") & 3).toBe(1);
    expect(m.guest.cpu.instructions).toBeGreaterThan(before);

    expect(m.guest.step()).toEqual({ kind: "stopped" });
    expect([m.guest.reg("eip") >>> 0, m.guest.reg("eax")]).toEqual([i2, 7]);
    expect(m.guest.step()).toEqual({ kind: "stopped" });
    expect([m.guest.reg("eip") >>> 0, m.guest.reg("eax")]).toEqual([i3, 12]);
    // The write takes a fault the shadow pager hides: still one step, and it retired.
    const hiddenBefore = m.guest.counters.exits[14]!;
    expect(m.guest.step()).toEqual({ kind: "stopped" });
    expect(m.guest.reg("eip") >>> 0).toBe(i4);
    expect(m.guest.counters.exits[14]!).toBe(hiddenBefore + 1);
    expect(m.memory.read32(m.memBase + 0x400000)).toBe(12);
    expect(m.guest.step()).toEqual({ kind: "stopped" });
    expect(m.guest.reg("eip") >>> 0).toBe(i5);
    // Stepping over a hypercall makes it: NOTIFY with ebx (0 here) comes back to the Launcher.
    expect(m.guest.step()).toEqual({ kind: "notify", address: m.guest.reg("ebx") >>> 0 });
    expect(m.guest.reg("eip") >>> 0).toBe(i6);
    // ud2 is reflected: the step ends on the handler's first instruction.
    expect(m.guest.step()).toEqual({ kind: "stopped" });
    expect(m.guest.reg("eip") >>> 0).toBe(udHandler);
    expect(m.guest.step()).toEqual({ kind: "stopped" });
    expect(m.guest.reg("eip") >>> 0).toBe(udHandler! + 1);
    // Running on from a stop finishes the Guest normally.
    const out = runGuest(m);
    expect(out.reason).toBe("CRASH: ok");
    // eax still holds LHCALL_NOTIFY from i4: the hypercall left it alone.
    expect(out.notifies).toEqual([LHCALL_NOTIFY]);
    expect(closeAndLeaks(m)).toEqual([]);
  });

  it("requestStop between runs is answered at the loop's next look without running the Guest", () => {
    const m = libMachine(body);
    m.guest.cpu.faults.claim(3, () => true);
    m.guest.requestStop();
    const before = m.guest.cpu.instructions;
    expect(m.guest.run({ budget: 1000 })).toEqual({ kind: "stopped" });
    expect(m.guest.cpu.instructions).toBe(before);
    expect(runGuest(m).reason).toBe("CRASH: ok");
    expect(closeAndLeaks(m)).toEqual([]);
  });
});
