/**
 * The Guest kernel's C view of the lguest ABI (packages/guest-kernel/src/lguest.h) agrees
 * with the Host's (@littleguest/lguest-host/abi): every hypercall number, and every offset of
 * struct lguest_data as gcc -m32 lays it out, checked by compiling static assertions
 * generated from the TypeScript constants.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as abi from "@littleguest/lguest-host/abi";
import { describe, expect, it } from "vitest";

const SRC = fileURLToPath(new URL("../../packages/guest-kernel/src", import.meta.url));

const FIELDS: [keyof typeof abi.LGUEST_DATA, string][] = [
  ["irqEnabled", "irq_enabled"],
  ["blockedInterrupts", "blocked_interrupts"],
  ["cr2", "cr2"],
  ["timeSec", "time_sec"],
  ["timeNsec", "time_nsec"],
  ["irqPending", "irq_pending"],
  ["hcallStatus", "hcall_status"],
  ["hcalls", "hcalls"],
  ["reserveMem", "reserve_mem"],
  ["tscKhz", "tsc_khz"],
  ["noirqIret", "noirq_iret"],
  ["kernelAddress", "kernel_address"],
  ["syscallVec", "syscall_vec"],
];

describe("the Guest kernel and the Host speak the same ABI", () => {
  it("hypercall numbers, selectors and struct lguest_data offsets match (gcc -m32 static assertions)", () => {
    const asserts: string[] = [];
    for (const [name, value] of Object.entries(abi)) {
      if (/^LHCALL_[A-Z_]+$/.test(name) && name !== "LHCALL_RING_SIZE" && typeof value === "number") {
        asserts.push(`_Static_assert(${name} == ${value}, "${name}");`);
      }
    }
    asserts.push(`_Static_assert(LHCALL_RING_SIZE == ${abi.LHCALL_RING_SIZE}, "ring");`);
    asserts.push(`_Static_assert(KERNEL_CS == ${abi.KERNEL_CS_SEL} && KERNEL_DS == ${abi.KERNEL_DS_SEL}, "kernel selectors");`);
    asserts.push(`_Static_assert(USER_CS == ${abi.USER_CS_SEL} && USER_DS == ${abi.USER_DS_SEL}, "user selectors");`);
    asserts.push(`_Static_assert(PAGE_OFFSET == ${abi.PAGE_OFFSET}u, "PAGE_OFFSET");`);
    for (const [ts, c] of FIELDS) {
      asserts.push(`_Static_assert(__builtin_offsetof(struct lguest_data, ${c}) == ${abi.LGUEST_DATA[ts]}, "${c}");`);
    }
    asserts.push(`_Static_assert(sizeof(struct lguest_data) == ${abi.LGUEST_DATA_SIZE}, "size");`);
    // Every hypercall the Host knows must be defined in the header (a missing one fails to compile).
    expect(asserts.filter((a) => a.includes("LHCALL_")).length).toBe(18);
    const dir = mkdtempSync(join(tmpdir(), "guest-abi-"));
    const file = join(dir, "check.c");
    writeFileSync(file, `#include "lguest.h"\n${asserts.join("\n")}\n`);
    const r = spawnSync("gcc", ["-m32", "-ffreestanding", "-fsyntax-only", "-I", SRC, file], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
});
