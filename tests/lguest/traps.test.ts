/**
 * Traps as a Guest sees them (lguest-abi.md §4.2, §4.3, §7.2): trap gates for vectors below 32
 * and the system-call vector go straight to the Guest (no exit); interrupt gates are bounced
 * through the Host and reflected, with virtual IF cleared; #GP from port I/O at ring 1 is
 * emulated (reads all ones, writes skipped), at ring 3 reflected; the frame the Host builds
 * (stack switch to esp1 with ss/esp from ring 3, error codes, TF/NT cleared).
 */
import { describe, expect, it } from "vitest";
import { closeAndLeaks, KSTACK, libMachine, runGuest, shadow, symbols, symtab, USER_STACK } from "./guest-lib.js";

const TRAP = 0xf;
const INTR = 0xe;

describe("direct and reflected traps at ring 1", () => {
  const divide = (type: number) => `
main:
	movl $0x200, lguest_data + LD_IRQ_ENABLED
	idt_entry 0, de, ${type}
	xorl %ecx, %ecx
	movl $1, %eax
	xorl %edx, %edx
de_insn:
	divl %ecx
	NOTIFY $0xd0
	DONE
de:
	NOTIFY lguest_data + LD_IRQ_ENABLED
	NOTIFY (%esp)
	NOTIFY 4(%esp)
	movl 8(%esp), %eax
	andl $0x200, %eax
	NOTIFY %eax
	addl $2, (%esp)                    /* skip divl %ecx */
	jmp lguest_iret
${symtab("de_insn")}
`;

  it("#DE through a trap gate is delivered by the CPU: no exit, virtual IF untouched", () => {
    const body = divide(TRAP);
    const [insn] = symbols(body, 1);
    const m = libMachine(body);
    const out = runGuest(m);
    expect(out.reason).toBe("CRASH: ok");
    expect(out.notifies).toEqual([0x200, insn, 0x61, 0x200, 0xd0]);
    expect(m.guest.counters.exits[0]).toBe(0);
    expect(m.guest.counters.reflectedTraps).toBe(0);
    expect(closeAndLeaks(m)).toEqual([]);
  });

  it("#DE through an interrupt gate exits to the Host and is reflected with irq_enabled 0 inside the handler", () => {
    const body = divide(INTR);
    const [insn] = symbols(body, 1);
    const m = libMachine(body);
    const out = runGuest(m);
    expect(out.reason).toBe("CRASH: ok");
    // the frame's IF is the virtual IF at the time of the trap (on)
    expect(out.notifies).toEqual([0, insn, 0x61, 0x200, 0xd0]);
    expect(m.guest.counters.exits[0]).toBe(1);
    expect(m.guest.counters.reflectedTraps).toBe(1);
    expect(closeAndLeaks(m)).toEqual([]);
  });

  it("int3 through a DPL-1 trap gate is direct; through a DPL-0 gate it is a #GP with the gate's error code", () => {
    const body = `
main:
	idt_entry 3, bp, 0xf, 1
	idt_entry 13, gp
	int3
	NOTIFY $0x31
	idt_entry 3, bp, 0xe, 0
bad_int3:
	int3
	NOTIFY $0xbad
bp:
	NOTIFY $0x30
	jmp lguest_iret
gp:
	NOTIFY (%esp)
	NOTIFY 4(%esp)
	DONE
${symtab("bad_int3")}
`;
    const [badInt3] = symbols(body, 1);
    const m = libMachine(body);
    const out = runGuest(m);
    expect(out.reason).toBe("CRASH: ok");
    expect(out.notifies).toEqual([0x30, 0x31, 3 * 8 + 2, badInt3]);
    expect(m.guest.counters.exits[3]).toBe(0);
    expect(m.guest.counters.exits[13]).toBe(1);
    expect(m.guest.counters.emulatedInstructions).toBe(0);
    expect(closeAndLeaks(m)).toEqual([]);
  });

  it("a reflected trap runs its handler with TF and NT clear while the frame keeps the Guest's flags", () => {
    const m = libMachine(`
main:
	idt_entry 14, pf
	std_space
	pushfl
	orl $0x4100, (%esp)                /* TF | NT */
	popfl
	movl 0xc0900000, %eax              /* not mapped: reflected #PF */
	NOTIFY $0xbad
pf:
	pushfl
	popl %eax
	andl $0x4100, %eax
	NOTIFY %eax
	movl 12(%esp), %eax
	andl $0x4100, %eax
	NOTIFY %eax
	DONE
`);
    const out = runGuest(m);
    expect(out.reason).toBe("CRASH: ok");
    expect(out.notifies).toEqual([0, 0x4100]);
    expect(m.guest.counters.exits[1]).toBe(0);
    expect(closeAndLeaks(m)).toEqual([]);
  });
});

describe("how LOAD_IDT_ENTRY stores an entry", () => {
  for (const [kind, type, exits] of [
    ["a direct trap gate", TRAP, 0],
    ["a reflected interrupt gate", INTR, 1],
  ] as const) {
    it(`${kind} runs at the Guest kernel's cs whatever selector, S bit and reserved bits the Guest wrote`, () => {
      const m = libMachine(`
main:
	movl $de, %ecx
	andl $0xffff, %ecx
	orl $(0x0010 << 16), %ecx          /* a ring-0 selector */
	movl $de, %edx
	andl $0xffff0000, %edx
	orl $(0x8000 | 0x1000 | 0xff | (${type} << 8)), %edx  /* S bit and the low byte set */
	movl $0, %ebx
	movl $LHCALL_LOAD_IDT_ENTRY, %eax
	int $0x1f
	xorl %ecx, %ecx
	divl %ecx
	NOTIFY $0xd0
	DONE
de:
	movl %cs, %eax
	NOTIFY %eax
	NOTIFY 4(%esp)
	addl $2, (%esp)
	jmp lguest_iret
`);
      const out = runGuest(m);
      expect(out.reason).toBe("CRASH: ok");
      expect(out.notifies).toEqual([0x61, 0x61, 0xd0]);
      expect(m.guest.counters.exits[0]).toBe(exits);
      expect(closeAndLeaks(m)).toEqual([]);
    });
  }
});

describe("vectors that always go through the Host", () => {
  it("trap gates for #PF, #GP and #NM are not copied into the live IDT: shadow paging, I/O emulation and lazy FPU still see them", () => {
    const m = libMachine(`
main:
	idt_entry 14, pf, 0xf
	idt_entry 13, gp, 0xf
	idt_entry 7, nm, 0xf
	movl $0x200, lguest_data + LD_IRQ_ENABLED
	std_space
	movl 0xc0500000, %eax              /* hidden fault: the Guest's handler must not run */
	movl $0x12345600, %eax
	inb $0x60, %al                     /* emulated: the Guest's handler must not run */
	NOTIFY %eax
	hcall LHCALL_TS, $1
	fld1                               /* #NM, reflected through the trap gate */
	movl 0xc0900000, %eax              /* not mapped: reflected */
	NOTIFY $0xbad
pf:
	NOTIFY $0x14
	NOTIFY lguest_data + LD_IRQ_ENABLED
	DONE
gp:
	NOTIFY $0xbad
nm:
	NOTIFY $0x7
	hcall LHCALL_TS, $0
	jmp lguest_iret
`);
    const out = runGuest(m);
    expect(out.reason).toBe("CRASH: ok");
    expect(out.notifies.slice(0, 3)).toEqual([0x123456ff, 0x7, 0x14]);
    // a reflected trap-gate handler leaves virtual IF alone
    expect(out.notifies[3]! & 0x200).toBe(0x200);
    const c = m.guest.counters;
    expect([c.exits[7], c.exits[13], c.emulatedInstructions, c.reflectedTraps]).toEqual([1, 1, 1, 2]);
    expect(c.exits[14]).toBe(shadow(m).hiddenFaults + 1);
    expect(shadow(m).hiddenFaults).toBeGreaterThan(0);
    expect(closeAndLeaks(m)).toEqual([]);
  });

  it("ring 3 cannot make hypercalls: int $0x1f from user mode is a #GP and the call is not made", () => {
    const body = `
main:
	idt_entry 13, gp
	std_space
	kstack
	user_gdt
	enter_user user
user:
	movl $LHCALL_SHUTDOWN, %eax
	movl $msg_ok, %ebx
	movl $1, %ecx
user_hcall:
	int $0x1f
	jmp .
gp:
	NOTIFY (%esp)
	NOTIFY 4(%esp)
	NOTIFY 8(%esp)
	hcall LHCALL_SHUTDOWN, $msg_gp, $1
msg_gp: .asciz "gp"
${symtab("user_hcall")}
`;
    const [userHcall] = symbols(body, 1);
    const m = libMachine(body);
    const out = runGuest(m);
    expect(out.reason).toBe("CRASH: gp");
    expect(out.notifies).toEqual([0x1f * 8 + 2, userHcall, 0x73]);
    expect(m.guest.counters.hypercalls[2]).toBe(1);
    expect(closeAndLeaks(m)).toEqual([]);
  });
});

describe("system calls from ring 3", () => {
  const syscall = (type: number, dpl: number) => `
main:
	idt_entry 0x80, sys, ${type}, ${dpl}
	idt_entry 13, gp
	std_space
	kstack
	user_gdt
	enter_user user
user:
	movl $0x1234, %ebx
user_int:
	int $0x80
	jmp .
sys:
	movl %esp, %edi
	NOTIFY %edi
	NOTIFY (%esp)
	NOTIFY 4(%esp)
	movl 8(%esp), %eax
	andl $0x200, %eax
	NOTIFY %eax
	NOTIFY 12(%esp)
	NOTIFY 16(%esp)
	DONE
gp:
	NOTIFY $0x0d
	NOTIFY (%esp)
	NOTIFY 4(%esp)
	DONE
${symtab("user_int")}
`;

  for (const [name, type, exits] of [
    ["a trap gate is taken by the CPU directly (no exit)", TRAP, 0],
    ["an interrupt gate is reflected by the Host", INTR, 1],
  ] as const) {
    it(`int $0x80 through ${name}; the frame on the esp1 stack holds eip, cs, eflags, esp, ss`, () => {
      const body = syscall(type, 3);
      const [userInt] = symbols(body, 1);
      const m = libMachine(body);
      const out = runGuest(m);
      expect(out.reason).toBe("CRASH: ok");
      expect(out.notifies).toEqual([KSTACK - 20, userInt! + 2, 0x73, 0x200, USER_STACK, 0x7b]);
      expect(m.guest.counters.exits[0x80]).toBe(exits);
      expect(m.guest.counters.reflectedTraps).toBe(exits);
      expect(closeAndLeaks(m)).toEqual([]);
    });
  }

  it("int $0x80 through a DPL-0 gate from ring 3 is a #GP reflected to the Guest", () => {
    const body = syscall(TRAP, 0);
    const [userInt] = symbols(body, 1);
    const m = libMachine(body);
    const out = runGuest(m);
    expect(out.reason).toBe("CRASH: ok");
    expect(out.notifies).toEqual([0x0d, 0x80 * 8 + 2, userInt]);
    expect(m.guest.counters.exits[0x80]).toBe(0);
    expect(m.guest.counters.exits[13]).toBe(1);
    expect(closeAndLeaks(m)).toEqual([]);
  });

  it("a page fault in ring 3 arrives on the kernel stack with ss/esp and the user error codes", () => {
    const body = `
main:
	idt_entry 14, pf
	map_std
	movl $0x480003, PTS + 0x480 * 4    /* supervisor-only page */
	hcall LHCALL_NEW_PGTABLE, $PGDIR
	movl 0x480000, %eax                /* the kernel may read it */
	kstack
	user_gdt
	enter_user user
user:
	movl $USER_DS, %eax
	movl %eax, %ds
user_read:
	movl 0x480000, %eax                /* user read of a supervisor page */
user_write:
	movl %eax, 0x50000000              /* user write to an unmapped page */
	jmp .
pf:
	movl %esp, %edi
	NOTIFY %edi
	NOTIFY lguest_data + LD_CR2
	NOTIFY (%esp)
	NOTIFY 4(%esp)
	NOTIFY 8(%esp)
	NOTIFY 16(%esp)
	NOTIFY 20(%esp)
	incl %ss:pf_count
	cmpl $2, %ss:pf_count
	je 1f
	/* skip the read: back to ring 3 at the write */
	movl $user_write, 4(%esp)
	addl $4, %esp
	jmp lguest_iret
1:	DONE
.data
pf_count: .long 0
.text
${symtab("user_read", "user_write")}
`;
    const [userRead, userWrite] = symbols(body, 2);
    const m = libMachine(body);
    const out = runGuest(m);
    expect(out.reason).toBe("CRASH: ok");
    const frame = (cr2: number, err: number, eip: number) => [KSTACK - 24, cr2, err, eip, 0x73, USER_STACK, 0x7b];
    expect(out.notifies).toEqual([...frame(0x480000, 5, userRead!), ...frame(0x50000000, 6, userWrite!)]);
    expect(m.guest.counters.exits[14]).toBeGreaterThanOrEqual(2);
    expect(m.guest.counters.reflectedTraps).toBe(2);
    expect(closeAndLeaks(m)).toEqual([]);
  });
});

describe("#GP: port I/O emulation", () => {
  it("at ring 1, in reads all ones in the operand width, out and cli are skipped; other #GPs are reflected", () => {
    const body = `
main:
	idt_entry 13, gp
	movl $0x12345600, %eax
	inb $0x60, %al
	NOTIFY %eax
	movl $0x12340000, %eax
	inw $0x60, %ax
	NOTIFY %eax
	xorl %eax, %eax
	inl $0x60, %eax
	NOTIFY %eax
	movl $0x3f8, %edx
	movl $0xabcdef00, %eax
	inb %dx, %al
	NOTIFY %eax
	movl $0x3f8, %edx
	movl $0xabcd0000, %eax
	inw %dx, %ax
	NOTIFY %eax
	movl $0x3f8, %edx
	xorl %eax, %eax
	inl %dx, %eax
	NOTIFY %eax
	movl $0x3f8, %edx
	movl $0x55, %eax
	outb %al, $0x80
	outw %ax, $0x80
	outl %eax, $0x80
	outb %al, %dx
	outw %ax, %dx
	outl %eax, %dx
	cli
	NOTIFY %eax
hlt_insn:
	hlt
	NOTIFY $0xbad
gp:
	NOTIFY (%esp)
	NOTIFY 4(%esp)
	DONE
${symtab("hlt_insn")}
`;
    const [hltInsn] = symbols(body, 1);
    const m = libMachine(body);
    const out = runGuest(m);
    expect(out.reason).toBe("CRASH: ok");
    expect(out.notifies).toEqual([0x123456ff, 0x1234ffff, 0xffffffff, 0xabcdefff, 0xabcdffff, 0xffffffff, 0x55, 0, hltInsn]);
    const c = m.guest.counters;
    expect(c.emulatedInstructions).toBe(13);
    expect(c.exits[13]).toBe(14);
    expect(c.reflectedTraps).toBe(1);
    expect(closeAndLeaks(m)).toEqual([]);
  });

  it("at ring 3, in is not emulated: the Guest gets the #GP", () => {
    const body = `
main:
	idt_entry 13, gp
	std_space
	kstack
	user_gdt
	enter_user user
user:
	movl $0x11111111, %eax
user_in:
	inb $0x60, %al
	jmp .
gp:
	movl %eax, %esi
	movl %esp, %edi
	NOTIFY %esi
	NOTIFY %edi
	NOTIFY (%esp)
	NOTIFY 4(%esp)
	NOTIFY 8(%esp)
	DONE
${symtab("user_in")}
`;
    const [userIn] = symbols(body, 1);
    const m = libMachine(body);
    const out = runGuest(m);
    expect(out.reason).toBe("CRASH: ok");
    expect(out.notifies).toEqual([0x11111111, KSTACK - 24, 0, userIn, 0x73]);
    expect(m.guest.counters.emulatedInstructions).toBe(0);
    expect(m.guest.counters.exits[13]).toBe(1);
    expect(m.guest.counters.reflectedTraps).toBe(1);
    expect(closeAndLeaks(m)).toEqual([]);
  });
});
