import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { PAGE_STATUSES } from "@littleguest/devtools";
import { HYPERCALL_NAMES } from "@littleguest/lguest-host/abi";
import { GuestMachine } from "@littleguest/launcher-cli/machine";
import { describe, expect, it } from "vitest";
import { demoBoot } from "./boot-files.js";
import { MAX_PAGE_ROWS, type Snapshot, takeSnapshot } from "./snapshot.js";

const require = createRequire(import.meta.url);
const kernel = () => new Uint8Array(readFileSync(require.resolve("@littleguest/guest-kernel/prebuilt/guest.elf")));
const initramfs = () => new Uint8Array(readFileSync(require.resolve("@littleguest/guest-kernel/prebuilt/initramfs.cpio")));
const WHOLE = { from: 0, to: 0xffc00000 };

/** Run the bundled demo; `look` is called at every `every`-th hypercall, as a panel refresh would. */
async function demo(look?: (m: GuestMachine) => void, every = 25): Promise<{ machine: GuestMachine; last: Snapshot }> {
  const machine = new GuestMachine({ ...demoBoot(kernel(), initramfs()) });
  let last: Snapshot | null = null;
  let calls = 0;
  machine.guest.observer = {
    hypercall: () => {
      if (look !== undefined && ++calls % every === 0) look(machine);
    },
    dying: () => void (last = takeSnapshot(machine, WHOLE)),
  };
  const exit = await machine.run();
  expect(exit.kind).toBe("poweroff");
  return { machine, last: last! };
}

describe("snapshots of a running Guest", () => {
  it("a snapshot at death → the Host's counters, named, and the Guest's tables beside the shadow", async () => {
    const { machine, last } = await demo();
    const c = machine.guest.counters;
    expect(last.instructions).toBe(machine.guest.cpu.instructions);
    expect(last.exitTotal).toBe(c.exits.reduce((a, b) => a + b, 0));
    expect(last.hypercallTotal).toBe(c.hypercalls.reduce((a, b) => a + b, 0));
    expect(last.hypercallTotal).toBeGreaterThan(0);
    for (const h of last.hypercalls) expect(Object.values(HYPERCALL_NAMES)).toContain(h.name);
    expect(last.dead).not.toBeNull();
    expect(last.shadow!.hiddenFaults + last.shadow!.reflectedFaults).toBeGreaterThan(0);
    expect(last.switcher.cpus.length).toBe(machine.host.switcher.hostCpus);
    const t = last.pageTables!;
    expect(t.ranges.length).toBeGreaterThan(0);
    const shown = t.ranges.reduce((n, r) => n + r.pages, 0);
    const total = PAGE_STATUSES.reduce((n, s) => n + t.totals[s], 0);
    if (t.moreRanges === 0) expect(shown).toBe(total);
    else expect(t.ranges.length).toBe(MAX_PAGE_ROWS);
  });

  it("a snapshot survives postMessage's structured clone unchanged", async () => {
    const { last } = await demo();
    expect(structuredClone(last)).toEqual(last);
  });

  it("a narrower range → only pages inside it", async () => {
    const from = 0xc0100000;
    const to = 0xc0200000;
    let narrow: Snapshot | null = null;
    await demo((m) => {
      if (narrow === null && m.guest.counters.hypercalls.reduce((a, b) => a + b, 0) > 100) narrow = takeSnapshot(m, { from, to });
    });
    const t = narrow!.pageTables!;
    expect(t.ranges.length).toBeGreaterThan(0);
    for (const r of t.ranges) {
      expect(r.vaddr).toBeGreaterThanOrEqual(from);
      expect(r.vaddr + r.pages * 4096).toBeLessThanOrEqual(to);
    }
  });

  it("a pgdir slot that does not exist → no page-table view, the rest still there", async () => {
    const { machine } = await demo();
    const s = takeSnapshot(machine, { slot: 9, ...WHOLE });
    expect(s.pageTables).toBeNull();
    expect(s.instructions).toBe(machine.guest.cpu.instructions);
  });

  it("looking while the Guest runs → the same run, counter for counter", async () => {
    const plain = await demo();
    let looks = 0;
    const watched = await demo((m) => {
      takeSnapshot(m, WHOLE);
      looks++;
    }, 7);
    expect(looks).toBeGreaterThan(10);
    expect(watched.last).toEqual(plain.last);
  });
});
