/**
 * The bare machine: one IA-32 CPU, RAM, paging hardware, a 16550 UART at
 * COM1 and an exit port — the smallest PC a multiboot kernel can talk to.
 *
 * Reference: Multiboot Specification 0.6.96 §3.2 (machine state at entry:
 * EAX = 0x2BADB002, EBX = physical address of the information structure,
 * CS/DS/ES/FS/GS/SS flat 32-bit, CR0.PE = 1 and PG = 0, EFLAGS.IF = 0).
 */
import { type CpuExit, ControlRegisters, Cpu, EAX, EBX, PhysicalMemory, PortBus } from "@littleguest/x86-core";
import { PagingUnit } from "@littleguest/mmu";
import { LauncherError } from "../errors.js";
import { kernelCommandLine, placeKernel, writeBootInfo } from "./boot-info.js";
import { ExitPort } from "./exit-port.js";
import { BOOT_STACK_TOP, COM1_BASE, DEFAULT_RAM_BYTES, EXIT_PORT_BASE, EXIT_PORT_COUNT } from "./layout.js";
import { checkKernelFits, MULTIBOOT_BOOTLOADER_MAGIC, type MultibootKernel, readMultibootKernel } from "./multiboot.js";
import { Serial16550 } from "./serial.js";
import { OUTPUT_BUFFER_BYTES, SLICE_INSTRUCTIONS } from "./tunables.js";

/** Index of %esp in `cpu.regs` (EAX, ECX, EDX, EBX, ESP, …: the ModR/M register order). */
const ESP_INDEX = 4;

/*L:190 Known limits of the bare machine: there is no interrupt controller and
 * no timer, so a kernel that waits for IRQs halts for good; the UART raises no
 * interrupts either (its INTR line is only visible as `interruptPending`); no
 * modules, no VBE information, one CPU. Enough for conformance kernels and
 * benchmarks; the Guest machine with virtio devices is the Launcher proper. :*/

/** Options of {@link BareMachine}. */
export interface BareMachineOptions {
  /** The kernel file's bytes. */
  readonly kernel: Uint8Array;
  /** The kernel's file name: named in errors and put first on the command line, as QEMU does. */
  readonly kernelName: string;
  /** Text after the file name on the kernel command line (`--append`). */
  readonly append?: string;
  /** RAM in bytes; a multiple of 4 KiB. Default 128 MiB. */
  readonly memoryBytes?: number;
  /** Receives serial output in order, in chunks (flushed when full, after every slice and at the end). */
  readonly output?: (bytes: Uint8Array) => void;
  /**
   * Observes each byte the Guest transmits, at the moment it is written, with
   * the CPU's retired-instruction count then (for per-marker benchmarks).
   * Synchronous and on the `out` path: keep it cheap.
   */
  readonly onSerialByte?: (byte: number, instructions: number) => void;
  /** Instructions per `cpu.run()` slice. */
  readonly sliceInstructions?: number;
}

/** How a run of the bare machine ended. */
export type BareExit =
  /** The Guest wrote to the exit port; `status` is QEMU's (v << 1) | 1. */
  | { readonly kind: "exit-port"; readonly status: number }
  /**
   * HLT. The bare machine has no interrupt sources, so nothing can wake the CPU
   * either way; `interruptible` tells whether EFLAGS.IF was set (waiting for an
   * interrupt that will never come) or clear (deliberately switched off).
   */
  | { readonly kind: "halt"; readonly interruptible: boolean }
  /** Triple fault; a PC would reset. */
  | { readonly kind: "shutdown"; readonly reason: string }
  /** {@link BareMachine.stop} was called (e.g. Ctrl-C), or `maxInstructions` ran out. */
  | { readonly kind: "stopped" }
  /** The CPU returned an exit the bare machine never asks for (a bug, not a Guest error). */
  | { readonly kind: "unexpected"; readonly detail: string };

/**
 * A multiboot machine wired from x86-core and mmu, usable as a library.
 *
 * Construction loads the kernel and leaves the CPU at its entry point in the
 * state multiboot promises; {@link BareMachine.run} then runs it to an exit.
 * Deterministic: nothing inside depends on wall-clock time.
 */
export class BareMachine {
  /** The Guest's RAM. */
  readonly memory: PhysicalMemory;
  /** CR0/CR3/CR4 of the CPU. */
  readonly control: ControlRegisters;
  /** The paging unit (and its TLB counters in `stats`). */
  readonly translator: PagingUnit;
  /** The I/O port bus with COM1 and the exit port. */
  readonly ports: PortBus;
  /** The processor. */
  readonly cpu: Cpu;
  /** The UART at 0x3F8. */
  readonly serial: Serial16550;
  /** The exit port at 0xF4. */
  readonly exitPort: ExitPort;
  /** The kernel as the loader understood it. */
  readonly kernel: MultibootKernel;
  /** Physical address of the multiboot information structure (the Guest's %ebx). */
  readonly bootInfoAddress: number;
  private readonly buffer = new Uint8Array(OUTPUT_BUFFER_BYTES);
  private buffered = 0;
  private readonly output: ((bytes: Uint8Array) => void) | undefined;
  private readonly slice: number;
  private stopRequested = false;

  /**
   * @throws LauncherError when the kernel is not a usable multiboot image, does
   *   not fit, or the host cannot allocate the RAM.
   */
  constructor(options: BareMachineOptions) {
    const ramBytes = options.memoryBytes ?? DEFAULT_RAM_BYTES;
    this.kernel = readMultibootKernel(options.kernel, options.kernelName);
    checkKernelFits(this.kernel, ramBytes, options.kernelName);
    this.memory = allocate(ramBytes);
    placeKernel(this.memory, this.kernel);
    this.bootInfoAddress = writeBootInfo(this.memory, kernelCommandLine(options.kernelName, options.append ?? ""));
    this.output = options.output;
    this.slice = options.sliceInstructions ?? SLICE_INSTRUCTIONS;

    this.control = new ControlRegisters();
    this.translator = new PagingUnit(this.memory, this.control);
    this.ports = new PortBus();
    const observe = options.onSerialByte;
    this.serial = new Serial16550({
      transmit: (byte) => {
        if (observe) observe(byte, this.cpu.instructions);
        this.buffer[this.buffered++] = byte;
        if (this.buffered === this.buffer.length) this.flush();
      },
    });
    this.exitPort = new ExitPort(() => this.cpu.stop());
    this.ports.register(COM1_BASE, 8, this.serial, "serial (COM1)");
    this.ports.register(EXIT_PORT_BASE, EXIT_PORT_COUNT, this.exitPort, "exit port");
    this.cpu = new Cpu({
      memory: this.memory,
      control: this.control,
      translator: this.translator,
      ports: this.ports,
      unclaimedPorts: "open-bus",
    });
    /*L:150 The handover is the whole of multiboot's promise: protected mode with
     * flat 4 GiB segments, paging off, interrupts off, the magic in %eax and the
     * information structure's physical address in %ebx. Everything else (GDT,
     * IDT, stack) is the kernel's to build, so we give it nothing more — a
     * kernel that works here without leaning on leftovers works under GRUB. :*/
    this.cpu.loadFlatSegments({ cpl: 0, codeSelector: 0x10, dataSelector: 0x18 });
    this.cpu.regs[EAX] = MULTIBOOT_BOOTLOADER_MAGIC | 0;
    this.cpu.regs[EBX] = this.bootInfoAddress;
    this.cpu.regs[ESP_INDEX] = BOOT_STACK_TOP;
    this.cpu.eip = this.kernel.entry;
  }

  /** Ask a running {@link BareMachine.run} to end with `{ kind: "stopped" }` after the current instruction. */
  stop(): void {
    this.stopRequested = true;
    this.cpu.stop();
  }

  /**
   * Run one slice of at most `budget` instructions.
   *
   * @returns the exit, or undefined when the budget ran out and the machine can go on.
   */
  step(budget: number = this.slice): BareExit | undefined {
    const exit = this.cpu.run(budget);
    this.flush();
    return this.classify(exit);
  }

  /*L:180 The run loop is pull-style: `cpu.run(budget)` executes a slice and
   * returns why it stopped. A budget exit just means "your turn": we flush the
   * serial output and yield to the event loop so that stdin data and Ctrl-C
   * get in, then hand the CPU another slice. Every other exit ends the run and
   * the CLI turns it into a status; the machine itself never exits the process. :*/
  /**
   * Run until the Guest exits, halts for good, triple-faults, or {@link BareMachine.stop} is called.
   * Yields to the event loop between slices so output, input and signals are served.
   *
   * @param maxInstructions - stop (with `{ kind: "stopped" }`) after about this many instructions.
   */
  async run(maxInstructions = Number.POSITIVE_INFINITY): Promise<BareExit> {
    for (;;) {
      const left = maxInstructions - this.cpu.instructions;
      if (left <= 0) return { kind: "stopped" };
      const exit = this.step(Math.min(this.slice, left));
      if (exit) return exit;
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.stopRequested) return { kind: "stopped" };
    }
  }

  /** Hand buffered serial output to the `output` option now. */
  flush(): void {
    if (this.buffered === 0) return;
    const chunk = this.buffer.slice(0, this.buffered);
    this.buffered = 0;
    this.output?.(chunk);
  }

  private classify(exit: CpuExit): BareExit | undefined {
    switch (exit.kind) {
      case "budget":
        return undefined;
      case "stopped": {
        const status = this.exitPort.status;
        return status === undefined ? { kind: "stopped" } : { kind: "exit-port", status };
      }
      case "halt":
        return { kind: "halt", interruptible: exit.interruptible };
      case "shutdown":
        return { kind: "shutdown", reason: exit.reason };
      default:
        return { kind: "unexpected", detail: `the CPU returned a "${exit.kind}" exit` };
    }
  }
}

function allocate(bytes: number): PhysicalMemory {
  try {
    return new PhysicalMemory(bytes);
  } catch (cause) {
    const size = `${Math.round(bytes / 1024 / 1024)}M`;
    throw new LauncherError("out-of-memory", `cannot allocate ${size} of guest RAM on this host; use a smaller --mem`, { cause });
  }
}
