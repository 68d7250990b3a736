/**
 * The worker that owns the Guest machine: it builds it from the page's boot files, runs it,
 * passes console bytes both ways and answers snapshot requests for the panels.
 */
import { type GuestExit, GuestMachine, isLauncherError } from "@littleguest/launcher-cli/machine";
import type { FromWorker, PageTableRange, ToWorker } from "./protocol.js";
import { type Snapshot, takeSnapshot } from "./snapshot.js";

/*D:500 The web viewer runs the same Guest machine the `lguest` command runs, inside a
 * page. Nothing in the core packages knows it: the CPU, the MMU, the Switcher and the Host
 * were written against an ArrayBuffer, typed arrays and plain callbacks from the start (no
 * Node built-ins, no Node globals, virtual time), and the Launcher's machine is the same code
 * behind a subpath without the command line (`@littleguest/launcher-cli/machine`). What the
 * browser adds is at the edges: a terminal instead of stdin and stdout, files from fetch or
 * a file input instead of the disk. :*/

/*D:510 The machine lives in a Web Worker, not in the page. The interpreter runs the Guest
 * in slices of millions of instructions and only looks up between them; on the page's
 * thread each slice would freeze the terminal, the buttons and the panels for that long.
 * In a worker the page stays responsive however busy the Guest is, and the worker's own
 * event loop is the one place where console input, stop requests and snapshot requests
 * meet the run: GuestMachine.run yields to it after every slice, and waits in it while the
 * Guest sleeps for input. The page never touches the machine's objects; it sees the
 * Guest only through messages. :*/

/** The worker's side of `postMessage` (typed here because the project's lib is DOM, not WebWorker). */
interface WorkerScope {
  postMessage(message: FromWorker, options?: { transfer?: Transferable[] }): void;
  addEventListener(type: "message", listener: (event: MessageEvent<ToWorker>) => void): void;
}

const scope = self as unknown as WorkerScope;

let machine: GuestMachine | null = null;
let lastRange: PageTableRange = { from: 0, to: 0xffc00000 };
/** Taken as the Guest dies, before the Host frees its shadow tables; shown from then on. */
let lastLook: Snapshot | null = null;
let pending: Uint8Array[] = [];
let flushQueued = false;

/*D:530 Console output is gathered and sent once the current slice ends, not byte by byte:
 * a microtask queued during a slice runs only when the run loop yields, so a slice that
 * prints a screenful costs one message, and the order of bytes is kept. :*/
function output(bytes: Uint8Array): void {
  pending.push(bytes.slice());
  if (!flushQueued) {
    flushQueued = true;
    queueMicrotask(flush);
  }
}

function flush(): void {
  flushQueued = false;
  if (pending.length === 0) return;
  const all = new Uint8Array(pending.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of pending) {
    all.set(b, at);
    at += b.length;
  }
  pending = [];
  scope.postMessage({ type: "output", bytes: all }, { transfer: [all.buffer] });
}

function summary(exit: GuestExit): string {
  switch (exit.kind) {
    case "poweroff":
      return `the Guest powered off with status ${exit.status}`;
    case "restart":
      return `the Guest asked to restart (${exit.message}); restarting is not supported`;
    case "killed":
      return `the Guest was killed: ${exit.reason}`;
    case "stuck":
      return "the Guest halted with no timer armed and nothing that could wake it";
    case "stopped":
      return "stopped";
  }
}

function start(boot: Extract<ToWorker, { type: "start" }>["boot"]): void {
  if (machine !== null) return;
  let m: GuestMachine;
  try {
    m = new GuestMachine({
      kernel: boot.kernel,
      kernelName: boot.kernelName,
      initrd: boot.initrd,
      argv: boot.argv,
      memoryBytes: boot.memoryBytes,
      cmdline: boot.cmdline,
      output,
      acceptsInput: true,
    });
  } catch (e) {
    scope.postMessage({ type: "error", message: isLauncherError(e) ? e.message : `cannot build the machine: ${String(e)}` });
    return;
  }
  machine = m;
  /*D:560 A Guest that powers off is gone before the page can ask about it: the Host frees
   * its shadow tables as it dies, and the run loop only then reports the death. The Host's
   * `dying` observer is the last moment the address space exists, so the worker takes one
   * snapshot there, for the range the page asked for last, and answers every later request
   * with it. The panels of a finished run show the Guest as it was at its last instruction. :*/
  m.guest.observer = {
    dying: () => {
      lastLook = takeSnapshot(m, lastRange);
    },
  };
  scope.postMessage({ type: "started" });
  m.run().then(
    (exit) => {
      flush();
      scope.postMessage({ type: "ended", kind: exit.kind, summary: summary(exit) });
    },
    (e: unknown) => {
      flush();
      scope.postMessage({ type: "error", message: `the run failed: ${e instanceof Error ? e.message : String(e)}` });
    },
  );
}

function snapshot(range: PageTableRange): Snapshot | null {
  lastRange = range;
  if (machine === null) return null;
  // A dead Guest's shadow pages are gone: show it as it was when it died.
  if (machine.guest.dead !== null && lastLook !== null) return lastLook;
  return takeSnapshot(machine, range);
}

scope.addEventListener("message", (event) => {
  const msg = event.data;
  switch (msg.type) {
    case "start":
      start(msg.boot);
      break;
    case "input":
      if (machine !== null && machine.guest.dead === null) machine.input(msg.bytes);
      break;
    case "stop":
      machine?.stop();
      break;
    case "snapshot":
      scope.postMessage({ type: "snapshot", id: msg.id, snapshot: snapshot(msg.range) });
      break;
  }
});
