/**
 * A Guest's first steps on the Host: LGUEST_INIT, NOTIFY and SHUTDOWN, and what the Host
 * writes into lguest_data at INIT (lguest-abi.md §1.3, §2).
 */
import { LGUEST_DATA } from "@littleguest/lguest-host/abi";
import { describe, expect, it } from "vitest";
import { machine } from "./machine.js";

describe("booting a Guest", () => {
  it("LGUEST_INIT, then NOTIFY reaches the Launcher and SHUTDOWN ends the Guest with its message", () => {
    const m = machine(`
main:
	NOTIFY $0x1234
	NOTIFY $lguest_data
	DONE
`);
    const out = m.runToDeath();
    expect(out.notifies[0]).toBe(0x1234);
    expect(out.reason).toBe("CRASH: ok");
    const data = out.notifies[1]!;
    expect(m.read32(data + LGUEST_DATA.reserveMem)).toBe(4 << 20);
    expect(m.read32(data + LGUEST_DATA.tscKhz)).toBe(0);
    expect(m.read32(data + LGUEST_DATA.timeSec)).toBeGreaterThan(1_700_000_000);
    m.host.close(m.guest);
    expect(m.allocator.compare(m.baseline)).toEqual([]);
  });
});
