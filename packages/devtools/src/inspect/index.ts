// Public exports of the inspect part of devtools (re-exported by src/index.ts).
export {};
