/** Plain-text tables: first column left-aligned, the rest right-aligned. */

/** Render rows (arrays of strings) under a header row. */
export function renderTable(header, rows) {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i].length)));
  const line = (row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ");
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [line(header), rule, ...rows.map(line)].join("\n");
}

/** A number with `digits` decimals, or "–" when absent. */
export function fixed(value, digits) {
  return value === undefined || value === null || Number.isNaN(value) ? "–" : value.toFixed(digits);
}

/** An integer with thousands separators. */
export function grouped(value) {
  return value === undefined || value === null ? "–" : Math.round(value).toLocaleString("en-US");
}
