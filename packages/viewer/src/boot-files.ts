/**
 * What the page boots, as the `lguest run` command would build it: the bundled demo is the
 * bundled kernel with the bundled initramfs; a program of the user's is the bundled kernel
 * with an initramfs holding just that file (like `--add FILE:/bin/NAME -- /bin/NAME ARGS`).
 */
import { S_IFREG, writeCpio } from "@littleguest/launcher-cli/machine";
import type { BootFiles } from "./protocol.js";

/** Guest RAM of the viewer's machines (the `lguest` command's default). */
export const VIEWER_GUEST_RAM = 128 << 20;

/** The bundled demo: the initramfs's `/init` runs and powers the Guest off. */
export function demoBoot(kernel: Uint8Array, initramfs: Uint8Array): BootFiles {
  return { kernel, kernelName: "the bundled Guest kernel", initrd: initramfs, argv: [], memoryBytes: VIEWER_GUEST_RAM, cmdline: "" };
}

/** The Guest path a program file goes to: /bin/ and its base name (unsafe characters as `_`). */
export function guestPathFor(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? "";
  const safe = base.replace(/[^A-Za-z0-9._+-]/g, "_").replace(/^\.+/, "");
  return `/bin/${safe === "" ? "program" : safe}`;
}

/**
 * Split an argument line on blanks, honouring '…' and "…" quoting (no escapes, no
 * expansion: the program gets the words as written).
 */
export function splitArgs(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(line); m !== null; m = re.exec(line)) out.push(m[1] ?? m[2] ?? m[3] ?? "");
  return out;
}

/**
 * A static i386 program as the first process: an initramfs with the file at
 * {@link guestPathFor}(`fileName`), executable, and argv = that path and `args`.
 */
export function programBoot(kernel: Uint8Array, fileName: string, program: Uint8Array, args: readonly string[]): BootFiles {
  const path = guestPathFor(fileName);
  const initrd = writeCpio([{ name: path.slice(1), mode: S_IFREG | 0o755, data: program }]);
  return { kernel, kernelName: "the bundled Guest kernel", initrd, argv: [path, ...args], memoryBytes: VIEWER_GUEST_RAM, cmdline: "" };
}
