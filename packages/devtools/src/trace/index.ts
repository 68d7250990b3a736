// Public exports of the trace part of devtools (re-exported by src/index.ts).
export { TRACE_CATEGORIES, trapName } from "./events.js";
export type {
  ExitEvent,
  FaultEvent,
  HypercallEvent,
  InsnEvent,
  IrqEvent,
  PageFaultEvent,
  PageTableEvent,
  TraceCategory,
  TraceEvent,
  TrapEvent,
} from "./events.js";
export { parseTraceCategories, traceGuest } from "./tracer.js";
export type { TraceOptions } from "./tracer.js";
export { formatTraceEvent, formatTraceSummary, parseTraceLine, TRACE_CATEGORY_LIST, TraceSummarizer, traceEventToJson } from "./summary.js";
export type { Symbolizer, TraceSummary } from "./summary.js";
