import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { readCpio, S_IFREG } from "@littleguest/launcher-cli/machine";
import { describe, expect, it } from "vitest";
import { demoBoot, guestPathFor, programBoot, splitArgs } from "./boot-files.js";

const require = createRequire(import.meta.url);
const kernel = new Uint8Array(readFileSync(require.resolve("@littleguest/guest-kernel/prebuilt/guest.elf")));

describe("boot files", () => {
  it("a program file → an initramfs holding it executable at /bin/NAME, argv[0] = that path", () => {
    const program = new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 1, 2, 3]);
    const boot = programBoot(kernel, "busybox", program, ["sh", "-c", "echo hi"]);
    expect(boot.argv).toEqual(["/bin/busybox", "sh", "-c", "echo hi"]);
    const files = readCpio(boot.initrd!).filter((e) => (e.mode & 0o170000) === S_IFREG);
    expect(files.map((e) => e.name)).toEqual(["bin/busybox"]);
    expect(files[0]!.mode & 0o111).toBe(0o111);
    expect([...files[0]!.data]).toEqual([...program]);
    expect(boot.kernel).toBe(kernel);
  });

  it("the demo → the bundled initramfs as given and no argv (its /init runs)", () => {
    const initramfs = new Uint8Array([7, 0, 7, 0, 1]);
    const boot = demoBoot(kernel, initramfs);
    expect(boot.initrd).toBe(initramfs);
    expect(boot.argv).toEqual([]);
  });

  it("a chosen file's name → a single safe component under /bin", () => {
    for (const name of ["hello", "dir/sub/hello", "C:\\tmp\\a b.elf", "../..", "", "..hidden"]) {
      const path = guestPathFor(name);
      expect(path).toMatch(/^\/bin\/[A-Za-z0-9._+-]+$/);
      expect(path.slice(5)).not.toMatch(/^\./);
    }
    expect(guestPathFor("dir/hello")).toBe(guestPathFor("hello"));
  });

  it("an argument line → words, quotes grouping blanks and kept out of the words", () => {
    expect(splitArgs("  sh  -c 'echo a  b' \"x y\" ")).toEqual(["sh", "-c", "echo a  b", "x y"]);
    expect(splitArgs("")).toEqual([]);
  });
});
