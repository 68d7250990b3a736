/** Parsing `--mem` sizes such as 64M, 1G or 65536K. */
import { LauncherError } from "../errors.js";
import { MAX_RAM_BYTES, MIN_RAM_BYTES } from "../bare/layout.js";

const UNIT: Record<string, number> = { K: 1024, M: 1024 * 1024, G: 1024 * 1024 * 1024 };
const PAGE_BYTES = 4096;

/**
 * Parse a RAM size: digits followed by K, M or G (binary units, either case);
 * no suffix means MiB, as QEMU's `-m` reads it.
 *
 * @returns bytes: a multiple of 4 KiB between the 4M minimum and the 3584M maximum.
 * @throws LauncherError `bad-mem` with the accepted form in the message.
 */
export function parseMemSize(text: string): number {
  const m = /^(\d+)([KMGkmg]?)$/.exec(text.trim());
  if (!m) throw new LauncherError("bad-mem", `--mem '${text}' is not a size; write it like 64M, 1G or 65536K`);
  const bytes = Number(m[1]) * (UNIT[(m[2] || "M").toUpperCase()] ?? 0);
  if (bytes % PAGE_BYTES !== 0) {
    throw new LauncherError("bad-mem", `--mem ${text} is not a whole number of 4K pages; round it to a multiple of 4K`);
  }
  if (bytes < MIN_RAM_BYTES) throw new LauncherError("bad-mem", `--mem ${text} is below the 4M minimum; use --mem 4M or more`);
  if (bytes > MAX_RAM_BYTES) {
    throw new LauncherError("bad-mem", `--mem ${text} is above the ${MAX_RAM_BYTES / 1024 / 1024}M maximum (RAM ends where a PC's PCI hole starts); use --mem 3584M or less`);
  }
  return bytes;
}
