/**
 * The GDB target of an lguest Guest, on a real Host: a software breakpoint stops with EIP on
 * the instruction and the Guest in ring 1 (lguest-abi.md: the Guest kernel runs at privilege
 * level 1), a write watchpoint after the writing instruction (SDM Vol. 3B §17.3.1.2, data
 * breakpoints are traps), a hardware breakpoint before its instruction (§17.3.1.1); memory is
 * read through the Guest's page tables and the inserted int3 never shows; afterwards the
 * Guest finishes normally and gives back every Host page.
 */
import { createGuestTarget, type DriverStop, type MachineDriver } from "@littleguest/devtools";
import { describe, expect, it } from "vitest";
import { closeAndLeaks, libMachine, symbols, symtab } from "../lguest/guest-lib.js";

type Machine = ReturnType<typeof libMachine>;

/** The Host's run loop as a debugger driver (no devices: NOTIFYs are ignored). */
function driver(m: Machine): MachineDriver {
  const end = (reason: string): DriverStop => ({ kind: "terminated", reason });
  return {
    async run() {
      for (;;) {
        const e = m.guest.run({ budget: 1_000_000 });
        if (e.kind === "stopped") return { kind: "stopped" };
        if (e.kind === "dead") return end(e.reason);
        if (e.kind === "idle") return end("idle");
        await Promise.resolve();
      }
    },
    step() {
      const e = m.guest.step();
      return e.kind === "dead" ? end(e.reason) : { kind: "stopped" };
    },
    stop: () => m.guest.requestStop(),
  };
}

const body = `
main:
	map_std
	hcall LHCALL_NEW_PGTABLE, $PGDIR
	movl $7, %eax
b1:
	addl $5, %eax
b2:
	movl %eax, counter
b3:
	incl %eax
	movl %eax, counter
b4:
	nop
	DONE
.data
counter: .long 0
.text
${symtab("b1", "b2", "b3", "b4", "counter")}
`;

describe("createGuestTarget", () => {
  it("breaks, watches and steps a Guest through the Host, then lets it finish with nothing leaked", async () => {
    const [, b2, b3, b4, counter] = symbols(body, 5) as [number, number, number, number, number];
    const m = libMachine(body);
    const target = createGuestTarget(m.guest, driver(m));
    const regs = new Uint32Array(16);
    const read = () => {
      target.readRegisters(regs);
      return { eax: regs[0]!, eip: regs[8]!, cs: regs[10]! };
    };
    const original = target.readMemory(b2, 5);
    // movl %eax, moffs32: a3 and the address of counter, little-endian.
    expect([...original]).toEqual([0xa3, counter & 0xff, (counter >>> 8) & 0xff, (counter >>> 16) & 0xff, counter >>> 24]);

    expect(target.setBreakpoint(0, b2, 1, true)).toBe(true);
    expect(await target.resume()).toEqual({ kind: "breakpoint", type: "sw" });
    expect(read()).toMatchObject({ eip: b2, eax: 12 });
    expect(read().cs & 3).toBe(1);
    expect([...target.readMemory(b2, 5)]).toEqual([...original]);

    expect(target.setBreakpoint(0, b2, 1, false)).toBe(true);
    expect(target.setBreakpoint(2, counter, 4, true)).toBe(true);
    expect(await target.resume()).toEqual({ kind: "watch", address: counter });
    expect(read().eip).toBe(b3);
    expect([...target.readMemory(counter, 4)]).toEqual([12, 0, 0, 0]);

    expect(target.setBreakpoint(2, counter, 4, false)).toBe(true);
    expect(target.setBreakpoint(1, b4, 1, true)).toBe(true);
    expect(await target.resume()).toEqual({ kind: "breakpoint", type: "hw" });
    expect(read()).toMatchObject({ eip: b4, eax: 13 });
    expect(await target.step()).toEqual({ kind: "step" });
    expect(read().eip).toBe(b4 + 1);

    target.dispose();
    expect(m.guest.cpu.onInstruction).toBeNull();
    expect(await driver(m).run()).toEqual({ kind: "terminated", reason: "CRASH: ok" });
    expect(closeAndLeaks(m)).toEqual([]);
  });

  it("an address the Guest's tables do not map reads as nothing and refuses writes", () => {
    const m = libMachine(body);
    const target = createGuestTarget(m.guest, driver(m));
    // Before its first NEW_PGTABLE the Guest runs on the identity map of its RAM: beyond it is nothing.
    const beyond = m.guest.pfnLimit * 4096 + 0x1000;
    expect(target.readMemory(beyond, 4).length).toBe(0);
    expect(target.writeMemory(beyond, new Uint8Array([1]))).toBe(false);
    expect(target.readMemory(0x1000, 4).length).toBe(4);
    target.dispose();
    expect(closeAndLeaks(m)).toEqual([]);
  });
});
