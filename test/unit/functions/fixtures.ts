/** Test fixtures: valid city events from the catalog's examples, and SQS events carrying them. */
import type { SQSEvent, SQSRecord } from "aws-lambda";
import type { AnyCityEvent, PayloadInputOf } from "../../../events/catalog.ts";
import { CATALOG } from "../../../events/catalog.ts";
import { createStampContext, type StampContext, stampDraft } from "../../../events/draft.ts";
import type { EventType } from "../../../events/names.ts";
import { seededRandom } from "../../../functions/shared/backoff.ts";

export const T0 = Date.parse("2026-11-23T15:00:00.000Z");

let seeds = 0;

/** A producer's stamp context; each call gets its own seed, so ids never collide across producers. */
export function stampContext(producerId = "test-producer", seed = ++seeds): StampContext {
  let now = T0;
  return createStampContext({ producerId, now: () => (now += 1000), random: seededRandom(seed) });
}

/** A valid event of `type`: the catalog's example payload with `overrides` merged in. */
export function cityEvent<T extends EventType>(
  type: T,
  overrides: Partial<PayloadInputOf<T>> = {},
  options: {
    ctx?: StampContext;
    occurredAt?: string;
    eventId?: string;
    priority?: "critical" | "high" | "normal" | "info";
    correlationId?: string;
  } = {},
): AnyCityEvent {
  const payload = { ...(CATALOG[type].example as object), ...overrides } as PayloadInputOf<T>;
  return stampDraft(
    {
      type,
      payload,
      ...(options.occurredAt ? { occurredAt: options.occurredAt } : {}),
      ...(options.eventId ? { eventId: options.eventId } : {}),
      ...(options.priority ? { priority: options.priority } : {}),
      ...(options.correlationId ? { correlationId: options.correlationId } : {}),
    } as never,
    options.ctx ?? stampContext(),
  );
}

let messageCounter = 0;

/** The EventBridge event JSON as a rule delivers it to SQS. */
export function eventBridgeJson(event: AnyCityEvent): string {
  return JSON.stringify({
    version: "0",
    id: `eb-${event.detail.meta.eventId}`,
    "detail-type": event.detailType,
    source: event.source,
    account: "000000000000",
    time: event.detail.meta.occurredAt,
    region: "us-east-1",
    resources: [],
    detail: event.detail,
  });
}

export function sqsRecord(
  body: string,
  options: { queue?: string; groupId?: string; receiveCount?: number; messageId?: string } = {},
): SQSRecord {
  messageCounter += 1;
  const queue = options.queue ?? (options.groupId ? "work.fifo" : "work");
  return {
    messageId: options.messageId ?? `m-${messageCounter}`,
    receiptHandle: `rh-${messageCounter}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(options.receiveCount ?? 1),
      SentTimestamp: String(T0),
      SenderId: "test",
      ApproximateFirstReceiveTimestamp: String(T0),
      ...(options.groupId
        ? { MessageGroupId: options.groupId, MessageDeduplicationId: `d-${messageCounter}` }
        : {}),
    },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${queue}`,
    awsRegion: "us-east-1",
  };
}

export function sqsEvent(records: SQSRecord[]): SQSEvent {
  return { Records: records };
}
