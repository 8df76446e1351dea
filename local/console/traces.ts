/**
 * The console's Traces tab data (docs/OPERATIONS.md "Traces"): recent traces from the local
 * cloud's trace store (local/xray/store.ts), searchable by trace id, event id, incident id or
 * correlation id, and one trace as a waterfall (local/xray/waterfall.ts).
 */
import { traceWithLinks } from "../xray/links.ts";
import type { TraceStore } from "../xray/store.ts";
import type { LocalTracing } from "../xray/tracing.ts";
import { waterfall } from "../xray/waterfall.ts";
import type { ConsoleTraces } from "./server.ts";

export function consoleTraces(store: TraceStore): ConsoleTraces {
  return {
    search: (query, limit) => ({ traces: store.search(query, limit), stats: store.stats() }),
    get: (traceId) => {
      const segments = traceWithLinks(store, traceId);
      return segments ? waterfall(traceId, segments) : undefined;
    },
  };
}

/** Traces listed in each live message's `traces` (the newest first). */
export const LIVE_TRACES = 30;

/** The live feed's `traces`: the newest traces, the store's figures and the sampling rule. */
export function liveTraces(tracing: Pick<LocalTracing, "store" | "sampling">): () => unknown {
  const { reservoirPerSecond, fixedRate } = tracing.sampling;
  const sampling =
    fixedRate >= 1 ? "every trace" : `${reservoirPerSecond}/s + ${Math.round(fixedRate * 100)} %`;
  return () => ({
    recent: tracing.store.search(undefined, LIVE_TRACES),
    stats: tracing.store.stats(),
    sampling,
  });
}
