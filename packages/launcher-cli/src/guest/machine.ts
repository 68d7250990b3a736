/**
 * The Guest machine: an emulated PC running the lguest Host, with one paravirtual Guest
 * whose RAM, kernel and boot data the Launcher sets up, as lguest's Launcher did.
 *
 * Reference: lguest-abi.md §8.1 (INITIALIZE(base, pfnlimit, start); read() returns NOTIFY
 * addresses or death), §8.2 (ELF kernels loaded at p_paddr, entry = e_entry; boot_params at
 * 0; initrd at the top of RAM), §8.3 (the early console: a NOTIFY address that names no
 * device is a NUL-terminated string to print).
 */
import { HostPageAllocator } from "@littleguest/mmu";
import { createShadowStrategy, type LgCpu, LguestHost } from "@littleguest/lguest-host";
import { PhysicalMemory } from "@littleguest/x86-core";
import { isElf, parseElf32, PT_LOAD } from "../bare/elf.js";
import { hex, LauncherError } from "../errors.js";
import { CMDLINE_MAX, writeBootParams } from "./boot-params.js";
import { S_IFREG, writeCpio } from "./initramfs.js";
import { type BlockBackend, VirtioBlock } from "./block.js";
import { VirtioConsole } from "./console.js";
import { DEVICE_PAGES, LguestBus } from "./lguest-bus.js";

/** Where the protected-mode part of a bzImage goes (boot protocol: the 1 MiB mark). */
const BZIMAGE_LOAD = 0x100000;

/** Whether `bytes` is a Linux bzImage ("HdrS" at 0x202, boot protocol 2.00+). */
export function isBzImage(bytes: Uint8Array): boolean {
  return bytes.length > 0x264 && bytes[0x202] === 0x48 && bytes[0x203] === 0x64 && bytes[0x204] === 0x72 && bytes[0x205] === 0x53;
}

/*L:630 A bzImage is loaded the way lguest's Launcher loaded one: skip the real-mode setup
 * sectors (setup_sects + 1 of 512 bytes; 0 means 4), put the rest at 1 MiB, and start at the
 * header's code32_start. The 16-bit setup code never runs: an lguest Guest starts in
 * protected mode, and hardware_subarch = 1 in the zero page sends Linux's startup_32 to
 * lguest_entry. :*/
function bzImageAsSegments(bytes: Uint8Array, name: string): { entry: number; segments: { type: number; offset: number; paddr: number; filesz: number; memsz: number }[] } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const setupSects = bytes[0x1f1] === 0 ? 4 : bytes[0x1f1]!;
  const offset = (setupSects + 1) * 512;
  if (offset >= bytes.length) {
    throw new LauncherError("bad-elf", `${name} is a bzImage whose ${setupSects} setup sectors leave no kernel; the file is truncated`);
  }
  const code32 = view.getUint16(0x206, true) >= 0x200 ? view.getUint32(0x214, true) : BZIMAGE_LOAD;
  const filesz = bytes.length - offset;
  return { entry: code32 || BZIMAGE_LOAD, segments: [{ type: PT_LOAD, offset, paddr: BZIMAGE_LOAD, filesz, memsz: filesz }] };
}

/** Guest RAM unless the user asks otherwise. */
export const DEFAULT_GUEST_RAM = 128 << 20;
/** Smallest useful Guest: the kernel at 1 MiB plus room to run. */
export const MIN_GUEST_RAM = 4 << 20;
/**
 * Host RAM beyond the Guest's, for the Host's own pages: the Switcher, regs pages and shadow
 * page tables (four directories with up to 1024 page tables each is 16 MiB; rarely reached).
 */
export const HOST_OVERHEAD_BYTES = 24 << 20;
/** Longest early-console string read from one NOTIFY (lguest's chunks are 16 bytes). */
const EARLY_CONSOLE_MAX = 256;
/** A SHUTDOWN message of this form is a clean power-off with an exit status. */
const EXIT_MESSAGE = /^exit (\d{1,3})$/;

/** Options of {@link GuestMachine}. */
export interface GuestMachineOptions {
  /** The kernel: an i386 ELF executable whose segments carry physical load addresses. */
  readonly kernel: Uint8Array;
  /** How to name the kernel in errors. */
  readonly kernelName: string;
  /** Guest RAM in bytes (multiple of 4 KiB; default 128 MiB). */
  readonly memoryBytes?: number;
  /** The kernel command line. */
  readonly cmdline?: string;
  /** Receives console output. */
  readonly output?: (bytes: Uint8Array) => void;
  /** Host CPUs the Switcher is built for (default 2). */
  readonly hostCpus?: number;
  /** Seed for the Host's random choices (default 1). */
  readonly seed?: number;
  /**
   * Whether input will come through {@link GuestMachine.input} until {@link GuestMachine.inputEnd}:
   * a Guest that sleeps waiting for it is then waited for instead of being reported stuck.
   */
  readonly acceptsInput?: boolean;
  /** A virtio block device over this store (the Guest's /dev/vda). */
  readonly block?: BlockBackend;
  /** An initial RAM disk (a newc cpio archive), placed at the top of Guest RAM. */
  readonly initrd?: Uint8Array;
  /**
   * The first program and its arguments (argv[0] is its path inside the Guest). The Launcher
   * appends them to the initrd as `/.lguest/argv`, NUL-separated, for the Guest kernel.
   */
  readonly argv?: readonly string[];
}

/** Where the Guest kernel looks for the first program's argument vector. */
export const ARGV_FILE = ".lguest/argv";

/** How a Guest's life ended. */
export type GuestExit =
  /** The Guest powered off with an exit status (SHUTDOWN "exit N"). */
  | { readonly kind: "poweroff"; readonly status: number }
  /** The Guest asked to restart. */
  | { readonly kind: "restart"; readonly message: string }
  /** The Guest crashed itself (SHUTDOWN with another message), or the Host killed it. */
  | { readonly kind: "killed"; readonly reason: string }
  /** The Guest is halted with no timer and no device that could wake it. */
  | { readonly kind: "stuck" }
  /** {@link GuestMachine.stop} or the Guest's `requestStop` (a breakpoint, a debugger) was called; `run` again goes on. */
  | { readonly kind: "stopped" };

/*L:600 The Launcher's half of lguest is bookkeeping: find room for the Guest, put its
 * kernel where the ELF headers say, write the zero page a Linux boot loader would (one RAM
 * region, the command line, and "hardware_subarch = 1", which is how a kernel knows it is an
 * lguest Guest), and hand the Host three numbers: where Guest memory starts, how big it is,
 * and where to begin. Then it loops on the Host's run, the read() of /dev/lguest, printing
 * what the Guest says and watching for its death. Guest RAM is a range of a large zeroed
 * ArrayBuffer, so memory the Guest never touches costs nothing. :*/

/** One Guest on the lguest Host. */
export class GuestMachine {
  /** Host RAM. */
  readonly memory: PhysicalMemory;
  /** Host page allocator. */
  readonly allocator: HostPageAllocator;
  /** The lguest Host. */
  readonly host: LguestHost;
  /** The Guest. */
  readonly guest: LgCpu;
  /** Host-physical address of Guest-physical 0. */
  readonly memBase: number;
  /** Guest RAM in bytes. */
  readonly ramBytes: number;
  /** The lguest bus in the pages above RAM. */
  readonly bus: LguestBus;
  /** The virtio console (output to `options.output`, input from {@link GuestMachine.input}). */
  readonly console: VirtioConsole;
  /** The virtio block device, when one was given. */
  readonly block: VirtioBlock | undefined;
  private readonly output: (bytes: Uint8Array) => void;
  private stopRequested = false;
  private inputOpen: boolean;
  private inputArrived: (() => void) | null = null;

  constructor(options: GuestMachineOptions) {
    const ramBytes = options.memoryBytes ?? DEFAULT_GUEST_RAM;
    if (ramBytes % 4096 !== 0 || ramBytes < MIN_GUEST_RAM) {
      throw new LauncherError("bad-mem", `Guest RAM of ${ramBytes} bytes is too small or not whole pages; give at least 4M`);
    }
    this.ramBytes = ramBytes;
    this.output = options.output ?? (() => {});
    this.inputOpen = options.acceptsInput ?? false;
    if (!isBzImage(options.kernel) && !isElf(options.kernel)) {
      throw new LauncherError("not-elf", `${options.kernelName} is neither an ELF kernel nor a bzImage; give an lguest Guest kernel`);
    }
    const image = isBzImage(options.kernel) ? bzImageAsSegments(options.kernel, options.kernelName) : parseElf32(options.kernel, options.kernelName);
    const cmdline = new TextEncoder().encode(options.cmdline ?? "");
    if (cmdline.length > CMDLINE_MAX) {
      throw new LauncherError("usage", `the kernel command line is ${cmdline.length} bytes; at most ${CMDLINE_MAX} fit`);
    }
    try {
      this.memory = new PhysicalMemory(ramBytes + HOST_OVERHEAD_BYTES);
    } catch (cause) {
      throw new LauncherError("out-of-memory", `cannot allocate ${(ramBytes + HOST_OVERHEAD_BYTES) >> 20} MiB for the machine; try a smaller --mem`, { cause });
    }
    this.allocator = new HostPageAllocator(this.memory, 0, this.memory.size / 4096);
    this.host = new LguestHost({ memory: this.memory, allocator: this.allocator, hostCpus: options.hostCpus });
    const guestPages = ramBytes / 4096 + DEVICE_PAGES;
    this.memBase = this.allocator.allocRange(guestPages, "Launcher: Guest RAM and device pages") * 4096;
    const guestRam = this.memory.u8.subarray(this.memBase, this.memBase + guestPages * 4096);
    let entryInside = false;
    for (const s of image.segments) {
      if (s.type !== PT_LOAD || s.memsz === 0) continue;
      if (s.paddr < 2 * 4096 || s.paddr + s.memsz > ramBytes) {
        throw new LauncherError(
          "does-not-fit",
          `${options.kernelName}: segment at ${hex(s.paddr)} (${s.memsz} bytes) is outside the Guest's RAM (8K … ${ramBytes >> 20}M); give more --mem or link the kernel at 1M`,
        );
      }
      guestRam.set(options.kernel.subarray(s.offset, s.offset + s.filesz), s.paddr);
      if (image.entry >= s.paddr && image.entry < s.paddr + s.memsz) entryInside = true;
    }
    if (!entryInside) {
      throw new LauncherError("bad-elf", `${options.kernelName}: entry point ${hex(image.entry)} is in no loaded segment; an lguest kernel's e_entry is physical`);
    }
    const initrd = this.initrdWithArgv(options);
    let placement: { address: number; size: number } | undefined;
    if (initrd.length > 0) {
      const address = Math.floor((ramBytes - initrd.length) / 4096) * 4096;
      const kernelEnd = Math.max(...image.segments.filter((s) => s.type === PT_LOAD).map((s) => s.paddr + s.memsz));
      if (address < kernelEnd + (2 << 20)) {
        throw new LauncherError("does-not-fit", `the initrd (${initrd.length} bytes) does not fit in ${ramBytes >> 20}M of Guest RAM beside the kernel; give more --mem`);
      }
      guestRam.set(initrd, address);
      placement = { address, size: initrd.length };
    }
    writeBootParams(guestRam, ramBytes, cmdline, placement);
    const view = { bytes: guestRam, view: new DataView(guestRam.buffer, guestRam.byteOffset, guestRam.byteLength) };
    this.bus = new LguestBus(view, ramBytes);
    this.console = new VirtioConsole(view, this.output, (irq) => this.guest.irq(irq));
    this.bus.add(this.console, 2);
    this.block = options.block === undefined ? undefined : new VirtioBlock(view, options.block, (irq) => this.guest.irq(irq));
    if (this.block !== undefined) this.bus.add(this.block, 1);
    this.guest = this.host.initialize({
      memBase: this.memBase,
      pfnLimit: guestPages,
      start: image.entry,
      mmu: createShadowStrategy,
      seed: options.seed ?? 1,
    });
  }

  private initrdWithArgv(options: GuestMachineOptions): Uint8Array {
    const base = options.initrd ?? new Uint8Array(0);
    if (options.argv === undefined || options.argv.length === 0) return base;
    const enc = new TextEncoder();
    const parts = options.argv.map((a) => enc.encode(`${a}\0`));
    const data = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      data.set(p, at);
      at += p.length;
    }
    // Concatenated archives are one initramfs (the Linux format allows it).
    const extra = writeCpio([{ name: ARGV_FILE, mode: S_IFREG | 0o644, data }]);
    const out = new Uint8Array(base.length + extra.length);
    out.set(base);
    out.set(extra, base.length);
    return out;
  }

  /** Input for the Guest's console. */
  input(bytes: Uint8Array): void {
    this.console.input(bytes);
    this.wake();
  }

  /** The console input has ended (the Guest reads end-of-file once it has read the rest). */
  inputEnd(): void {
    this.inputOpen = false;
    this.console.end();
    this.wake();
  }

  private wake(): void {
    const resolve = this.inputArrived;
    this.inputArrived = null;
    resolve?.();
  }

  /** Ask {@link GuestMachine.run} to return at its next look (e.g. on Ctrl-C). */
  stop(): void {
    this.stopRequested = true;
    this.wake();
  }

  /**
   * Stop the Guest at its next instruction boundary so a debugger or the monitor can look at
   * it: {@link GuestMachine.run} returns `stopped`, even while it waits for input.
   */
  stopGuest(): void {
    this.guest.requestStop();
    this.wake();
  }

  /** Whether {@link GuestMachine.stop} was called (rather than the Guest being stopped for a debugger). */
  get stopRequestedByUser(): boolean {
    return this.stopRequested;
  }

  /**
   * Run the Guest to the end of its life (or until {@link GuestMachine.stop}). Yields to the
   * event loop between slices so signals and I/O get through.
   */
  async run(): Promise<GuestExit> {
    for (;;) {
      if (this.stopRequested) return { kind: "stopped" };
      const ev = this.guest.run({ budget: 20_000_000 });
      switch (ev.kind) {
        case "notify":
          this.notify(ev.address);
          break;
        case "dead":
          return this.death(ev.reason, ev.restart);
        case "idle":
          if (ev.wakeAtNs === null) {
            // Halted with no timer: only input can wake the Guest now.
            if (!this.inputOpen) return { kind: "stuck" };
            await new Promise<void>((r) => {
              this.inputArrived = r;
            });
          } else await new Promise((r) => setTimeout(r, 1));
          break;
        case "budget":
          // setTimeout, not setImmediate: the machine also runs in a browser.
          await new Promise((r) => setTimeout(r, 0));
          break;
        case "stopped":
          return { kind: "stopped" };
      }
    }
  }

  /**
   * Run exactly one Guest instruction (a debugger's single step), serving a device kick it
   * makes. @returns null while the Guest lives, else how its life ended.
   */
  step(): GuestExit | null {
    const ev = this.guest.step();
    if (ev.kind === "notify") this.notify(ev.address);
    else if (ev.kind === "dead") return this.death(ev.reason, ev.restart);
    return null;
  }

  /** Release the Guest (every Host page it held) and the Host's Switcher. */
  close(): void {
    this.host.destroy();
  }

  private notify(address: number): void {
    const a = address >>> 0;
    try {
      if (this.bus.notify(a)) return;
    } catch (e) {
      // A ring the Guest scribbled over is the Guest's death, not the Launcher's.
      this.guest.kill(`device: ${(e as Error).message}`);
      return;
    }
    if (a >= this.ramBytes) return;
    const ram = this.memory.u8;
    const start = this.memBase + a;
    const limit = Math.min(start + EARLY_CONSOLE_MAX, this.memBase + this.ramBytes);
    let end = start;
    while (end < limit && ram[end] !== 0) end++;
    if (end > start) this.output(ram.slice(start, end));
  }

  private death(reason: string, restart: boolean): GuestExit {
    if (reason.startsWith("CRASH: ")) {
      const message = reason.slice(7);
      if (restart) return { kind: "restart", message };
      const m = EXIT_MESSAGE.exec(message);
      if (m !== null && Number(m[1]) <= 255) return { kind: "poweroff", status: Number(m[1]) };
    }
    return { kind: "killed", reason };
  }
}
