/**
 * The port through which the local cloud's own hops (PutEvents, rule delivery, the queues, the
 * pipes, the Lambda runner) join the X-Ray trace of the work they carry: each hop opens a span
 * continuing the incoming trace header and passes on the span's header (Parent = that span), as
 * AWS's services do. Implemented by local/xray/tracing.ts; absent (undefined) when tracing is off.
 */

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
  const span = tracing.span(
    header,
    queueArn.slice(queueArn.lastIndexOf(":") + 1),
    "AWS::SQS::Queue",
    {
      ...(Number.isFinite(sent) ? { start: sent } : {}),
      ...(receives > 1 ? { annotations: { receiveCount: receives } } : {}),
    },
  );
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
