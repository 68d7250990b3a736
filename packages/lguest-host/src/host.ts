/**
 * The Host: one Switcher for the machine, and the Guests the Launcher creates through it
 * (what opening /dev/lguest and writing LHREQ_INITIALIZE did).
 *
 * Reference: lguest-abi.md §3.8 (module init: the Switcher is mapped once; PGE off while
 * lguest is loaded, which here means shadow entries are never global), §8.1 (INITIALIZE:
 * base, pfnlimit, start; −EBUSY twice), ARCHITECTURE.md (the Launcher channel).
 */
import type { HostPageAllocator } from "@littleguest/mmu";
import { Switcher } from "@littleguest/switcher";
import type { PhysicalMemory } from "@littleguest/x86-core";
import { HostError } from "./host-error.js";
import { type GuestSetup, LgCpu } from "./lguest.js";

/** Options of {@link LguestHost}. */
export interface LguestHostOptions {
  /** The Host's RAM. */
  readonly memory: PhysicalMemory;
  /** The Host page allocator (Switcher pages, shadow pages, regs pages come from it). */
  readonly allocator: HostPageAllocator;
  /** Host CPUs to build Switcher pages for (default 2). */
  readonly hostCpus?: number;
}

/** The lguest Host. */
export class LguestHost {
  /** The Switcher, shared by every Guest. */
  readonly switcher: Switcher;
  private readonly memory: PhysicalMemory;
  private readonly allocator: HostPageAllocator;
  private readonly guests = new Set<LgCpu>();

  constructor(options: LguestHostOptions) {
    this.memory = options.memory;
    this.allocator = options.allocator;
    this.switcher = new Switcher({ memory: options.memory, allocator: options.allocator, hostCpus: options.hostCpus });
  }

  /**
   * LHREQ_INITIALIZE: a new Guest whose RAM is `setup.pfnLimit` pages at Host-physical
   * `setup.memBase` (owned by the Launcher), starting at Guest-physical `setup.start`.
   * @throws HostError BAD_SETUP when the region is not page aligned, empty, or outside RAM.
   */
  initialize(setup: GuestSetup): LgCpu {
    const { memBase, pfnLimit, start } = setup;
    if (!Number.isInteger(memBase) || memBase < 0 || memBase % 4096 !== 0) {
      throw new HostError("BAD_SETUP", `Guest RAM must start on a page boundary, got ${memBase}`);
    }
    if (!Number.isInteger(pfnLimit) || pfnLimit < 1 || memBase + pfnLimit * 4096 > this.memory.size) {
      throw new HostError("BAD_SETUP", `Guest RAM of ${pfnLimit} pages at ${memBase} does not fit the Host's ${this.memory.size} bytes`);
    }
    if (!Number.isInteger(start) || start < 0 || start >= pfnLimit * 4096) {
      throw new HostError("BAD_SETUP", `entry point ${start} is outside the Guest's ${pfnLimit * 4096} bytes of RAM`);
    }
    const guest = new LgCpu(this.memory, this.allocator, this.switcher, setup);
    this.guests.add(guest);
    return guest;
  }

  /** close() on a Guest: release everything it holds. */
  close(guest: LgCpu): void {
    guest.close();
    this.guests.delete(guest);
  }

  /** Guests alive (not yet closed). */
  get guestCount(): number {
    return this.guests.size;
  }

  /** Unload: close every Guest and free the Switcher. */
  destroy(): void {
    for (const g of this.guests) g.close();
    this.guests.clear();
    this.switcher.destroy();
  }
}
