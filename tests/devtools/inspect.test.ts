/**
 * The inspector against a running Guest (lguest-abi.md §3.3, §5, §6): the Guest's page tables
 * beside the shadow sorted by lguest's rules (a page not yet touched has no shadow; a read of a
 * writable clean page is shadowed read-only until the first write; a write shadows it
 * writable and dirty; a PTE changed behind the Host's back leaves a stale shadow), the frames
 * mem_base + Guest frame, the regs-page remap in the Switcher mapping, the TSS stacks and the
 * Host's GDT fix-ups.
 */
import {
  comparePageTables,
  formatPageTables,
  formatSwitcher,
  guestGdt,
  guestIdt,
  guestRegisters,
  pgdirCache,
  switcherLayout,
  switcherTss,
  tlbEntries,
} from "@littleguest/devtools";
import { KERNEL_CS_SEL, KERNEL_DS_SEL, LGUEST_DS, lguestPagesAddress, PAGE_SIZE } from "@littleguest/switcher";
import { describe, expect, it } from "vitest";
import { closeAndLeaks, libMachine, runGuest } from "../lguest/guest-lib.js";

const body = `
main:
	idt_entry 14, pf_handler
	idt_entry 0x80, syscall, 0xf, 3
	map_std
	hcall LHCALL_NEW_PGTABLE, $PGDIR
	kstack
	movl 0xc0400000, %eax              /* read a clean writable page */
	movl $1, 0xc0401000                /* write another */
	movl $1, 0xc0403000                /* and a third, then unmap it behind the Host's back */
	movl $0, PTS + 0x403 * 4
	NOTIFY $0x5151
	DONE
pf_handler:
	NOTIFY $0xbad
syscall:
	NOTIFY $0xbad
`;

describe("the inspector on a stopped Guest", () => {
  it("sorts every page of the address space by lguest's shadow rules", () => {
    const m = libMachine(body);
    let checked = false;
    runGuest(m, {
      onNotify: (v) => {
        if (v !== 0x5151) return;
        checked = true;
        const c = comparePageTables(m.guest, m.memory);
        expect(c.guestPgdir).toBe(0x300000);
        const at = (vaddr: number) => c.ranges.find((r) => r.vaddr <= vaddr && vaddr < r.vaddr + r.pages * 4096);
        const read = at(0xc0400000)!;
        expect(read.status).toBe("write-protected-until-dirty");
        expect(read.guestPte & 0x61).toBe(0x21); // present, accessed, not dirty (the Host set A)
        expect(read.hostPhys + (0xc0400000 - read.vaddr)).toBe(m.memBase + 0x400000);
        const written = at(0xc0401000)!;
        expect(written.status).toBe("same");
        expect(written.guestPte & 0x63).toBe(0x63); // present, writable, accessed, dirty
        expect(written.shadowPte & 2).toBe(2);
        expect(at(0xc0402000)!.status).toBe("not-shadowed");
        expect(at(0xc0403000)!.status).toBe("stale");
        expect(at(0xc0403000)!.guestPhys).toBe(-1);
        // The same Guest pages mapped at 0 are not-shadowed where nothing touched them.
        expect(at(0x00402000)!.status).toBe("not-shadowed");
        expect(c.totals.stale).toBe(1);
        expect(c.totals.differs).toBe(0);
        // 8 MiB mapped twice, minus the one page unmapped: every Guest page is accounted for.
        const guestPages = c.totals.same + c.totals["not-shadowed"] + c.totals["write-protected-until-dirty"] + c.totals.differs;
        expect(guestPages).toBe(2 * 2048 - 2);
        expect(formatPageTables(c)).toMatch(/0xc0403000-0xc0403fff\s+1\s+-\s+.*stale/);
        // Every TLB entry below the Switcher agrees with the shadow it was filled from.
        for (const e of tlbEntries(m.guest.cpu)) {
          if (e.linear >= 0xffc00000) continue;
          const r = at(e.linear);
          if (r === undefined || r.hostPhys < 0) continue;
          expect(e.physical).toBe(r.hostPhys + (e.linear - r.vaddr));
        }
      },
    });
    expect(checked).toBe(true);
    expect(closeAndLeaks(m)).toEqual([]);
  });

  it("shows the registers, the pgdir cache, the fixed-up GDT, the IDT, the TSS and the regs-page remap", () => {
    const m = libMachine(body);
    let checked = false;
    runGuest(m, {
      onNotify: (v) => {
        if (v !== 0x5151) return;
        checked = true;
        const r = guestRegisters(m.guest);
        expect(r.regs.ebx).toBe(0x5151); // NOTIFY's argument
        expect(r.regs.eax).toBe(17); // LHCALL_NOTIFY
        expect(r.regs.trapnum).toBe(0x1f);
        expect(r.regs.cs).toBe(KERNEL_CS_SEL);
        expect([r.ss1, r.esp1]).toEqual([KERNEL_DS_SEL, 0x1f0000]);

        const p = pgdirCache(m.guest)!;
        expect(p.linearMode).toBe(false);
        expect(p.slots[p.current]!.gpgdir).toBe(0x300000);

        const gdt = guestGdt(m.guest);
        const kcs = gdt.find((e) => e.index === 12)!;
        expect([kcs.dpl, kcs.base, kcs.limit, kcs.kind.startsWith("code")]).toEqual([1, 0, 0xffffffff, true]);
        const idt = guestIdt(m.guest);
        expect(idt.find((g) => g.vector === 0x80)).toMatchObject({ kind: "trap", dpl: 3, present: true });
        // The live IDT sends #PF to the Host, never straight to the Guest.
        const livePf = guestIdt(m.guest, "live").find((g) => g.vector === 14)!;
        expect(livePf.offset).toBeGreaterThanOrEqual(0xffc00000);

        const tss = switcherTss(m.host.switcher, m.memory, 0);
        expect([tss.ss0, tss.esp0]).toEqual([LGUEST_DS, lguestPagesAddress(0) + PAGE_SIZE]);
        expect([tss.ss1, tss.esp1]).toEqual([KERNEL_DS_SEL, 0x1f0000]);

        const sw = switcherLayout(m.host.switcher, m.memory);
        const cpu0 = sw.cpus[0]!;
        const regs0 = cpu0.pages.find((x) => x.role === "regs")!;
        expect(regs0.hostPhys).toBe(m.guest.regsPage); // the remap: this vCPU's page in CPU 0's slot
        expect(regs0.linear).toBe(lguestPagesAddress(0));
        expect(cpu0.pages.find((x) => x.role === "ro_state")!.writable).toBe(false);
        expect(sw.cpus[1]!.pages.find((x) => x.role === "regs")!.hostPhys).toBe(sw.cpus[1]!.hostRegsPage);
        expect(formatSwitcher(sw, m.guest.lastHostCpu, m.guest.regsPage)).toContain("this vCPU's regs page (remapped)");
      },
    });
    expect(checked).toBe(true);
    expect(closeAndLeaks(m)).toEqual([]);
  });
});
