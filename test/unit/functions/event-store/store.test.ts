import { describe, expect, it } from "vitest";
import { collidingCommitOf } from "../../../../functions/event-store/dynamodb-adapter.ts";
import {
  EventAlreadyExistsError,
  StreamMismatchError,
} from "../../../../functions/event-store/errors.ts";
import { timeBucket, versionKey } from "../../../../functions/event-store/keys.ts";
import { InMemoryEventStorage } from "../../../../functions/event-store/memory-adapter.ts";
import { streamStateProjection } from "../../../../functions/event-store/projections.ts";
import { toNewEvent } from "../../../../functions/event-store/record-handler.ts";
import { EventStore, type NewEvent } from "../../../../functions/event-store/store.ts";
import { ManualClock } from "../../../../functions/shared/clock.ts";
import { cityEvent, stampContext } from "../fixtures.ts";

function setup(snapshotEvery = 50) {
  const storage = new InMemoryEventStorage();
  const store = new EventStore({
    storage,
    clock: new ManualClock(),
    projection: streamStateProjection,
    snapshotEvery,
  });
  return { storage, store };
}

const at = (minute: number, second = 0) =>
  new Date(Date.UTC(2026, 10, 23, 15, minute, second)).toISOString();

function alertEvents(): { issued: NewEvent; cancelled: NewEvent } {
  const ctx = stampContext("weather-station-7");
  const issued = toNewEvent(cityEvent("WeatherAlertIssued", {}, { ctx, occurredAt: at(1) }));
  const cancelled = toNewEvent(cityEvent("WeatherAlertCancelled", {}, { ctx, occurredAt: at(5) }));
  return { issued, cancelled };
}

function lightChanges(n: number, ctx = stampContext("tlc-i12")): NewEvent[] {
  return Array.from({ length: n }, (_, i) =>
    toNewEvent(cityEvent("TrafficLightChanged", {}, { ctx, occurredAt: at(10, i) })),
  );
}

describe("EventStore.append", () => {
  it("gives consecutive versions and reads them back in order", async () => {
    const { store } = setup();
    const events = lightChanges(3);
    const stream = events[0]?.streamId ?? "";
    for (const e of events) await store.append(stream, [e]);
    const read = await store.readStream(stream);
    expect(read.map((e) => e.version)).toEqual([1, 2, 3]);
    expect(read.map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
  });

  it("treats a second delivery of the same event as a no-op, not a new version", async () => {
    const { store, storage } = setup();
    const [e] = lightChanges(1);
    if (!e) throw new Error("fixture");
    const first = await store.append(e.streamId, [e]);
    const second = await store.append(e.streamId, [e]);
    expect(first.appended).toHaveLength(1);
    expect(second.appended).toHaveLength(0);
    expect(second.duplicates).toEqual([e.eventId]);
    expect(await storage.readHeadVersion(e.streamId)).toBe(1);
    expect(storage.storedEventIds()).toEqual([e.eventId]);
  });

  it("writes several events of one stream as ONE commit", async () => {
    const { store, storage } = setup();
    const events = lightChanges(4);
    const stream = events[0]?.streamId ?? "";
    const result = await store.append(stream, events);
    expect(storage.putCommitCalls).toBe(1);
    expect(result.version).toBe(4);
    expect((await store.readStream(stream, 2, 3)).map((e) => e.version)).toEqual([2, 3]);
  });

  it("rejects a stale expected version with EventAlreadyExistsError carrying stream and version", async () => {
    const { store } = setup();
    const [a, b] = lightChanges(2);
    if (!a || !b) throw new Error("fixture");
    await store.append(a.streamId, [a], { expectedVersion: 0 });
    const error = await store
      .append(b.streamId, [b], { expectedVersion: 0 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventAlreadyExistsError);
    expect(error).toMatchObject({ streamId: a.streamId, version: 1, reason: "conflict" });
    expect((error as Error).message).toContain(a.streamId);
  });

  it("resolves a lost race at the head by re-reading it (no expected version given)", async () => {
    const { store, storage } = setup();
    const [a, b] = lightChanges(2);
    if (!a || !b) throw new Error("fixture");
    await Promise.all([store.append(a.streamId, [a]), store.append(b.streamId, [b])]);
    expect(await storage.readHeadVersion(a.streamId)).toBe(2);
    expect(storage.putCommitCalls).toBe(3); // one conflict, retried once
  });

  it("refuses an expected version ahead of the stream's head, naming both", async () => {
    const { store } = setup();
    const [a] = lightChanges(1);
    if (!a) throw new Error("fixture");
    await expect(store.append(a.streamId, [a], { expectedVersion: 3 })).rejects.toThrow(
      /is at version 0, before the expected version 3/,
    );
  });

  it("refuses an event of another stream, naming both streams", async () => {
    const { store } = setup();
    const [e] = lightChanges(1);
    if (!e) throw new Error("fixture");
    await expect(store.append("zone#z9", [e])).rejects.toThrow(StreamMismatchError);
    await expect(store.append("zone#z9", [e])).rejects.toThrow(/zone#z9/);
  });
});

describe("EventStore snapshots and replay", () => {
  it("snapshots every N events and the snapshot equals a full replay", async () => {
    const { store, storage } = setup(2);
    const events = lightChanges(5);
    const stream = events[0]?.streamId ?? "";
    for (const e of events) await store.append(stream, [e]);
    const snap = await storage.latestSnapshot(stream);
    expect(snap?.version).toBe(4);
    const replayed = events.reduce(
      (s, e, i) => streamStateProjection.apply(s, { ...e, version: i + 1 }),
      streamStateProjection.initial(stream),
    );
    expect((await store.state(stream)).state).toEqual(replayed);
  });

  it("stateAt replays to an instant: the alert is ACTIVE at T+0:03 and CANCELLED at T+0:06", async () => {
    const { store } = setup(1);
    const { issued, cancelled } = alertEvents();
    await store.append(issued.streamId, [issued]);
    await store.append(cancelled.streamId, [cancelled]);
    expect((await store.stateAt(issued.streamId, at(3))).state.status).toBe("ACTIVE");
    expect((await store.stateAt(issued.streamId, at(6))).state.status).toBe("CANCELLED");
    expect((await store.stateAt(issued.streamId, at(0))).state.status).toBe("NONE");
  });

  it("reads a time range across streams through the time buckets", async () => {
    const { store } = setup();
    const { issued, cancelled } = alertEvents();
    const lights = lightChanges(2);
    await store.append(issued.streamId, [issued]);
    await store.append(cancelled.streamId, [cancelled]);
    for (const e of lights) await store.append(e.streamId, [e]);
    const range = await store.readTimeRange(at(4), at(11));
    expect(range.map((e) => e.eventId)).toEqual([
      cancelled.eventId,
      ...lights.map((e) => e.eventId),
    ]);
  });
});

describe("event store keys", () => {
  it("zero-pads versions so they sort, and rejects one out of range with the value", () => {
    expect(versionKey(42)).toBe("0000000042");
    expect(versionKey(9) < versionKey(10)).toBe(true);
    expect(() => versionKey(-1)).toThrow(/-1 is out of range/);
    expect(timeBucket("2026-11-23T15:04:05.000Z")).toBe("bucket#2026-11-23T15");
  });
});

describe("DynamoDB adapter: the commit returned with a failed put", () => {
  it("reads ALL_OLD's wire-format item, and nothing from a failure without one", () => {
    const failure = Object.assign(new Error("The conditional request failed"), {
      name: "ConditionalCheckFailedException",
      Item: {
        firstVersion: { N: "2" },
        lastVersion: { N: "4" },
        committedAt: { S: "2026-11-23T16:00:00.000Z" },
        eventIds: { L: [{ S: "b" }, { S: "c" }, { S: "d" }] },
      },
    });
    expect(collidingCommitOf(failure)).toEqual({
      firstVersion: 2,
      lastVersion: 4,
      committedAt: "2026-11-23T16:00:00.000Z",
      eventIds: ["b", "c", "d"],
    });
    expect(collidingCommitOf(new Error("no item"))).toBeUndefined();
    expect(
      collidingCommitOf({ Item: { ...failure.Item, eventIds: { L: [{ N: "1" }] } } }),
    ).toBeUndefined();
  });
});
