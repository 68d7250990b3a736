// Node-only exports of the gdb part (re-exported by src/node.ts).
export {};
