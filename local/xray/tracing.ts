/**
 * Tracing in the local cloud (docs/OPERATIONS.md "Traces"): the trace store, the UDP daemon the
 * functions' X-Ray SDK sends to, the sampling rule, and the hop spans of the cloud's own services
 * (local/xray/hops.ts). Started by startLocalCloud; the Lambda runner takes `functionEnv` into
 * every function's environment, so the Powertools Tracer runs as it does on AWS.
 */
import { startTraceDaemon, type TraceDaemon } from "./daemon.ts";
import {
  formatTraceHeader,
  newSegmentId,
  newTraceId,
  parseTraceHeader,
  type TraceHeader,
} from "./header.ts";
import type { HopSpan, HopTracing, SpanOptions, SpanOutcome } from "./hops.ts";
import { DEFAULT_SAMPLING_RULE, SAMPLE_ALL, Sampler, type SamplingRule } from "./sampler.ts";
import type { SegmentDocument } from "./segment.ts";
import { TraceStore, type TraceStoreOptions } from "./store.ts";

export interface TracingOptions extends TraceStoreOptions {
  /** Where traces start (events published without a trace header, invocations without one). @default X-Ray's default rule */
  readonly sampling?: SamplingRule;
  /** Interface of the UDP daemon. @default 127.0.0.1 */
  readonly host?: string;
}

export interface LocalTracing extends HopTracing {
  readonly store: TraceStore;
  readonly daemon: TraceDaemon;
  readonly sampling: SamplingRule;
  /** Variables a function's environment needs for its X-Ray SDK to trace as on Lambda. */
  readonly functionEnv: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

const NOT_RECORDED = (header: string | undefined): HopSpan => ({ header, end: () => undefined });

export async function startTracing(options: TracingOptions = {}): Promise<LocalTracing> {
  const store = new TraceStore(options);
  const daemon = await startTraceDaemon(store, options.host ? { host: options.host } : {});
  const sampling = options.sampling ?? DEFAULT_SAMPLING_RULE;
  const sampler = new Sampler(sampling);
  const record = (doc: SegmentDocument) => store.add(doc);
  return {
    store,
    daemon,
    sampling,
    functionEnv: {
      AWS_XRAY_DAEMON_ADDRESS: daemon.address,
      // What makes the X-Ray SDK and the Powertools Tracer behave as on Lambda (a facade segment
      // per invocation from _X_AMZN_TRACE_ID, subsegments streamed to the daemon).
      AWS_EXECUTION_ENV: "AWS_Lambda_nodejs22.x",
      LAMBDA_TASK_ROOT: "/var/task",
      POWERTOOLS_TRACE_ENABLED: "true",
    },
    rootHeader: () => formatTraceHeader({ root: newTraceId(), sampled: sampler.sample() }),
    span: (parent, name, origin, spanOptions) => {
      const incoming = parseTraceHeader(parent);
      if (!incoming?.sampled) return NOT_RECORDED(parent);
      return openSpan(incoming, name, origin, spanOptions ?? {}, record);
    },
    stop: () => daemon.stop(),
  };
}

function openSpan(
  incoming: TraceHeader,
  name: string,
  origin: string,
  options: SpanOptions,
  record: (doc: SegmentDocument) => void,
): HopSpan {
  const id = newSegmentId();
  const start = options.start ?? Date.now();
  let ended = false;
  return {
    header: formatTraceHeader({ root: incoming.root, parent: id, sampled: true }),
    end: (outcome?: SpanOutcome) => {
      if (ended) return;
      ended = true;
      const failed = outcome?.error !== undefined || outcome?.timedOut === true;
      const message = outcome?.timedOut ? "Task timed out" : outcome?.error;
      record({
        id,
        trace_id: incoming.root,
        ...(incoming.parent ? { parent_id: incoming.parent } : {}),
        name,
        origin,
        start_time: start / 1000,
        end_time: Math.max(start, Date.now()) / 1000,
        ...(failed
          ? { fault: true, cause: { exceptions: [{ message: message ?? "failed" }] } }
          : {}),
        ...(options.annotations || outcome?.timedOut
          ? {
              annotations: {
                ...options.annotations,
                ...(outcome?.timedOut ? { timedOut: true } : {}),
              },
            }
          : {}),
        ...(options.metadata ? { metadata: { local: options.metadata } } : {}),
      });
    },
  };
}

/** What BUZZVILLE_TRACING allows. */
export const TRACING_MODES = ["sampled", "all", "off"] as const;

export class TracingConfigError extends Error {
  override readonly name = "TracingConfigError";
}

/**
 * The tracing the environment asks for: BUZZVILLE_TRACING = "sampled" (the default: X-Ray's
 * default rule), "all" (every trace) or "off".
 */
export function tracingFromEnv(env: NodeJS.ProcessEnv = process.env): TracingOptions | false {
  const mode = (env.BUZZVILLE_TRACING ?? "sampled").trim().toLowerCase();
  if (mode === "off") return false;
  if (mode === "all") return { sampling: SAMPLE_ALL };
  if (mode === "sampled" || mode === "") return {};
  throw new TracingConfigError(
    `BUZZVILLE_TRACING=${JSON.stringify(env.BUZZVILLE_TRACING)} is not a tracing mode; allowed: ${TRACING_MODES.join(", ")}`,
  );
}
