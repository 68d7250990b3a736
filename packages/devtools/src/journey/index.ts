// Public exports of the journey part of devtools (re-exported by src/index.ts).
export { assembleJourney, extractPassages, JOURNEY_CHAPTERS } from "./journey.js";
export type { Passage, SourceText } from "./journey.js";
