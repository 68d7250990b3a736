import { existsSync, readFileSync, statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { defineConfig, type Plugin } from "vite";

/** The host file served as programs/busybox (Debian's busybox-static is a static i386 ELF). */
export function busyboxPath(): string {
  return process.env.LGUEST_VIEWER_BUSYBOX ?? "/bin/busybox";
}

/**
 * Serves the host's busybox at `programs/busybox` from the dev and preview servers, so the
 * page can offer an interactive shell without a binary in the repository or in `dist`.
 */
export function servePrograms(): Plugin {
  const handle = (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    if ((req.url ?? "").split("?")[0] !== "/programs/busybox") {
      next();
      return;
    }
    const file = busyboxPath();
    if (!existsSync(file) || !statSync(file).isFile()) {
      res.statusCode = 404;
      res.setHeader("Content-Type", "text/plain");
      res.end(`no busybox at ${file}; install busybox-static:i386 or set LGUEST_VIEWER_BUSYBOX`);
      return;
    }
    const bytes = readFileSync(file);
    res.setHeader("Content-Type", "application/octet-stream");
    res.setHeader("Content-Length", String(bytes.length));
    res.setHeader("Cache-Control", "no-store");
    res.end(req.method === "HEAD" ? undefined : bytes);
  };
  return {
    name: "littleguest-programs",
    configureServer: (server) => void server.middlewares.use(handle),
    configurePreviewServer: (server) => void server.middlewares.use(handle),
  };
}

export default defineConfig({
  base: "./",
  // No single-page fallback: a path that does not exist is a 404, so the page can tell
  // whether busybox is served.
  appType: "mpa",
  plugins: [servePrograms()],
  worker: { format: "es" },
  build: { target: "es2022", chunkSizeWarningLimit: 2048 },
  server: { fs: { allow: ["../.."] } },
});
