import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoDbEventStorage } from "../../../functions/event-store/dynamodb-adapter.ts";
import { EventAlreadyExistsError } from "../../../functions/event-store/errors.ts";
import { streamStateProjection } from "../../../functions/event-store/projections.ts";
import { toNewEvent } from "../../../functions/event-store/record-handler.ts";
import { EventStore } from "../../../functions/event-store/store.ts";
import { ManualClock } from "../../../functions/shared/clock.ts";
import { describeEventStorageContract } from "../../unit/functions/event-store/storage-contract.ts";
import { cityEvent, stampContext } from "../../unit/functions/fixtures.ts";
import { type Dynamo, startDynamo } from "./dynalite.ts";

const at = (minute: number, second = 0) =>
  new Date(Date.UTC(2026, 10, 23, 15, minute, second)).toISOString();

describe("event store on DynamoDB (dynalite, real SDK v3 clients)", () => {
  let dynamo: Dynamo;
  let table = 0;

  beforeAll(async () => {
    dynamo = await startDynamo();
  });
  afterAll(async () => {
    await dynamo.close();
  });

  async function newStore(snapshotEvery = 50) {
    const name = `events-${++table}`;
    await dynamo.createEventsTable(name);
    const storage = new DynamoDbEventStorage(dynamo.documents, name);
    const store = new EventStore({
      storage,
      clock: new ManualClock(),
      projection: streamStateProjection,
      snapshotEvery,
    });
    return { name, storage, store };
  }

  it("appends idempotently: the same event twice is one version", async () => {
    const { store, storage } = await newStore();
    const e = toNewEvent(cityEvent("TrafficLightChanged", {}, { occurredAt: at(1) }));
    await store.append(e.streamId, [e]);
    const again = await store.append(e.streamId, [e]);
    expect(again.duplicates).toEqual([e.eventId]);
    expect(await storage.readHeadVersion(e.streamId)).toBe(1);
    expect((await store.readStream(e.streamId)).map((x) => x.eventId)).toEqual([e.eventId]);
  });

  it("conditional put: a stale expected version raises EventAlreadyExistsError", async () => {
    const { store } = await newStore();
    const ctx = stampContext("tlc-i12");
    const a = toNewEvent(cityEvent("TrafficLightChanged", {}, { ctx, occurredAt: at(1) }));
    const b = toNewEvent(cityEvent("TrafficLightChanged", {}, { ctx, occurredAt: at(2) }));
    await store.append(a.streamId, [a], { expectedVersion: 0 });
    await expect(store.append(b.streamId, [b], { expectedVersion: 0 })).rejects.toBeInstanceOf(
      EventAlreadyExistsError,
    );
  });

  it("several events in one commit item, readable by version and by time bucket", async () => {
    const { store, name } = await newStore();
    const ctx = stampContext("tlc-i12");
    const events = [0, 1, 2].map((i) =>
      toNewEvent(cityEvent("TrafficLightChanged", {}, { ctx, occurredAt: at(10, i) })),
    );
    const stream = events[0]?.streamId ?? "";
    await store.append(stream, events);
    const items = (await dynamo.documents.send(new ScanCommand({ TableName: name }))).Items ?? [];
    expect(items).toHaveLength(1); // the commit and nothing else: no per-event marker item
    const commits = items.filter((i) => i.kind === "commit");
    expect(commits).toHaveLength(1);
    expect(commits[0]).toMatchObject({
      pk: stream,
      sk: "0000000001",
      gsi1pk: "bucket#2026-11-23T15",
    });
    expect((await store.readStream(stream, 2)).map((e) => e.version)).toEqual([2, 3]);
    const range = await store.readTimeRange(at(9), at(11));
    expect(range.map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
  });

  it("snapshots and stateAt: the alert is ACTIVE at T+0:03", async () => {
    const { store, storage } = await newStore(1);
    const ctx = stampContext("weather-station-7");
    const issued = toNewEvent(cityEvent("WeatherAlertIssued", {}, { ctx, occurredAt: at(1) }));
    const cancelled = toNewEvent(
      cityEvent("WeatherAlertCancelled", {}, { ctx, occurredAt: at(5) }),
    );
    await store.append(issued.streamId, [issued]);
    await store.append(cancelled.streamId, [cancelled]);
    expect((await storage.latestSnapshot(issued.streamId))?.version).toBe(2);
    expect((await storage.latestSnapshot(issued.streamId, at(3)))?.version).toBe(1);
    expect((await store.stateAt(issued.streamId, at(3))).state.status).toBe("ACTIVE");
    expect((await store.stateAt(issued.streamId, at(6))).state.status).toBe("CANCELLED");
  });
});

describe("event store storage contract on DynamoDB (dynalite, real SDK v3 clients)", () => {
  let dynamo: Dynamo | undefined;
  let table = 0;
  beforeAll(async () => {
    dynamo = await startDynamo();
  });
  afterAll(async () => {
    await dynamo?.close();
  });
  describeEventStorageContract(
    "DynamoDB",
    async () => {
      if (!dynamo) throw new Error("dynalite did not start");
      const name = `contract-${++table}`;
      await dynamo.createEventsTable(name);
      return new DynamoDbEventStorage(dynamo.documents, name);
    },
    { returnsCollidingCommit: false },
  ); // dynalite ignores ReturnValuesOnConditionCheckFailure
});
