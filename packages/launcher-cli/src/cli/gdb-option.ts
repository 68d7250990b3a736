/**
 * `--gdb PORT` of `lguest run` and `lguest bare`: parse the port, listen on 127.0.0.1, tell
 * the user how to connect, and let one GDB session drive the machine.
 */
import type { GdbTarget, MachineDebugger } from "@littleguest/devtools";
import { type GdbServeEnd, listenGdb } from "@littleguest/devtools/node";
import { LauncherError } from "../errors.js";
import type { CliIo } from "./cli-io.js";

/** Where the stub listens: only this machine may connect (GDB gets full control of the Guest). */
export const GDB_HOST = "127.0.0.1";

/**
 * Parse the value of `--gdb`: a TCP port 1..65535, or 0 for one the system picks.
 * @throws LauncherError `bad-option` naming the value and the fix.
 */
export function parseGdbPort(value: string | undefined): number {
  if (value === undefined) throw new LauncherError("bad-option", "--gdb needs a TCP port, e.g. --gdb 1234 (then in GDB: target remote :1234)");
  const n = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n > 65535) {
    throw new LauncherError("bad-option", `--gdb '${value}' is not a TCP port; give a number 1..65535 (or 0 for any free port), e.g. --gdb 1234`);
  }
  return n;
}

/*D:380 With --gdb the Launcher hands the machine to GDB before its first instruction and gets
 * it back only when GDB is done: it listens, says where, and waits, so a user can set
 * breakpoints in a kernel's earliest code. The machine's own loop still runs the Guest (devices
 * are served, console output appears) but only when GDB says continue or step. When GDB
 * detaches or goes away the breakpoints are removed and the run carries on as if GDB had never
 * been there; `kill` ends it. :*/

/**
 * Listen on `port`, print where to stderr, wait for GDB and serve it until it detaches, kills or
 * disconnects. `target` is disposed of (its breakpoints removed) at the end either way.
 * @throws LauncherError `port-unavailable` when the port cannot be listened on.
 */
export async function serveGdb(port: number, target: MachineDebugger & GdbTarget, io: CliIo, command: string, onListening?: (close: () => void) => void): Promise<GdbServeEnd> {
  let server: Awaited<ReturnType<typeof listenGdb>>;
  try {
    server = await listenGdb({ port, host: GDB_HOST });
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    const why = code === "EADDRINUSE" ? "it is in use; pick another port" : code === "EACCES" ? "permission denied; use a port above 1023" : (cause as Error).message;
    throw new LauncherError("port-unavailable", `--gdb ${port}: cannot listen on ${GDB_HOST}:${port}: ${why}`, { cause });
  }
  io.error(`gdb: waiting for a connection on ${GDB_HOST}:${server.port} (target remote :${server.port})`);
  onListening?.(() => server.close());
  try {
    return await server.serve(target, (e) => io.error(`${command}: internal error in the GDB stub: ${(e as Error).message ?? String(e)}`));
  } finally {
    server.close();
    target.dispose();
  }
}
