/**
 * Builds cases: a random initial state (registers, EFLAGS, memory) and 1–6 items drawn
 * from weighted families, tracking which flags are undefined so the comparison can mask
 * exactly those (the rule is spelled out in flag-table.ts).
 */
import { ALL, defines } from "./flag-table.js";
import { genAlu } from "./families/alu.js";
import { genBcd } from "./families/bcd.js";
import { genBits } from "./families/bits.js";
import { genControl } from "./families/control.js";
import { genFlagOps } from "./families/flagops.js";
import { genMove } from "./families/move.js";
import { genMulDiv } from "./families/muldiv.js";
import { genShift } from "./families/shift.js";
import { genSmc } from "./families/smc.js";
import { genStack } from "./families/stack.js";
import { genString } from "./families/string.js";
import { genX87 } from "./families/x87.js";
import type { Family, FamilyGenerator, Item, LooseMemory } from "./item.js";
import { CASE_MEM_BYTES, ESP_SLACK } from "./layout.js";
import { Rng } from "./rng.js";

/** Family weights for mixed batches: the common integer core dominates, as in real code. */
export const FAMILIES: readonly (readonly [number, Family, FamilyGenerator])[] = [
  [20, "alu", genAlu],
  [12, "shift", genShift],
  [9, "muldiv", genMulDiv],
  [8, "bits", genBits],
  [12, "move", genMove],
  [4, "bcd", genBcd],
  [3, "flagops", genFlagOps],
  [7, "string", genString],
  [7, "stack", genStack],
  [6, "control", genControl],
  [3, "smc", genSmc],
  [6, "x87", genX87],
];

/** One test case: initial state, the items, and what the comparison must ignore. */
export interface Case {
  readonly index: number;
  /** Initial eax ecx edx ebx _ _ esi edi (esp/ebp slots are 0: they are set from the layout). */
  readonly regs: readonly number[];
  readonly eflags: number;
  readonly items: readonly Item[];
  /** EFLAGS bits left undefined at the end of the case. */
  readonly flagMask: number;
  /** Per register (encoding order), bits left undefined at the end of the case. */
  readonly regMasks: readonly number[];
  /** Memory compared loosely (from the case's last item, which then ended the case). */
  readonly loose: readonly LooseMemory[];
}

/** A batch: its cases and the initial bytes of every case's memory window, back to back. */
export interface Batch {
  readonly seed: number;
  readonly cases: readonly Case[];
  readonly memory: Uint8Array;
}

/** Attempts per slot before a case is cut short (only tight stack/flag contexts need them). */
const TRIES = 32;

function generateCase(rng: Rng, index: number, families: readonly (readonly [number, Family, FamilyGenerator])[]): Case {
  const regs = [0, 1, 2, 3, 4, 5, 6, 7].map((r) => (r === 4 || r === 5 ? 0 : rng.edgy(32)));
  const eflags = ((rng.u32() & ALL) | 2) >>> 0;
  const length = rng.weighted<number>([
    [35, 1],
    [15, 2],
    [15, 3],
    [12, 4],
    [12, 5],
    [11, 6],
  ]);
  const items: Item[] = [];
  const regMasks = [0, 0, 0, 0, 0, 0, 0, 0];
  let undef = 0;
  let espDelta = 0;
  let loose: readonly LooseMemory[] = [];
  slots: for (let slot = 0; slot < length; slot++) {
    for (let attempt = 0; attempt < TRIES; attempt++) {
      const generate = rng.weighted(families.map(([w, , g]) => [w, g] as const));
      const item = generate({ rng, caseIndex: index, espDelta, nested: false });
      if (item === null) continue;
      if ((item.flags.reads & undef) !== 0) continue; // would consume an undefined flag
      const delta = espDelta + item.espDelta;
      if (delta < -ESP_SLACK || delta > ESP_SLACK) continue;
      items.push(item);
      espDelta = delta;
      undef = (undef & ~defines(item.flags)) | item.flags.undef;
      if (item.looseMemory) loose = item.looseMemory;
      if (item.undefinedRegs) {
        for (const u of item.undefinedRegs) regMasks[u.reg] = (regMasks[u.reg]! | u.mask) >>> 0;
        break slots; // nothing may read an undefined register afterwards
      }
      if (item.looseMemory) break slots; // nothing may read loosely compared memory afterwards
      continue slots;
    }
    break;
  }
  return { index, regs, eflags, items, flagMask: undef, regMasks, loose };
}

/**
 * Generates `count` cases from `seed`. The same seed and options give the same batch.
 * @param only - restrict to these families (all if omitted).
 */
export function generateBatch(seed: number, count: number, only?: readonly Family[]): Batch {
  const rng = new Rng(seed);
  const families = only ? FAMILIES.filter(([, f]) => only.includes(f)) : FAMILIES;
  if (families.length === 0) throw new Error(`case-generator: no family among ${only?.join(",")}`);
  const memory = new Uint8Array(count * CASE_MEM_BYTES);
  const cases: Case[] = [];
  for (let i = 0; i < count; i++) {
    for (let b = 0; b < CASE_MEM_BYTES; b += 4) {
      const v = rng.u32();
      memory[i * CASE_MEM_BYTES + b] = v & 0xff;
      memory[i * CASE_MEM_BYTES + b + 1] = (v >>> 8) & 0xff;
      memory[i * CASE_MEM_BYTES + b + 2] = (v >>> 16) & 0xff;
      memory[i * CASE_MEM_BYTES + b + 3] = v >>> 24;
    }
    cases.push(generateCase(rng, i, families));
  }
  return { seed, cases, memory };
}
