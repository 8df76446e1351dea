/**
 * The console's Traces tab data (docs/OPERATIONS.md "Traces"): recent traces from the local
 * cloud's trace store (local/xray/store.ts), searchable by trace id, event id, incident id or
 * correlation id, and one trace as a waterfall (local/xray/waterfall.ts).
 */
import type { TraceStore } from "../xray/store.ts";
import { waterfall } from "../xray/waterfall.ts";
import type { ConsoleTraces } from "./server.ts";

export function consoleTraces(store: TraceStore): ConsoleTraces {
  return {
    search: (query, limit) => ({ traces: store.search(query, limit), stats: store.stats() }),
    get: (traceId) => {
      const segments = store.get(traceId);
      return segments ? waterfall(traceId, segments) : undefined;
    },
  };
}
