/**
 * What the end-to-end test needs around the page: the tools it cannot run without (checked
 * up front, so a missing one fails with a message instead of a skip), a built copy of the
 * page behind Vite's preview server on a free port, headless Chromium, and readers for the
 * terminal and the panels.
 */
import { existsSync, mkdtempSync, openSync, readSync, closeSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { build, type PreviewServer, preview } from "vite";

/*D:580 The viewer's end-to-end test is a claim about portability, so it checks the browser
 * against Node rather than against remembered output. It boots the same kernel and the same
 * program in Node first and takes what they print as the expected answer; then the page, in
 * headless Chromium, must print the same thing, and a whole run must end with the same
 * instruction and hypercall counts. Virtual time and a seeded Host make that a fair demand:
 * the machine does not know which JavaScript engine runs it, and cannot tell. :*/

/*D:590 Nothing is fetched while the tests run. The page is built into a temporary directory
 * and served by Vite's preview server on a free port, Chromium is the system's (Debian's
 * package, launched through playwright-core, which never downloads a browser here), and
 * busybox comes from the host's busybox-static. When one of them is missing, every test fails
 * and says which package to install: a test that quietly skips looks just like one that
 * passed. :*/

/** The viewer package's directory. */
export const VIEWER_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
/** Debian's chromium (never a downloaded browser). */
export const CHROMIUM = process.env.LGUEST_CHROMIUM ?? "/usr/bin/chromium";
/** The static i386 busybox the page's server hands out (vite.config.ts reads the same variable). */
export const BUSYBOX = process.env.LGUEST_VIEWER_BUSYBOX ?? "/bin/busybox";

function isI386Elf(file: string): boolean {
  const head = new Uint8Array(20);
  const fd = openSync(file, "r");
  try {
    readSync(fd, head, 0, 20, 0);
  } finally {
    closeSync(fd);
  }
  // "\x7fELF", ELFCLASS32, e_machine EM_386 (3).
  return head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46 && head[4] === 1 && head[18] === 3;
}

/**
 * Throw, with what to install, unless Chromium and an i386 busybox are there.
 * @throws Error naming the missing tool and the Debian package that provides it.
 */
export function requireTools(): void {
  const missing: string[] = [];
  if (!existsSync(CHROMIUM)) missing.push(`no Chromium at ${CHROMIUM}: install Debian's 'chromium' (or set LGUEST_CHROMIUM)`);
  if (!existsSync(BUSYBOX)) missing.push(`no busybox at ${BUSYBOX}: install 'busybox-static:i386' (or set LGUEST_VIEWER_BUSYBOX)`);
  else if (!isI386Elf(BUSYBOX)) missing.push(`${BUSYBOX} is not an i386 ELF: install 'busybox-static:i386' (or set LGUEST_VIEWER_BUSYBOX)`);
  if (missing.length > 0) throw new Error(`the web viewer's end-to-end test cannot run: ${missing.join("; ")}`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const address = s.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Build the page into a temporary directory and serve it; returns the server and its URL. */
export async function servePage(): Promise<{ server: PreviewServer; url: string; outDir: string }> {
  const outDir = mkdtempSync(join(tmpdir(), "littleguest-viewer-"));
  await build({ root: VIEWER_ROOT, logLevel: "warn", build: { outDir, emptyOutDir: true } });
  const port = await freePort();
  const server = await preview({ root: VIEWER_ROOT, logLevel: "warn", build: { outDir }, preview: { host: "127.0.0.1", port, strictPort: true } });
  return { server, url: `http://127.0.0.1:${port}/`, outDir };
}

/** The terminal's visible rows as text (trailing blanks dropped). */
export async function terminalLines(page: Page): Promise<string[]> {
  return page.$$eval(".xterm-rows > div", (rows) => rows.map((r) => (r.textContent ?? "").replace(/\u00a0/g, " ").trimEnd()));
}

/** Wait until some terminal row satisfies `pattern` (a regular expression source). */
export async function waitForLine(page: Page, pattern: RegExp, timeout: number): Promise<void> {
  await page.waitForFunction(
    ({ source, flags }) => {
      const re = new RegExp(source, flags);
      return [...document.querySelectorAll(".xterm-rows > div")].some((r) => re.test((r.textContent ?? "").replace(/\u00a0/g, " ").trimEnd()));
    },
    { source: pattern.source, flags: pattern.flags },
    { timeout },
  );
}

/** The leading number of a counter cell of the counters panel (NaN when it is not there). */
export async function counter(page: Page, key: string): Promise<number> {
  const text = await page.locator(`[data-counter="${key}"]`).first().textContent({ timeout: 10_000 });
  return Number.parseInt(text ?? "", 10);
}
