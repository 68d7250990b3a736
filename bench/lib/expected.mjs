/**
 * Reads bench/kernel/expected-checksums.txt: `# scale=N` headings, then the
 * exact serial output for that scale. Returns the `@end` checksums per scale.
 */
import { readFileSync } from "node:fs";

const SCALE_HEADING = /^#\s*scale=(\d+)/;
const END = /^@end (\S+) ([0-9a-f]{8})$/;

/** @returns {Map<number, Record<string, string>>} loop → checksum, per scale. */
export function readExpectedChecksums(path) {
  const byScale = new Map();
  let current = null;
  for (const raw of readFileSync(path, "utf8").split("\n")) {
    const line = raw.trim();
    const heading = SCALE_HEADING.exec(line);
    if (heading) {
      current = {};
      byScale.set(Number(heading[1]), current);
      continue;
    }
    const end = END.exec(line);
    if (end && current) current[end[1]] = end[2];
  }
  return byScale;
}
