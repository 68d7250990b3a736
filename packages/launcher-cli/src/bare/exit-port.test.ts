import { describe, expect, it } from "vitest";
import { ExitPort, debugExitStatus } from "./exit-port.js";

describe("exit port (QEMU isa-debug-exit: status = (v << 1) | 1)", () => {
  it.each([
    [0, 1],
    [1, 3],
    [0x10, 0x21],
    [0x7f, 0xff],
  ])("value %i → status %i", (v, status) => {
    expect(debugExitStatus(v)).toBe(status);
  });

  it("a byte write reports the status and requests the exit", () => {
    const seen: number[] = [];
    const port = new ExitPort((s) => seen.push(s));
    port.write(0xf4, 1, 0x10);
    expect(seen).toEqual([0x21]);
    expect(port.status).toBe(0x21);
  });

  it("a 16- or 32-bit write uses the whole value of that size", () => {
    const port = new ExitPort(() => {});
    port.write(0xf4, 4, 0x12345678);
    expect(port.status).toBe(0x12345678 * 2 + 1);
  });

  it("a byte write of a wider register value keeps only the byte written", () => {
    const port = new ExitPort(() => {});
    port.write(0xf4, 1, 0x1234);
    expect(port.status).toBe(0x34 * 2 + 1);
  });

  it("reads return 0", () => {
    expect(new ExitPort(() => {}).read(0xf4, 1)).toBe(0);
  });
});
