/**
 * The tracer on a test Guest (lguest-abi.md §1, §4.2, §6, §7.2): direct traps are seen on the
 * CPU's fault bus and never reach the Host; hypercalls arrive as `int $0x1f` exits and are
 * decoded; page-table hypercalls and page-fault outcomes agree with the shadow pager's own
 * counters; an instruction trace sees every retired instruction, Switcher included; and the
 * same Guest gives the same trace twice.
 */
import {
  formatTraceEvent,
  formatTraceSummary,
  parseTraceCategories,
  parseTraceLine,
  type TraceEvent,
  TraceSummarizer,
  traceEventToJson,
  traceGuest,
} from "@littleguest/devtools";
import { describe, expect, it } from "vitest";
import { closeAndLeaks, libMachine, runGuest, shadow, symbols, symtab } from "../lguest/guest-lib.js";

const body = `
main:
	idt_entry 0, de, 0xf               /* a trap gate: #DE goes straight to the Guest */
	idt_entry 14, pf_handler
	map_std
	movl $0, PTS + 0x480 * 4
	hcall LHCALL_NEW_PGTABLE, $PGDIR
	movl $3, 0xc0400000                /* hidden fault */
	movl 0xc0480000, %eax              /* reflected fault; the handler maps it */
	xorl %ecx, %ecx
divide:
	divl %ecx
	NOTIFY $0x77
	DONE
de:
	addl $2, (%esp)
	jmp lguest_iret
pf_handler:
	movl $0x480007, PTS + 0x480 * 4
	hcall LHCALL_SET_PTE, $PGDIR, $0xc0480000, $0x480007
	addl $4, %esp
	jmp lguest_iret
${symtab("divide")}
`;

function traced(list: string): { events: TraceEvent[]; m: ReturnType<typeof libMachine> } {
  const m = libMachine(body);
  const events: TraceEvent[] = [];
  const stop = traceGuest(m.guest, { categories: parseTraceCategories(list), sink: (e) => events.push(e) });
  const out = runGuest(m);
  stop();
  expect(out.reason).toBe("CRASH: ok");
  return { events, m };
}

describe("traceGuest", () => {
  it("records exits, hypercalls, faults and page-table work that agree with the Host's counters", () => {
    const [divide] = symbols(body, 1);
    const { events, m } = traced("all");
    const of = <T extends TraceEvent["type"]>(t: T) => events.filter((e): e is Extract<TraceEvent, { type: T }> => e.type === t);
    // The direct #DE: delivered by the CPU to the Guest's gate, no exit, not reflected.
    const de = of("fault").filter((e) => e.vector === 0);
    expect(de).toHaveLength(1);
    expect(de[0]).toMatchObject({ direct: true, kind: "exception", eip: divide, errcode: null });
    expect(of("exit").some((e) => e.trapnum === 0)).toBe(false);
    // Each int $0x1f is a software interrupt into the Switcher, then an exit 31, then the call.
    const int1f = of("fault").filter((e) => e.vector === 0x1f);
    expect(int1f.every((e) => e.kind === "software" && !e.direct)).toBe(true);
    expect(int1f.length).toBe(of("exit").filter((e) => e.trapnum === 0x1f).length);
    expect(int1f.length).toBe(of("hypercall").filter((e) => !e.async).length);
    // Page-table hypercalls decoded from their registers.
    expect(of("pagetable")).toContainEqual(expect.objectContaining({ op: "new_pgtable", pgdir: 0x300000 }));
    expect(of("pagetable")).toContainEqual(expect.objectContaining({ op: "set_pte", pgdir: 0x300000, vaddr: 0xc0480000, pte: 0x480007 }));
    // Page-fault outcomes are the shadow pager's own counts, and each is an exit 14 with cr2.
    const s = shadow(m);
    const pf = of("pagefault");
    expect(pf.filter((e) => e.outcome === "hidden").length).toBe(s.hiddenFaults);
    expect(pf.filter((e) => e.outcome === "reflected").length).toBe(s.reflectedFaults);
    expect(pf).toContainEqual(expect.objectContaining({ cr2: 0xc0480000, errcode: 0, outcome: "reflected" }));
    expect(of("exit").filter((e) => e.trapnum === 14).map((e) => e.cr2)).toEqual(pf.map((e) => e.cr2));
    // Stamps never go backwards.
    for (let i = 1; i < events.length; i++) expect(events[i]!.insn).toBeGreaterThanOrEqual(events[i - 1]!.insn);
    expect(m.guest.observer).toBeNull();
    expect(closeAndLeaks(m)).toEqual([]);
  });

  it("gives the same trace for the same Guest, and the JSON lines read back", () => {
    const a = traced("exits,hypercalls,faults,pagetables,irq").events.map(traceEventToJson);
    const b = traced("exits,hypercalls,faults,pagetables,irq").events.map(traceEventToJson);
    expect(a).toEqual(b);
    expect(a.map((l, i) => traceEventToJson(parseTraceLine(l, i + 1)))).toEqual(a);
  });

  it("an instruction trace sees every retired instruction, the Switcher's in ring 0 and the Guest's in ring 1", () => {
    const m = libMachine(body);
    const insns: number[] = [];
    const texts = new Map<number, string | undefined>();
    const rings = new Set<number>();
    let exceptions = 0;
    const start = m.guest.cpu.instructions;
    const stop = traceGuest(m.guest, {
      categories: parseTraceCategories("insn,faults"),
      sink: (e) => {
        if (e.type === "fault" && e.kind === "exception") exceptions++;
        if (e.type !== "insn") return;
        insns.push(e.eip);
        texts.set(e.eip, e.text);
        rings.add(e.cpl);
      },
    });
    expect(runGuest(m).reason).toBe("CRASH: ok");
    stop();
    // A faulting instruction is announced but not retired (a fetch fault is neither), so the
    // announcements exceed the retired count by at most the exceptions delivered.
    const retired = m.guest.cpu.instructions - start;
    expect(exceptions).toBeGreaterThan(0);
    expect(insns.length).toBeGreaterThanOrEqual(retired);
    expect(insns.length - retired).toBeLessThanOrEqual(exceptions);
    expect([...rings].sort()).toEqual([0, 1]);
    const [divide] = symbols(body, 1);
    expect(insns).toContain(divide);
    // Each instruction is named as objdump names it, Guest code and Switcher code alike.
    expect(texts.get(divide!)).toBe(DIVIDE_TEXT);
    expect([...texts.values()].filter((t) => t === undefined)).toEqual([]);
    expect(m.guest.cpu.onInstruction).toBeNull();
  });
});

/** What `objdump -d` prints for `divl %ecx` (f7 f1): AT&T drops the suffix a register implies. */
const DIVIDE_TEXT = "div    %ecx";

describe("trace summaries and categories", () => {
  it("summarize counts by type and names the top causes", () => {
    const { events, m } = traced("all");
    const sum = new TraceSummarizer();
    for (const e of events) sum.add(e);
    const r = sum.result();
    expect(r.events).toBe(events.length);
    expect(r.byType.fault).toBe(events.filter((e) => e.type === "fault").length);
    expect(r.pageFaults.hidden).toBe(shadow(m).hiddenFaults);
    const hcallExits = events.filter((e) => e.type === "exit" && e.trapnum === 0x1f).length;
    expect(r.exits).toContainEqual(["31 hypercall", hcallExits]);
    const text = formatTraceSummary(r);
    expect(text).toMatch(/page faults: \d+ \(\d+ hidden by the shadow pager, 1 reflected to the Guest, 0 fatal\)/);
    expect(text).toContain("0 #DE divide error");
    expect(formatTraceEvent(events[0]!)).toMatch(/^\[\s+\d+\s+[\d.]+ms\] /);
  });

  it("category lists: all means everything but insn; unknown names are refused with the choices", () => {
    expect([...parseTraceCategories("all")].sort()).toEqual(["exits", "faults", "hypercalls", "irq", "pagetables"]);
    expect([...parseTraceCategories("irq,insn")]).toEqual(["irq", "insn"]);
    expect(() => parseTraceCategories("exits,tlb")).toThrow(/unknown trace category 'tlb'; choose from exits, hypercalls, faults, pagetables, irq, insn/);
    expect(() => parseTraceCategories(",")).toThrow(/no trace category/);
  });
});
