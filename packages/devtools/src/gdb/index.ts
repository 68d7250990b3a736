// Public exports of the gdb part of devtools (re-exported by src/index.ts).
export {};
