/**
 * The initramfs the Launcher builds: the newc format, checked against GNU cpio when it is
 * installed (it is the reference reader) and by reading it back.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { isCpio, readCpio, S_IFDIR, S_IFREG, writeCpio } from "./initramfs.js";

const enc = new TextEncoder();

describe("newc initramfs", () => {
  it("round-trips files and adds their parent directories, sorted, ending with TRAILER!!!", () => {
    const archive = writeCpio([
      { name: "/bin/busybox", mode: S_IFREG | 0o755, data: enc.encode("ELF...") },
      { name: "etc/motd", mode: S_IFREG | 0o644, data: enc.encode("hello\n") },
    ]);
    expect(isCpio(archive)).toBe(true);
    expect(archive.length % 4).toBe(0);
    const entries = readCpio(archive);
    expect(entries.map((e) => [e.name, e.mode.toString(8)])).toEqual([
      ["bin", (S_IFDIR | 0o755).toString(8)],
      ["bin/busybox", (S_IFREG | 0o755).toString(8)],
      ["etc", (S_IFDIR | 0o755).toString(8)],
      ["etc/motd", (S_IFREG | 0o644).toString(8)],
    ]);
    expect(new TextDecoder().decode(entries[3]!.data)).toBe("hello\n");
  });

  it("GNU cpio lists the archive the same way (the reference reader)", () => {
    const archive = writeCpio([
      { name: "a/b/c.txt", mode: S_IFREG | 0o600, data: enc.encode("xyz") },
      { name: "top", mode: S_IFREG | 0o644, data: new Uint8Array(5) },
    ]);
    const r = spawnSync("cpio", ["-i", "-t", "--quiet"], { input: archive, encoding: "utf8" });
    if (r.error) throw new Error(`GNU cpio is needed for this test (apt-get install cpio): ${r.error.message}`);
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split("\n")).toEqual(["a", "a/b", "a/b/c.txt", "top"]);
  });
});
