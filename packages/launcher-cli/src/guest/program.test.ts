/**
 * `lguest run -- PROGRAM ARGS` as a library: the Launcher packs the program and its argument
 * vector into the initramfs, the Guest kernel loads the static i386 ELF into a ring-3 process
 * with the System V stack (argc, argv, envp, auxv), and the program's exit status is the
 * machine's. The program is assembled here with the machine's gcc -m32.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { S_IFREG, writeCpio } from "./initramfs.js";
import { GuestMachine } from "./machine.js";

const kernel = new Uint8Array(readFileSync(createRequire(import.meta.url).resolve("@littleguest/guest-kernel/prebuilt/guest.elf")));

/** write(1, argv[argc-1], strlen) and a newline per argument, then exit(argc). */
const ECHO_ARGS = `
.globl _start
_start:
	movl (%esp), %esi          /* argc */
	leal 4(%esp), %edi         /* argv */
1:	movl (%edi), %ecx          /* the string */
	testl %ecx, %ecx
	jz 3f
	movl %ecx, %edx
2:	cmpb $0, (%edx)
	je 4f
	incl %edx
	jmp 2b
4:	subl %ecx, %edx            /* length */
	movl $4, %eax
	movl $1, %ebx
	int $0x80
	movl $4, %eax
	movl $1, %ebx
	movl $nl, %ecx
	movl $1, %edx
	int $0x80
	addl $4, %edi
	jmp 1b
3:	movl $1, %eax
	movl %esi, %ebx
	int $0x80
.data
nl:	.byte 10
`;

function build(source: string, ext = "S"): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), "lg-prog-"));
  writeFileSync(join(dir, `p.${ext}`), source);
  const ulib = join(createRequire(import.meta.url).resolve("@littleguest/guest-kernel/package.json"), "../user");
  execFileSync("gcc", ["-m32", "-nostdlib", "-static", "-fno-pic", "-fno-pie", "-fno-stack-protector", "-ffreestanding", "-O1", `-I${ulib}`, "-o", join(dir, "p"), join(dir, `p.${ext}`)]);
  return new Uint8Array(readFileSync(join(dir, "p")));
}

/** mmap a page, write it, make it read-only with mprotect, write again: SIGSEGV (139). */
const MPROTECT = `
#include "ulib.h"
#define SYS_mprotect 125
int main(int argc, char **argv)
{
	(void)argv;
	volatile u32 *p = mmap_anon(4096);
	p[0] = 1;
	sys3(SYS_mprotect, (int)p, 4096, 1); /* PROT_READ */
	puts("read-only now, value ");
	put_u32(p[0]);
	puts("\\n");
	if (argc > 1)
		sys3(SYS_mprotect, (int)p, 4096, 3); /* PROT_READ | PROT_WRITE again */
	p[0] = 2;
	puts("write allowed\\n");
	return 0;
}
`;

async function run(initrd: Uint8Array, argv: string[]) {
  const out: Uint8Array[] = [];
  const m = new GuestMachine({ kernel, kernelName: "guest.elf", memoryBytes: 32 << 20, initrd, argv, output: (b) => out.push(b) });
  const exit = await m.run();
  return { exit, text: Buffer.concat(out).toString("latin1") };
}

describe("a static i386 program as the first process", () => {
  const program = build(ECHO_ARGS);
  const initrd = writeCpio([{ name: "bin/echo-args", mode: S_IFREG | 0o755, data: program }]);

  it("gets its argv on the stack, prints through write(2), and its exit status ends the machine", async () => {
    const { exit, text } = await run(initrd, ["/bin/echo-args", "one", "two words"]);
    expect(text).toBe("/bin/echo-args\none\ntwo words\n");
    expect(exit).toEqual({ kind: "poweroff", status: 3 });
  });

  it("mprotect: a write to a page made read-only ends the program with SIGSEGV (139); PROT_WRITE again allows it", async () => {
    const rd = writeCpio([{ name: "bin/mp", mode: S_IFREG | 0o755, data: build(MPROTECT, "c") }]);
    const denied = await run(rd, ["/bin/mp"]);
    expect(denied).toEqual({ exit: { kind: "poweroff", status: 139 }, text: "read-only now, value 1\n" });
    const allowed = await run(rd, ["/bin/mp", "again"]);
    expect(allowed).toEqual({ exit: { kind: "poweroff", status: 0 }, text: "read-only now, value 1\nwrite allowed\n" });
  });

  it("a program that is not in the initramfs: a message and status 127", async () => {
    const { exit, text } = await run(initrd, ["/bin/missing"]);
    expect(text).toBe("/bin/missing: not found in the initramfs\n");
    expect(exit).toEqual({ kind: "poweroff", status: 127 });
  });
});
