import { Logger } from "@aws-lambda-powertools/logger";
import { Tracer } from "@aws-lambda-powertools/tracer";
import { describe, expect, it } from "vitest";
import type { AnyCityEvent } from "../../../../events/catalog.ts";
import { InMemoryVisibility, seededRandom } from "../../../../functions/shared/backoff.ts";
import { processSqsBatch, type RecordHandler } from "../../../../functions/shared/batch.ts";
import { ManualClock } from "../../../../functions/shared/clock.ts";
import { InMemoryDeadLetters } from "../../../../functions/shared/dead-letter.ts";
import { InMemoryDocumentStore } from "../../../../functions/shared/documents.ts";
import { DownstreamError } from "../../../../functions/shared/errors.ts";
import { DynamoDbFailureLog } from "../../../../functions/shared/failure-log.ts";
import { BatchMetrics } from "../../../../functions/shared/observability.ts";
import { cityEvent, eventBridgeJson, sqsEvent, sqsRecord, stampContext } from "../fixtures.ts";

function deps() {
  const visibility = new InMemoryVisibility();
  const docs = new InMemoryDocumentStore();
  const failureLog = new DynamoDbFailureLog(docs);
  const metrics = new BatchMetrics();
  return {
    visibility,
    failureLog,
    metrics,
    deps: {
      logger: new Logger({ serviceName: "test", logLevel: "SILENT" }),
      tracer: new Tracer({ serviceName: "test", enabled: false }),
      metrics,
      clock: new ManualClock(),
      visibility,
      failureLog,
      backoff: { baseSeconds: 2, maxSeconds: 60, jitter: 0 },
      random: seededRandom(1),
    },
  };
}

/** Fails events whose controllerId / sensor id is "boom". */
const failOnBoom: RecordHandler = async (event) => {
  const d = event.detail as { controllerId?: string };
  if (d.controllerId === "boom") throw new DownstreamError("downstream said no");
  return "ok";
};

const light = (controllerId: string, intersectionId: string, ctx = stampContext()) =>
  cityEvent(
    "TrafficLightChanged",
    {
      controllerId,
      location: { latitude: 1, longitude: 1, zone: "z1", intersectionId },
    },
    { ctx },
  );

const rec = (e: AnyCityEvent, groupId?: string, receiveCount = 1) =>
  sqsRecord(eventBridgeJson(e), { ...(groupId ? { groupId } : {}), receiveCount });

describe("batch processing (standard queue)", () => {
  it("fails a malformed record alone, naming the field; its neighbours are handled", async () => {
    const { deps: d, metrics } = deps();
    const good1 = rec(light("tlc-1", "i-1"));
    const bad = sqsRecord(
      eventBridgeJson(light("tlc-2", "i-2")).replace('"zone":"z1"', '"zone":"nowhere"'),
    );
    const good2 = rec(light("tlc-3", "i-3"));
    const { response, failures } = await processSqsBatch(
      sqsEvent([good1, bad, good2]),
      undefined,
      failOnBoom,
      d,
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: bad.messageId }]);
    expect(failures[0]?.reason).toBe("validation");
    expect(failures[0]?.message).toMatch(/zone/);
    expect(metrics.snapshot().handled).toEqual({ TrafficLightChanged: 2 });
    expect(metrics.snapshot().failures).toEqual({ validation: 1 });
  });

  it("backs off failed records exponentially by receive count and records them for the DLQ tool", async () => {
    const { deps: d, visibility, failureLog } = deps();
    const r1 = rec(light("boom", "i-1"), undefined, 1);
    const r3 = rec(light("boom", "i-2"), undefined, 3);
    await processSqsBatch(sqsEvent([r1, r3]), undefined, failOnBoom, d);
    expect(visibility.changes.map((c) => c.seconds)).toEqual([2, 8]);
    const logged = await failureLog.get(r3.messageId);
    expect(logged).toMatchObject({ reason: "downstream", receiveCount: 3, failures: 1 });
    expect(logged?.queueArn).toBe(r3.eventSourceARN);
  });
});

describe("batch processing (empty event)", () => {
  it("answers an event without records (a scheduled sweep invocation) with no failures", async () => {
    const { deps: d } = deps();
    let commits = 0;
    const { response } = await processSqsBatch(
      { Records: [] },
      undefined,
      failOnBoom,
      d,
      async () => {
        commits += 1; // the commit step runs: services sweep there
        return [];
      },
    );
    expect(response).toEqual({ batchItemFailures: [] });
    expect(commits).toBe(1);
  });

  it("a failing sweep in an empty event's commit is logged, not thrown", async () => {
    const { deps: d } = deps();
    const { response } = await processSqsBatch({ Records: [] }, undefined, failOnBoom, d, () =>
      Promise.reject(new Error("injected: read models unavailable")),
    );
    expect(response).toEqual({ batchItemFailures: [] });
  });
});

describe("batch processing (FIFO queue)", () => {
  it("stops a group at its first failure and fails the rest of that group, not other groups", async () => {
    const { deps: d, metrics } = deps();
    const a1 = rec(light("tlc-a", "i-1"), "i-1");
    const a2 = rec(light("boom", "i-1"), "i-1");
    const a3 = rec(light("tlc-a", "i-1"), "i-1");
    const b1 = rec(light("tlc-b", "i-2"), "i-2");
    const b2 = rec(light("tlc-b", "i-2"), "i-2");
    const seen: string[] = [];
    const handler: RecordHandler = async (event, ctx) => {
      seen.push(ctx.record.messageId);
      return failOnBoom(event, ctx);
    };
    const { response } = await processSqsBatch(
      sqsEvent([a1, a2, b1, a3, b2]),
      undefined,
      handler,
      d,
    );
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([
      a2.messageId,
      a3.messageId,
    ]);
    // In order within each group; a3 never tried. Groups interleave.
    expect(seen.filter((id) => [a1, a2, a3].some((r) => r.messageId === id))).toEqual([
      a1.messageId,
      a2.messageId,
    ]);
    expect(seen.filter((id) => [b1, b2].some((r) => r.messageId === id))).toEqual([
      b1.messageId,
      b2.messageId,
    ]);
    expect(metrics.snapshot().handled).toEqual({ TrafficLightChanged: 3 });
  });

  it("processes different groups concurrently (group A waits for group B to start)", async () => {
    const { deps: d } = deps();
    const a1 = rec(light("tlc-a", "i-1"), "i-1");
    const b1 = rec(light("tlc-b", "i-2"), "i-2");
    let bStarted!: () => void;
    const started = new Promise<void>((resolve) => {
      bStarted = resolve;
    });
    const handler: RecordHandler = async (_event, ctx) => {
      if (ctx.record.messageId === b1.messageId) bStarted();
      else await started; // sequential processing would never get here
    };
    const { response } = await processSqsBatch(sqsEvent([a1, b1]), undefined, handler, d);
    expect(response.batchItemFailures).toEqual([]);
  });

  it("dead-letters a malformed record with its reason and ACKs it: the rest of its group proceeds", async () => {
    const { deps: d, metrics, visibility, failureLog } = deps();
    const deadLetters = new InMemoryDeadLetters();
    const ctx = stampContext();
    const first = rec(light("tlc-a", "i-1", ctx), "i-1");
    const bad = sqsRecord(
      eventBridgeJson(light("tlc-a", "i-1", ctx)).replace('"zone":"z1"', '"zone":"nowhere"'),
      { groupId: "i-1" },
    );
    const last = rec(light("tlc-a", "i-1", ctx), "i-1");
    const seen: string[] = [];
    const handler: RecordHandler = async (_e, c) => {
      seen.push(c.record.messageId);
    };
    const { response } = await processSqsBatch(sqsEvent([first, bad, last]), undefined, handler, {
      ...d,
      deadLetters,
    });
    expect(response.batchItemFailures).toEqual([]);
    expect(seen).toEqual([first.messageId, last.messageId]);
    expect(deadLetters.sent).toHaveLength(1);
    expect(deadLetters.sent[0]).toMatchObject({
      messageId: bad.messageId,
      body: bad.body,
      groupId: "i-1",
      reason: "validation",
    });
    expect(deadLetters.sent[0]?.message).toMatch(/zone/);
    expect(visibility.changes).toEqual([]);
    expect(metrics.snapshot().failures).toEqual({ validation: 1 });
    expect(await failureLog.get(bad.messageId)).toMatchObject({ reason: "validation" });
  });

  it("a redriven copy dead-lettered again keeps the id of the DLQ message it was made from", async () => {
    const { deps: d } = deps();
    const deadLetters = new InMemoryDeadLetters();
    const bad = sqsRecord("not json");
    bad.messageAttributes = { redriveOf: { dataType: "String", stringValue: "dlq-msg-1" } };
    await processSqsBatch(sqsEvent([bad]), undefined, async () => {}, { ...d, deadLetters });
    expect(deadLetters.sent[0]).toMatchObject({ messageId: bad.messageId, redriveOf: "dlq-msg-1" });
  });

  it("when the DLQ cannot take a malformed record it is a batch item failure again", async () => {
    const { deps: d } = deps();
    const broken = {
      send: async () => Promise.reject(new DownstreamError("no RedrivePolicy")),
    };
    const bad = sqsRecord('{"not":"an event"}', { groupId: "i-1" });
    const { response } = await processSqsBatch(sqsEvent([bad]), undefined, async () => {}, {
      ...d,
      deadLetters: broken,
    });
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: bad.messageId }]);
  });
});
