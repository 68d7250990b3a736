/**
 * Shadow paging as a Guest sees it (lguest-abi.md §6): demand paging with
 * write-protect-until-dirty (§6.3), faults the Guest's own tables refuse are reflected with
 * lguest_data.cr2 (§6.3, §2), SET_PTE / SET_PGD / FLUSH_TLB / NEW_PGTABLE and the pgdir cache
 * (§6.4–6.6), stack pinning (§4.7), and linear_pages boot mode until the first NEW_PGTABLE
 * (§6.7). Each test checks what the Guest observes and the Host's counters around it.
 */
import type { ShadowCounters } from "@littleguest/lguest-host";
import { describe, expect, it } from "vitest";
import { closeAndLeaks, libMachine, PTS, runGuest, shadow, symbols, symtab } from "./guest-lib.js";

const A = 0x20;
const D = 0x40;
const pteAddr = (phys: number) => PTS + (phys >>> 12) * 4;

/** Run and keep the shadow counters and exits[14] seen at every NOTIFY. */
function runWithSnapshots(m: ReturnType<typeof libMachine>) {
  const snaps: { s: ShadowCounters; pf: number; reflected: number }[] = [];
  const out = runGuest(m, {
    onNotify: () => snaps.push({ s: shadow(m), pf: m.guest.counters.exits[14]!, reflected: m.guest.counters.reflectedTraps }),
  });
  return { out, snaps };
}

describe("demand paging", () => {
  it("a read then a write of a fresh page costs two hidden faults and leaves A then A|D in the Guest PTE", () => {
    const m = libMachine(`
main:
	std_space
	NOTIFY $1
	movl 0xc0500000, %eax
	NOTIFY $2
	movl $0x1234, 0xc0500000
	NOTIFY $3
	DONE
`);
    const ptes: number[] = [];
    const snaps: ShadowCounters[] = [];
    const pfs: number[] = [];
    const out = runGuest(m, {
      onNotify: () => {
        ptes.push(m.read32(pteAddr(0x500000)));
        snaps.push(shadow(m));
        pfs.push(m.guest.counters.exits[14]!);
      },
    });
    expect(out.reason).toBe("CRASH: ok");
    expect(out.notifies).toEqual([1, 2, 3]);
    // untouched, accessed after the read, dirty after the write
    expect(ptes).toEqual([0x500007, 0x500007 | A, 0x500007 | A | D]);
    const [s1, s2, s3] = snaps as [ShadowCounters, ShadowCounters, ShadowCounters];
    expect([s2.hiddenFaults - s1.hiddenFaults, s3.hiddenFaults - s2.hiddenFaults]).toEqual([1, 1]);
    expect([pfs[1]! - pfs[0]!, pfs[2]! - pfs[1]!]).toEqual([1, 1]);
    expect(s3.reflectedFaults).toBe(0);
    expect(m.read32(0x500000)).toBe(0x1234);
    expect(closeAndLeaks(m)).toEqual([]);
  });

  it("a write to a fresh page costs one hidden fault and sets A and D at once", () => {
    const m = libMachine(`
main:
	std_space
	NOTIFY $1
	movl $0x4321, 0xc0501000
	NOTIFY $2
	movl 0xc0501000, %eax
	movl $0x1111, 0xc0501000
	NOTIFY %eax
	DONE
`);
    const { out, snaps } = runWithSnapshots(m);
    expect(out.notifies).toEqual([1, 2, 0x4321]);
    expect(m.read32(pteAddr(0x501000))).toBe(0x501007 | A | D);
    expect(snaps[1]!.s.hiddenFaults - snaps[0]!.s.hiddenFaults).toBe(1);
    // a dirty page was installed writable: the read and the second write fault no more
    expect(snaps[2]!.pf - snaps[1]!.pf).toBe(0);
    expect(closeAndLeaks(m)).toEqual([]);
  });

  it("a fault the Guest's tables refuse is reflected to its #PF handler with cr2 and the error code", () => {
    const body = `
main:
	idt_entry 14, pf_handler
	map_std
	movl $0, PTS + 0x480 * 4          /* page 0x480000 not present */
	hcall LHCALL_NEW_PGTABLE, $PGDIR
write_insn:
	movl $0x77, 0xc0480000
	movl 0xc0480000, %eax
	NOTIFY %eax
	NOTIFY pf_count
	DONE
pf_handler:
	incl pf_count
	NOTIFY lguest_data + LD_CR2
	NOTIFY (%esp)                     /* error code */
	NOTIFY 4(%esp)                    /* eip */
	NOTIFY 8(%esp)                    /* cs */
	NOTIFY 12(%esp)                   /* eflags */
	NOTIFY lguest_data + LD_IRQ_ENABLED
	/* the Guest's demand paging: map the page, tell the Host, retry */
	movl $0x480007, PTS + 0x480 * 4
	hcall LHCALL_SET_PTE, $PGDIR, $0xc0480000, $0x480007
	addl $4, %esp
	jmp lguest_iret
.data
pf_count: .long 0
.text
${symtab("write_insn")}
`;
    const [writeInsn] = symbols(body, 1);
    const m = libMachine(body);
    const out = runGuest(m);
    expect(out.reason).toBe("CRASH: ok");
    const [cr2, err, eip, cs, eflags, irq, value, count] = out.notifies;
    expect(cr2).toBe(0xc0480000);
    expect(err).toBe(2); // write, supervisor (ring 1), not present
    expect(eip).toBe(writeInsn);
    expect(cs).toBe(0x61);
    expect(eflags! & 0x200).toBe(0); // virtual IF was off (irq_enabled 0)
    expect(irq).toBe(0);
    expect([value, count]).toEqual([0x77, 1]);
    const s = shadow(m);
    expect(s.reflectedFaults).toBe(1);
    expect(m.guest.counters.reflectedTraps).toBe(1);
    expect(m.guest.counters.exits[14]).toBe(s.hiddenFaults + s.reflectedFaults);
    expect(s.exits.pageFault).toBe(m.guest.counters.exits[14]);
    expect(closeAndLeaks(m)).toEqual([]);
  });
});

describe("Guest page-table updates", () => {
  /** 0x40000000 (directory slot 256) maps through a table at PGDIR_EXTRA. */
  const twoPages = `
	movl $0xaaaa, 0x400000
	movl $0xbbbb, 0x401000
	map_std
	zero_pages PGDIR_EXTRA
	movl $0x400007, PGDIR_EXTRA
	movl $(PGDIR_EXTRA + 7), PGDIR + 256 * 4
	hcall LHCALL_NEW_PGTABLE, $PGDIR
`;

  it("SET_PTE makes a changed mapping take effect; an entry with A set is installed without a fault", () => {
    const m = libMachine(`
main:
${twoPages}
	movl 0x40000000, %eax
	NOTIFY %eax
	movl $0x401007, PGDIR_EXTRA       /* retarget without telling the Host */
	movl 0x40000000, %eax
	NOTIFY %eax
	hcall LHCALL_SET_PTE, $PGDIR, $0x40000000, $0x401007
	NOTIFY $0x51
	movl 0x40000000, %eax
	NOTIFY %eax
	movl $0x400027, PGDIR_EXTRA       /* back to the first page, already accessed */
	hcall LHCALL_SET_PTE, $PGDIR, $0x40000000, $0x400027
	NOTIFY $0x52
	movl 0x40000000, %eax
	NOTIFY %eax
	movl $0, PGDIR_EXTRA              /* unmap (flush_tlb_single style) */
	hcall LHCALL_SET_PTE, $PGDIR, $0x40000000, $0
	idt_entry 14, pf
	movl 0x40000000, %eax
	NOTIFY $0xbad
pf:
	NOTIFY lguest_data + LD_CR2
	DONE
`);
    const { out, snaps } = runWithSnapshots(m);
    expect(out.reason).toBe("CRASH: ok");
    // the Host is only told by SET_PTE: until then the shadow keeps the old page
    expect(out.notifies).toEqual([0xaaaa, 0xaaaa, 0x51, 0xbbbb, 0x52, 0xaaaa, 0x40000000]);
    const hidden = (i: number) => snaps[i + 1]!.s.hiddenFaults - snaps[i]!.s.hiddenFaults;
    expect(hidden(2)).toBe(1); // entry without A: zeroed, refilled on demand
    expect(hidden(4)).toBe(0); // entry with A: installed by SET_PTE
    expect(shadow(m).exits.setPte).toBe(3);
    expect(m.guest.counters.hypercalls[14]).toBe(3);
    expect(closeAndLeaks(m)).toEqual([]);
  });

  it("SET_PGD releases a directory slot so a new page table behind it takes effect", () => {
    const m = libMachine(`
main:
${twoPages}
	movl 0x40000000, %eax
	NOTIFY %eax
	zero_pages PGDIR_EXTRA + 0x1000
	movl $0x401007, PGDIR_EXTRA + 0x1000
	movl $(PGDIR_EXTRA + 0x1000 + 7), PGDIR + 256 * 4
	movl 0x40000000, %eax
	NOTIFY %eax
	hcall LHCALL_SET_PGD, $PGDIR, $256
	movl 0x40000000, %eax
	NOTIFY %eax
	DONE
`);
    const out = runGuest(m);
    expect(out.reason).toBe("CRASH: ok");
    expect(out.notifies).toEqual([0xaaaa, 0xaaaa, 0xbbbb]);
    expect(m.guest.counters.hypercalls[15]).toBe(1);
    expect(shadow(m).exits.setPgd).toBe(1);
    expect(closeAndLeaks(m)).toEqual([]);
  });

  it("FLUSH_TLB(0) drops only user mappings; FLUSH_TLB(1) drops kernel mappings too", () => {
    const m = libMachine(`
main:
${twoPages}
	/* user half: 0x40000000 */
	movl 0x40000000, %eax
	NOTIFY %eax
	movl $0x401007, PGDIR_EXTRA
	hcall LHCALL_FLUSH_TLB, $0
	movl 0x40000000, %eax
	NOTIFY %eax
	/* kernel half: 0xc0400000 (page 0x400000 holds 0xaaaa) */
	movl 0xc0400000, %eax
	NOTIFY %eax
	movl $0x401007, PTS + 0x400 * 4
	NOTIFY $0xf0
	hcall LHCALL_FLUSH_TLB, $0
	movl 0xc0400000, %eax
	NOTIFY %eax
	NOTIFY $0xf1
	hcall LHCALL_FLUSH_TLB, $1
	movl 0xc0400000, %eax
	NOTIFY %eax
	NOTIFY $0xf2
	DONE
`);
    const { out, snaps } = runWithSnapshots(m);
    expect(out.reason).toBe("CRASH: ok");
    expect(out.notifies).toEqual([0xaaaa, 0xbbbb, 0xaaaa, 0xf0, 0xaaaa, 0xf1, 0xbbbb, 0xf2]);
    // FLUSH_TLB(0) is flush_user_mappings; FLUSH_TLB(1) is clear_all
    expect(snaps[5]!.s.flushUsers - snaps[3]!.s.flushUsers).toBe(1);
    expect(snaps[5]!.s.clearAlls - snaps[3]!.s.clearAlls).toBe(0);
    expect(snaps[7]!.s.clearAlls - snaps[5]!.s.clearAlls).toBe(1);
    expect(m.guest.counters.hypercalls[5]).toBe(3);
    expect(shadow(m).exits.flushUser).toBe(2);
    expect(shadow(m).exits.flushAll).toBe(1);
    expect(closeAndLeaks(m)).toEqual([]);
  });

  it("SET_PTE of a kernel address updates every cached address space; of a user address only the named one", () => {
    // Two directories share the kernel tables (PTS) and the user table at PGDIR_EXTRA.
    const m = libMachine(
      `
main:
${twoPages}
	/* second directory: a copy of the first */
	cld
	movl $PGDIR, %esi
	movl $(PGDIR_EXTRA + 0x2000), %edi
	movl $1024, %ecx
	rep movsl
	movl 0xc0400000, %eax             /* shadow both addresses in space 1 */
	movl 0x40000000, %eax
	hcall LHCALL_NEW_PGTABLE, $(PGDIR_EXTRA + 0x2000)
	movl 0xc0400000, %eax             /* and in space 2 */
	movl 0x40000000, %eax
	hcall LHCALL_NEW_PGTABLE, $PGDIR
	/* both point at page 0x401000 now; the Host hears about it for space 1 only */
	movl $0x401027, PTS + 0x400 * 4
	hcall LHCALL_SET_PTE, $PGDIR, $0xc0400000, $0x401027
	movl $0x401027, PGDIR_EXTRA
	hcall LHCALL_SET_PTE, $PGDIR, $0x40000000, $0x401027
	hcall LHCALL_NEW_PGTABLE, $(PGDIR_EXTRA + 0x2000)
	movl 0xc0400000, %eax
	NOTIFY %eax
	movl 0x40000000, %eax
	NOTIFY %eax
	DONE
`,
      { victim: "lru" },
    );
    const out = runGuest(m);
    expect(out.reason).toBe("CRASH: ok");
    // kernel mapping: new page in space 2 as well; user mapping: space 2's shadow still stale
    expect(out.notifies).toEqual([0xbbbb, 0xaaaa]);
    expect(shadow(m).pgdirHits).toBe(2);
    expect(closeAndLeaks(m)).toEqual([]);
  });
});

describe("rights and cached spaces", () => {
  it("SET_PGD naming a cached space that is not current releases that space's slot", () => {
    // Space 1 (PGDIR) and space 2 (a copy) each have their own table for slot 256.
    const m = libMachine(
      `
main:
	movl $0xaaaa, 0x400000
	movl $0xbbbb, 0x401000
	movl $0xcccc, 0x402000
	map_std
	zero_pages PGDIR_EXTRA, 4
	movl $0x400007, PGDIR_EXTRA
	movl $(PGDIR_EXTRA + 7), PGDIR + 256 * 4
	cld
	movl $PGDIR, %esi
	movl $(PGDIR_EXTRA + 0x1000), %edi
	movl $1024, %ecx
	rep movsl
	movl $0x401007, PGDIR_EXTRA + 0x2000
	movl $(PGDIR_EXTRA + 0x2007), PGDIR_EXTRA + 0x1000 + 256 * 4
	hcall LHCALL_NEW_PGTABLE, $(PGDIR_EXTRA + 0x1000)
	movl 0x40000000, %eax
	NOTIFY %eax
	hcall LHCALL_NEW_PGTABLE, $PGDIR
	movl 0x40000000, %eax
	NOTIFY %eax
	/* from space 1, give space 2 a new table at slot 256 */
	movl $0x402007, PGDIR_EXTRA + 0x3000
	movl $(PGDIR_EXTRA + 0x3007), PGDIR_EXTRA + 0x1000 + 256 * 4
	hcall LHCALL_SET_PGD, $(PGDIR_EXTRA + 0x1000), $256
	hcall LHCALL_NEW_PGTABLE, $(PGDIR_EXTRA + 0x1000)
	movl 0x40000000, %eax
	NOTIFY %eax
	DONE
`,
      { victim: "lru" },
    );
    const out = runGuest(m);
    expect(out.reason).toBe("CRASH: ok");
    expect(out.notifies).toEqual([0xbbbb, 0xaaaa, 0xcccc]);
    expect([shadow(m).pgdirMisses, shadow(m).pgdirHits]).toEqual([2, 1]);
    expect(closeAndLeaks(m)).toEqual([]);
  });

  it("rights are those of both levels: a write through a read-only directory entry is the Guest's page fault", () => {
    const m = libMachine(`
main:
	idt_entry 14, pf
	map_std
	zero_pages PGDIR_EXTRA
	movl $0x400007, PGDIR_EXTRA               /* the PTE says writable */
	movl $(PGDIR_EXTRA + 5), PGDIR + 256 * 4  /* the directory entry does not */
	hcall LHCALL_NEW_PGTABLE, $PGDIR
	movl 0x40000000, %eax
	NOTIFY $1
	movl %eax, 0x40000000
	NOTIFY $0xbad
pf:
	NOTIFY lguest_data + LD_CR2
	movl (%esp), %eax
	andl $2, %eax
	NOTIFY %eax
	DONE
`);
    const out = runGuest(m);
    expect(out.reason).toBe("CRASH: ok");
    expect(out.notifies).toEqual([1, 0x40000000, 2]);
    expect(shadow(m).reflectedFaults).toBe(1);
    expect(closeAndLeaks(m)).toEqual([]);
  });
});

describe("switching address spaces (NEW_PGTABLE and the pgdir cache)", () => {
  /**
   * Five spaces; space i maps 0x40000000 to page 0x400000 + i·4096 holding 0x100 + i, and
   * shares the kernel and identity tables. The code runs from the kernel alias so that a
   * switch costs no code refault and each read after a switch shows the shadow's state.
   */
  const spaces = (sequence: number[]) => `
main:
	map_std
	xorl %ebx, %ebx
1:	movl %ebx, %eax
	addl $0x100, %eax
	movl %ebx, %edx
	shll $12, %edx
	movl %eax, 0x400000(%edx)         /* the value */
	shll $1, %edx
	leal PGDIR_EXTRA(%edx), %edi      /* directory of space i */
	movl $PGDIR, %esi
	movl $1024, %ecx
	cld
	rep movsl
	leal 0x311000(%edx), %edi
	movl %edi, %eax
	orl $7, %eax
	movl %eax, 0x310400(%edx)
	movl %ebx, %eax
	shll $12, %eax
	addl $0x400007, %eax
	movl %eax, (%edi)                 /* its user table: one entry */
	incl %ebx
	cmpl $5, %ebx
	jne 1b
${sequence
  .map(
    (i, k) => `	hcall LHCALL_NEW_PGTABLE, $(PGDIR_EXTRA + ${i} * 0x2000)
${k === 0 ? "\tmovl $(high + PAGE_OFFSET), %eax\n\tjmp *%eax\nhigh:" : ""}
	NOTIFY $0xf00
	movl 0x40000000, %eax
	NOTIFY %eax`,
  )
  .join("\n")}
	DONE
`;
  const seq = [0, 1, 2, 3, 0, 1, 2, 3, 4, 3, 0];

  it("with LRU: four spaces stay cached, a fifth evicts the least recently used; the right space is live after every switch", () => {
    const m = libMachine(spaces(seq), { victim: "lru" });
    const { out, snaps } = runWithSnapshots(m);
    expect(out.reason).toBe("CRASH: ok");
    expect(out.notifies.filter((_, i) => i % 2 === 1)).toEqual(seq.map((i) => 0x100 + i));
    const s = shadow(m);
    expect([s.pgdirMisses, s.pgdirHits, s.pgdirEvictions]).toEqual([6, 5, 2]);
    expect(m.guest.counters.hypercalls[4]).toBe(seq.length);
    // a hit keeps the user half of the shadow; a miss starts it empty (one hidden fault)
    const costs = seq.map((_, k) => snaps[2 * k + 1]!.s.hiddenFaults - snaps[2 * k]!.s.hiddenFaults);
    expect(costs).toEqual([1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 1]);
    expect(closeAndLeaks(m)).toEqual([]);
  });

  it("with lguest's random victim: every switch sees its own space, hits + misses = switches, and a seed repeats exactly", () => {
    const run = (seed: number) => {
      const m = libMachine(spaces(seq), { seed });
      const out = runGuest(m);
      const s = shadow(m);
      expect(closeAndLeaks(m)).toEqual([]);
      return { out, s };
    };
    const a = run(7);
    expect(a.out.reason).toBe("CRASH: ok");
    expect(a.out.notifies.filter((_, i) => i % 2 === 1)).toEqual(seq.map((i) => 0x100 + i));
    expect(a.s.pgdirHits + a.s.pgdirMisses).toBe(seq.length);
    expect(a.s.pgdirMisses).toBeGreaterThanOrEqual(5); // five distinct spaces
    expect(a.s.pgdirEvictions).toBeLessThanOrEqual(a.s.pgdirMisses);
    const b = run(7);
    expect(b.s).toEqual(a.s);
  });

  it("switching to the space already loaded is a hit", () => {
    const m = libMachine(spaces([2, 2, 2]));
    const out = runGuest(m);
    expect(out.notifies.filter((_, i) => i % 2 === 1)).toEqual([0x102, 0x102, 0x102]);
    expect([shadow(m).pgdirMisses, shadow(m).pgdirHits]).toEqual([1, 2]);
    expect(closeAndLeaks(m)).toEqual([]);
  });
});

describe("stack pinning (SET_STACK)", () => {
  it("the kernel stack is mapped writable at SET_STACK, after a new directory and after FLUSH_TLB(1): writes to it never fault", () => {
    const m = libMachine(`
main:
	std_space
	NOTIFY $1
	hcall LHCALL_SET_STACK, $KERNEL_DS, $0xc0600000, $2
	NOTIFY $2
	movl $0x99, 0xc05ffffc
	movl $0x98, 0xc05feffc
	NOTIFY $3
	hcall LHCALL_FLUSH_TLB, $1
	NOTIFY $4
	movl $0x97, 0xc05ffff8
	movl $0x96, 0xc05feff8
	NOTIFY $5
	/* a new directory (a copy) is pinned too */
	cld
	movl $PGDIR, %esi
	movl $PGDIR_EXTRA, %edi
	movl $1024, %ecx
	rep movsl
	hcall LHCALL_NEW_PGTABLE, $PGDIR_EXTRA
	NOTIFY $6
	movl $0x95, 0xc05ffff4
	NOTIFY $7
	DONE
`);
    const { out, snaps } = runWithSnapshots(m);
    expect(out.reason).toBe("CRASH: ok");
    expect(out.notifies).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // pinning wrote A|D into the Guest's entries, as a write fault would have
    expect(m.read32(pteAddr(0x5ff000))).toBe(0x5ff007 | A | D);
    expect(m.read32(pteAddr(0x5fe000))).toBe(0x5fe007 | A | D);
    expect(snaps[1]!.s.shadowFills - snaps[0]!.s.shadowFills).toBe(2);
    for (const [from, to] of [
      [1, 2],
      [3, 4],
      [5, 6],
    ] as const) {
      expect(snaps[to]!.pf - snaps[from]!.pf).toBe(0);
    }
    expect(m.read32(0x5ffffc)).toBe(0x99);
    expect(closeAndLeaks(m)).toEqual([]);
  });
});

describe("linear_pages boot mode", () => {
  it("before the first NEW_PGTABLE every RAM address is identity-mapped; after it only what the Guest maps", () => {
    const m = libMachine(`
main:
	movl 0x500000, %eax
	NOTIFY %eax
	movl 0x7ff000, %eax
	NOTIFY %eax
	idt_entry 14, pf
	std_space 4                       /* maps 0-4 MiB only */
	movl 0x500000, %eax
	NOTIFY $0xbad
pf:
	NOTIFY lguest_data + LD_CR2
	NOTIFY (%esp)
	DONE
`);
    m.memory.write32(m.memBase + 0x500000, 0xfeed);
    m.memory.write32(m.memBase + 0x7ff000, 0xbeef);
    const { out, snaps } = runWithSnapshots(m);
    expect(out.reason).toBe("CRASH: ok");
    expect(out.notifies).toEqual([0xfeed, 0xbeef, 0x500000, 0]);
    expect(snaps[1]!.s.reflectedFaults).toBe(0);
    expect(shadow(m).reflectedFaults).toBe(1);
    expect(closeAndLeaks(m)).toEqual([]);
  });

  it("in linear mode an address beyond Guest RAM is a bad page table entry", () => {
    const m = libMachine(`
main:
	movl 0x800000, %eax
	NOTIFY $0xbad
`);
    const out = runGuest(m);
    expect(out.notifies).toEqual([]);
    expect(out.reason).toBe("bad page table entry");
    expect(closeAndLeaks(m)).toEqual([]);
  });
});
