/**
 * The registry of MMU strategies a machine may choose from (`--mmu NAME`).
 */
import { MmuError } from "../mmu-error.js";
import {
  MMU_STRATEGY_API_VERSION,
  type MmuStrategy,
  type MmuStrategyFactory,
  type MmuStrategyOptions,
} from "./mmu-strategy.js";

interface Registration {
  readonly name: string;
  readonly factory: MmuStrategyFactory;
}

/**
 * Names → strategy factories. Register while configuring, `seal()` before running, then
 * `create()`.
 *
 * Invariants: after `seal()` the set of names is fixed and unique; a conflict (two
 * registrations of one name) is reported at seal time, naming the plugin; every strategy
 * `create()` returns carries the registered name and the current API version.
 */
export class MmuStrategyRegistry {
  private readonly registrations: Registration[] = [];
  private sealedTable: Map<string, MmuStrategyFactory> | undefined;

  /** Whether {@link MmuStrategyRegistry.seal} has succeeded. */
  get sealed(): boolean {
    return this.sealedTable !== undefined;
  }

  /**
   * Offer a strategy under `name`.
   * @returns a disposer that withdraws this registration (only before sealing).
   * @throws MmuError REGISTRY_SEALED after sealing.
   */
  register(name: string, factory: MmuStrategyFactory): () => void {
    if (this.sealed) {
      throw new MmuError("REGISTRY_SEALED", `cannot register after seal(): register before the machine runs`, {
        plugin: name,
      });
    }
    const registration: Registration = { name, factory };
    this.registrations.push(registration);
    return () => {
      if (this.sealed) {
        throw new MmuError("REGISTRY_SEALED", "cannot withdraw a strategy after seal()", { plugin: name });
      }
      const i = this.registrations.indexOf(registration);
      if (i >= 0) this.registrations.splice(i, 1);
    };
  }

  /** Fix the set of strategies. @throws MmuError STRATEGY_CONFLICT naming a duplicated plugin. */
  seal(): void {
    if (this.sealed) return;
    const table = new Map<string, MmuStrategyFactory>();
    for (const r of this.registrations) {
      if (table.has(r.name)) {
        throw new MmuError("STRATEGY_CONFLICT", `two strategies are registered as "${r.name}": remove one`, {
          plugin: r.name,
        });
      }
      table.set(r.name, r.factory);
    }
    this.sealedTable = table;
  }

  /** Registered names, in registration order. */
  names(): string[] {
    return this.registrations.map((r) => r.name);
  }

  /**
   * Build the strategy registered as `name`.
   * @throws MmuError REGISTRY_NOT_SEALED, UNKNOWN_STRATEGY, or API_VERSION_MISMATCH (naming the
   *   plugin) when it was written for another contract or reports another name.
   */
  create(name: string, options: MmuStrategyOptions): MmuStrategy {
    const table = this.sealedTable;
    if (table === undefined) throw new MmuError("REGISTRY_NOT_SEALED", "seal() the registry before create()");
    const factory = table.get(name);
    if (factory === undefined) {
      throw new MmuError("UNKNOWN_STRATEGY", `no MMU strategy "${name}"; known: ${[...table.keys()].join(", ")}`);
    }
    const strategy = factory(options);
    if (strategy.apiVersion !== MMU_STRATEGY_API_VERSION) {
      throw new MmuError(
        "API_VERSION_MISMATCH",
        `written for MmuStrategy API ${strategy.apiVersion}, this is API ${MMU_STRATEGY_API_VERSION}: update the plugin`,
        { plugin: name },
      );
    }
    if (strategy.name !== name) {
      throw new MmuError("API_VERSION_MISMATCH", `registered as "${name}" but calls itself "${strategy.name}"`, {
        plugin: name,
      });
    }
    return strategy;
  }
}
