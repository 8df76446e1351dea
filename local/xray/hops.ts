/**
 * The port through which the local cloud's own hops (PutEvents, rule delivery, the queues, the
 * pipes, the Lambda runner) join the X-Ray trace of the work they carry: each hop opens a span
 * continuing the incoming trace header and passes on the span's header (Parent = that span), as
 * AWS's services do. Implemented by local/xray/tracing.ts; absent (undefined) when tracing is off.
 */

import { queueNameOf } from "../../events/arn.ts";
import { formatTraceHeader, newSegmentId, newTraceId, parseTraceHeader } from "./header.ts";

export interface SpanOutcome {
  /** The failure, shown on the span (a fault: the service or function failed). */
  readonly error?: string;
  /** A timeout, marked as such. */
  readonly timedOut?: boolean;
}

export interface SpanOptions {
  /** Epoch ms the span began. @default now */
  readonly start?: number;
  readonly annotations?: Readonly<Record<string, string | number | boolean>>;
  readonly metadata?: Readonly<Record<string, unknown>>;
}

export interface HopSpan {
  /** The header the work carries on: Parent = this span when the trace is sampled. */
  readonly header: string | undefined;
  /** Ends the span; a sampled trace's span is recorded now (once). */
  end(outcome?: SpanOutcome): void;
}

export interface HopTracing {
  /** A new trace's header, sampled by the sampling rule, for work that arrives with none. */
  rootHeader(): string;
  /**
   * A span named `name` (an X-Ray segment of `origin`, e.g. AWS::SQS::Queue) continuing `parent`;
   * recorded only when `parent` is a valid, sampled header.
   */
  span(parent: string | undefined, name: string, origin: string, options?: SpanOptions): HopSpan;
}

/** The AWSTraceHeader of a received message (local/queues/port.ts QueueMessage attributes). */
export const TRACE_ATTRIBUTE = "AWSTraceHeader";

/**
 * The span of a message's stay in a queue, from sent to received (one per receive: a message
 * received again shows again), and the header its consumer carries on.
 */
export function queueSpan(
  tracing: HopTracing | undefined,
  queueArn: string,
  attributes: Readonly<Record<string, string>>,
): string | undefined {
  const header = attributes[TRACE_ATTRIBUTE];
  if (!tracing || header === undefined) return header;
  const sent = Number(attributes.SentTimestamp);
  const receives = Number(attributes.ApproximateReceiveCount ?? "1");
  const span = tracing.span(header, queueNameOf(queueArn), "AWS::SQS::Queue", {
    ...(Number.isFinite(sent) ? { start: sent } : {}),
    ...(receives > 1 ? { annotations: { receiveCount: receives } } : {}),
  });
  span.end();
  return span.header;
}

const text = (v: unknown): v is string => typeof v === "string" && v !== "";

/**
 * What a city event's trace is searched by (docs/EVENTS.md envelope): its event id, correlation
 * id and incident id, and its type; only the fields present.
 */
export function eventAnnotations(detailType: string, detail: unknown): Record<string, string> {
  const d =
    typeof detail === "object" && detail !== null ? (detail as Record<string, unknown>) : {};
  const meta =
    typeof d.meta === "object" && d.meta !== null ? (d.meta as Record<string, unknown>) : {};
  return {
    detailType,
    ...(text(meta.eventId) ? { eventId: meta.eventId } : {}),
    ...(text(meta.correlationId) ? { correlationId: meta.correlationId } : {}),
    ...(text(d.incidentId) ? { incidentId: d.incidentId } : {}),
  };
}

/** Metadata keys of a batch link (an invocation recorded in another record's trace). */
export const LINK_TRACE = "batchTraceId";
export const LINK_SEGMENT = "batchSegmentId";

/**
 * Lambda's segments of one invocation, as Lambda records them: AWS::Lambda (the service: the
 * invoke, waiting for an environment included) and under it AWS::Lambda::Function (the
 * function's run), whose id is the Parent of the `_X_AMZN_TRACE_ID` the function runs with
 * (`functionHeader`). A batch runs in the trace of one record (`header`); each other record's
 * trace (`links`) gets an AWS::Lambda segment linking to it (the console's waterfall shows the
 * linked run in place, local/xray/links.ts).
 */
export function invocationSpans(
  tracing: HopTracing,
  functionName: string,
  header: string | undefined,
  links: readonly string[] = [],
): { readonly functionHeader: string | undefined; end(outcome?: SpanOutcome): void } {
  const service = tracing.span(header ?? tracing.rootHeader(), functionName, "AWS::Lambda");
  const fn = tracing.span(service.header, functionName, "AWS::Lambda::Function");
  const batch = service.header ? /Root=([^;]+);Parent=([0-9a-f]{16})/.exec(service.header) : null;
  const linked =
    batch?.[1] && batch[2]
      ? links.map((link) =>
          tracing.span(link, functionName, "AWS::Lambda", {
            metadata: { [LINK_TRACE]: batch[1], [LINK_SEGMENT]: batch[2] },
          }),
        )
      : [];
  return {
    functionHeader: lambdaHeader(fn.header),
    end: (outcome) => {
      fn.end(outcome);
      service.end(outcome);
      for (const span of linked) span.end(outcome);
    },
  };
}

/**
 * The `_X_AMZN_TRACE_ID` Lambda gives a function: always Root, Parent and Sampled, an unsampled
 * invocation too (Sampled=0 with a Parent of its own). Without a Parent the X-Ray SDK logs "missing
 * required information" for every subsegment and streams them to the daemon anyway; with
 * Sampled=0 it records nothing.
 */
export function lambdaHeader(header: string | undefined): string {
  const parsed = parseTraceHeader(header);
  if (header !== undefined && parsed?.parent) return header;
  return formatTraceHeader({
    root: parsed?.root ?? newTraceId(),
    parent: newSegmentId(),
    sampled: parsed?.sampled ?? false,
  });
}
