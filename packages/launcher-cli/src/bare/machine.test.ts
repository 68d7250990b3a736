/**
 * The bare machine with the real CPU and paging unit, booting hand-assembled
 * multiboot kernels (bytes with the mnemonic beside them).
 */
import { describe, expect, it } from "vitest";
import { BareMachine } from "./machine.js";
import { concat, multibootHeader } from "./tiny-elf.testkit.js";

/** Every run is capped so that a broken CPU fails a test instead of hanging it. */
const CAP = 10_000_000;
const LOAD = 0x100000;
const ENTRY = LOAD + 32; // right after the 32-byte header

/** A flat multiboot image (flag 16): header at 0x100000, code at 0x100020, optional bss up to `bssEnd`. */
function flatKernel(code: number[], bssEnd = 0): Uint8Array {
  return concat(multibootHeader(1 << 16, [LOAD, LOAD, 0, bssEnd, ENTRY]), Uint8Array.of(...code));
}

function boot(code: number[], options: { bssEnd?: number; append?: string } = {}) {
  const chunks: Uint8Array[] = [];
  const marks: { byte: number; instructions: number }[] = [];
  const machine = new BareMachine({
    kernel: flatKernel(code, options.bssEnd),
    kernelName: "t.bin",
    append: options.append ?? "",
    memoryBytes: 16 * 1024 * 1024,
    output: (b) => chunks.push(b),
    onSerialByte: (byte, instructions) => marks.push({ byte, instructions }),
  });
  const text = () => Buffer.concat(chunks).toString("latin1");
  return { machine, chunks, marks, text };
}

describe("BareMachine: multiboot handover (spec §3.2)", () => {
  it("EAX = 0x2BADB002 and [EBX] = QEMU's info flags 0x24F at entry; serial output and exit status follow", async () => {
    const { machine, text } = boot([
      0xba, 0xf8, 0x03, 0x00, 0x00, //       mov edx, 0x3f8
      0x3d, 0x02, 0xb0, 0xad, 0x2b, //       cmp eax, 0x2badb002
      0x75, 0x13, //                         jne fail
      0x81, 0x3b, 0x4f, 0x02, 0x00, 0x00, // cmp dword [ebx], 0x24f
      0x75, 0x0b, //                         jne fail
      0xb0, 0x4f, 0xee, //                   mov al, 'O' ; out dx, al
      0xb0, 0x4b, 0xee, //                   mov al, 'K' ; out dx, al
      0xb0, 0x10, 0xe6, 0xf4, //             mov al, 0x10 ; out 0xf4, al
      0xf4, //                               hlt (never reached)
      0xb0, 0x46, 0xee, //             fail: mov al, 'F' ; out dx, al
      0xfa, 0xf4, //                         cli ; hlt
    ]);
    const exit = await machine.run(CAP);
    expect(text()).toBe("OK");
    expect(exit).toEqual({ kind: "exit-port", status: 0x21 });
  });

  it("the command line the kernel finds through [EBX+16] is 'FILE APPEND'", async () => {
    const { machine, text } = boot([
      0xba, 0xf8, 0x03, 0x00, 0x00, //       mov edx, 0x3f8
      0x8b, 0x73, 0x10, //                   mov esi, [ebx+16]
      0xac, //                         next: lodsb
      0x84, 0xc0, //                         test al, al
      0x74, 0x03, //                         jz done
      0xee, //                               out dx, al
      0xeb, 0xf8, //                         jmp next
      0xe6, 0xf4, //                   done: out 0xf4, al   (al = 0)
    ], { append: "quiet x=1" });
    expect(await machine.run(CAP)).toEqual({ kind: "exit-port", status: 1 });
    expect(text()).toBe("t.bin quiet x=1");
  });
});

describe("BareMachine: how runs end", () => {
  it("cli; hlt → halt, not interruptible", async () => {
    expect(await boot([0xfa, 0xf4]).machine.run(CAP)).toEqual({ kind: "halt", interruptible: false });
  });

  it("sti; hlt → halt, interruptible (no interrupt source exists)", async () => {
    expect(await boot([0xfb, 0xf4]).machine.run(CAP)).toEqual({ kind: "halt", interruptible: true });
  });

  it("ud2 with an empty IDT → #UD, #GP, #DF all undeliverable → shutdown (triple fault)", async () => {
    const zeros = LOAD + 0x100; // 6 zero bytes in the bss: IDT limit 0, base 0
    const { machine } = boot(
      [
        0x0f, 0x01, 0x1d, zeros & 0xff, (zeros >> 8) & 0xff, (zeros >> 16) & 0xff, 0x00, // lidt [zeros]
        0x0f, 0x0b, //                                                                   ud2
      ],
      { bssEnd: LOAD + 0x200 },
    );
    const exit = await machine.run(CAP);
    expect(exit.kind).toBe("shutdown");
  });

  it("jmp $ with a cap of 100000 instructions → stopped, having retired about that many", async () => {
    const { machine } = boot([0xeb, 0xfe]);
    expect(await machine.run(100_000)).toEqual({ kind: "stopped" });
    expect(machine.cpu.instructions).toBe(100_000);
  });

  it("stop() from outside (Ctrl-C) → stopped", async () => {
    const { machine } = boot([0xeb, 0xfe]);
    setTimeout(() => machine.stop(), 20);
    const cap = 1_000_000_000;
    expect(await machine.run(cap)).toEqual({ kind: "stopped" });
    expect(machine.cpu.instructions).toBeLessThan(cap); // it was the stop, not the cap
  });
});

describe("BareMachine: serial output stream", () => {
  const loop = [
    0xba, 0xf8, 0x03, 0x00, 0x00, // mov edx, 0x3f8
    0xb9, 0x00, 0x28, 0x00, 0x00, // mov ecx, 10240
    0x88, 0xc8, //            next: mov al, cl
    0xee, //                        out dx, al
    0xe2, 0xfb, //                  loop next
    0xb0, 0x00, 0xe6, 0xf4, //      mov al, 0 ; out 0xf4, al
  ];

  it("10240 bytes arrive complete and in order, in several chunks", async () => {
    const { machine, chunks } = boot(loop);
    expect(await machine.run(CAP)).toEqual({ kind: "exit-port", status: 1 });
    const all = Buffer.concat(chunks);
    expect(all.length).toBe(10240);
    expect(Array.from(all.subarray(0, 3))).toEqual([0x00, 0xff, 0xfe]); // cl = 10240 & 0xff, then counting down
    expect(chunks.length).toBeGreaterThan(1);
  });

  it("onSerialByte sees each byte with the retired count: 3 instructions (mov, out, loop) apart", async () => {
    const { machine, marks } = boot(loop);
    await machine.run(CAP);
    expect(marks).toHaveLength(10240);
    for (let i = 1; i < marks.length; i++) expect(marks[i]!.instructions - marks[i - 1]!.instructions).toBe(3);
  });
});
