/**
 * The viewer page: a terminal on the Guest's console, Start/Stop, a program chooser, and the
 * panels, refreshed a few times a second from snapshots the worker takes.
 */
import { Terminal } from "@xterm/xterm";
import "@xterm/xterm/css/xterm.css";
import kernelUrl from "@littleguest/guest-kernel/prebuilt/guest.elf?url";
import initramfsUrl from "@littleguest/guest-kernel/prebuilt/initramfs.cpio?url";
import { demoBoot, programBoot, splitArgs } from "./boot-files.js";
import { renderCounters, renderPageTables, renderSwitcher, statusLegend } from "./panels.js";
import type { BootFiles, FromWorker, PageTableRange, ToWorker } from "./protocol.js";
import "./style.css";

/** How often the panels ask for a snapshot while a machine exists. */
const REFRESH_MS = 250;
/** Where the dev and preview servers serve busybox (see vite.config.ts). */
const BUSYBOX_URL = `${import.meta.env.BASE_URL}programs/busybox`;

function byId<T extends HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (e === null) throw new Error(`the page has no #${id}`);
  return e as T;
}

const programSelect = byId<HTMLSelectElement>("program");
const programFile = byId<HTMLInputElement>("program-file");
const argsInput = byId<HTMLInputElement>("args");
const startButton = byId<HTMLButtonElement>("start");
const stopButton = byId<HTMLButtonElement>("stop");
const status = byId<HTMLSpanElement>("status");
const slotSelect = byId<HTMLSelectElement>("slot");
const fromInput = byId<HTMLInputElement>("from");
const toInput = byId<HTMLInputElement>("to");

const term = new Terminal({ cols: 96, rows: 30, convertEol: true, cursorBlink: true, fontSize: 14, scrollback: 2000 });
term.open(byId("terminal"));
byId("legend").append(statusLegend());

function setStatus(state: "idle" | "booting" | "running" | "ended" | "error", text: string): void {
  status.dataset.state = state;
  status.textContent = text;
}

async function fetchBytes(url: string, what: string): Promise<Uint8Array> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`cannot fetch ${what} (${url}): HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

let kernel: Uint8Array | null = null;
let initramfs: Uint8Array | null = null;
let busybox: Uint8Array | null = null;
let worker: Worker | null = null;
let snapshotId = 0;
let awaiting = false;
let range: PageTableRange = { from: 0, to: 0xffc00000 };

/*D:540 Busybox is not part of the project: the dev and preview servers serve the host's
 * /bin/busybox (or $LGUEST_VIEWER_BUSYBOX) at programs/busybox when it exists, and the page
 * offers it only if that answers. Any other static i386 program can be chosen with the file
 * input; the page packs it into an initramfs as `lguest run --add FILE:/bin/NAME` would. :*/
async function busyboxServed(): Promise<boolean> {
  try {
    const r = await fetch(BUSYBOX_URL, { method: "HEAD" });
    return r.ok && (r.headers.get("content-type") ?? "").startsWith("application/octet-stream");
  } catch {
    return false;
  }
}

async function bootFiles(): Promise<BootFiles> {
  if (kernel === null || initramfs === null) throw new Error("the Guest kernel is not loaded yet");
  const args = splitArgs(argsInput.value);
  switch (programSelect.value) {
    case "busybox":
      busybox ??= await fetchBytes(BUSYBOX_URL, "busybox");
      return programBoot(kernel.slice(), "busybox", busybox.slice(), args);
    case "file": {
      const file = programFile.files?.[0];
      if (file === undefined) throw new Error("choose a static i386 program file first");
      return programBoot(kernel.slice(), file.name, new Uint8Array(await file.arrayBuffer()), args);
    }
    default:
      return demoBoot(kernel.slice(), initramfs.slice());
  }
}

function send(msg: ToWorker, transfer: Transferable[] = []): void {
  worker?.postMessage(msg, transfer);
}

function onMessage(event: MessageEvent<FromWorker>): void {
  const msg = event.data;
  switch (msg.type) {
    case "output":
      term.write(msg.bytes);
      break;
    case "started":
      setStatus("running", "running: type in the console");
      stopButton.disabled = false;
      term.focus();
      break;
    case "ended":
      setStatus("ended", msg.summary);
      stopButton.disabled = true;
      break;
    case "error":
      setStatus("error", msg.message);
      stopButton.disabled = true;
      break;
    case "snapshot":
      if (msg.id !== snapshotId) break;
      awaiting = false;
      if (msg.snapshot === null) break;
      renderCounters(byId("counters"), msg.snapshot);
      renderSwitcher(byId("switcher"), msg.snapshot);
      renderPageTables(byId("pagetables"), msg.snapshot);
      break;
  }
}

async function start(): Promise<void> {
  let boot: BootFiles;
  try {
    boot = await bootFiles();
  } catch (e) {
    setStatus("error", (e as Error).message);
    return;
  }
  worker?.terminate();
  term.reset();
  awaiting = false;
  setStatus("booting", "booting the Guest…");
  worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
  worker.onmessage = onMessage;
  worker.onerror = (e) => setStatus("error", `the worker failed: ${e.message}`);
  const transfer: Transferable[] = [boot.kernel.buffer as ArrayBuffer];
  if (boot.initrd !== undefined) transfer.push(boot.initrd.buffer as ArrayBuffer);
  send({ type: "start", boot }, transfer);
}

/*D:550 The panels pull: a timer asks the worker for a snapshot, and asks again only after
 * the answer came. A Guest busy in a long slice therefore gets at most one request queued
 * behind it instead of a pile, and a page in a background tab (where timers slow down) costs
 * the Guest nothing. :*/
function refresh(): void {
  if (worker === null || awaiting) return;
  awaiting = true;
  snapshotId++;
  send({ type: "snapshot", id: snapshotId, range });
}

function parseAddress(input: HTMLInputElement): number | null {
  const text = input.value.trim();
  const n = /^(0x)?[0-9a-f]{1,8}$/i.test(text) ? Number.parseInt(text.replace(/^0x/i, ""), 16) : Number.NaN;
  const ok = Number.isFinite(n) && n <= 0xffc00000;
  input.classList.toggle("invalid", !ok);
  return ok ? n : null;
}

function readRange(): void {
  const from = parseAddress(fromInput);
  const to = parseAddress(toInput);
  if (from === null || to === null || to <= from) return;
  range = slotSelect.value === "" ? { from, to } : { slot: Number(slotSelect.value), from, to };
}

function programChanged(): void {
  const v = programSelect.value;
  programFile.hidden = v !== "file";
  argsInput.disabled = v === "demo";
  if (v === "busybox" && argsInput.value === "") argsInput.value = "sh";
  if (v === "file") programFile.click();
}

startButton.addEventListener("click", () => void start());
stopButton.addEventListener("click", () => send({ type: "stop" }));
programSelect.addEventListener("change", programChanged);
for (const input of [slotSelect, fromInput, toInput]) input.addEventListener("change", readRange);
byId<HTMLFormElement>("range").addEventListener("submit", (e) => {
  e.preventDefault();
  readRange();
});
term.onData((data) => send({ type: "input", bytes: new TextEncoder().encode(data) }));
setInterval(refresh, REFRESH_MS);

async function load(): Promise<void> {
  try {
    [kernel, initramfs] = await Promise.all([fetchBytes(kernelUrl, "the Guest kernel"), fetchBytes(initramfsUrl, "the bundled initramfs")]);
  } catch (e) {
    setStatus("error", (e as Error).message);
    return;
  }
  const served = await busyboxServed();
  const option = byId<HTMLOptionElement>("program-busybox");
  option.disabled = !served;
  if (!served) {
    option.textContent = "busybox (not served: choose a program file)";
    programSelect.value = "demo";
  }
  programChanged();
  setStatus("idle", "choose a program and press Start");
}

void load();
