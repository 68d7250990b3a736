// Public exports of the journey part of devtools (re-exported by src/index.ts).
export {};
