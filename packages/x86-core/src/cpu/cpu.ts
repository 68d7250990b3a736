/**
 * The IA-32 processor: architectural state, memory access and the run loop.
 *
 * Reference: SDM Vol. 1 §3 (execution environment), Vol. 3A §3 (protected-mode
 * memory management), §4.10 (TLBs), §6 (interrupts and exceptions), §5
 * (protection). State lives in small typed arrays and number fields; the
 * semantics of individual instructions live in `ops/`, protection and event
 * delivery in `protection/`, decoding in `decoder/`.
 */
/*C:100 The processor is a handful of small records — eight general
 * registers in an Int32Array, EIP, EFLAGS (with the arithmetic flags kept
 * lazily), six segment registers each with its hidden descriptor cache,
 * CR0–CR4, the descriptor-table registers — and a loop. `run(budget)` finds
 * the decoded instruction at CS:EIP, executes it and its already-linked
 * successors, and only comes back up when something needs attention: an
 * exception to deliver, HLT, a device that asked to stop, the budget. That
 * pull-style loop is the boundary every layer above keeps: the Host calls
 * `run()` and gets a typed exit back, exactly as lguest's Launcher called
 * read() on /dev/lguest. :*/
import { EventKind, FaultBus } from "../bus/fault-bus.js";
import { PortBus } from "../bus/port-bus.js";
import { decode } from "../decoder/decoder.js";
import { Fpu } from "../fpu/fpu-state.js";
import { runChain } from "../generated/run-chain.js";
import { INSN_A32, type Insn } from "../decoder/insn.js";
import type { PhysicalMemory } from "../memory/physical-memory.js";
import type { ControlRegisters } from "../paging/control-registers.js";
import {
  Access,
  TLB_SUP_EXEC,
  TLB_SUP_READ,
  TLB_SUP_WRITE,
  TLB_USER_EXEC,
  TLB_USER_READ,
  TLB_USER_WRITE,
  type Translator,
} from "../paging/translator.js";
import { deliverEvent } from "../protection/deliver.js";
import { ATTR_B, ATTR_VALID, flatAttr, segFastBits, SEG_READ_FAST, SEG_WRITE_FAST } from "../protection/descriptor.js";
import { CodeCache } from "./code-cache.js";
import { AF, CF, FLAG_BIT1, IF, LF_ADC, LF_ADD, LF_LOGIC, LF_SBB, LF_SUB, OF, PARITY, PF, SF, ZF } from "./eflags.js";
import type { CpuExit } from "./exit.js";
import { CS, ESP, SS } from "./registers.js";
import { GP, PF_VEC, SS_VEC, UD } from "./vectors.js";

/** Reasons for the run loop to look up from the instruction chain (bits of `Cpu.brk`). */
export const BRK_FAULT = 1;
/** `stop()` was called. */
export const BRK_STOP = 2;
/** An external interrupt may be deliverable. */
export const BRK_IRQ = 4;
/** HLT executed. */
export const BRK_HALT = 8;
/** Decoded code was invalidated or the code-segment size changed. */
export const BRK_CODE = 16;
/** An exit was prepared by an instruction (I/O to an unclaimed port, a route). */
export const BRK_EXIT = 32;
/** Something global changed (CPL, paging): re-derive cached masks. */
export const BRK_MODE = 64;

/** Constructor options of {@link Cpu}. */
export interface CpuOptions {
  /** The RAM. */
  readonly memory: PhysicalMemory;
  /** Control registers shared with the translator. */
  readonly control: ControlRegisters;
  /** Address translation (paging); see `FlatTranslator` for none. */
  readonly translator: Translator;
  /** I/O ports; a fresh empty bus when omitted. */
  readonly ports?: PortBus;
  /** Exceptions and interrupts; a fresh bus when omitted. */
  readonly faults?: FaultBus;
  /** What IN/OUT to a port nobody claimed does: `exit` from `run` (default) or read all-ones / drop writes. */
  readonly unclaimedPorts?: "exit" | "open-bus";
}

/** Options of {@link Cpu.loadFlatSegments}. */
export interface FlatSegmentOptions {
  /** Privilege level to run at (0..3). */
  readonly cpl: number;
  /** Selector to show in CS (its RPL is replaced by `cpl`). */
  readonly codeSelector: number;
  /** Selector to show in DS/ES/FS/GS/SS (its RPL is replaced by `cpl`). */
  readonly dataSelector: number;
}

/**
 * One IA-32 processor.
 *
 * Invariants: `regs` and the segment arrays are the architectural state;
 * `rmask`/`wmask`/`xmask` always match `cpl`; `tlb` is the translator's. A
 * fault raised inside an instruction sets `fault` and `brk`, and the
 * instruction leaves architectural state untouched from that point on.
 */
export class Cpu {
  /** RAM. */
  readonly memory: PhysicalMemory;
  /** CR0/CR2/CR3/CR4/EFER. */
  readonly control: ControlRegisters;
  /** Paging. */
  readonly translator: Translator;
  /** I/O ports. */
  readonly ports: PortBus;
  /** Exceptions and interrupts. */
  readonly faults: FaultBus;
  /** Whether unclaimed ports end `run` with an `io` exit. */
  readonly exitOnUnclaimedPort: boolean;

  /** General registers EAX..EDI (see `registers.ts` for indices). */
  readonly regs = new Int32Array(8);
  /** Instruction pointer (offset in CS). */
  eip = 0;
  /** EFLAGS except the arithmetic flags named in `lfMask`. */
  flags = FLAG_BIT1;
  /** Arithmetic flags to derive from the lazy record instead of `flags`. */
  lfMask = 0;
  /** Lazy operation kind (LF_*). */
  lfOp = 0;
  /** Lazy first operand. */
  lfA = 0;
  /** Lazy second operand. */
  lfB = 0;
  /** Lazy result. */
  lfRes = 0;
  /** Lazy carry-in (ADC/SBB). */
  lfCin = 0;
  /** Sign-bit position of the lazy operation: 7, 15 or 31. */
  lfBits = 31;

  /** Segment selectors (ES, CS, SS, DS, FS, GS). */
  readonly segSel = new Int32Array(6);
  /** Segment bases from the hidden descriptor caches. */
  readonly segBase = new Int32Array(6);
  /** Segment limits (byte granular, int32; compare unsigned). */
  readonly segLimit = new Int32Array(6);
  /** Segment attributes: access byte | flags nibble << 8 | ATTR_VALID. */
  readonly segAttr = new Int32Array(6);
  /** Per segment: SEG_READ_FAST / SEG_WRITE_FAST when no check is needed. */
  readonly segFast = new Uint8Array(6);
  /**
   * Bit s set when segment s is flat for reads *and* has base 0, so a read's linear
   * address is its offset: one field test instead of two typed-array loads on the
   * hottest path (kept in step with `segFast` by `setSegmentCache`).
   */
  flatReads = 0;
  /** As `flatReads`, for writes. */
  flatWrites = 0;
  /** Current privilege level. */
  cpl = 0;
  /** GDTR. */
  gdtBase = 0;
  /** GDTR limit. */
  gdtLimit = 0xffff;
  /** IDTR. */
  idtBase = 0;
  /** IDTR limit. */
  idtLimit = 0xffff;
  /** LDTR selector and cache. */
  ldtSel = 0;
  /** LDT base. */
  ldtBase = 0;
  /** LDT limit. */
  ldtLimit = 0;
  /** TR selector. */
  trSel = 0;
  /** TSS base. */
  trBase = 0;
  /** TSS limit. */
  trLimit = 0;
  /** TSS attributes (access byte | flags << 8 | ATTR_VALID). */
  trAttr = 0;
  /** Debug registers DR0–DR7 (DR4/5 alias 6/7). */
  readonly dr = new Int32Array(8);
  /** IA32_SYSENTER_CS. */
  sysenterCs = 0;
  /** IA32_SYSENTER_ESP. */
  sysenterEsp = 0;
  /** IA32_SYSENTER_EIP. */
  sysenterEip = 0;
  /** Offset added to the retired-instruction count to form the TSC (WRMSR 0x10). */
  tscOffset = 0;
  /** The x87 FPU (see `fpu/`); only x87 instructions touch it. */
  readonly fpu = new Fpu();

  /** TLB permission masks for the current CPL. */
  rmask = TLB_SUP_READ;
  /** TLB write mask. */
  wmask = TLB_SUP_WRITE;
  /** TLB fetch mask. */
  xmask = TLB_SUP_EXEC;
  /** The translator's TLB. */
  readonly tlb: Int32Array;
  /** Aligned 32-bit view of RAM. */
  readonly mem32: Int32Array;
  /** Byte view of RAM. */
  readonly mem8: Uint8Array;

  /** Instructions retired since construction. */
  instructions = 0;
  /**
   * Start offset (EIP) of the instruction that last needed the run loop's attention: set
   * when a chain stops on `brk` (and before counting handlers), so fault delivery and
   * `exitBeforeInstruction` can return to it. Handlers compute their own start as
   * `eip - insn.len`.
   */
  curEip = 0;
  /** Attention bits for the run loop (BRK_*). */
  brk = 0;
  /** An exception is pending delivery. */
  fault = false;
  /** Pending exception vector. */
  excVector = 0;
  /** Pending exception error code. */
  excCode = 0;
  /** Whether the pending exception pushes an error code. */
  excHasCode = false;
  /** Whether the pending event is INT n / INT3 / INTO (trap-like, DPL-checked). */
  excSoftware = false;
  /** Whether the pending exception is a trap (delivered with EIP after the instruction). */
  excTrap = false;
  /** HLT is in effect. */
  halted = false;
  /** Pending external interrupt vector, or -1. */
  irqVector = -1;
  /**
   * Called before each instruction executes while set (an instruction trace, a debugger):
   * `run` then retires one instruction per chain, slower but exact; the observer sees the
   * CPU with EIP at the instruction. `run` looks at it once per call, so while it is null it
   * costs nothing. Observers must not change the CPU. An observer that returns `true` (a
   * debugger's hardware breakpoint or watchpoint) makes `run` return a `stopped` exit before
   * the instruction executes: nothing of it has happened and it is not counted as retired.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: most observers return nothing; only `true` means stop
  onInstruction: ((cpu: Cpu, eip: number) => boolean | void) | null = null;
  /** Retired-instruction count at which the interrupt shadow (after STI / MOV SS / POP SS) ends. */
  shadowEnd = 0;
  /** Exit prepared for `run` to return. */
  exit: CpuExit | null = null;
  /** Offset mask for the stack (0xFFFF for a 16-bit SS, -1 for 32-bit). */
  stackMask = -1;
  /** Decoded-instruction cache. */
  readonly code: CodeCache;
  /** @internal Instruction whose successor should be linked after the next lookup. */
  linkFrom: Insn | null = null;
  /** @internal Whether `linkFrom` wants its taken-branch target linked (else its fall-through). */
  linkTarget = false;
  /** @internal Linear address of `linkFrom` (branch targets link only within its linear page). */
  linkLin = 0;
  /** Vector of the event being delivered, for #DF / triple-fault rules (-1 none). */
  deliveringVector = -1;
  /** Scratch: low dword of the descriptor last read by `readDescriptor`. */
  descLo = 0;
  /** Scratch: high dword of the descriptor last read. */
  descHi = 0;
  /** Scratch: linear address of the descriptor last read. */
  descAddr = 0;

  constructor(options: CpuOptions) {
    this.memory = options.memory;
    this.control = options.control;
    this.translator = options.translator;
    this.ports = options.ports ?? new PortBus();
    this.faults = options.faults ?? new FaultBus();
    this.exitOnUnclaimedPort = (options.unclaimedPorts ?? "exit") === "exit";
    this.tlb = this.translator.tlb;
    this.mem32 = this.memory.i32;
    this.mem8 = this.memory.u8;
    this.code = new CodeCache(this.memory.pages, this.translator);
    for (let s = 0; s < 6; s++) this.setSegmentCache(s, 0, 0, 0xffff, 0x93 | ATTR_VALID);
    this.setSegmentCache(CS, 0, 0, 0xffff, 0x9b | ATTR_VALID);
  }

  // ---------------------------------------------------------------- set-up

  /**
   * Enter 32-bit protected mode with flat 4 GiB segments in the hidden caches,
   * as a multiboot loader leaves the CPU (no GDT in memory is needed until the
   * program reloads a segment register).
   */
  loadFlatSegments(options: FlatSegmentOptions): void {
    const cpl = options.cpl & 3;
    this.control.cr0 |= 1;
    const code = flatAttr(true, cpl);
    const data = flatAttr(false, cpl);
    for (let s = 0; s < 6; s++) {
      if (s === CS) this.setSegmentCache(s, (options.codeSelector & ~3) | cpl, 0, -1, code);
      else this.setSegmentCache(s, (options.dataSelector & ~3) | cpl, 0, -1, data);
    }
    this.setCpl(cpl);
    this.translator.flush(true);
  }

  /** Fill one hidden segment cache (no checks: loaders and the protection code use it). */
  setSegmentCache(seg: number, selector: number, base: number, limit: number, attr: number): void {
    const wasB = this.segAttr[CS]! & ATTR_B;
    this.segSel[seg] = selector & 0xffff;
    this.segBase[seg] = base | 0;
    this.segLimit[seg] = limit | 0;
    this.segAttr[seg] = attr;
    const fast = segFastBits(base, limit, attr);
    this.segFast[seg] = fast;
    const bit = 1 << seg;
    const zero = (base | 0) === 0;
    this.flatReads = zero && fast & SEG_READ_FAST ? this.flatReads | bit : this.flatReads & ~bit;
    this.flatWrites = zero && fast & SEG_WRITE_FAST ? this.flatWrites | bit : this.flatWrites & ~bit;
    if (seg === SS) this.stackMask = attr & ATTR_B ? -1 : 0xffff;
    if (seg === CS && (attr & ATTR_B) !== wasB) {
      this.code.clear();
      this.brk |= BRK_CODE;
    }
  }

  /** Change CPL and the TLB permission masks that depend on it. */
  setCpl(cpl: number): void {
    this.cpl = cpl;
    const user = cpl === 3;
    this.rmask = user ? TLB_USER_READ : TLB_SUP_READ;
    this.wmask = user ? TLB_USER_WRITE : TLB_SUP_WRITE;
    this.xmask = user ? TLB_USER_EXEC : TLB_SUP_EXEC;
    this.brk |= BRK_MODE;
  }

  /**
   * End `run` with `exit` before the current instruction takes effect: EIP is
   * put back on it and it does not count as retired (an I/O exit, for one).
   * The handler must return without changing state after calling this.
   */
  exitBeforeInstruction(exit: CpuExit): void {
    this.eip = this.curEip;
    this.instructions--;
    this.exit = exit;
    this.brk |= BRK_EXIT;
  }

  /**
   * Whether external interrupts are held back by the one-instruction shadow.
   * Setting it to true (from STI, MOV SS, POP SS, whose handler is running)
   * holds interrupts until the instruction after this one has retired, even
   * across `run` calls.
   */
  get shadow(): boolean {
    return this.instructions < this.shadowEnd;
  }
  set shadow(on: boolean) {
    this.shadowEnd = on ? this.instructions + 2 : 0;
  }

  /**
   * Forget the decoded instructions of the physical page holding `pa`, after something outside
   * the CPU changed its bytes (a debugger inserting or removing an `int3`). Writes the CPU makes
   * itself are noticed without this. A `pa` outside RAM is ignored.
   */
  invalidateCode(pa: number): void {
    if (pa >= 0 && pa < this.memory.size && this.code.invalidateIfCode(pa >>> 12)) this.brk |= BRK_CODE;
  }

  /** Ask `run` to return a `stopped` exit after the current instruction. */
  stop(): void {
    this.brk |= BRK_STOP;
  }

  /**
   * Raise an external interrupt line with `vector`; it is delivered when IF=1
   * (and wakes HLT). A later call replaces a vector not yet delivered.
   */
  requestInterrupt(vector: number): void {
    this.irqVector = vector & 0xff;
    this.brk |= BRK_IRQ;
  }

  // ---------------------------------------------------------------- flags

  /** CF as 0/1. */
  getCF(): number {
    if ((this.lfMask & CF) === 0) return this.flags & CF;
    const m = this.lfBits === 31 ? -1 : (2 << this.lfBits) - 1;
    const a = (this.lfA & m) >>> 0;
    switch (this.lfOp) {
      case LF_ADD:
        return ((this.lfRes & m) >>> 0) < a ? 1 : 0;
      case LF_ADC:
        return this.lfCin ? (((this.lfRes & m) >>> 0) <= a ? 1 : 0) : ((this.lfRes & m) >>> 0) < a ? 1 : 0;
      case LF_SUB:
        return a < (this.lfB & m) >>> 0 ? 1 : 0;
      case LF_SBB:
        return this.lfCin ? (a <= (this.lfB & m) >>> 0 ? 1 : 0) : a < (this.lfB & m) >>> 0 ? 1 : 0;
      default:
        return 0;
    }
  }

  /** ZF as 0/1. */
  getZF(): number {
    if ((this.lfMask & ZF) === 0) return (this.flags >> 6) & 1;
    const m = this.lfBits === 31 ? -1 : (2 << this.lfBits) - 1;
    return (this.lfRes & m) === 0 ? 1 : 0;
  }

  /** SF as 0/1. */
  getSF(): number {
    if ((this.lfMask & SF) === 0) return (this.flags >> 7) & 1;
    return (this.lfRes >>> this.lfBits) & 1;
  }

  /** OF as 0/1. */
  getOF(): number {
    if ((this.lfMask & OF) === 0) return (this.flags >> 11) & 1;
    const a = this.lfA;
    const r = this.lfRes;
    switch (this.lfOp) {
      case LF_ADD:
      case LF_ADC:
        return (((a ^ r) & (this.lfB ^ r)) >>> this.lfBits) & 1;
      case LF_SUB:
      case LF_SBB:
        return (((a ^ this.lfB) & (a ^ r)) >>> this.lfBits) & 1;
      default:
        return 0;
    }
  }

  /** PF as 0/1. */
  getPF(): number {
    if ((this.lfMask & PF) === 0) return (this.flags >> 2) & 1;
    return PARITY[this.lfRes & 0xff]! >> 2;
  }

  /** AF as 0/1. */
  getAF(): number {
    if ((this.lfMask & AF) === 0) return (this.flags >> 4) & 1;
    if (this.lfOp === LF_LOGIC) return 0;
    return ((this.lfA ^ this.lfB ^ this.lfRes) >> 4) & 1;
  }

  /** EFLAGS with every lazy flag made concrete. */
  getEflags(): number {
    if (this.lfMask === 0) return this.flags;
    let f = this.flags & ~this.lfMask;
    const m = this.lfMask;
    if (m & CF) f |= this.getCF();
    if (m & PF) f |= this.getPF() << 2;
    if (m & AF) f |= this.getAF() << 4;
    if (m & ZF) f |= this.getZF() << 6;
    if (m & SF) f |= this.getSF() << 7;
    if (m & OF) f |= this.getOF() << 11;
    return f;
  }

  /** Make the lazy flags in `mask` concrete in `flags` (before an instruction keeps some of them). */
  settleFlags(mask: number): void {
    const lazy = this.lfMask & mask;
    if (lazy === 0) return;
    let f = this.flags & ~lazy;
    if (lazy & CF) f |= this.getCF();
    if (lazy & PF) f |= this.getPF() << 2;
    if (lazy & AF) f |= this.getAF() << 4;
    if (lazy & ZF) f |= this.getZF() << 6;
    if (lazy & SF) f |= this.getSF() << 7;
    if (lazy & OF) f |= this.getOF() << 11;
    this.flags = f;
    this.lfMask &= ~lazy;
  }

  /** Set EFLAGS wholesale (no privilege rules: callers apply them). Bit 1 is forced on, VM off. */
  setEflags(value: number): void {
    const oldIf = this.flags & IF;
    this.flags = (value & 0x003f7fd5) | FLAG_BIT1;
    this.flags &= ~(1 << 17);
    this.lfMask = 0;
    if (!oldIf && this.flags & IF && this.irqVector >= 0) this.brk |= BRK_IRQ;
  }

  /** Record a lazy arithmetic result: all six flags derive from it. */
  setLazy(op: number, a: number, b: number, res: number, bits: number): void {
    this.lfOp = op;
    this.lfA = a;
    this.lfB = b;
    this.lfRes = res;
    this.lfBits = bits;
    this.lfMask = OF | SF | ZF | AF | PF | CF;
  }

  // ---------------------------------------------------------------- faults

  /** Raise a fault-class exception: EIP goes back to the instruction's start. */
  raise(vector: number, errorCode: number, hasErrorCode: boolean): void {
    if (this.fault) return;
    this.fault = true;
    this.excVector = vector;
    this.excCode = errorCode;
    this.excHasCode = hasErrorCode;
    this.excSoftware = false;
    this.excTrap = false;
    this.brk |= BRK_FAULT;
  }

  /** Raise a trap-class exception without error code: EIP stays after the instruction. */
  raiseTrap(vector: number): void {
    if (this.fault) return;
    this.raise(vector, 0, false);
    this.excTrap = true;
  }

  /** #GP with an error code. */
  gp(code: number): void {
    this.raise(GP, code, true);
  }

  /** #UD. */
  ud(): void {
    this.raise(UD, 0, false);
  }

  /** INT n / INT3 / INTO: a trap delivered with EIP after the instruction and the gate DPL checked. */
  softInt(vector: number): void {
    this.fault = true;
    this.excVector = vector;
    this.excCode = 0;
    this.excHasCode = false;
    this.excSoftware = true;
    this.brk |= BRK_FAULT;
  }

  /** Record a page fault at `linear` with `code` (CR2 is written at delivery). */
  pageFault(linear: number, code: number): void {
    if (this.fault) return;
    this.control.cr2 = linear | 0;
    this.raise(PF_VEC, code, true);
  }

  // ---------------------------------------------------------------- segmentation

  /**
   * Check an access of `size` bytes at `offset` in segment `seg` and return the
   * linear address; on a violation raises #GP(0) (#SS(0) for SS) and returns 0.
   */
  segCheck(seg: number, offset: number, size: number, write: boolean): number {
    const attr = this.segAttr[seg]!;
    const vec = seg === SS ? SS_VEC : GP;
    if ((attr & ATTR_VALID) === 0) {
      this.raise(vec, 0, true);
      return 0;
    }
    const type = attr & 0xf;
    const isCode = (attr & 0x18) === 0x18;
    if (write ? isCode || (type & 2) === 0 : isCode && (type & 2) === 0) {
      this.raise(vec, 0, true);
      return 0;
    }
    const off = offset >>> 0;
    const last = off + size - 1;
    const limit = this.segLimit[seg]! >>> 0;
    if (!isCode && type & 4) {
      const upper = attr & ATTR_B ? 0xffffffff : 0xffff;
      if (off <= limit || last > upper) {
        this.raise(vec, 0, true);
        return 0;
      }
    } else if (last > limit) {
      this.raise(vec, 0, true);
      return 0;
    }
    return (this.segBase[seg]! + offset) | 0;
  }

  // ---------------------------------------------------------------- memory (segment:offset)

  /** Read a byte at seg:offset. On a fault returns 0 with `fault` set. */
  read8(seg: number, offset: number): number {
    let lin: number;
    if ((this.flatReads >> seg) & 1) lin = offset;
    else if (this.segFast[seg]! & SEG_READ_FAST) lin = (this.segBase[seg]! + offset) | 0;
    else {
      lin = this.segCheck(seg, offset, 1, false);
      if (this.fault) return 0;
    }
    const e = this.tlb[lin >>> 12]!;
    if ((e & this.rmask) !== 0) return this.mem8[(e & ~0xfff) | (lin & 0xfff)]!;
    return this.readSlow(lin, 1, this.cpl === 3);
  }

  /** Read a 16-bit word at seg:offset. */
  read16(seg: number, offset: number): number {
    let lin: number;
    if ((this.flatReads >> seg) & 1) lin = offset;
    else if (this.segFast[seg]! & SEG_READ_FAST) lin = (this.segBase[seg]! + offset) | 0;
    else {
      lin = this.segCheck(seg, offset, 2, false);
      if (this.fault) return 0;
    }
    const e = this.tlb[lin >>> 12]!;
    if ((e & this.rmask) !== 0 && (lin & 0xfff) !== 0xfff) {
      const pa = (e & ~0xfff) | (lin & 0xfff);
      return this.mem8[pa]! | (this.mem8[pa + 1]! << 8);
    }
    return this.readSlow(lin, 2, this.cpl === 3);
  }

  /** Read a 32-bit value at seg:offset. */
  read32(seg: number, offset: number): number {
    let lin: number;
    if ((this.flatReads >> seg) & 1) lin = offset;
    else if (this.segFast[seg]! & SEG_READ_FAST) lin = (this.segBase[seg]! + offset) | 0;
    else {
      lin = this.segCheck(seg, offset, 4, false);
      if (this.fault) return 0;
    }
    const e = this.tlb[lin >>> 12]!;
    if ((e & this.rmask) !== 0 && (lin & 0xfff) <= 0xffc) {
      const pa = (e & ~0xfff) | (lin & 0xfff);
      if ((pa & 3) === 0) return this.mem32[pa >>> 2]!;
      const m = this.mem8;
      return m[pa]! | (m[pa + 1]! << 8) | (m[pa + 2]! << 16) | (m[pa + 3]! << 24);
    }
    return this.readSlow(lin, 4, this.cpl === 3);
  }

  /** Write a byte at seg:offset. */
  write8(seg: number, offset: number, v: number): void {
    const lin =
      (this.flatWrites >> seg) & 1
        ? offset
        : this.segFast[seg]! & SEG_WRITE_FAST
          ? (this.segBase[seg]! + offset) | 0
          : this.segCheck(seg, offset, 1, true);
    // A write never lands once the instruction has faulted (first fault wins, nothing after it).
    if (this.fault) return;
    const e = this.tlb[lin >>> 12]!;
    if ((e & this.wmask) !== 0) {
      this.mem8[(e & ~0xfff) | (lin & 0xfff)] = v;
      return;
    }
    this.writeSlow(lin, 1, v, this.cpl === 3);
  }

  /** Write a 16-bit word at seg:offset. */
  write16(seg: number, offset: number, v: number): void {
    const lin =
      (this.flatWrites >> seg) & 1
        ? offset
        : this.segFast[seg]! & SEG_WRITE_FAST
          ? (this.segBase[seg]! + offset) | 0
          : this.segCheck(seg, offset, 2, true);
    // A write never lands once the instruction has faulted (first fault wins, nothing after it).
    if (this.fault) return;
    const e = this.tlb[lin >>> 12]!;
    if ((e & this.wmask) !== 0 && (lin & 0xfff) !== 0xfff) {
      const pa = (e & ~0xfff) | (lin & 0xfff);
      this.mem8[pa] = v;
      this.mem8[pa + 1] = v >> 8;
      return;
    }
    this.writeSlow(lin, 2, v, this.cpl === 3);
  }

  /** Write a 32-bit value at seg:offset. */
  write32(seg: number, offset: number, v: number): void {
    const lin =
      (this.flatWrites >> seg) & 1
        ? offset
        : this.segFast[seg]! & SEG_WRITE_FAST
          ? (this.segBase[seg]! + offset) | 0
          : this.segCheck(seg, offset, 4, true);
    // A write never lands once the instruction has faulted (first fault wins, nothing after it).
    if (this.fault) return;
    const e = this.tlb[lin >>> 12]!;
    if ((e & this.wmask) !== 0 && (lin & 0xfff) <= 0xffc) {
      const pa = (e & ~0xfff) | (lin & 0xfff);
      if ((pa & 3) === 0) {
        this.mem32[pa >>> 2] = v;
        return;
      }
      const m = this.mem8;
      m[pa] = v;
      m[pa + 1] = v >> 8;
      m[pa + 2] = v >> 16;
      m[pa + 3] = v >> 24;
      return;
    }
    this.writeSlow(lin, 4, v, this.cpl === 3);
  }

  /**
   * Check that `size` bytes at seg:offset can be written (segment and paging,
   * both pages when it straddles) without writing. Used before instructions
   * that write several places, so they fault before changing anything.
   */
  probeWrite(seg: number, offset: number, size: number): boolean {
    const lin =
      (this.flatWrites >> seg) & 1
        ? offset
        : this.segFast[seg]! & SEG_WRITE_FAST
          ? (this.segBase[seg]! + offset) | 0
          : this.segCheck(seg, offset, size, true);
    if (this.fault) return false;
    const user = this.cpl === 3;
    if (!this.probeLinear(lin, Access.Write, user)) return false;
    const last = (lin + size - 1) | 0;
    if (last >>> 12 !== lin >>> 12) return this.probeLinear(last, Access.Write, user);
    return true;
  }

  /** Physical address remembered by `rmwRead` (-1: page-crossing, use `rmwLin`). */
  rmwPa = 0;
  /** Linear address remembered by `rmwRead`. */
  rmwLin = 0;

  /**
   * Read `size` bytes at seg:offset for a read-modify-write: the location is
   * checked for writing (segment, paging, Dirty) so `rmwWrite` cannot fault.
   */
  rmwRead(seg: number, offset: number, size: number): number {
    const lin =
      (this.flatWrites >> seg) & 1
        ? offset
        : this.segFast[seg]! & SEG_WRITE_FAST
          ? (this.segBase[seg]! + offset) | 0
          : this.segCheck(seg, offset, size, true);
    if (this.fault) return 0;
    const e = this.tlb[lin >>> 12]!;
    if ((e & this.wmask) !== 0 && (lin & 0xfff) <= 0x1000 - size) {
      const pa = (e & ~0xfff) | (lin & 0xfff);
      this.rmwPa = pa;
      if (size === 4 && (pa & 3) === 0) return this.mem32[pa >>> 2]!;
      const m = this.mem8;
      if (size === 1) return m[pa]!;
      if (size === 2) return m[pa]! | (m[pa + 1]! << 8);
      return m[pa]! | (m[pa + 1]! << 8) | (m[pa + 2]! << 16) | (m[pa + 3]! << 24);
    }
    const user = this.cpl === 3;
    this.rmwLin = lin;
    const last = (lin + size - 1) | 0;
    if (last >>> 12 !== lin >>> 12) {
      if (this.translateLinear(lin, Access.Write, user) < 0) return 0;
      if (this.translateLinear(last & ~0xfff, Access.Write, user) < 0) return 0;
      this.rmwPa = -1;
      return this.readSlow(lin, size, user);
    }
    const pa = this.translateLinear(lin, Access.Write, user);
    if (pa < 0) return 0;
    this.rmwPa = pa;
    const mem = this.memory;
    return size === 1 ? mem.read8(pa) : size === 2 ? mem.read16(pa) : mem.read32(pa);
  }

  /** Finish a read-modify-write begun by `rmwRead` (same size). */
  rmwWrite(size: number, v: number): void {
    const pa = this.rmwPa;
    if (pa < 0) {
      this.writeSlow(this.rmwLin, size, v, this.cpl === 3);
      return;
    }
    this.noteCodeWrite(pa);
    const mem = this.memory;
    if (size === 4) mem.write32(pa, v);
    else if (size === 1) mem.write8(pa, v);
    else mem.write16(pa, v);
  }

  // ---------------------------------------------------------------- memory (linear)

  /** Translate for an access, raising #PF on failure; returns the physical address or -1. */
  translateLinear(lin: number, access: Access, user: boolean): number {
    const pa = this.translator.translate(lin, access, user);
    if (pa < 0) {
      this.pageFault(lin, this.translator.faultCode);
      return -1;
    }
    return pa;
  }

  private probeLinear(lin: number, access: Access, user: boolean): boolean {
    const e = this.tlb[lin >>> 12]!;
    const need = access === Access.Write ? (user ? TLB_USER_WRITE : TLB_SUP_WRITE) : user ? TLB_USER_READ : TLB_SUP_READ;
    if ((e & need) !== 0) return true;
    return this.translateLinear(lin, access, user) >= 0;
  }

  /** Read `size` bytes at a linear address with `user` privilege; TLB slow path and page-crossing. */
  readSlow(lin: number, size: number, user: boolean): number {
    if ((lin & 0xfff) + size > 0x1000) {
      let v = 0;
      for (let k = 0; k < size; k++) {
        const b = this.readSlow((lin + k) | 0, 1, user);
        if (this.fault) return 0;
        v |= b << (8 * k);
      }
      return v;
    }
    const pa = this.translateLinear(lin, Access.Read, user);
    if (pa < 0) return 0;
    const mem = this.memory;
    return size === 1 ? mem.read8(pa) : size === 2 ? mem.read16(pa) : mem.read32(pa);
  }

  /** Write `size` bytes at a linear address; both pages are checked before any byte is written. */
  writeSlow(lin: number, size: number, v: number, user: boolean): void {
    const last = (lin + size - 1) | 0;
    if (last >>> 12 !== lin >>> 12) {
      const pa0 = this.translateLinear(lin, Access.Write, user);
      if (pa0 < 0) return;
      const pa1 = this.translateLinear(last & ~0xfff, Access.Write, user);
      if (pa1 < 0) return;
      const n0 = 0x1000 - (lin & 0xfff);
      for (let k = 0; k < size; k++) {
        const pa = k < n0 ? pa0 + k : pa1 + (k - n0);
        this.noteCodeWrite(pa);
        this.memory.write8(pa, v >>> (8 * k));
      }
      return;
    }
    const pa = this.translateLinear(lin, Access.Write, user);
    if (pa < 0) return;
    this.noteCodeWrite(pa);
    const mem = this.memory;
    if (size === 1) mem.write8(pa, v);
    else if (size === 2) mem.write16(pa, v);
    else mem.write32(pa, v);
  }

  private noteCodeWrite(pa: number): void {
    if (pa < this.memory.size && this.code.invalidateIfCode(pa >>> 12)) this.brk |= BRK_CODE;
  }

  /** Supervisor read of a 32-bit value at a linear address (descriptor tables, TSS). */
  readSys32(lin: number): number {
    const e = this.tlb[lin >>> 12]!;
    if ((e & TLB_SUP_READ) !== 0 && (lin & 0xfff) <= 0xffc) return this.memory.read32((e & ~0xfff) | (lin & 0xfff));
    return this.readSlow(lin, 4, false);
  }

  /** Supervisor read of a 16-bit value at a linear address. */
  readSys16(lin: number): number {
    return this.readSlow(lin, 2, false);
  }

  /** Supervisor write of `size` bytes at a linear address (accessed bits, TSS busy bit, frame pushes). */
  writeSys(lin: number, size: number, v: number): void {
    this.writeSlow(lin, size, v, false);
  }

  // ---------------------------------------------------------------- stack

  /** Push a 32-bit value on SS:ESP. */
  push32(v: number): void {
    const sp = (this.regs[ESP]! - 4) & this.stackMask;
    this.write32(SS, sp, v);
    if (this.fault) return;
    this.regs[ESP] = this.stackMask === -1 ? sp : (this.regs[ESP]! & ~0xffff) | sp;
  }

  /** Push a 16-bit value on SS:ESP. */
  push16(v: number): void {
    const sp = (this.regs[ESP]! - 2) & this.stackMask;
    this.write16(SS, sp, v);
    if (this.fault) return;
    this.regs[ESP] = this.stackMask === -1 ? sp : (this.regs[ESP]! & ~0xffff) | sp;
  }

  /** Read the 32-bit value at SS:ESP+`delta` without popping. */
  peek32(delta: number): number {
    return this.read32(SS, (this.regs[ESP]! + delta) & this.stackMask);
  }

  /** Read the 16-bit value at SS:ESP+`delta` without popping. */
  peek16(delta: number): number {
    return this.read16(SS, (this.regs[ESP]! + delta) & this.stackMask);
  }

  /** Add `n` to ESP (SP for a 16-bit stack). */
  adjustEsp(n: number): void {
    const sp = this.regs[ESP]!;
    this.regs[ESP] = this.stackMask === -1 ? (sp + n) | 0 : (sp & ~0xffff) | ((sp + n) & 0xffff);
  }

  /** Pop a 32-bit value (on a fault returns 0, ESP unchanged). */
  pop32(): number {
    const v = this.read32(SS, this.regs[ESP]! & this.stackMask);
    if (!this.fault) this.adjustEsp(4);
    return v;
  }

  /** Pop a 16-bit value. */
  pop16(): number {
    const v = this.read16(SS, this.regs[ESP]! & this.stackMask);
    if (!this.fault) this.adjustEsp(2);
    return v;
  }

  // ---------------------------------------------------------------- effective addresses

  /** Effective address (offset) of the instruction's memory operand. */
  ea(i: Insn): number {
    const r = this.regs;
    if (i.flags & INSN_A32) {
      let a = i.disp;
      if (i.base >= 0) a += r[i.base]!;
      if (i.index >= 0) a += r[i.index]! << i.scale;
      return a | 0;
    }
    let a = i.disp;
    if (i.base >= 0) a += r[i.base]! & 0xffff;
    if (i.index >= 0) a += r[i.index]! & 0xffff;
    return a & 0xffff;
  }

  // ---------------------------------------------------------------- run loop

  /*C:210 The loop that executes decoded instructions is not written here but
   * generated (scripts/gen-dispatch.mjs into generated/run-chain.ts): one
   * `switch` over handler numbers with a direct call in each case, because a
   * call through a function stored in the record reaches hundreds of targets
   * and V8 cannot inline any of them. Direct calls V8 inlines only while its
   * budget lasts, and it spends that budget on whatever was hot when it
   * compiled the loop, so a program's second phase can find its handlers
   * left out of line. The sixty most common instructions of compiled code
   * (32-bit moves and ALU operations, pushes and pops, calls, returns, Jcc)
   * therefore have their common case written into the switch itself
   * (scripts/fast-paths.mjs): flat segments, an aligned access that hits the
   * TLB. Anything else calls the full handler, which starts over; the fast
   * path has changed nothing by then. The differential tests against QEMU run
   * through both. :*/

  /**
   * Execute up to `budget` instructions.
   * @returns why execution stopped; never throws for anything the program does.
   */
  run(budget: number): CpuExit {
    const end = this.instructions + budget;
    this.exit = null;
    if ((this.brk !== 0 || this.halted) && this.service()) return this.takeExit();
    if (this.onInstruction !== null) return this.runObserved(end);
    while (this.instructions < end) {
      const insn = this.lookup();
      if (insn === null) {
        if (this.service()) return this.takeExit();
        continue;
      }
      runChain(this, insn, end);
      if (this.brk !== 0 && this.service()) return this.takeExit();
    }
    return BUDGET_EXIT;
  }

  /** `run` with {@link Cpu.onInstruction} set: one instruction per chain, each announced first. */
  private runObserved(end: number): CpuExit {
    while (this.instructions < end) {
      const insn = this.lookup();
      if (insn === null) {
        if (this.service()) return this.takeExit();
        continue;
      }
      const observe = this.onInstruction;
      if (observe !== null && observe(this, this.eip) === true) {
        this.linkFrom = null;
        return STOPPED_EXIT;
      }
      runChain(this, insn, this.instructions + 1);
      if (this.brk !== 0 && this.service()) return this.takeExit();
    }
    return BUDGET_EXIT;
  }

  private takeExit(): CpuExit {
    const e = this.exit ?? BUDGET_EXIT;
    this.exit = null;
    return e;
  }

  /** Find (or decode) the instruction at CS:EIP; on a fetch fault returns null with `fault` set. */
  private lookup(): Insn | null {
    const eip = this.eip;
    let lin: number;
    if (this.segFast[CS]! & SEG_READ_FAST) lin = (this.segBase[CS]! + eip) | 0;
    else {
      if (eip >>> 0 > this.segLimit[CS]! >>> 0) {
        this.curEip = eip;
        this.gp(0);
        return null;
      }
      lin = (this.segBase[CS]! + eip) | 0;
    }
    const e = this.tlb[lin >>> 12]!;
    let pa: number;
    if ((e & this.xmask) !== 0) pa = (e & ~0xfff) | (lin & 0xfff);
    else {
      pa = this.translator.translate(lin, Access.Exec, this.cpl === 3);
      if (pa < 0) {
        this.curEip = eip;
        this.pageFault(lin, this.translator.faultCode);
        return null;
      }
    }
    let insn = this.code.lookup(pa);
    if (insn === undefined) {
      this.curEip = eip;
      const decoded = decode(this, lin, pa);
      if (decoded === null) return null;
      insn = decoded;
    }
    const from = this.linkFrom;
    if (from !== null) {
      this.linkFrom = null;
      if ((this.segFast[CS]! & SEG_READ_FAST) !== 0 && insn.pa === pa) {
        if (!this.linkTarget) {
          if (this.code.samePageSuccessor(from, insn, pa)) from.next = insn;
        } else if (this.linkLin >>> 12 === lin >>> 12 && from.pa >>> 12 === pa >>> 12) {
          from.target = insn;
          from.targetEip = eip;
        }
      }
    }
    return insn;
  }

  /** Handle `brk`; returns true when `run` must return `this.exit`. */
  private service(): boolean {
    let b = this.brk;
    this.brk = 0;
    this.linkFrom = null;
    if (b & BRK_FAULT && this.fault) {
      this.fault = false;
      this.instructions--;
      const software = this.excSoftware;
      if (software || this.excTrap) this.instructions++;
      else this.eip = this.curEip;
      deliverEvent(this, this.excVector, this.excCode, this.excHasCode, software ? EventKind.Software : EventKind.Exception);
      if (this.exit !== null) return true;
      b |= this.brk;
      this.brk = 0;
    }
    if (b & BRK_EXIT && this.exit !== null) return true;
    if (b & BRK_STOP) {
      this.exit = STOPPED_EXIT;
      return true;
    }
    if (this.irqVector >= 0) {
      if (this.flags & IF && !this.shadow) {
        const v = this.irqVector;
        this.irqVector = -1;
        this.halted = false;
        deliverEvent(this, v, 0, false, EventKind.External);
        if (this.exit !== null) return true;
      } else if (this.shadow) {
        this.brk |= BRK_IRQ;
      }
    }
    if (this.halted) {
      this.exit = this.flags & IF ? HALT_IRQ_EXIT : HALT_DEAD_EXIT;
      return true;
    }
    return this.exit !== null;
  }
}

const BUDGET_EXIT: CpuExit = Object.freeze({ kind: "budget" });
const STOPPED_EXIT: CpuExit = Object.freeze({ kind: "stopped" });
const HALT_IRQ_EXIT: CpuExit = Object.freeze({ kind: "halt", interruptible: true });
const HALT_DEAD_EXIT: CpuExit = Object.freeze({ kind: "halt", interruptible: false });
