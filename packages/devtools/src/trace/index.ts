// Public exports of the trace part of devtools (re-exported by src/index.ts).
export {};
