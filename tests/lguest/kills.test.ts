/**
 * Every way the Host kills a Guest, with lguest's wording of the reason (lguest-abi.md §1.1,
 * §1.3, §4.3, §4.6, §4.7, §5, §6.2–6.6, §7.2, §7.3). After each death the Guest is closed and
 * every Host page reference is back where it was; the Host itself keeps working, for a new
 * Guest on the same LguestHost and for two Guests taking turns on one host CPU.
 */
import { createShadowStrategy } from "@littleguest/lguest-host";
import { describe, expect, it } from "vitest";
import { buildGuest, GUEST_LOAD } from "./guest-asm.js";
import { closeAndLeaks, guestSource, hx, libMachine, runGuest, SCRATCH, segment, symbols, symtab } from "./guest-lib.js";
import { GUEST_PAGES } from "./machine.js";

interface KillCase {
  readonly name: string;
  /** Guest code from `main` (or from `entry` when `fromEntry`, skipping the boot stub's INIT). */
  readonly body: string;
  /** The reason; a function gets the addresses of `labels`. */
  readonly reason: string | RegExp | ((syms: number[]) => string);
  readonly labels?: readonly string[];
  readonly fromEntry?: boolean;
  /** Host exits expected by trap number. */
  readonly exits?: Readonly<Record<number, number>>;
}

const [dpl0Lo, dpl0Hi] = segment(SCRATCH, 0xfffff, 0x92, 0xc);

const cases: KillCase[] = [
  {
    name: "a hypercall before LGUEST_INIT",
    fromEntry: true,
    body: `
entry:
	hcall LHCALL_NOTIFY, $1
	NOTIFY $0xbad
`,
    reason: "hypercall 17 before INIT",
  },
  {
    name: "LGUEST_INIT with lguest_data running past the end of Guest RAM",
    fromEntry: true,
    body: `
entry:
	hcall LHCALL_LGUEST_INIT, $0x7fffc0
	NOTIFY $0xbad
`,
    reason: "bad guest page 0x7fffc0",
  },
  {
    name: "LGUEST_INIT with a kernel_address inside the Switcher",
    fromEntry: true,
    body: `
entry:
	movl $0xffc00000, lguest_data + LD_KERNEL_ADDRESS
	hcall LHCALL_LGUEST_INIT, $lguest_data
	NOTIFY $0xbad
`,
    reason: "bad kernel address 0xffc00000",
  },
  {
    name: "LGUEST_INIT with a system-call vector other than 0x80",
    fromEntry: true,
    body: `
entry:
	movl $0x81, lguest_data + LD_SYSCALL_VEC
	hcall LHCALL_LGUEST_INIT, $lguest_data
	NOTIFY $0xbad
`,
    labels: ["lguest_data"],
    reason: ([ld]) => `bad guest page ${hx(ld!)}`,
  },
  {
    name: "a second LGUEST_INIT",
    body: `
main:
	hcall LHCALL_LGUEST_INIT, $lguest_data
	NOTIFY $0xbad
`,
    reason: "already have lguest_data",
  },
  ...[3, 11, 12, 20, 31, 1000].map(
    (n): KillCase => ({
      name: `hypercall number ${n}`,
      body: `
main:
	hcall ${n}
	NOTIFY $0xbad
`,
      reason: `Bad hypercall ${n}`,
    }),
  ),
  {
    name: "LOAD_IDT_ENTRY for vector 256",
    body: `
main:
	hcall LHCALL_LOAD_IDT_ENTRY, $256, $0, $0x8e00
	NOTIFY $0xbad
`,
    reason: "Too many gates 256",
  },
  {
    name: "LOAD_IDT_ENTRY with a task gate",
    body: `
main:
	idt_entry 6, main, 0x5
	NOTIFY $0xbad
`,
    reason: "bad IDT type 5",
  },
  {
    name: "SET_STACK with a ring-0 stack segment",
    body: `
main:
	hcall LHCALL_SET_STACK, $0x68, $0x1f0000, $1
	NOTIFY $0xbad
`,
    reason: "bad stack segment 104",
  },
  {
    name: "SET_STACK with three pages",
    body: `
main:
	hcall LHCALL_SET_STACK, $KERNEL_DS, $0x1f0000, $3
	NOTIFY $0xbad
`,
    reason: "bad stack pages 3",
  },
  {
    name: "SET_STACK on an unmapped page",
    body: `
main:
	std_space
	hcall LHCALL_SET_STACK, $KERNEL_DS, $0x50000000, $1
	NOTIFY $0xbad
`,
    reason: "bad stack page 0x4fffffff",
  },
  {
    name: "SET_STACK on a read-only page",
    body: `
main:
	map_std
	movl $0x480005, PTS + 0x480 * 4
	hcall LHCALL_NEW_PGTABLE, $PGDIR
	hcall LHCALL_SET_STACK, $KERNEL_DS, $0xc0481000, $1
	NOTIFY $0xbad
`,
    reason: "bad stack page 0xc0480fff",
  },
  {
    name: "a PTE naming a page beyond Guest RAM",
    body: `
main:
	map_std
	movl $0x900007, PTS + 0x480 * 4
	hcall LHCALL_NEW_PGTABLE, $PGDIR
	movl 0xc0480000, %eax
	NOTIFY $0xbad
`,
    reason: "bad page table entry",
  },
  {
    name: "a PTE with the PSE bit",
    body: `
main:
	map_std
	movl $0x480087, PTS + 0x480 * 4
	hcall LHCALL_NEW_PGTABLE, $PGDIR
	movl 0xc0480000, %eax
	NOTIFY $0xbad
`,
    reason: "bad page table entry",
  },
  {
    name: "a 4 MiB (PSE) directory entry",
    body: `
main:
	map_std
	movl $0x00400087, PGDIR + 256 * 4
	hcall LHCALL_NEW_PGTABLE, $PGDIR
	movl 0x40000000, %eax
	NOTIFY $0xbad
`,
    reason: "bad page directory entry",
  },
  {
    name: "a directory entry naming a table beyond Guest RAM",
    body: `
main:
	map_std
	movl $0x00900007, PGDIR + 256 * 4
	hcall LHCALL_NEW_PGTABLE, $PGDIR
	movl 0x40000000, %eax
	NOTIFY $0xbad
`,
    reason: "bad page directory entry",
  },
  {
    name: "a directory entry with a flag outside _PAGE_TABLE (PCD)",
    body: `
main:
	map_std
	movl $0x00301017, PGDIR + 256 * 4
	hcall LHCALL_NEW_PGTABLE, $PGDIR
	movl 0x40000000, %eax
	NOTIFY $0xbad
`,
    reason: "bad page directory entry",
  },
  {
    name: "NEW_PGTABLE to a directory beyond Guest RAM",
    body: `
main:
	hcall LHCALL_NEW_PGTABLE, $0x900000
	NOTIFY $0xbad
`,
    reason: "bad read address 0x900000 len 4",
  },
  {
    name: "NEW_PGTABLE to a space where the pinned kernel stack is not mapped",
    body: `
main:
	std_space
	hcall LHCALL_SET_STACK, $KERNEL_DS, $0xc0600000, $1
	cld
	movl $PGDIR, %esi
	movl $PGDIR_EXTRA, %edi
	movl $1024, %ecx
	rep movsl
	movl $0, PGDIR_EXTRA + 769 * 4
	hcall LHCALL_NEW_PGTABLE, $PGDIR_EXTRA
	NOTIFY $0xbad
`,
    reason: "bad stack page 0xc05fffff",
  },
  {
    name: "SET_PTE into the Switcher's address range",
    body: `
main:
	std_space
	hcall LHCALL_SET_PTE, $PGDIR, $0xffc00000, $0x100027
	NOTIFY $0xbad
`,
    reason: "attempt to access switcher pages",
  },
  {
    name: "a trap reflected onto an unmapped stack",
    body: `
main:
	idt_entry 3, bp, 0xe, 1
	std_space
	movl $0x50000000, %esp
	int3
	NOTIFY $0xbad
bp:
	NOTIFY $0xbad
`,
    reason: "Bad address 0x50000000",
    exits: { 3: 1 },
  },
  {
    name: "a trap reflected onto a stack beyond Guest RAM (linear mode)",
    body: `
main:
	idt_entry 3, bp, 0xe, 1
	movl $0x900000, %esp
	int3
	NOTIFY $0xbad
bp:
	NOTIFY $0xbad
`,
    reason: "bad write address 0x8ffffc len 4",
  },
  {
    name: "SHUTDOWN with its message beyond Guest RAM",
    body: `
main:
	hcall LHCALL_SHUTDOWN, $0x7fffc0, $1
	NOTIFY $0xbad
`,
    reason: "bad read address 0x7fffc0 len 128",
  },
  {
    name: "LOAD_TLS from beyond Guest RAM",
    body: `
main:
	hcall LHCALL_LOAD_TLS, $0x7ffffc, $0
	NOTIFY $0xbad
`,
    reason: "bad read address 0x800000 len 4",
  },
  {
    name: "an invalid opcode with no #UD handler",
    body: `
main:
ud:
	ud2
	NOTIFY $0xbad
${symtab("ud")}
`,
    labels: ["ud"],
    reason: ([ud]) => `unhandled trap 6 at ${hx(ud!)} (0x0)`,
    exits: { 6: 1 },
  },
  {
    name: "a page fault with no #PF handler (cr2 in the reason)",
    body: `
main:
	std_space
pf:
	movl 0xc0900000, %eax
	NOTIFY $0xbad
${symtab("pf")}
`,
    labels: ["pf"],
    reason: ([pf]) => `unhandled trap 14 at ${hx(pf!)} (0xc0900000)`,
  },
  {
    name: "a #GP with no handler (error code in the reason)",
    body: `
main:
	idt_entry 3, main, 0xe, 0
gp:
	int3
	NOTIFY $0xbad
${symtab("gp")}
`,
    labels: ["gp"],
    reason: ([gp]) => `unhandled trap 13 at ${hx(gp!)} (0x1a)`,
    exits: { 13: 1 },
  },
  {
    name: "a segment the Switcher cannot reload on the way in (a fault inside the Switcher)",
    body: `
main:
	hcall LHCALL_LOAD_GDT_ENTRY, $20, $${hx(dpl0Lo)}, $${hx(dpl0Hi)}
	movl $(20 * 8 + 1), %eax
	movl %eax, %es
	hcall LHCALL_LOAD_GDT_ENTRY, $20, $0, $0
	NOTIFY $0xbad
`,
    reason: /^unhandled trap 256 at 0x[0-9a-f]+ \(0x[0-9a-f]+\)$/,
    exits: { 256: 1 },
  },
  {
    name: "LOAD_GDT_ENTRY for entry 32",
    body: `
main:
	hcall LHCALL_LOAD_GDT_ENTRY, $32, $0, $0
	NOTIFY $0xbad
`,
    reason: "too many gdt entries 32",
  },
  {
    name: "SHUTDOWN (the Guest's own CRASH)",
    body: `
main:
	hcall LHCALL_SHUTDOWN, $msg, $1
	NOTIFY $0xbad
msg: .asciz "boom"
`,
    reason: "CRASH: boom",
  },
];

describe("kill paths", () => {
  for (const c of cases) {
    it(`${c.name} → ${typeof c.reason === "string" ? c.reason : "its reason"}`, () => {
      const body = c.fromEntry
        ? `main:\n\tNOTIFY $0xbad\n${c.body}\n${symtab("entry", ...(c.labels ?? []))}`
        : `${c.body}\n${c.labels ? symtab(...c.labels) : ""}`;
      const syms = c.fromEntry ? symbols(body, 1 + (c.labels?.length ?? 0)) : c.labels ? symbols(body, c.labels.length) : [];
      const m = libMachine(body);
      if (c.fromEntry) m.guest.setReg("eip", syms.shift()!);
      const out = runGuest(m);
      expect(out.notifies).toEqual([]);
      expect(out.last.kind).toBe("dead");
      if (typeof c.reason === "function") expect(out.reason).toBe(c.reason(syms));
      else if (typeof c.reason === "string") expect(out.reason).toBe(c.reason);
      else expect(out.reason).toMatch(c.reason);
      for (const [v, n] of Object.entries(c.exits ?? {})) expect(m.guest.counters.exits[Number(v)]).toBe(n);
      // once dead, run() keeps saying so
      expect(m.guest.run({ budget: 1000 })).toMatchObject({ kind: "dead", reason: out.reason });
      expect(closeAndLeaks(m)).toEqual([]);
      expect(m.host.guestCount).toBe(0);
    });
  }
});

/** A Guest that builds shadows, pins a stack, loads TLS, then reports and ends. */
const HEALTHY = `
main:
	std_space
	kstack
	movl PARAMS, %eax
	movl %eax, SCRATCH + 0x200
	hcall LHCALL_LOAD_TLS, $tls, $0
	movl $0x33, %eax
	movl %eax, %gs
	movl $3, %edi
1:	movl %gs:0, %eax
	NOTIFY %eax
	decl %edi
	jnz 1b
	DONE
.data
tls:
${segment(SCRATCH + 0x200, 0xfffff, 0xf2, 0xc)
  .map((v) => `.long ${hx(v)}`)
  .join("\n")}
	.long 0, 0, 0, 0
.text
`;

describe("the Host after a death", () => {
  it("a killed Guest and then a healthy one on the same LguestHost and RAM", () => {
    const m = libMachine(`
main:
	std_space
	kstack
	movl 0xc0480000, %eax              /* a shadow table now covers 0xc0400000-0xc07fffff */
	movl $0x900027, PTS + 0x480 * 4
	hcall LHCALL_SET_PTE, $PGDIR, $0xc0480000, $0x900027
	NOTIFY $0xbad
`);
    const first = runGuest(m);
    expect(first.notifies).toEqual([]);
    expect(first.reason).toBe("bad page table entry");
    expect(closeAndLeaks(m)).toEqual([]);
    m.memory.u8.set(buildGuest(guestSource(HEALTHY)), m.memBase + GUEST_LOAD);
    m.memory.write32(m.memBase + 0x80000, 0xc0ffee);
    const second = m.host.initialize({
      memBase: m.memBase,
      pfnLimit: GUEST_PAGES,
      start: GUEST_LOAD,
      mmu: (o) => createShadowStrategy({ ...o, victim: "random" }),
      seed: 1,
    });
    const out = runGuest({ ...m, guest: second });
    expect(out.reason).toBe("CRASH: ok");
    expect(out.notifies).toEqual([0xc0ffee, 0xc0ffee, 0xc0ffee]);
    m.host.close(second);
    expect(m.allocator.compare(m.baseline)).toEqual([]);
  });

  it("a Guest moved between host CPUs keeps running on the new CPU's Switcher pages", () => {
    const m = libMachine(
      `
main:
	idt_entry 6, ud
	std_space
	movl $0, %edi
1:	ud2                                /* a reflected trap on each CPU */
	sgdt gdtr                          /* the GDT this run really uses */
	NOTIFY gdtr + 2
	incl %edi
	cmpl $6, %edi
	jne 1b
	DONE
ud:
	addl $2, (%esp)
	jmp lguest_iret
.data
gdtr: .word 0
	.long 0
.text
`,
      { hostCpus: 2 },
    );
    const seen: number[] = [];
    let last = m.guest.run({ budget: 1_000_000, hostCpu: 0 });
    for (let k = 1; last.kind === "notify"; k++) {
      seen.push(last.address);
      last = m.guest.run({ budget: 1_000_000, hostCpu: k % 2 });
    }
    expect(last).toMatchObject({ kind: "dead", reason: "CRASH: ok" });
    // run k used host CPU k % 2: its GDT lives in that CPU's ro_state page (after the text
    // page, each CPU has a regs page then a ro_state page; guest_gdt is at offset 2184)
    const gdtOf = (cpu: number) => 0xffc00000 + 0x1000 + cpu * 0x2000 + 0x1000 + 2184;
    expect(seen).toEqual([0, 1, 2, 3, 4, 5].map((k) => gdtOf(k % 2)));
    expect(m.guest.counters.reflectedTraps).toBe(6);
    expect(closeAndLeaks(m)).toEqual([]);
  });

  it("two Guests taking turns on one host CPU each keep their own page tables, GDT and TLS", () => {
    const a = libMachine(HEALTHY, { params: [0xaaaa] });
    const ramB = a.allocator.allocRange(GUEST_PAGES, "second Guest RAM");
    const baseB = ramB * 4096;
    a.memory.u8.set(buildGuest(guestSource(HEALTHY)), baseB + GUEST_LOAD);
    a.memory.write32(baseB + 0x80000, 0xbbbb);
    const b = a.host.initialize({ memBase: baseB, pfnLimit: GUEST_PAGES, start: GUEST_LOAD, mmu: (o) => createShadowStrategy(o), seed: 2 });
    const seen: string[] = [];
    const dead = new Set<string>();
    for (let turn = 0; turn < 10; turn++) {
      for (const [name, g] of [
        ["a", a.guest],
        ["b", b],
      ] as const) {
        if (dead.has(name)) continue;
        const e = g.run({ budget: 2_000_000 });
        if (e.kind === "dead") dead.add(name);
        if (e.kind === "notify") seen.push(`${name}:${e.address.toString(16)}`);
        else if (e.kind === "dead") seen.push(`${name}:${e.reason}`);
      }
    }
    expect(seen).toEqual(["a:aaaa", "b:bbbb", "a:aaaa", "b:bbbb", "a:aaaa", "b:bbbb", "a:CRASH: ok", "b:CRASH: ok"]);
    a.host.close(b);
    for (let p = 0; p < GUEST_PAGES; p++) a.allocator.put(ramB + p);
    expect(closeAndLeaks(a)).toEqual([]);
  });
});
