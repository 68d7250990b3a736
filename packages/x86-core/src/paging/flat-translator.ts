/**
 * A translator for machines without paging: linear = physical.
 *
 * Useful for embedding the CPU alone (tests, user-mode harnesses) where no
 * MMU package is wanted. It ignores CR0.PG: enable paging only with a real
 * translator from `@littleguest/mmu`.
 */
import type { PhysicalMemory } from "../memory/physical-memory.js";
import { type Access, TLB_ALL, TLB_ENTRIES, TLB_SUP_WRITE, TLB_USER_WRITE, type Translator } from "./translator.js";

/** Identity translation with a TLB, honouring write watches. */
export class FlatTranslator implements Translator {
  /** {@inheritDoc Translator.tlb} */
  readonly tlb = new Int32Array(TLB_ENTRIES);
  /** {@inheritDoc Translator.faultCode} */
  faultCode = 0;
  private readonly watched: Uint8Array;

  /** @param memory - the RAM whose pages may be cached. */
  constructor(private readonly memory: PhysicalMemory) {
    this.watched = new Uint8Array(memory.pages);
  }

  /** {@inheritDoc Translator.translate} */
  translate(linear: number, _access: Access, _user: boolean): number {
    const page = linear >>> 12;
    if (page < this.memory.pages) {
      const noWrite = this.watched[page] ? TLB_SUP_WRITE | TLB_USER_WRITE : 0;
      this.tlb[page] = (linear & ~0xfff) | (TLB_ALL & ~noWrite);
    }
    return linear >>> 0;
  }

  /** {@inheritDoc Translator.flush} */
  flush(_includeGlobal: boolean): void {
    this.tlb.fill(0);
  }

  /** {@inheritDoc Translator.invlpg} */
  invlpg(linear: number): void {
    this.tlb[linear >>> 12] = 0;
  }

  /** {@inheritDoc Translator.watchWrites} */
  watchWrites(physPage: number, on: boolean): void {
    if (physPage >= this.watched.length) return;
    this.watched[physPage] = on ? 1 : 0;
    if (on) this.tlb[physPage] = 0;
  }
}
