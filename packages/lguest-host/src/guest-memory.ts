/**
 * Guest-physical memory as the Host touches it: every access checked against the Guest's
 * RAM first, and a bad address is the Guest's death, never the Host's.
 *
 * Reference: lguest-abi.md §6.2 (lguest_address_ok: no overflow, end within pfn_limit pages;
 * lgread zero-fills and kills "bad read address", lgwrite kills "bad write address").
 */
import type { PhysicalMemory } from "@littleguest/x86-core";

/** Guest-physical reads and writes with lguest's address checks. */
export class GuestMemory {
  /**
   * @param memory - the Host's RAM.
   * @param memBase - Host-physical address of Guest-physical 0.
   * @param pfnLimit - Guest RAM in pages.
   * @param kill - the Guest's killGuest (first reason wins; it returns).
   */
  constructor(
    readonly memory: PhysicalMemory,
    readonly memBase: number,
    readonly pfnLimit: number,
    private readonly kill: (reason: string) => void,
  ) {}

  /** Whether `len` bytes at Guest-physical `addr` lie inside Guest RAM (a negative int32 is its unsigned value). */
  addressOk(addr: number, len: number): boolean {
    const a = addr < 0 ? addr + 0x100000000 : addr;
    return len >= 0 && a + len <= this.pfnLimit * 4096;
  }

  /** A dword at `addr`, or 0 outside Guest RAM, without killing anybody. */
  peek32(addr: number): number {
    return this.addressOk(addr, 4) ? this.memory.read32(this.memBase + (addr >>> 0)) : 0;
  }

  /** A dword at `addr`; 0 after killing the Guest when it is outside its RAM. */
  read32(addr: number): number {
    if (!this.addressOk(addr, 4)) return this.badRead(addr, 4);
    return this.memory.read32(this.memBase + (addr >>> 0));
  }

  /** A byte at `addr`; 0 after killing the Guest when it is outside its RAM. */
  read8(addr: number): number {
    if (!this.addressOk(addr, 1)) return this.badRead(addr, 1);
    return this.memory.read8(this.memBase + (addr >>> 0));
  }

  /** Write a dword at `addr` (kills the Guest instead when it is outside its RAM). */
  write32(addr: number, v: number): void {
    if (!this.addressOk(addr, 4)) this.kill(`bad write address ${hex(addr)} len 4`);
    else this.memory.write32(this.memBase + (addr >>> 0), v);
  }

  /** Write a byte at `addr` (kills the Guest instead when it is outside its RAM). */
  write8(addr: number, v: number): void {
    if (!this.addressOk(addr, 1)) this.kill(`bad write address ${hex(addr)} len 1`);
    else this.memory.write8(this.memBase + (addr >>> 0), v);
  }

  /** `len` bytes at `addr`, or null after killing the Guest. */
  readBytes(addr: number, len: number): Uint8Array | null {
    if (!this.addressOk(addr, len)) {
      this.badRead(addr, len);
      return null;
    }
    const at = this.memBase + (addr >>> 0);
    return this.memory.u8.slice(at, at + len);
  }

  private badRead(addr: number, len: number): number {
    this.kill(`bad read address ${hex(addr)} len ${len}`);
    return 0;
  }
}

/** lguest's `%#x`: 0x-prefixed lower-case hex of the unsigned value. */
export function hex(v: number): string {
  return `0x${(v >>> 0).toString(16)}`;
}
