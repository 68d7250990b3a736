/**
 * The web viewer end to end: the page is built and served, headless Chromium opens it, and a
 * Guest boots in the page's worker. The browser must behave exactly as Node does: the same
 * machine code runs in both, so the same program prints the same bytes and a whole run ends
 * with the same counters.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { PAGE_STATUSES } from "@littleguest/devtools";
import { type GuestExit, GuestMachine } from "@littleguest/launcher-cli/machine";
import { type Browser, chromium, type Page } from "playwright-core";
import { PNG } from "pngjs";
import type { PreviewServer } from "vite";
import { afterAll, describe, expect, it } from "vitest";
import { demoBoot, programBoot } from "../src/boot-files.js";
import type { BootFiles } from "../src/protocol.js";
import { type Snapshot, takeSnapshot } from "../src/snapshot.js";
import { BUSYBOX, CHROMIUM, counter, requireTools, servePage, terminalLines, VIEWER_ROOT, waitForLine } from "./harness.js";

const require = createRequire(import.meta.url);
const kernel = () => new Uint8Array(readFileSync(require.resolve("@littleguest/guest-kernel/prebuilt/guest.elf")));
const initramfs = () => new Uint8Array(readFileSync(require.resolve("@littleguest/guest-kernel/prebuilt/initramfs.cpio")));

/** Boot `boot` in Node, as the worker does, and keep what the panels would show at its death. */
async function runInNode(boot: BootFiles): Promise<{ text: string; exit: GuestExit; last: Snapshot }> {
  const chunks: Uint8Array[] = [];
  const m = new GuestMachine({ ...boot, output: (b) => void chunks.push(b.slice()) });
  let last: Snapshot | null = null;
  m.guest.observer = { dying: () => void (last = takeSnapshot(m, { from: 0, to: 0xffc00000 })) };
  const exit = await m.run();
  const text = new TextDecoder().decode(Buffer.concat(chunks));
  return { text, exit, last: last ?? takeSnapshot(m, { from: 0, to: 0xffc00000 }) };
}

/** Generous: a Guest boots in about a second in Node; a cold browser and a slow CI runner take longer. */
const BOOT_MS = 90_000;
const VIEWPORT = { width: 1400, height: 1000 };

interface Session {
  readonly server: PreviewServer;
  readonly outDir: string;
  readonly url: string;
  readonly browser: Browser;
}

let session: Promise<Session> | undefined;

/**
 * The built page, its server and the browser, made once for the file. Each test awaits it, so
 * a missing tool fails every test with the message of {@link requireTools} (never a skip).
 */
function ready(): Promise<Session> {
  session ??= (async () => {
    requireTools();
    const { server, url, outDir } = await servePage();
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
    return { server, url, outDir, browser };
  })();
  return session;
}

/** A fresh page, with the page's errors collected. */
async function openPage(s: Session, errors: string[]): Promise<Page> {
  const page = await s.browser.newPage({ viewport: VIEWPORT, deviceScaleFactor: 1 });
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  await page.goto(s.url);
  await page.waitForSelector('#status[data-state="idle"]', { timeout: 30_000 });
  return page;
}

describe("the web viewer in headless Chromium", () => {
  afterAll(async () => {
    const s = await session?.catch(() => undefined);
    if (s === undefined) return;
    await s.browser.close();
    await s.server.close();
    rmSync(s.outDir, { recursive: true, force: true });
  });

  it("boots busybox sh, runs a typed command like Node does, and shows live panels", async () => {
    const s = await ready();
    const reference = await runInNode(programBoot(kernel(), "busybox", new Uint8Array(readFileSync(BUSYBOX)), ["uname", "-m"]));
    expect(reference.exit).toEqual({ kind: "poweroff", status: 0 });
    const machineName = reference.text.trim().split("\n").pop()!;
    expect(machineName).toMatch(/^\S+$/);

    const pageErrors: string[] = [];
    const page = await openPage(s, pageErrors);
    expect(await page.locator("#program").inputValue(), "the server hands out busybox, so the page offers it first").toBe("busybox");
    expect(await page.locator("#args").inputValue()).toBe("sh");
    await page.click("#start");
    await page.waitForSelector('#status[data-state="running"]', { timeout: BOOT_MS });
    // ash's prompt as root at /.
    await waitForLine(page, /[#$] ?$/, BOOT_MS);
    await page.waitForFunction(() => Number.parseInt(document.querySelector('[data-counter="instructions"]')?.textContent ?? "", 10) > 0, undefined, {
      timeout: 10_000,
    });
    const before = await counter(page, "instructions");

    await page.click(".xterm");
    await page.keyboard.type("echo hello-from-the-guest; uname -m");
    await page.keyboard.press("Enter");
    await waitForLine(page, /^hello-from-the-guest$/, BOOT_MS);
    await waitForLine(page, new RegExp(`^${machineName.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`), 20_000);
    const lines = await terminalLines(page);
    const at = lines.indexOf("hello-from-the-guest");
    expect(lines.some((l) => l.endsWith("echo hello-from-the-guest; uname -m")), "the shell echoes the command line").toBe(true);
    expect(lines[at + 1], "uname -m prints in the browser what it prints in Node").toBe(machineName);
    expect(lines.slice(at + 2).some((l) => /[#$] ?$/.test(l)), "the shell prompts again").toBe(true);

    // The panels follow the run: the command cost instructions and hypercalls (NOTIFY for the output at least).
    await page.waitForFunction((n) => Number.parseInt(document.querySelector('[data-counter="instructions"]')?.textContent ?? "", 10) > n, before, { timeout: 10_000 });
    expect(await counter(page, "instructions")).toBeGreaterThan(before);
    expect(await counter(page, "hypercalls")).toBeGreaterThan(0);
    expect(await counter(page, "exits")).toBeGreaterThan(0);
    expect(await counter(page, "hidden-faults")).toBeGreaterThan(0);
    expect(await page.locator('[data-counter="hypercalls-by-name"]').textContent()).toMatch(/^[A-Z_]+: \d+$/);
    const rows = page.locator("#page-table-rows tbody tr");
    expect(await rows.count()).toBeGreaterThan(0);
    const statuses = await rows.locator("td:last-child").allTextContents();
    expect(statuses.every((s) => (PAGE_STATUSES as readonly string[]).includes(s))).toBe(true);
    expect(statuses.filter((s) => s === "stale" || s === "differs"), "the shadow never disagrees with lguest's rules").toEqual([]);
    expect(await page.locator("#switcher tbody tr").count()).toBeGreaterThanOrEqual(3);
    expect(await page.locator('#switcher tr[data-role="regs"] td:last-child').allTextContents()).toContain("this vCPU's regs page (remapped)");

    // The picture: the right size, and a terminal that is not one flat colour.
    const png = PNG.sync.read(await page.screenshot());
    expect([png.width, png.height]).toEqual([VIEWPORT.width, VIEWPORT.height]);
    const box = (await page.locator(".xterm-screen").boundingBox())!;
    expect(box.width).toBeGreaterThan(100);
    const colours = new Set<number>();
    let lit = 0;
    const background = png.data.readUInt32BE(((Math.floor(box.y) + 1) * png.width + Math.floor(box.x) + box.width - 2) * 4);
    for (let y = Math.floor(box.y); y < Math.min(png.height, box.y + box.height); y++) {
      for (let x = Math.floor(box.x); x < Math.min(png.width, box.x + box.width); x++) {
        const v = png.data.readUInt32BE((y * png.width + x) * 4);
        colours.add(v);
        if (v !== background) lit++;
      }
    }
    expect(colours.size, "text is drawn in the terminal").toBeGreaterThan(8);
    expect(lit, "some of the terminal is not background").toBeGreaterThan(1000);
    mkdirSync(join(VIEWER_ROOT, ".tmp"), { recursive: true });
    writeFileSync(join(VIEWER_ROOT, ".tmp", "e2e-busybox.png"), PNG.sync.write(png));
    expect(pageErrors).toEqual([]);
  });

  it("runs the bundled demo to power-off with the same output and counters as Node", async () => {
    const s = await ready();
    const reference = await runInNode(demoBoot(kernel(), initramfs()));
    expect(reference.exit.kind).toBe("poweroff");

    const pageErrors: string[] = [];
    const page = await openPage(s, pageErrors);
    await page.selectOption("#program", "demo");
    expect(await page.locator("#args").isDisabled()).toBe(true);
    await page.click("#start");
    await page.waitForSelector('#status[data-state="ended"]', { timeout: BOOT_MS });
    const status = await page.locator("#status").textContent();
    expect(status).toContain(`powered off with status ${(reference.exit as { status: number }).status}`);

    const shown = (await terminalLines(page)).filter((l) => l !== "");
    expect(shown.length).toBeGreaterThan(0);
    // The terminal wraps long lines; every piece it shows is part of what Node printed.
    const flat = reference.text.replace(/\n/g, "");
    for (const line of shown) expect(flat).toContain(line);
    expect(shown.at(-1)).toBe(reference.text.trimEnd().split("\n").pop()!.slice(-shown.at(-1)!.length));

    // Virtual time and a seeded Host: the same run, counter for counter.
    await page.waitForFunction((n) => document.querySelector('[data-counter="instructions"]')?.textContent === String(n), reference.last.instructions, {
      timeout: 10_000,
    });
    expect(await counter(page, "hypercalls")).toBe(reference.last.hypercallTotal);
    expect(await counter(page, "exits")).toBe(reference.last.exitTotal);
    expect(await counter(page, "hidden-faults")).toBe(reference.last.shadow!.hiddenFaults);
    expect(await counter(page, "reflected-faults")).toBe(reference.last.shadow!.reflectedFaults);
    expect(await page.locator("#page-table-rows tbody tr").count()).toBe(reference.last.pageTables!.ranges.length);
    expect(pageErrors).toEqual([]);
  });
});
