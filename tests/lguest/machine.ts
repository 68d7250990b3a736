/**
 * A Host with one test Guest: Host RAM, the page allocator, the lguest Host, Guest RAM taken
 * from the allocator the way a Launcher maps it, the image loaded, and a run loop that
 * collects what the Guest tells the Launcher until it dies.
 */
import { HostPageAllocator, type AllocatorSnapshot } from "@littleguest/mmu";
import { createShadowStrategy, type LgCpu, LguestHost, type RunEvent } from "@littleguest/lguest-host";
import { PhysicalMemory } from "@littleguest/x86-core";
import { buildGuest, GUEST_LOAD } from "./guest-asm.js";

/** Host RAM of a test machine. */
const HOST_BYTES = 32 << 20;
/** Guest RAM of a test Guest: 8 MiB. */
export const GUEST_PAGES = 2048;

/** A Host with one test Guest. */
export interface TestMachine {
  readonly memory: PhysicalMemory;
  readonly allocator: HostPageAllocator;
  readonly host: LguestHost;
  readonly guest: LgCpu;
  /** Host-physical address of Guest-physical 0. */
  readonly memBase: number;
  /** Allocator state before the Guest existed (Guest RAM included: the Launcher owns it). */
  readonly baseline: AllocatorSnapshot;
  /** Run until death (or `maxEvents` events); NOTIFY addresses are collected. */
  runToDeath(options?: { maxEvents?: number; onNotify?: (address: number) => void }): GuestOutcome;
  /** Read a dword of Guest-physical memory. */
  read32(gpa: number): number;
}

/** How a test Guest ended. */
export interface GuestOutcome {
  /** Every NOTIFY, in order. */
  readonly notifies: number[];
  /** The kill reason ("CRASH: ok" for DONE). */
  readonly reason: string;
  /** The last event (dead, or what stopped the loop). */
  readonly last: RunEvent;
}

/** Build `source`, create the machine and the Guest (not yet run). */
export function machine(source: string, options: { seed?: number; hostCpus?: number; victim?: "random" | "lru" } = {}): TestMachine {
  const image = buildGuest(source);
  const memory = new PhysicalMemory(HOST_BYTES);
  const allocator = new HostPageAllocator(memory, 0, HOST_BYTES / 4096);
  const host = new LguestHost({ memory, allocator, hostCpus: options.hostCpus ?? 2 });
  const firstPage = allocator.allocRange(GUEST_PAGES, "Launcher: Guest RAM");
  const memBase = firstPage * 4096;
  memory.u8.set(image, memBase + GUEST_LOAD);
  const baseline = allocator.snapshot();
  const guest = host.initialize({
    memBase,
    pfnLimit: GUEST_PAGES,
    start: GUEST_LOAD,
    mmu: (o) => createShadowStrategy({ ...o, victim: options.victim ?? "random" }),
    seed: options.seed ?? 1,
  });
  return {
    memory,
    allocator,
    host,
    guest,
    memBase,
    baseline,
    read32: (gpa) => memory.read32(memBase + gpa),
    runToDeath({ maxEvents = 10_000, onNotify } = {}) {
      const notifies: number[] = [];
      let last: RunEvent = { kind: "budget" };
      for (let k = 0; k < maxEvents; k++) {
        last = guest.run({ budget: 50_000_000 });
        if (last.kind === "notify") {
          notifies.push(last.address);
          onNotify?.(last.address);
          continue;
        }
        if (last.kind === "dead") return { notifies, reason: last.reason, last };
        if (last.kind === "idle" || last.kind === "budget") break;
      }
      return { notifies, reason: "", last };
    },
  };
}
