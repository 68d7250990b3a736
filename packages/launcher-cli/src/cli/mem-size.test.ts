import { describe, expect, it } from "vitest";
import { parseMemSize } from "./mem-size.js";

const K = 1024;
const M = 1024 * K;

describe("parseMemSize", () => {
  it.each([
    ["64M", 64 * M],
    ["128M", 128 * M],
    ["1G", 1024 * M],
    ["65536K", 64 * M],
    ["4m", 4 * M],
    ["256", 256 * M],
  ])("%s → %i bytes", (text, bytes) => {
    expect(parseMemSize(text)).toBe(bytes);
  });

  it.each([
    ["abc", /not a size/],
    ["64MB", /not a size/],
    ["-4M", /not a size/],
    ["2M", /4M minimum/],
    ["4G", /maximum/],
    ["4097K", /4K pages/],
  ])("%s → bad-mem (%s)", (text, message) => {
    expect(() => parseMemSize(text)).toThrow(expect.objectContaining({ code: "bad-mem", message: expect.stringMatching(message) }));
  });
});
