// Public exports of the symbols part of devtools (re-exported by src/index.ts).
export { makeSymbolizer, readElfSymbols, symbolAddress } from "./elf-symbols.js";
export type { ElfSymbol } from "./elf-symbols.js";
