/**
 * `@littleguest/devtools/node`: the parts of devtools that need Node (a TCP server for the GDB
 * stub, files). Everything else is in the main entry and runs in a browser too.
 */
export * from "./gdb/node-index.js";
export * from "./journey/node-journey.js";
