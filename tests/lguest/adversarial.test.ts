/**
 * A Guest trying to break out or to break the Host (lguest-abi.md §3.7, §4.6, §4.7, §6.2,
 * §6.6): the Switcher's pages (readable at ring 1, never writable, never remappable), PTEs
 * beyond pfn_limit and PSE pages, every gate type LOAD_IDT_ENTRY must refuse, stack segments
 * of the wrong ring, and seeded garbage hypercalls. Whatever the Guest does, `run()` returns,
 * the Guest either carries on or dies with one of lguest's reasons, and no page leaks.
 */
import { describe, expect, it } from "vitest";
import { closeAndLeaks, hx, libMachine, prng, runGuest, shadow } from "./guest-lib.js";

/** Every reason the Host gives for a death (lguest's wording). */
const KNOWN_REASONS = [
  /^hypercall -?\d+ before INIT$/,
  /^already have lguest_data$/,
  /^Bad hypercall -?\d+$/,
  /^bad guest page 0x[0-9a-f]+$/,
  /^bad kernel address 0x[0-9a-f]+$/,
  /^Too many gates \d+$/,
  /^bad IDT type \d+$/,
  /^bad stack segment -?\d+$/,
  /^bad stack pages \d+$/,
  /^bad stack page 0x[0-9a-f]+$/,
  /^bad page table entry$/,
  /^bad page directory entry$/,
  /^attempt to access switcher pages$/,
  /^Bad address 0x[0-9a-f]+$/,
  /^bad (read|write) address 0x[0-9a-f]+ len \d+$/,
  /^unhandled trap \d+ at 0x[0-9a-f]+ \(0x[0-9a-f]+\)$/,
  /^too many gdt entries -?\d+$/,
  /^CRASH: /s,
];

describe("the Switcher's pages", () => {
  it("ring 1 can read the Switcher text, but a directory entry for slot 1023 changes nothing (SET_PGD 1023 is ignored)", () => {
    const m = libMachine(`
main:
	movl $0xdead, 0x400000
	map_std
	zero_pages PGDIR_EXTRA
	movl $0x400007, PGDIR_EXTRA
	movl $(PGDIR_EXTRA + 7), PGDIR + 1023 * 4   /* the Guest's own slot 1023 */
	hcall LHCALL_NEW_PGTABLE, $PGDIR
	movl 0xffc00000, %eax
	NOTIFY %eax
	hcall LHCALL_SET_PGD, $PGDIR, $1023
	hcall LHCALL_SET_PGD, $PGDIR, $5000
	movl 0xffc00000, %eax
	NOTIFY %eax
	hcall LHCALL_FLUSH_TLB, $1
	movl 0xffc00000, %eax
	NOTIFY %eax
	DONE
`);
    const text = m.memory.read32(m.host.switcher.textPage) >>> 0;
    const out = runGuest(m);
    expect(out.reason).toBe("CRASH: ok");
    expect(out.notifies).toEqual([text, text, text]);
    expect(text).not.toBe(0xdead);
    expect(closeAndLeaks(m)).toEqual([]);
  });

  for (const [what, addr] of [
    ["the text page", 0xffc00000],
    ["this CPU's read-only lguest_ro_state page", 0xffc02000],
    ["the other host CPU's regs page", 0xffc03000],
    ["the top of the address space", 0xfffff000],
  ] as const) {
    it(`a write to ${what} (${hx(addr)}) kills the Guest`, () => {
      const m = libMachine(`
main:
	idt_entry 14, pf
	std_space
	NOTIFY $1
	movl $0x1234, ${hx(addr)}
	NOTIFY $0xbad
pf:
	NOTIFY $0xbad
`);
      const sw = m.host.switcher;
      const pages = () => [sw.textPage, sw.roStatePage(0), sw.hostRegsPage(1), sw.roStatePage(1)].map((p) => m.memory.u8.slice(p, p + 4096));
      let before: Uint8Array[] = [];
      const out = runGuest(m, { onNotify: () => (before = pages()) });
      expect(out.notifies).toEqual([1]);
      expect(out.reason).toBe("attempt to access switcher pages");
      expect(pages()).toEqual(before);
      expect(closeAndLeaks(m)).toEqual([]);
    });
  }

  it("ring 3 touching the Switcher kills the Guest rather than reaching it", () => {
    const m = libMachine(`
main:
	idt_entry 14, pf
	std_space
	kstack
	user_gdt
	enter_user user
user:
	movl $USER_DS, %eax
	movl %eax, %ds
	movl 0xffc00000, %eax
	jmp .
pf:
	NOTIFY $0xbad
`);
    const out = runGuest(m);
    expect(out.notifies).toEqual([]);
    expect(out.reason).toBe("attempt to access switcher pages");
    expect(closeAndLeaks(m)).toEqual([]);
  });

  it("SET_PTE for the last page of the address space kills", () => {
    const m = libMachine(`
main:
	std_space
	hcall LHCALL_SET_PTE, $PGDIR, $0xfffff000, $0
	NOTIFY $0xbad
`);
    expect(runGuest(m).reason).toBe("attempt to access switcher pages");
    expect(closeAndLeaks(m)).toEqual([]);
  });
});

describe("Guest page tables the Host must refuse", () => {
  for (const [what, pte] of [
    ["the first frame beyond pfn_limit", 0x800027],
    ["a frame far beyond Guest RAM", 0xfffff027],
    ["a PSE (bit 7) entry", 0x4000a7],
  ] as const) {
    it(`SET_PTE pre-installing ${what} kills; nothing leaks`, () => {
      const m = libMachine(`
main:
	std_space
	movl 0xc0480000, %eax              /* make the shadow table for that region exist */
	movl $${hx(pte)}, PTS + 0x480 * 4
	hcall LHCALL_SET_PTE, $PGDIR, $0xc0480000, $${hx(pte)}
	NOTIFY $0xbad
`);
      const out = runGuest(m);
      expect(out.notifies).toEqual([]);
      expect(out.reason).toBe("bad page table entry");
      expect(closeAndLeaks(m)).toEqual([]);
    });
  }

  it("the last page of Guest RAM is fine, the one after it is not", () => {
    const m = libMachine(`
main:
	std_space
	movl $0x7ff000, %eax
	movl $0x1234, 0xc07ff000
	movl 0x7ff000, %eax
	NOTIFY %eax
	zero_pages PGDIR_EXTRA
	movl $0x800007, PGDIR_EXTRA
	movl $(PGDIR_EXTRA + 7), PGDIR + 256 * 4
	hcall LHCALL_SET_PGD, $PGDIR, $256
	movl 0x40000000, %eax
	NOTIFY $0xbad
`);
    const out = runGuest(m);
    expect(out.notifies).toEqual([0x1234]);
    expect(out.reason).toBe("bad page table entry");
    expect(m.guest.counters.reflectedTraps).toBe(0);
    expect(shadow(m).hiddenFaults).toBeGreaterThan(0);
    expect(closeAndLeaks(m)).toEqual([]);
  });
});

/** LOAD_IDT_ENTRY(6) of gate type PARAMS[0] with the present bit PARAMS[1]; survives → NOTIFY 0x600d. */
const IDT_TYPE_GUEST = `
main:
	movl PARAMS, %edx
	shll $8, %edx
	orl PARAMS + 4, %edx
	movl $main, %eax
	andl $0xffff0000, %eax
	orl %eax, %edx
	movl $main, %ecx
	andl $0xffff, %ecx
	orl $(KERNEL_CS << 16), %ecx
	movl $6, %ebx
	movl $LHCALL_LOAD_IDT_ENTRY, %eax
	int $0x1f
	NOTIFY $0x600d
	DONE
`;

describe("gates and stacks of the wrong kind", () => {
  it("LOAD_IDT_ENTRY accepts only interrupt (0xE) and trap (0xF) gates; a not-present entry of any type is just cleared", () => {
    const outcomes: string[] = [];
    for (let type = 0; type < 16; type++) {
      for (const present of [0x8000, 0]) {
        const m = libMachine(IDT_TYPE_GUEST, { params: [type, present] });
        const out = runGuest(m);
        outcomes.push(out.notifies[0] === 0x600d ? "ok" : out.reason);
        expect(closeAndLeaks(m)).toEqual([]);
      }
    }
    const expected = Array.from({ length: 16 }, (_, t) => [t === 0xe || t === 0xf ? "ok" : `bad IDT type ${t}`, "ok"]).flat();
    expect(outcomes).toEqual(expected);
  });

  it("SET_STACK takes only ring-1 stack segments", () => {
    const outcomes: string[] = [];
    const segs = [0, 0x68, 0x6b, 0x7b, 0x10, 0x69, 0x61, 0x59];
    for (const ss of segs) {
      const m = libMachine(
        `
main:
	hcall LHCALL_SET_STACK, PARAMS, $0x103000, $1
	NOTIFY $0x600d
	DONE
`,
        { params: [ss] },
      );
      const out = runGuest(m);
      outcomes.push(out.notifies[0] === 0x600d ? "ok" : out.reason);
      expect(closeAndLeaks(m)).toEqual([]);
    }
    expect(outcomes).toEqual(segs.map((s) => ((s & 3) === 1 ? "ok" : `bad stack segment ${s}`)));
  });
});

describe("garbage hypercalls", () => {
  /** After the standard space and a kernel stack, three hypercalls with registers from PARAMS. */
  const GARBAGE = `
main:
	std_space
	kstack
	movl $PARAMS, %edi
	movl $3, %ebp
1:	movl (%edi), %eax
	movl 4(%edi), %ebx
	movl 8(%edi), %ecx
	movl 12(%edi), %edx
	movl 16(%edi), %esi
	pushl %edi
	pushl %ebp
	int $0x1f
	popl %ebp
	popl %edi
	addl $20, %edi
	decl %ebp
	jnz 1b
	NOTIFY $0x600d
	DONE
`;
  const VALID = [0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 13, 14, 15, 16, 17, 18, 19];

  it("48 seeded Guests: each runs on or dies with one of lguest's reasons, run() never throws, no page leaks", () => {
    const rnd = prng(0x1e57);
    const pick = <T>(xs: readonly T[]): T => xs[rnd() % xs.length]!;
    const arg = (): number =>
      pick([
        () => rnd(),
        () => rnd() % 64,
        () => (rnd() % 2048) * 4096,
        () => 0x300000,
        () => 0xc0000000 + (rnd() % 0x800000),
        () => 0xffc00000 + (rnd() % 0x400000),
        () => 0x69,
        () => rnd() & 0xfffff0ff,
      ])();
    const tally = new Map<string, number>();
    for (let g = 0; g < 48; g++) {
      const params: number[] = [];
      for (let c = 0; c < 3; c++) params.push(rnd() % 10 < 8 ? pick(VALID) : rnd() % 3 === 0 ? rnd() : rnd() % 40, arg(), arg(), arg(), arg());
      const m = libMachine(GARBAGE, { params, seed: g });
      let reason = "";
      let kind = "";
      expect(() => {
        const out = runGuest(m, { budget: 1_000_000, maxEvents: 20 });
        reason = out.reason;
        kind = out.last.kind;
      }, `Guest ${g} params ${params.map(hx).join(" ")}`).not.toThrow();
      if (kind === "dead") {
        expect(
          KNOWN_REASONS.some((r) => r.test(reason)),
          `Guest ${g} died of "${reason}" with params ${params.map(hx).join(" ")}`,
        ).toBe(true);
      }
      const key = kind === "dead" ? reason.replace(/0x[0-9a-f]+|\d+/g, "N").slice(0, 40) : kind;
      tally.set(key, (tally.get(key) ?? 0) + 1);
      expect(closeAndLeaks(m), `Guest ${g} leaked`).toEqual([]);
    }
    // the mix exercised both outcomes
    expect(tally.get("CRASH: ok") ?? 0).toBeGreaterThan(0);
    expect([...tally.keys()].filter((k) => k !== "CRASH: ok").length).toBeGreaterThan(3);
  });
});
