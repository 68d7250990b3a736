/**
 * The reference half of a batch: generate the cases, write and build the program, run it
 * under qemu-i386-static. Async (child processes), so several batches overlap.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type Batch, generateBatch } from "./case-generator.js";
import type { Family } from "./item.js";
import { outputBytes } from "./layout.js";
import { writeProgram } from "./program-writer.js";
import { batchSeed } from "./rng.js";
import { buildProgram, runNative, runQemu } from "./toolchain.js";

/** What identifies a batch: run seed, batch number, size, optional family restriction. */
export interface BatchSpec {
  readonly seed: number;
  readonly batch: number;
  readonly cases: number;
  readonly families?: readonly Family[];
  /** Which machine gives the expected output: qemu-i386-static (default) or the host CPU. */
  readonly reference?: "qemu" | "native";
}

/** A built batch with QEMU's output. */
export interface Prepared {
  readonly spec: BatchSpec;
  readonly batch: Batch;
  readonly elfPath: string;
  readonly elf: Uint8Array;
  readonly expected: Uint8Array;
}

/** Human name of a batch for reports: enough to reproduce it. */
export function batchName(spec: BatchSpec): string {
  const fam = spec.families ? ` [${spec.families.join(",")}]` : "";
  return `batch ${spec.batch}${fam} (DIFF_SEED=${spec.seed})`;
}

/** Generates, builds and runs one batch under QEMU in `dir`. Throws with the batch name on failure. */
export async function prepareBatch(spec: BatchSpec, dir: string): Promise<Prepared> {
  const batch = generateBatch(batchSeed(spec.seed, spec.batch), spec.cases, spec.families);
  const name = `b${spec.batch}`;
  const memoryFile = `${name}.mem`;
  try {
    const elfPath = await buildProgram(dir, name, writeProgram(batch, memoryFile), batch.memory, memoryFile);
    const expected = await (spec.reference === "native" ? runNative : runQemu)(elfPath);
    if (expected.length !== outputBytes(spec.cases)) {
      throw new Error(`${spec.reference ?? "qemu"} printed ${expected.length} bytes, expected ${outputBytes(spec.cases)}`);
    }
    const elf = new Uint8Array(await readFile(elfPath));
    return { spec, batch, elfPath, elf, expected };
  } catch (cause) {
    throw new Error(`${batchName(spec)} in ${join(dir, name)}.s: ${(cause as Error).message}`, { cause });
  }
}
