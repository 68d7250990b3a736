/**
 * Port I/O: IN and OUT with an immediate port or DX, and the I/O permission
 * check that INS/OUTS (`string.ts`) share.
 *
 * Reference: SDM Vol. 2A IN, Vol. 2B OUT; Vol. 1 §18.5 (protected-mode I/O:
 * IOPL), §18.5.2 (the I/O permission bit map in the TSS); Vol. 3A §7.2.1
 * (32-bit TSS layout: the map base is the word at offset 0x66). A 16- or
 * 32-bit access is offered whole to the device claiming its first port.
 */
/*C:600 Port I/O is where the Guest talks to devices, so IN and OUT are the
 * one place an instruction reaches out of the CPU into code the embedder
 * supplied. A claimed port is a plain method call on a `PortDevice`; nothing
 * is queued and nothing allocates. A port nobody claimed has two possible
 * meanings: on a bare test machine it is simply empty ISA space (reads float
 * to all-ones, writes vanish), while under the Launcher it is a question for
 * the outside world, so the CPU stops *before* the instruction with an `io`
 * exit and lets the embedder decide. Both are the same instruction code; the
 * choice is a constructor option. :*/
import { BRK_EXIT, type Cpu } from "../cpu/cpu.js";
import { IOPL } from "../cpu/eflags.js";
import { EAX, EDX } from "../cpu/registers.js";
import type { Insn } from "../decoder/insn.js";
import { Imm, row, row2, type RowMap, type TableEntry } from "../decoder/table-types.js";
import { ATTR_VALID } from "../protection/descriptor.js";
import { setR8, setR16 } from "./operands.js";

/** Smallest limit of a 32-bit TSS that holds the I/O map base word (offset 0x66..0x67). */
const TSS32_MIN_LIMIT = 0x67;
/** Offset in a 32-bit TSS of the 16-bit I/O permission bit map base. */
const TSS_IOMAP_BASE = 0x66;

/**
 * Whether the current privilege level may access `size` ports from `port`
 * (SDM Vol. 1 §18.5.2). When CPL > IOPL the TSS bit map decides; on denial
 * raises #GP(0) and returns false.
 *
 * Like the hardware (and Bochs), the map is read a word at a time: both bytes
 * at `base + port/8` must lie within the TSS limit, which is why a map ends
 * with a 0xFF byte. A page fault while reading the map is raised as such.
 */
export function ioPermitted(c: Cpu, port: number, size: number): boolean {
  if (c.cpl <= (c.flags & IOPL) >> 12) return true;
  const attr = c.trAttr;
  const type = attr & 0x1f;
  const limit = c.trLimit >>> 0;
  if ((attr & ATTR_VALID) === 0 || (type !== 0x09 && type !== 0x0b) || limit < TSS32_MIN_LIMIT) {
    c.gp(0);
    return false;
  }
  const mapBase = c.readSys16((c.trBase + TSS_IOMAP_BASE) | 0);
  if (c.fault) return false;
  const at = mapBase + (port >>> 3);
  if (at + 1 > limit) {
    c.gp(0);
    return false;
  }
  const bits = c.readSys16((c.trBase + at) | 0);
  if (c.fault) return false;
  const mask = (1 << size) - 1;
  if ((bits >>> (port & 7)) & mask) {
    c.gp(0);
    return false;
  }
  return true;
}

/** All-ones value of an open-bus read of `size` bytes (as int32 for 4). */
function openBus(size: number): number {
  return size === 1 ? 0xff : size === 2 ? 0xffff : -1;
}

/**
 * Read `size` bytes from `port` (the permission check already done). With no
 * device there, either prepares an `io` exit (the caller must then return
 * without changing state: test `c.brk & BRK_EXIT`) or returns all-ones.
 */
export function portRead(c: Cpu, port: number, size: 1 | 2 | 4): number {
  const dev = c.ports.deviceAt(port);
  if (dev !== undefined) {
    const v = dev.read(port & 0xffff, size);
    return size === 4 ? v | 0 : v & (size === 1 ? 0xff : 0xffff);
  }
  if (c.exitOnUnclaimedPort) {
    c.exitBeforeInstruction({ kind: "io", port: port & 0xffff, size, write: false, value: 0 });
    return 0;
  }
  return openBus(size);
}

/**
 * Write the low `size` bytes of `value` to `port`. With no device there,
 * either prepares an `io` exit (test `c.brk & BRK_EXIT`) or drops the write.
 * A device may call `c.stop()` from its `write`; the instruction completes.
 */
export function portWrite(c: Cpu, port: number, size: 1 | 2 | 4, value: number): void {
  const v = size === 4 ? value | 0 : value & (size === 1 ? 0xff : 0xffff);
  const dev = c.ports.deviceAt(port);
  if (dev !== undefined) {
    dev.write(port & 0xffff, size, v);
    return;
  }
  if (c.exitOnUnclaimedPort) c.exitBeforeInstruction({ kind: "io", port: port & 0xffff, size, write: true, value: v >>> 0 });
}

function inAt(c: Cpu, port: number, size: 1 | 2 | 4): void {
  if (!ioPermitted(c, port, size)) return;
  const v = portRead(c, port, size);
  if (c.brk & BRK_EXIT) return;
  if (size === 1) setR8(c, EAX, v);
  else if (size === 2) setR16(c, EAX, v);
  else c.regs[EAX] = v;
}

function outAt(c: Cpu, port: number, size: 1 | 2 | 4): void {
  if (!ioPermitted(c, port, size)) return;
  portWrite(c, port, size, c.regs[EAX]!);
}

export function in_ALIb(c: Cpu, i: Insn): void {
  inAt(c, i.imm & 0xff, 1);
}
export function in_AXIb(c: Cpu, i: Insn): void {
  inAt(c, i.imm & 0xff, 2);
}
export function in_EAXIb(c: Cpu, i: Insn): void {
  inAt(c, i.imm & 0xff, 4);
}
export function out_IbAL(c: Cpu, i: Insn): void {
  outAt(c, i.imm & 0xff, 1);
}
export function out_IbAX(c: Cpu, i: Insn): void {
  outAt(c, i.imm & 0xff, 2);
}
export function out_IbEAX(c: Cpu, i: Insn): void {
  outAt(c, i.imm & 0xff, 4);
}
export function in_ALDX(c: Cpu): void {
  inAt(c, c.regs[EDX]! & 0xffff, 1);
}
export function in_AXDX(c: Cpu): void {
  inAt(c, c.regs[EDX]! & 0xffff, 2);
}
export function in_EAXDX(c: Cpu): void {
  inAt(c, c.regs[EDX]! & 0xffff, 4);
}
export function out_DXAL(c: Cpu): void {
  outAt(c, c.regs[EDX]! & 0xffff, 1);
}
export function out_DXAX(c: Cpu): void {
  outAt(c, c.regs[EDX]! & 0xffff, 2);
}
export function out_DXEAX(c: Cpu): void {
  outAt(c, c.regs[EDX]! & 0xffff, 4);
}

function buildIoRows(): Record<number, TableEntry> {
  const rows: Record<number, TableEntry> = {};
  /* E4 */ rows[0xe4] = row("in_ALIb", in_ALIb, { imm: Imm.Ib });
  /* E5 */ rows[0xe5] = row2("in_eAXIb", in_AXIb, in_EAXIb, { imm: Imm.Ib });
  /* E6 */ rows[0xe6] = row("out_IbAL", out_IbAL, { imm: Imm.Ib });
  /* E7 */ rows[0xe7] = row2("out_IbeAX", out_IbAX, out_IbEAX, { imm: Imm.Ib });
  /* EC */ rows[0xec] = row("in_ALDX", in_ALDX);
  /* ED */ rows[0xed] = row2("in_eAXDX", in_AXDX, in_EAXDX);
  /* EE */ rows[0xee] = row("out_DXAL", out_DXAL);
  /* EF */ rows[0xef] = row2("out_DXeAX", out_DXAX, out_DXEAX);
  return rows;
}

/** Opcode rows of this family. */
export const IO_ROWS: RowMap = buildIoRows();
