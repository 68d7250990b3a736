/**
 * The Guest machine boots the bundled Guest kernel on the lguest Host: ELF at its physical
 * addresses, the zero page, the early console, and power-off with a status.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { GuestMachine } from "./machine.js";

const kernelPath = createRequire(import.meta.url).resolve("@littleguest/guest-kernel/prebuilt/guest.elf");

function boot(cmdline: string, memoryBytes?: number) {
  const chunks: Uint8Array[] = [];
  const m = new GuestMachine({
    kernel: new Uint8Array(readFileSync(kernelPath)),
    kernelName: "guest.elf",
    cmdline,
    memoryBytes,
    output: (b) => chunks.push(b),
  });
  return { m, text: () => Buffer.concat(chunks).toString("latin1") };
}

describe("the Guest machine", () => {
  it("boots the bundled kernel, which reads its RAM and command line and powers off with status 0", async () => {
    const { m, text } = boot("hello=world quiet", 64 << 20);
    const exit = await m.run();
    expect(exit).toEqual({ kind: "poweroff", status: 0 });
    expect(text()).toContain("64 MiB RAM, reserve_mem 4096 KiB");
    expect(text()).toContain("command line: hello=world quiet\n");
    // After its first lines on the early console, the Guest found the virtio console on the lguest bus.
    expect(m.console.transmitted).toBeGreaterThan(300);
    // int3 through a trap gate is a direct trap: the CPU never left the Guest for it.
    expect(text()).toContain("traps: 3 breakpoints handled directly\n");
    expect(m.guest.counters.exits[3]).toBe(0);
    // Four untouched pages: four #PFs the Host could not fix and reflected, one per page.
    expect(text()).toContain("page faults: 4 demand-zero pages filled, checksum 10\n");
    expect(m.guest.counters.reflectedTraps).toBe(4);
    expect(m.guest.mmu.counters().reflectedFaults).toBe(4);
    // Five timer interrupts delivered to a halted Guest in virtual time, no real waiting.
    expect(text()).toContain("timer: 5 ticks while halted; wall clock 1767225600 s\n");
    expect(m.guest.counters.interruptsDelivered).toBeGreaterThanOrEqual(5);
    // Three ring-3 processes, round robin on the timer: each prints its first line before
    // any prints its second, so the timer must have preempted them.
    const lines = text().split("\n").filter((l) => l.startsWith("process "));
    expect(lines.slice(0, 3)).toEqual(["process 1: 1", "process 2: 1", "process 3: 1"]);
    expect([...lines].sort()).toEqual(["1", "2", "3"].flatMap((p) => ["1", "2", "3"].map((k) => `process ${p}: ${k}`)));
    expect(text()).toMatch(/processes: exit codes sum to 6; 15 system calls, \d+ context switches; frames back to (\d+) of \1\n/);
    // int $0x80 through a DPL-3 trap gate is direct: no system call ever left the Guest.
    expect(m.guest.counters.exits[0x80]).toBe(0);
    // Context switches queued SET_STACK and NEW_PGTABLE in the async ring; the pgdir cache hit.
    expect(m.guest.counters.asyncHypercalls).toBeGreaterThan(0);
    expect((m.guest.mmu as unknown as { shadowCounters(): { pgdirHits: number } }).shadowCounters().pgdirHits).toBeGreaterThan(0);
    const before = m.allocator.inUse;
    m.close();
    expect(m.allocator.inUse).toBeLessThan(before);
  }, 60_000); // ~1 s alone; CI runs every package's tests at once on two cores

  it("boots the same kernel packed as a bzImage (setup sectors skipped, code32_start at 1 MiB)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lg-bz-"));
    execFileSync("objcopy", ["-O", "binary", kernelPath, join(dir, "flat.bin")]);
    const flat = readFileSync(join(dir, "flat.bin"));
    const setup = new Uint8Array(2 * 512); // the boot sector and one setup sector
    const view = new DataView(setup.buffer);
    setup[0x1f1] = 1; // setup_sects
    setup.set([0x48, 0x64, 0x72, 0x53], 0x202); // "HdrS"
    view.setUint16(0x206, 0x020a, true); // boot protocol 2.10
    view.setUint32(0x214, 0x100000, true); // code32_start
    const out: Uint8Array[] = [];
    const m = new GuestMachine({ kernel: new Uint8Array(Buffer.concat([setup, flat])), kernelName: "bzImage", memoryBytes: 32 << 20, output: (b) => out.push(b) });
    expect(await m.run()).toEqual({ kind: "poweroff", status: 0 });
    expect(Buffer.concat(out).toString("latin1")).toContain("littleguest Guest kernel on lguest: 32 MiB RAM");
    m.close();
  }, 60_000);

  it("refuses kernels that do not fit and files that are not ELF", () => {
    const kernel = new Uint8Array(readFileSync(kernelPath));
    expect(() => new GuestMachine({ kernel: new Uint8Array(64), kernelName: "x.bin" })).toThrow(/x.bin is neither an ELF kernel nor a bzImage/);
    expect(() => new GuestMachine({ kernel, kernelName: "k", memoryBytes: 1 << 20 })).toThrow(/at least 4M/);
  });
});
