/** Help texts of the `lguest` command. */

/** `lguest --help`. */
export const MAIN_USAGE = `Usage: lguest <command> [options]

Commands:
  run [options]         boot a paravirtual Guest on the lguest Host
  bare FILE [options]   boot a multiboot kernel on a bare emulated PC
  trace summarize FILE  counts and top causes of a trace written by
                        'lguest run --trace LIST --trace-file FILE'
  journey [--check]     assemble the guided tour (docs/journey/) from the
                        sources' /*X:NNN ... :*/ passages

Options:
  -h, --help            show this help

Run 'lguest run --help' or 'lguest bare --help' for their options.
`;

/** One-line synopsis of `lguest bare`, used in errors. */
export const BARE_SYNOPSIS = "lguest bare FILE [--append CMDLINE] [--mem SIZE] [--stats] [--success-status N] [--gdb PORT]";

/** `lguest bare --help`. */
export const BARE_USAGE = `Usage: ${BARE_SYNOPSIS}

Boot the multiboot (version 1) kernel FILE, an i386 ELF or a multiboot image
with load addresses, on a bare IA-32 PC: one CPU in 32-bit protected mode,
RAM, a 16550 UART at 0x3F8 (COM1: output to stdout, input from stdin) and an
exit port at 0xF4 (QEMU's isa-debug-exit,iobase=0xf4,iosize=0x04). A kernel
that runs under 'qemu-system-i386 -kernel FILE' with those devices runs the
same here.

Options:
  --append CMDLINE  text after the file name on the kernel command line
  --mem SIZE        RAM: 64M, 128M, 1G, 65536K ... (K/M/G; no suffix = M)
                    default 128M, at least 4M, at most 3584M
  --stats           at the end, print instructions retired, seconds, MIPS
                    and TLB counters to stderr
  --success-status N
                    exit 0 instead of N when the kernel's exit-port status
                    is N (odd, 1..255): the exit port cannot produce 0, so
                    this names the kernel's "success" (the demo writes 0 → 1)
  --gdb PORT        wait on 127.0.0.1:PORT for GDB ('target remote :PORT')
                    before the first instruction, then let it drive:
                    registers, memory, breakpoints, watchpoints, stepi,
                    continue, Ctrl-C (0 = any free port, printed)
  -h, --help        show this help

Exit status:
  (v << 1) | 1  the kernel wrote v to port 0xF4 (low 8 bits kept, as QEMU)
  0             the CPU halted (HLT): this machine has no interrupt
                sources, so nothing can wake it and it is switched off
  1             bad command line or unusable kernel file
  2             triple fault (QEMU with -no-reboot exits 0 instead)
  3             internal error of the emulator
  130           interrupted with Ctrl-C
`;

/** One-line synopsis of \`lguest run\`, used in errors. */
export const RUN_SYNOPSIS = "lguest run [--kernel FILE] [--initrd FILE|DIR] [--add HOSTFILE:GUESTPATH]... [--block FILE] [--mem SIZE] [--mmu shadow] [--append ARGS] [--stats] [--trace LIST [--trace-file FILE]] [--inspect-on-exit[=VIEWS]] [--monitor] [--gdb PORT] [-- PROGRAM ARGS...]";

/** \`lguest run --help\`. */
export const RUN_USAGE = `Usage: ${RUN_SYNOPSIS}

Boot a paravirtual Guest kernel on the lguest Host: an emulated 32-bit PC
whose Host (TypeScript) runs the Guest kernel in ring 1 with shadow paging,
hypercalls and virtual interrupts, as Linux's lguest did. Without --kernel
it boots the bundled littleguest Guest kernel. Standard input goes to the
Guest's console (raw on a terminal: press Ctrl-C three times within a
second to quit).

Options:
  --kernel FILE   an lguest Guest kernel: an i386 ELF (segments at physical
                  load addresses, e_entry physical) or a bzImage (loaded at
                  1 MiB, started at code32_start), default: the bundled one
  --initrd FILE|DIR
                  the initial RAM file system: a newc cpio archive, or a
                  directory packed into one
  --add HOSTFILE:GUESTPATH
                  put a host file into the initrd at GUESTPATH (repeatable)
  --block FILE    a virtio block device backed by FILE: the Guest's /dev/vda
                  (read-write; read-only when the file is)
  -- PROGRAM ARGS  run PROGRAM (a path inside the Guest) with ARGS as the
                  first process; the Guest powers off when it exits
  --mem SIZE      Guest RAM: 64M, 128M, 1G ... (K/M/G; no suffix = M),
                  default 128M, at least 4M, at most 3584M
  --mmu shadow    the MMU strategy: lguest's shadow paging (the only one
                  so far; direct and nested paging come later)
  --append ARGS   the kernel command line (lguest.debug: name unimplemented
                  system calls; lguest.strace: print every system call)
  --stats         at the end, print instructions, MIPS, exits by trap,
                  hypercalls by name, hidden/reflected faults, the pgdir
                  cache hit rate and Host pages in use to stderr
  --trace LIST    record events: exits, hypercalls, faults, pagetables,
                  irq, insn (every instruction: slow), or all (all but
                  insn); comma-separated; readable lines on stderr
  --trace-file FILE
                  write the --trace events to FILE as JSON Lines instead
                  (read them with 'lguest trace summarize FILE')
  --inspect-on-exit[=VIEWS]
                  when the Guest ends, print these views (comma-separated):
                  registers, counters, pgdirs, pagetables (the Guest's page
                  tables beside the shadow), switcher, gdt, idt, tss, tlb,
                  or all; default registers,counters,pgdirs,pagetables,switcher
  --monitor       Ctrl-A c at the console stops the Guest and opens the
                  (lguest) prompt: info VIEW, x/N ADDR, step, continue,
                  quit ('help' lists them)
  --gdb PORT      wait on 127.0.0.1:PORT for GDB ('target remote :PORT')
                  before the Guest's first instruction, then let it drive:
                  registers, memory through the Guest's page tables,
                  breakpoints, watchpoints, stepi, continue, Ctrl-C
                  (0 = any free port, printed); detach lets the Guest run on
  -h, --help      show this help

Exit status:
  N     the Guest powered off with status N
  1     the Guest crashed or the Host killed it (the reason is printed),
        or a bad command line or kernel file
  3     internal error of the emulator
  4     the Guest halted with nothing that could ever wake it
  130   interrupted with Ctrl-C
`;

/** \`lguest trace --help\`. */
export const TRACE_USAGE = `Usage: lguest trace summarize FILE [--symbols ELF] [--top N]

Summarize a trace written by 'lguest run --trace LIST --trace-file FILE':
events by type, exits by reason, hypercalls, exceptions (and how many went
straight to the Guest), reflected traps, page faults by outcome (hidden by
the shadow pager, reflected, fatal), the instructions and pages that
faulted most, page-table operations, virtual interrupts, and for an insn
trace the hottest instructions.

Options:
  --symbols ELF   name addresses with this kernel's symbols (default: the
                  bundled Guest kernel)
  --top N         entries in each top list (default 10)
  -h, --help      show this help
`;

/** \`lguest journey --help\`. */
export const JOURNEY_USAGE = `Usage: lguest journey [--check] [--root DIR]

Assemble the guided tour of littleguest: every /*X:NNN ... :*/ passage in
the sources, in reading order (P overview, C x86-core, T mmu, S Switcher,
H Host, L Launcher, G Guest, D devtools, M mastery), into docs/journey/.

Options:
  --check      write nothing; fail if docs/journey/ is not what the sources
               say, or on a duplicate number, a marker without a
               three-digit number, or a passage that does not close
  --root DIR   the checkout (default: found upwards from here)
  -h, --help   show this help
`;
