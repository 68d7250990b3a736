/**
 * Test Guests written in GNU assembler inside the tests, built with the machine's gcc and ld
 * (`gcc -m32 -c`, `ld -m elf_i386 --oformat binary`) into flat images loaded at
 * Guest-physical {@link GUEST_LOAD}. Builds are cached by content in the OS temp directory.
 *
 * Every Guest gets {@link PROLOGUE}: the lguest ABI constants, hypercall macros, a boot stub
 * that sets a stack and calls LGUEST_INIT, the `lguest_data` page with the values a Guest's
 * static initializer gives it (lguest-abi.md §2, §1.4), a trap-gate/interrupt-gate helper and
 * the usual exits: `NOTIFY v` hands v to the Launcher, `DONE` powers off with "ok".
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Guest-physical address every test image is linked at and loaded to. */
export const GUEST_LOAD = 0x100000;

/** Macros and data every test Guest starts with. Code follows at `main`. */
export const PROLOGUE = String.raw`
.code32
#define LHCALL_FLUSH_ASYNC 0
#define LHCALL_LGUEST_INIT 1
#define LHCALL_SHUTDOWN 2
#define LHCALL_NEW_PGTABLE 4
#define LHCALL_FLUSH_TLB 5
#define LHCALL_LOAD_IDT_ENTRY 6
#define LHCALL_SET_STACK 7
#define LHCALL_TS 8
#define LHCALL_SET_CLOCKEVENT 9
#define LHCALL_HALT 10
#define LHCALL_SET_PMD 13
#define LHCALL_SET_PTE 14
#define LHCALL_SET_PGD 15
#define LHCALL_LOAD_TLS 16
#define LHCALL_NOTIFY 17
#define LHCALL_LOAD_GDT_ENTRY 18
#define LHCALL_SEND_INTERRUPTS 19
#define KERNEL_CS 0x61
#define KERNEL_DS 0x69
#define USER_CS 0x73
#define USER_DS 0x7b
#define LD_IRQ_ENABLED 0
#define LD_BLOCKED 4
#define LD_CR2 8
#define LD_TIME_SEC 12
#define LD_TIME_NSEC 16
#define LD_IRQ_PENDING 20
#define LD_HCALL_STATUS 24
#define LD_HCALLS 88
#define LD_RESERVE_MEM 1368
#define LD_TSC_KHZ 1372
#define LD_NOIRQ_IRET 1376
#define LD_KERNEL_ADDRESS 1380
#define LD_SYSCALL_VEC 1384

/* hcall n, a1, a2, a3, a4: operands as in "mov SRC, %reg" ($imm or a register/memory). */
.macro hcall n, a1=$0, a2=$0, a3=$0, a4=$0
	movl \a1, %ebx
	movl \a2, %ecx
	movl \a3, %edx
	movl \a4, %esi
	movl $\n, %eax
	int $0x1f
.endm
.macro NOTIFY v
	hcall LHCALL_NOTIFY, \v
.endm
.macro DONE
	hcall LHCALL_SHUTDOWN, $msg_ok, $1
.endm
/* idt_entry vector, handler, type (0xE interrupt / 0xF trap), dpl */
.macro idt_entry vector, handler, type=0xe, dpl=0
	movl $\handler, %ecx
	andl $0xffff, %ecx
	orl $(KERNEL_CS << 16), %ecx
	movl $\handler, %edx
	andl $0xffff0000, %edx
	orl $(0x8000 | (\dpl << 13) | (\type << 8)), %edx
	movl $\vector, %ebx
	movl $LHCALL_LOAD_IDT_ENTRY, %eax
	int $0x1f
.endm

.text
.globl _start
_start:
	movl $boot_stack_top, %esp
	hcall LHCALL_LGUEST_INIT, $lguest_data
	jmp main

/* The Guest's only iret that the Host must not interrupt: restore virtual IF, then iret. */
lguest_iret:
	pushl %eax
	movl 12(%esp), %eax
	movl %eax, %ss:lguest_data + LD_IRQ_ENABLED
	popl %eax
noirq_iret:
	iret

.section .data
.balign 4096
.globl lguest_data
lguest_data:
	.long 0                  /* irq_enabled */
	.long 1                  /* blocked_interrupts: the timer until the Guest wants it */
	.long 0                  /* cr2 */
	.long 0, 0               /* time */
	.long 0                  /* irq_pending */
	.fill 64, 1, 0xff        /* hcall_status: all free */
	.fill 64 * 5, 4, 0       /* hcalls */
	.long 0                  /* reserve_mem */
	.long 0                  /* tsc_khz */
	.long noirq_iret         /* noirq_iret */
	.long 0xc0000000         /* kernel_address */
	.long 0x80               /* syscall_vec */
.balign 4096
msg_ok:	.asciz "ok"
.balign 16
	.fill 4096, 1, 0
boot_stack_top:
.text
`;

const cacheDir = join(tmpdir(), "littleguest-test-guests");

/** Assemble `source` (after {@link PROLOGUE}) into a flat image linked at {@link GUEST_LOAD}. */
export function buildGuest(source: string): Uint8Array {
  const full = `${PROLOGUE}\n${source}\n`;
  const key = createHash("sha256").update(full).digest("hex").slice(0, 16);
  mkdirSync(cacheDir, { recursive: true });
  const bin = join(cacheDir, `${key}.bin`);
  if (!existsSync(bin)) {
    const src = join(cacheDir, `${key}.S`);
    const obj = join(cacheDir, `${key}.o`);
    writeFileSync(src, full);
    try {
      execFileSync("gcc", ["-m32", "-c", "-o", obj, src], { stdio: "pipe" });
      execFileSync("ld", ["-m", "elf_i386", "-Ttext", `0x${GUEST_LOAD.toString(16)}`, "--oformat", "binary", "-o", `${bin}.tmp`, obj], {
        stdio: "pipe",
      });
    } catch (e) {
      const err = e as { stderr?: Buffer };
      throw new Error(`building the test Guest failed:\n${err.stderr?.toString() ?? String(e)}`);
    }
    execFileSync("mv", [`${bin}.tmp`, bin]);
  }
  return new Uint8Array(readFileSync(bin));
}
