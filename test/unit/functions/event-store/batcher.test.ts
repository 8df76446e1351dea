import { Logger } from "@aws-lambda-powertools/logger";
import { Tracer } from "@aws-lambda-powertools/tracer";
import { describe, expect, it } from "vitest";
import { EventStoreStorageError } from "../../../../functions/event-store/errors.ts";
import { InMemoryEventStorage } from "../../../../functions/event-store/memory-adapter.ts";
import type { Commit } from "../../../../functions/event-store/port.ts";
import { streamStateProjection } from "../../../../functions/event-store/projections.ts";
import { StreamBatcher } from "../../../../functions/event-store/record-handler.ts";
import { EventStore } from "../../../../functions/event-store/store.ts";
import { processSqsBatch } from "../../../../functions/shared/batch.ts";
import { ManualClock } from "../../../../functions/shared/clock.ts";
import { BatchMetrics } from "../../../../functions/shared/observability.ts";
import { cityEvent, eventBridgeJson, sqsEvent, sqsRecord, stampContext } from "../fixtures.ts";
import { instrument } from "./storage-faults.ts";

/** Storage whose commits to one stream fail (fault injection: DynamoDB unavailable for it). */
class FailingStreamStorage extends InMemoryEventStorage {
  constructor(private readonly failing: string) {
    super();
  }
  override async putCommit(commit: Commit): Promise<void> {
    if (commit.streamId === this.failing) {
      throw new EventStoreStorageError(`injected: table unavailable for ${commit.streamId}`);
    }
    return super.putCommit(commit);
  }
}

describe("event-store batch: one commit per stream", () => {
  it("commits each stream's events together; a failed stream fails only its own records", async () => {
    const light = (intersectionId: string, ctx = stampContext()) =>
      cityEvent(
        "TrafficLightChanged",
        { location: { latitude: 1, longitude: 1, zone: "z1", intersectionId } },
        { ctx },
      );
    const c1 = stampContext("tlc-1");
    const c2 = stampContext("tlc-2");
    const [a1, a2, b1, a3] = [
      light("i-1", c1),
      light("i-1", c1),
      light("i-2", c2),
      light("i-1", c1),
    ];
    if (!a1 || !a2 || !b1 || !a3) throw new Error("fixture");
    const storage = new FailingStreamStorage("intersection#i-2");
    const store = new EventStore({
      storage,
      clock: new ManualClock(),
      projection: streamStateProjection,
    });
    const batcher = new StreamBatcher(store);
    const metrics = new BatchMetrics();
    const records = [a1, a2, b1, a3].map((e) =>
      sqsRecord(eventBridgeJson(e), { groupId: e.detail.meta.streamId }),
    );
    const { response, failures } = await processSqsBatch(
      sqsEvent(records),
      undefined,
      batcher.handleRecord,
      {
        logger: new Logger({ serviceName: "event-store", logLevel: "SILENT" }),
        tracer: new Tracer({ serviceName: "event-store", enabled: false }),
        metrics,
        clock: new ManualClock(),
      },
      batcher.commit,
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: records[2]?.messageId }]);
    expect(failures[0]?.reason).toBe("downstream");
    expect(storage.putCommitCalls).toBe(1);
    expect((await store.readStream("intersection#i-1")).map((e) => e.eventId)).toEqual(
      [a1, a2, a3].map((e) => e.detail.meta.eventId),
    );
    expect(metrics.snapshot().stored).toEqual({ TrafficLightChanged: 3 });
    expect(metrics.snapshot().handled).toEqual({ TrafficLightChanged: 3 });
  });

  it("a record whose commit was throttled succeeds when the same message is redelivered", async () => {
    /** The first commit put is throttled. */
    class ThrottledOnce extends InMemoryEventStorage {
      private throttled = false;
      override async putCommit(commit: Commit): Promise<void> {
        if (!this.throttled) {
          this.throttled = true;
          throw new EventStoreStorageError("injected: ProvisionedThroughputExceeded");
        }
        return super.putCommit(commit);
      }
    }
    const storage = new ThrottledOnce();
    const clock = new ManualClock();
    const store = new EventStore({ storage, clock, projection: streamStateProjection });
    const batcher = new StreamBatcher(store);
    const event = cityEvent("TrafficLightChanged", {}, { ctx: stampContext("tlc-9") });
    const deps = {
      logger: new Logger({ serviceName: "event-store", logLevel: "SILENT" }),
      tracer: new Tracer({ serviceName: "event-store", enabled: false }),
      metrics: new BatchMetrics(),
      clock,
    };
    const deliver = (receiveCount: number) =>
      processSqsBatch(
        sqsEvent([
          sqsRecord(eventBridgeJson(event), {
            groupId: event.detail.meta.streamId,
            messageId: "msg-redelivered",
            receiveCount,
          }),
        ]),
        undefined,
        batcher.handleRecord,
        deps,
        batcher.commit,
      );
    const first = await deliver(1);
    expect(first.response.batchItemFailures).toEqual([{ itemIdentifier: "msg-redelivered" }]);
    clock.advance(6_000); // backoff of 2 s then 4 s
    const second = await deliver(2);
    expect(second.response.batchItemFailures).toEqual([]);
    expect(storage.storedEventIds()).toEqual([event.detail.meta.eventId]);
  });

  it("a batch redelivered after its commit's answer was lost is acknowledged, each event stored once", async () => {
    const io = instrument(new InMemoryEventStorage());
    const clock = new ManualClock();
    // Two environments of the function over one table, each with its own cache.
    const [envA, envB] = [0, 1].map(
      () =>
        new StreamBatcher(
          new EventStore({ storage: io.storage, clock, projection: streamStateProjection }),
        ),
    );
    if (!envA || !envB) throw new Error("fixture");
    const ctx = stampContext("tlc-10");
    const [a, b] = [
      cityEvent("TrafficLightChanged", {}, { ctx }),
      cityEvent("TrafficLightChanged", {}, { ctx }),
    ];
    const group = a.detail.meta.streamId;
    // b arrives twice in one batch (two messages: a publisher retry past the FIFO dedup window)
    const batch = [a, b, b].map((e, i) =>
      sqsRecord(eventBridgeJson(e), { groupId: group, messageId: `msg-${i}` }),
    );
    const deps = {
      logger: new Logger({ serviceName: "event-store", logLevel: "SILENT" }),
      tracer: new Tracer({ serviceName: "event-store", enabled: false }),
      metrics: new BatchMetrics(),
      clock,
    };
    const deliver = (env: StreamBatcher<unknown>) =>
      processSqsBatch(sqsEvent(batch), undefined, env.handleRecord, deps, env.commit);
    io.losePutAnswers = 1;
    const lost = await deliver(envA);
    expect(lost.response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([
      "msg-0",
      "msg-1",
      "msg-2",
    ]);
    for (const env of [envA, envB]) {
      const again = await deliver(env);
      expect(again.response.batchItemFailures).toEqual([]);
    }
    expect(io.calls.putCommit).toBe(1); // the lost-answer commit only: redeliveries write nothing
    const stored = await new EventStore({
      storage: io.storage,
      clock,
      projection: streamStateProjection,
    }).readStream(group);
    expect(stored.map((e) => [e.version, e.eventId])).toEqual([
      [1, a.detail.meta.eventId],
      [2, b.detail.meta.eventId],
    ]);
  });
});
