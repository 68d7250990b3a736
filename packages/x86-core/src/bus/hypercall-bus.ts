/**
 * The hypercall bus: a sealed registry of numbered handlers.
 *
 * A hypervisor receives a hypercall as a trap (lguest: `int $0x1f` from ring
 * 1) and dispatches it here by number. Handlers read their arguments through
 * a typed accessor instead of poking at registers, so the same handler serves
 * whichever register convention the owner decodes. Registration is closed by
 * `seal()`: conflicts are found then, not in the middle of a run.
 */
import { X86CoreError } from "../errors.js";

/** Arguments of one hypercall, as the owner decoded them. */
export interface HypercallArgs {
  /** The call number. */
  readonly call: number;
  /** Argument n (1-based, as lguest numbers them: arg1 = ebx …); 0 when absent. */
  arg(n: 1 | 2 | 3 | 4): number;
}

/** A hypercall handler; returns the value for the caller's result register (or undefined to leave it). */
export type HypercallHandler<C> = (context: C, args: HypercallArgs) => number | undefined;

interface Entry<C> {
  readonly name: string;
  readonly handler: HypercallHandler<C>;
  readonly owner: string;
}

/** A registry of hypercall handlers keyed by number. */
export class HypercallBus<C> {
  private readonly pending: { readonly call: number; readonly entry: Entry<C> }[] = [];
  private table: (Entry<C> | undefined)[] = [];
  private sealedFlag = false;

  /** Whether {@link HypercallBus.seal} has run. */
  get sealed(): boolean {
    return this.sealedFlag;
  }

  /**
   * Register `handler` for `call`. @returns a disposer (only before sealing).
   * @throws X86CoreError (`hypercall-sealed`) after seal.
   */
  register(call: number, name: string, handler: HypercallHandler<C>, owner = "anonymous"): () => void {
    if (this.sealedFlag) throw new X86CoreError("hypercall-sealed", `${owner}: cannot register hypercall ${name} (${call}) after seal`);
    const item = { call, entry: { name, handler, owner } };
    this.pending.push(item);
    return () => {
      if (this.sealedFlag) throw new X86CoreError("hypercall-sealed", `${owner}: cannot remove hypercall ${name} after seal`);
      const at = this.pending.indexOf(item);
      if (at >= 0) this.pending.splice(at, 1);
    };
  }

  /** Close registration; two handlers for one number are rejected here, naming both owners. */
  seal(): void {
    const table: (Entry<C> | undefined)[] = [];
    for (const { call, entry } of this.pending) {
      const clash = table[call];
      if (clash !== undefined) {
        throw new X86CoreError(
          "hypercall-conflict",
          `hypercall ${call} has two handlers: ${clash.name} (${clash.owner}) and ${entry.name} (${entry.owner})`,
        );
      }
      table[call] = entry;
    }
    this.table = table;
    this.sealedFlag = true;
  }

  /** Name of the handler for `call`, if any (for traces and statistics). */
  nameOf(call: number): string | undefined {
    return this.table[call]?.name;
  }

  /**
   * Run the handler for `args.call`.
   * @returns `{ handled: false }` when no handler has that number (the owner decides: lguest kills the Guest).
   */
  dispatch(context: C, args: HypercallArgs): { handled: boolean; result: number | undefined } {
    if (!this.sealedFlag) throw new X86CoreError("hypercall-not-sealed", "dispatch before seal()");
    const entry = args.call >= 0 ? this.table[args.call] : undefined;
    if (entry === undefined) return NOT_HANDLED;
    return { handled: true, result: entry.handler(context, args) };
  }
}

const NOT_HANDLED = Object.freeze({ handled: false, result: undefined });
