/**
 * A GDB target for an lguest Guest: registers from its regs page (the Guest is out of the CPU
 * whenever the debugger looks), memory through the Guest's own page tables as the shadow pager
 * walks them, breakpoints on the Host's emulated CPU, recognised only in rings 1 and 3 where
 * the Guest runs.
 *
 * Reference: lguest-abi.md §3.2 (the regs page: `struct lguest_regs`), §6 (guest_pa: the
 * Guest's tables, identity in linear_pages mode); GDB's i386 register order (target.ts).
 */
import type { LgCpu, RegsField } from "@littleguest/lguest-host";
import type { Cpu } from "@littleguest/x86-core";
import { type DebugMachine, type MachineDriver, MachineDebugger } from "./machine-debugger.js";

/** GDB's i386 registers as fields of `struct lguest_regs`. */
const GDB_ORDER: readonly RegsField[] = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "eip", "eflags", "cs", "ss", "ds", "es", "fs", "gs"];
/** EFLAGS bits a debugger may change in a Guest: CF PF AF ZF SF DF OF (IF and IOPL are the Host's). */
const WRITABLE_FLAGS = 0x0cd5;

/*D:340 Debugging a Guest means debugging through the Host without being fooled by it. The
 * Guest's registers are read from its regs page, where the Switcher left them, never from the
 * CPU, which may be in the middle of the Switcher's code; that is why a stop always goes
 * through `requestStop`, which lets the Guest leave by the ordinary door. Addresses are the
 * Guest's virtual ones, translated through the Guest's page tables rather than the shadow
 * tables, because the shadow maps only what the Guest has touched so far: a breakpoint in a
 * function not yet called would otherwise be "unmapped". Breakpoints and watches ignore ring
 * 0: the Host's Switcher runs on the same CPU, and its instructions are nobody's to stop. :*/

/** A GDB target for `guest`, run by `driver` (the Launcher's loop, which serves devices). */
export function createGuestTarget(guest: LgCpu, driver: MachineDriver): MachineDebugger {
  const ramEnd = guest.pfnLimit * 4096;
  const machine: DebugMachine = {
    cpu: guest.cpu,
    memory: guest.cpu.memory,
    driver,
    physical(address) {
      const gpa = guest.mmu.tryGuestPa(address >>> 0);
      return gpa < 0 || gpa >= ramEnd ? -1 : guest.memBase + gpa;
    },
    readRegisters(out) {
      for (let i = 0; i < GDB_ORDER.length; i++) out[i] = guest.reg(GDB_ORDER[i]!) >>> 0;
      for (let i = 10; i < 16; i++) out[i]! &= 0xffff;
    },
    writeRegister(index, value) {
      const field = GDB_ORDER[index];
      if (field === undefined) return false;
      if (index >= 10) return (value & 0xffff) === (guest.reg(field) & 0xffff);
      if (index === 9) {
        if (((value ^ guest.reg("eflags")) & ~WRITABLE_FLAGS) !== 0) return false;
      }
      guest.setReg(field, value | 0);
      return true;
    },
    isProgram: (cpu: Cpu) => cpu.cpl !== 0,
    stopSoon: () => guest.requestStop(),
    eip: () => guest.reg("eip") >>> 0,
  };
  return new MachineDebugger(machine);
}
