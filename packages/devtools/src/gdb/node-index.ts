// Public exports of the GDB stub's Node side (re-exported by src/node.ts).
export { listenGdb } from "./node-server.js";
export type { GdbServeEnd, GdbServer, GdbServerOptions } from "./node-server.js";
