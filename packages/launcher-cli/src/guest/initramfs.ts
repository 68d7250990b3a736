/**
 * The initial RAM file system: a `newc` cpio archive the Launcher builds from a directory
 * and `--add` files (or takes as given), placed at the top of Guest RAM.
 *
 * Reference: the Linux kernel's initramfs buffer format (Documentation/driver-api/
 * early-userspace/buffer-format.rst): each entry is the ASCII magic "070701", thirteen
 * 8-digit hexadecimal fields (ino, mode, uid, gid, nlink, mtime, filesize, devmajor,
 * devminor, rdevmajor, rdevminor, namesize, check), the NUL-terminated name padded to a
 * multiple of 4 bytes, then the data padded to 4; the archive ends with "TRAILER!!!".
 */

/** Mode bits of a regular file. */
export const S_IFREG = 0o100000;
/** Mode bits of a directory. */
export const S_IFDIR = 0o040000;

/** One entry to put in the archive. */
export interface CpioEntry {
  /** Path inside the Guest, without a leading slash ("bin/busybox"). */
  readonly name: string;
  /** File type and permission bits. */
  readonly mode: number;
  /** Contents (empty for directories). */
  readonly data: Uint8Array;
}

const MAGIC = "070701";

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, "0");
}

/** Encode `entries` as a newc archive (directories for every parent path are added). */
export function writeCpio(entries: readonly CpioEntry[]): Uint8Array {
  const all = new Map<string, CpioEntry>();
  for (const e of entries) {
    const name = e.name.replace(/^\/+/, "");
    const parts = name.split("/");
    for (let k = 1; k < parts.length; k++) {
      const dir = parts.slice(0, k).join("/");
      if (!all.has(dir)) all.set(dir, { name: dir, mode: S_IFDIR | 0o755, data: new Uint8Array(0) });
    }
    all.set(name, { ...e, name });
  }
  const chunks: Uint8Array[] = [];
  const enc = new TextEncoder();
  let size = 0;
  let ino = 1;
  const push = (b: Uint8Array) => {
    chunks.push(b);
    size += b.length;
    const pad = (4 - (size % 4)) % 4;
    if (pad > 0) {
      chunks.push(new Uint8Array(pad));
      size += pad;
    }
  };
  const entry = (name: string, mode: number, data: Uint8Array) => {
    const nameBytes = enc.encode(`${name}\0`);
    const fields = [ino++, mode, 0, 0, (mode & S_IFDIR) !== 0 ? 2 : 1, 0, data.length, 0, 0, 0, 0, nameBytes.length, 0];
    const header = enc.encode(MAGIC + fields.map(hex8).join(""));
    const head = new Uint8Array(header.length + nameBytes.length);
    head.set(header);
    head.set(nameBytes, header.length);
    push(head);
    if (data.length > 0) push(data);
  };
  for (const name of [...all.keys()].sort()) {
    const e = all.get(name)!;
    entry(name, e.mode, e.data);
  }
  entry("TRAILER!!!", 0, new Uint8Array(0));
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Whether `bytes` starts like a newc archive. */
export function isCpio(bytes: Uint8Array): boolean {
  return bytes.length >= 6 && new TextDecoder().decode(bytes.subarray(0, 6)) === MAGIC;
}

/** The entries of a newc archive (for tests and tools). @throws on a malformed archive. */
export function readCpio(bytes: Uint8Array): CpioEntry[] {
  const dec = new TextDecoder();
  const out: CpioEntry[] = [];
  let at = 0;
  for (;;) {
    if (at + 110 > bytes.length || dec.decode(bytes.subarray(at, at + 6)) !== MAGIC) throw new Error(`cpio: bad header at ${at}`);
    const field = (k: number) => Number.parseInt(dec.decode(bytes.subarray(at + 6 + 8 * k, at + 14 + 8 * k)), 16);
    const mode = field(1);
    const filesize = field(6);
    const namesize = field(11);
    const name = dec.decode(bytes.subarray(at + 110, at + 110 + namesize - 1));
    at = (at + 110 + namesize + 3) & ~3;
    if (name === "TRAILER!!!") return out;
    out.push({ name, mode, data: bytes.slice(at, at + filesize) });
    at = (at + filesize + 3) & ~3;
  }
}
