/**
 * The GDB stub's TCP side (Node only): listen on a port, take one connection, and pump its
 * bytes through a {@link GdbSession} until GDB detaches, kills or hangs up.
 *
 * Reference: GDB manual, "Connecting to a Remote Target" (`target remote :PORT` opens a TCP
 * connection; one debugger at a time).
 */
import { createServer, type Server, type Socket } from "node:net";
import { GdbSession } from "./session.js";
import type { GdbTarget } from "./target.js";

/*D:350 The stub listens on the loopback interface only, and for one connection. The remote
 * protocol has no authentication, and whoever speaks it can read and write every byte of the
 * machine, so the network at large must not reach it; someone who wants that can forward the
 * port over ssh, where the authentication is. One connection, because GDB's all-stop model
 * has one debugger owning the machine: a second client would see registers change under it.
 * When GDB goes away without a word (killed, network gone), the stub does what a detach would,
 * but only after the machine has stopped: the Launcher then takes the loop back, and two loops
 * must never run the same CPU at once. :*/

/** Options of {@link listenGdb}. */
export interface GdbServerOptions {
  /** TCP port; 0 lets the system choose one (read it back from {@link GdbServer.port}). */
  readonly port: number;
  /** Interface to listen on (default 127.0.0.1: the stub gives full control of the machine). */
  readonly host?: string;
}

/** How {@link GdbServer.serve} ended. */
export type GdbServeEnd = "detached" | "killed" | "disconnected";

/** A listening GDB stub. */
export interface GdbServer {
  /** The port it listens on. */
  readonly port: number;
  /** The interface it listens on. */
  readonly host: string;
  /**
   * Wait for one connection, then let GDB drive `target` until it detaches (`D`; breakpoints
   * removed), kills (`k`) or disconnects (breakpoints removed). Resolves only once the target
   * is stopped, so the caller may run the machine on. Listening stops at the first connection;
   * {@link GdbServer.close} before one makes it resolve `disconnected`.
   */
  serve(target: GdbTarget, onError?: (error: unknown) => void): Promise<GdbServeEnd>;
  /** Stop listening and drop a connection if there is one. */
  close(): void;
}

/**
 * Listen for GDB on `options.host:options.port`.
 * @throws (rejects with) Node's listen error, e.g. `code` EADDRINUSE or EACCES.
 */
export function listenGdb(options: GdbServerOptions): Promise<GdbServer> {
  const host = options.host ?? "127.0.0.1";
  const server: Server = createServer();
  let socket: Socket | null = null;
  let giveUp: () => void = () => {};
  const connected = new Promise<Socket | null>((resolve) => {
    giveUp = () => resolve(null);
    server.once("connection", (s) => {
      socket = s;
      server.close();
      resolve(s);
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, () => {
      server.off("error", reject);
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : options.port;
      resolve({
        port,
        host,
        close() {
          server.close();
          socket?.destroy();
          giveUp();
        },
        async serve(target, onError) {
          const s = await connected;
          if (s === null) return "disconnected";
          s.setNoDelay(true);
          const end = await new Promise<GdbServeEnd>((done) => {
            const session = new GdbSession(target, {
              send: (bytes) => {
                if (!s.destroyed) s.write(bytes);
              },
              onEnd: (how) => {
                s.end();
                done(how);
              },
              onError,
            });
            s.on("data", (chunk: Uint8Array) => session.receive(chunk));
            s.on("error", () => s.destroy());
            s.on("close", () => {
              if (session.ended !== null) return;
              session.ended = "detached";
              if (session.running) target.interrupt();
              const settle = () => {
                if (session.running) setTimeout(settle, 1);
                else {
                  target.clearBreakpoints();
                  done("disconnected");
                }
              };
              settle();
            });
          });
          return end;
        },
      });
    });
  });
}
