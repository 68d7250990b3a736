/**
 * One representative run for the issue's note: a small Guest kernel with three user processes
 * (each its own address space), a periodic timer, system calls through a trap gate, a
 * Guest page-fault handler doing demand paging for a heap that every process unmaps at exit,
 * and a context switch (NEW_PGTABLE + SET_STACK) per time slice. It prints the Host's counters
 * (hidden vs reflected faults, pgdir hit rate, exits) and checks that they agree with each
 * other, with what the Guest counted itself, and across two identical runs.
 */
import { describe, expect, it } from "vitest";
import { closeAndLeaks, libMachine, runGuest, shadow } from "./guest-lib.js";

const NPROC = 3;
const ROUNDS = 6;

const KERNEL = `
#define NPROC ${NPROC}
#define ROUNDS ${ROUNDS}
#define UPT_BASE 0x340000
#define UPGD_BASE 0x350000
#define HEAP 0x08000000
#define TICK_NS 50000

main:
	idt_entry 14, pf_handler
	idt_entry 32, timer
	idt_entry 0x80, sys, 0xf, 3
	std_space
	kstack
	user_gdt
	/* address spaces: a copy of the kernel's, plus a user table for a 4-page heap */
	xorl %ebx, %ebx
1:	movl %ebx, %edx
	shll $12, %edx
	leal UPGD_BASE(%edx), %edi
	movl $PGDIR, %esi
	movl $1024, %ecx
	cld
	rep movsl
	leal UPT_BASE(%edx), %edi
	movl %edi, %eax
	orl $7, %eax
	movl %eax, UPGD_BASE + 32 * 4(%edx)
	movl next_free, %eax
	orl $7, %eax
	movl %eax, (%edi)
	addl $0x1000, next_free
	movl next_free, %eax
	orl $7, %eax
	movl %eax, 4(%edi)
	addl $0x1000, next_free
	incl %ebx
	cmpl $NPROC, %ebx
	jne 1b
	unblock_timer
	movl $0x200, lguest_data + LD_IRQ_ENABLED
	hcall LHCALL_SET_CLOCKEVENT, $TICK_NS

schedule:
	movl runs, %eax
	cmpl $(NPROC * ROUNDS), %eax
	je finish
	incl runs
	xorl %edx, %edx
	movl $NPROC, %ecx
	divl %ecx
	shll $12, %edx
	leal UPGD_BASE(%edx), %eax
	movl %eax, cur_pgdir
	leal UPT_BASE(%edx), %eax
	movl %eax, cur_pt
	hcall LHCALL_NEW_PGTABLE, cur_pgdir
	kstack
	enter_user user_prog

finish:
	hcall LHCALL_SET_CLOCKEVENT, $0
	NOTIFY ticks
	NOTIFY pf_count
	NOTIFY syscalls
	DONE

/* ring 3: touch the heap (read, then write), compute, one system call, then exit */
user_prog:
	movl $USER_DS, %eax
	movl %eax, %ds
	movl %eax, %es
	movl $HEAP, %esi
	movl $4, %ecx
2:	movl (%esi), %eax
	incl %eax
	movl %eax, (%esi)
	addl $0x1000, %esi
	loop 2b
	movl $3000, %ecx
3:	addl %ecx, %eax
	loop 3b
	movl $1, %eax
	int $0x80
	movl $2, %eax
	int $0x80
	jmp .

/* system calls (trap gate: the CPU delivers them, the Host never sees them) */
sys:
	incl %ss:syscalls
	cmpl $2, %eax
	je sys_exit
	jmp lguest_iret
sys_exit:
	movl $KSTACK, %esp
	kernel_ds
	/* unmap the two heap pages the Guest mapped on demand */
	movl cur_pt, %edi
	movl $0, 8(%edi)
	movl $0, 12(%edi)
	hcall LHCALL_SET_PTE, cur_pgdir, $(HEAP + 0x2000), $0
	hcall LHCALL_SET_PTE, cur_pgdir, $(HEAP + 0x3000), $0
	jmp schedule

/* demand paging for the heap: a fresh page, a PTE, SET_PTE, retry */
pf_handler:
	pushl %ds
	pushl %es
	pushal
	kernel_ds
	movl lguest_data + LD_CR2, %ecx
	cmpl $HEAP, %ecx
	jb pf_bad
	cmpl $(HEAP + 0x4000), %ecx
	jae pf_bad
	andl $0xfffff000, %ecx
	movl %ecx, %ebx
	shrl $12, %ebx
	andl $0x3ff, %ebx
	movl cur_pt, %edi
	movl next_free, %edx
	addl $0x1000, next_free
	orl $7, %edx
	movl %edx, (%edi,%ebx,4)
	hcall LHCALL_SET_PTE, cur_pgdir, %ecx, %edx
	incl pf_count
	popal
	popl %es
	popl %ds
	addl $4, %esp
	jmp lguest_iret
pf_bad:
	NOTIFY $0xbad
	NOTIFY lguest_data + LD_CR2
	hcall LHCALL_SHUTDOWN, $msg_bad, $1

timer:
	pushal
	incl %ss:ticks
	hcall LHCALL_SET_CLOCKEVENT, $TICK_NS
	popal
	jmp lguest_iret

.data
next_free: .long 0x500000
runs: .long 0
cur_pgdir: .long 0
cur_pt: .long 0
ticks: .long 0
pf_count: .long 0
syscalls: .long 0
msg_bad: .asciz "unexpected page fault"
.text
`;

function representativeRun() {
  const m = libMachine(KERNEL, { seed: 2026 });
  const out = runGuest(m);
  const host = structuredClone(m.guest.counters);
  const s = shadow(m);
  const instructions = m.guest.cpu.instructions;
  const leaks = closeAndLeaks(m);
  return { out, host, s, instructions, leaks };
}

describe("a representative run", () => {
  it("prints the Host's counters, which agree with each other, with the Guest's own counts, and across two runs", () => {
    const a = representativeRun();
    expect(a.out.reason).toBe("CRASH: ok");
    expect(a.leaks).toEqual([]);
    const [ticks, guestFaults, syscalls] = a.out.notifies as [number, number, number];
    const { host, s } = a;
    const runs = NPROC * ROUNDS;

    const exitsByTrap = host.exits.map((n, v) => [v, n] as const).filter(([, n]) => n > 0);
    const hitRate = s.pgdirHits / (s.pgdirHits + s.pgdirMisses);
    const rows: [string, string | number][] = [
      ["Guest instructions", a.instructions],
      ["exits (all)", host.exits.reduce((x, y) => x + y, 0)],
      ...exitsByTrap.map(([v, n]): [string, number] => [`  exits[${v === 256 ? "256 Switcher" : `0x${v.toString(16)}`}]`, n]),
      ["hypercalls (sync + async)", host.hypercalls.reduce((x, y) => x + y, 0)],
      ["page faults (exits[14])", host.exits[14]!],
      ["  hidden (fixed by the Host)", s.hiddenFaults],
      ["  reflected to the Guest", s.reflectedFaults],
      ["shadow fills / zaps", `${s.shadowFills} / ${s.shadowZaps}`],
      ["pgdir switches", s.pgdirHits + s.pgdirMisses],
      ["  hits / misses / evictions", `${s.pgdirHits} / ${s.pgdirMisses} / ${s.pgdirEvictions}`],
      ["  hit rate", `${(hitRate * 100).toFixed(1)} %`],
      ["clear_all / flush_user", `${s.clearAlls} / ${s.flushUsers}`],
      ["reflected traps", host.reflectedTraps],
      ["interrupts delivered", host.interruptsDelivered],
      ["system calls (direct, no exit)", syscalls],
      ["TLB flushes / walk refs", `${s.tlbFlushes} / ${s.walkRefs}`],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    console.log(
      `representative run: ${NPROC} processes × ${ROUNDS} slices, timer every 50 µs, shadow paging (random victim, seed 2026)\n${rows
        .map(([k, v]) => `  ${k.padEnd(width)}  ${String(v).padStart(12)}`)
        .join("\n")}`,
    );

    // page faults: every #PF exit was either hidden or reflected
    expect(host.exits[14]).toBe(s.hiddenFaults + s.reflectedFaults);
    expect(s.exits.pageFault).toBe(host.exits[14]);
    // the Guest saw exactly the reflected ones; they were its only reflected traps
    expect(guestFaults).toBe(2 * runs);
    expect(s.reflectedFaults).toBe(guestFaults);
    expect(host.reflectedTraps).toBe(guestFaults);
    // after each reflected fault the Guest's SET_PTE (no A bit) leads to one hidden refill,
    // and every first touch of a heap page costs a read and a write fault
    expect(s.hiddenFaults).toBeGreaterThan(s.reflectedFaults);
    // timer: every delivered interrupt ran the Guest's handler once
    expect(ticks).toBeGreaterThan(5);
    expect(host.interruptsDelivered).toBe(ticks);
    expect(host.hypercalls[9]).toBe(ticks + 2);
    // system calls through a trap gate never exit
    expect(syscalls).toBe(2 * runs);
    expect(host.exits[0x80]).toBe(0);
    // address spaces
    expect(host.hypercalls[4]).toBe(runs + 1);
    expect(s.pgdirHits + s.pgdirMisses).toBe(runs + 1);
    expect(s.pgdirMisses).toBeGreaterThanOrEqual(NPROC + 1);
    expect(s.exits.newPageTable).toBe(runs + 1);
    expect(host.hypercalls[14]).toBe(guestFaults + 2 * runs);
    expect(s.exits.setPte).toBe(host.hypercalls[14]);
    expect(host.hypercalls[7]).toBe(runs + 1);
    // every hypercall was an exit on vector 0x1F (no async ring here)
    expect(host.exits[0x1f]).toBe(host.hypercalls.reduce((x, y) => x + y, 0));
    expect(host.exits[256]).toBe(0);

    // determinism: the same Guest, seed and inputs give the same run, counter for counter
    const b = representativeRun();
    expect(b.out).toEqual(a.out);
    expect(b.host).toEqual(a.host);
    expect(b.s).toEqual(a.s);
    expect(b.instructions).toBe(a.instructions);
  });
});
