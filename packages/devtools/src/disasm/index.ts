// Public exports of the disasm part of devtools (re-exported by src/index.ts).
export {};
