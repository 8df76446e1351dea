import { describe, expect, it } from "vitest";
import {
  EventInFlightError,
  EventStoreStorageError,
} from "../../../../functions/event-store/errors.ts";
import { InMemoryEventStorage } from "../../../../functions/event-store/memory-adapter.ts";
import type { Commit, EventMarker } from "../../../../functions/event-store/port.ts";
import { streamStateProjection } from "../../../../functions/event-store/projections.ts";
import { toNewEvent } from "../../../../functions/event-store/record-handler.ts";
import { EventStore } from "../../../../functions/event-store/store.ts";
import { ManualClock } from "../../../../functions/shared/clock.ts";
import { cityEvent, stampContext } from "../fixtures.ts";

/**
 * Fault injection: the next `failCommits` commit puts fail (a DynamoDB throttle), and releasing
 * claims can be made to fail too (so only a stable claim owner can recover the claim).
 */
class FlakyStorage extends InMemoryEventStorage {
  failCommits = 0;
  failReleases = false;
  override async putCommit(commit: Commit): Promise<void> {
    if (this.failCommits > 0) {
      this.failCommits -= 1;
      throw new EventStoreStorageError(`injected: throttled put of ${commit.streamId}`);
    }
    return super.putCommit(commit);
  }
  override async releaseMarker(marker: EventMarker): Promise<void> {
    if (this.failReleases) throw new EventStoreStorageError("injected: throttled release");
    return super.releaseMarker(marker);
  }
}

function setup() {
  const storage = new FlakyStorage();
  const clock = new ManualClock();
  const store = new EventStore({
    storage,
    clock,
    projection: streamStateProjection,
    claimLeaseMs: 60_000,
  });
  return { storage, store, clock };
}

const change = (ctx = stampContext("tlc-i12")) =>
  toNewEvent(cityEvent("TrafficLightChanged", {}, { ctx }));

describe("event-store claims (conditional marker puts)", () => {
  it("two concurrent appends of the same event store it once", async () => {
    const { storage, store } = setup();
    const e = change();
    const results = await Promise.allSettled([
      store.append(e.streamId, [e]),
      store.append(e.streamId, [e]),
    ]);
    const ok = results.filter((r) => r.status === "fulfilled");
    const appended = ok.flatMap((r) => (r.status === "fulfilled" ? r.value.appended : []));
    expect(appended.map((x) => x.version)).toEqual([1]);
    for (const r of results) {
      if (r.status === "rejected") expect(r.reason).toBeInstanceOf(EventInFlightError);
    }
    // the loser's retry sees the event stored
    const retry = await store.append(e.streamId, [e]);
    expect(retry.duplicates).toEqual([e.eventId]);
    expect(storage.storedEventIds()).toEqual([e.eventId]);
  });

  it("concurrent appends of different events of one stream get consecutive versions", async () => {
    const { storage, store } = setup();
    const ctx = stampContext("tlc-i13");
    const a = change(ctx);
    const b = change(ctx);
    await Promise.all([store.append(a.streamId, [a]), store.append(b.streamId, [b])]);
    const read = await store.readStream(a.streamId);
    expect(read.map((x) => x.version)).toEqual([1, 2]);
    expect(storage.storedEventIds().sort()).toEqual([a.eventId, b.eventId].sort());
    expect(await store.isStored(a.eventId)).toBe(true);
    expect(await store.isStored(b.eventId)).toBe(true);
  });

  it("re-claims a crashed writer's claim once its lease has expired", async () => {
    const { storage, store, clock } = setup();
    const e = change();
    await storage.claimMarker({
      eventId: e.eventId,
      streamId: e.streamId,
      version: 1,
      owner: "crashed-writer",
      claimedAt: clock.now(),
    });
    await expect(store.append(e.streamId, [e])).rejects.toBeInstanceOf(EventInFlightError);
    clock.advance(60_001);
    const result = await store.append(e.streamId, [e]);
    expect(result.appended.map((x) => x.version)).toEqual([1]);
    expect(await store.isStored(e.eventId)).toBe(true);
  });

  it("re-claims at once a claim whose version another commit took", async () => {
    const { storage, store, clock } = setup();
    const ctx = stampContext("tlc-i14");
    const first = change(ctx);
    const e = change(ctx);
    await store.append(first.streamId, [first]); // version 1 holds `first`
    await storage.claimMarker({
      eventId: e.eventId,
      streamId: e.streamId,
      version: 1,
      owner: "lost-the-race",
      claimedAt: clock.now(),
    });
    const result = await store.append(e.streamId, [e]);
    expect(result.appended.map((x) => x.version)).toEqual([2]);
  });

  it("a batch with an already stored event keeps the fresh events' markers at their versions", async () => {
    const { store } = setup();
    const ctx = stampContext("tlc-i15");
    const a = change(ctx);
    const b = change(ctx);
    const c = change(ctx);
    await store.append(a.streamId, [a]);
    const result = await store.append(a.streamId, [b, a, c]);
    expect(result.duplicates).toEqual([a.eventId]);
    expect(result.appended.map((x) => [x.eventId, x.version])).toEqual([
      [b.eventId, 2],
      [c.eventId, 3],
    ]);
    expect(await store.isStored(b.eventId)).toBe(true);
    expect(await store.isStored(c.eventId)).toBe(true);
  });

  it("a redelivered message re-claims its own claim after a failed commit (no lease wait)", async () => {
    const { storage, store, clock } = setup();
    const e = { ...change(), claimOwner: "msg-1" };
    storage.failCommits = 1;
    storage.failReleases = true; // the claim stays behind, as after a crash
    await expect(store.append(e.streamId, [e])).rejects.toBeInstanceOf(EventStoreStorageError);
    expect((await storage.getMarker(e.eventId))?.owner).toBe("msg-1");
    clock.advance(6_000); // the record's backoff, far inside the 60 s lease
    storage.failReleases = false;
    const result = await store.append(e.streamId, [e]); // the same SQS message, redelivered
    expect(result.appended.map((x) => x.version)).toEqual([1]);
    expect(storage.storedEventIds()).toEqual([e.eventId]);
  });

  it("a failed append releases its claims, so another writer of the event need not wait", async () => {
    const { storage, store, clock } = setup();
    const e = { ...change(), claimOwner: "msg-1" };
    storage.failCommits = 1;
    await expect(store.append(e.streamId, [e])).rejects.toBeInstanceOf(EventStoreStorageError);
    expect(await storage.getMarker(e.eventId)).toBeUndefined();
    clock.advance(1_000);
    const other = await store.append(e.streamId, [{ ...e, claimOwner: "msg-2" }]);
    expect(other.appended.map((x) => x.eventId)).toEqual([e.eventId]);
  });

  it("a claim in flight elsewhere fails the append and releases the claims it took", async () => {
    const { storage, store, clock } = setup();
    const ctx = stampContext("tlc-i16");
    const a = { ...change(ctx), claimOwner: "msg-a" };
    const b = { ...change(ctx), claimOwner: "msg-b" };
    await storage.claimMarker({
      eventId: b.eventId,
      streamId: b.streamId,
      version: 2,
      owner: "msg-other",
      claimedAt: clock.now(),
    });
    await expect(store.append(a.streamId, [a, b])).rejects.toBeInstanceOf(EventInFlightError);
    expect(await storage.getMarker(a.eventId)).toBeUndefined();
    expect((await storage.getMarker(b.eventId))?.owner).toBe("msg-other"); // not ours: kept
  });

  it("two different messages carrying the same event still exclude each other", async () => {
    const { storage, store, clock } = setup();
    const e = change();
    storage.failCommits = 1;
    storage.failReleases = true;
    await expect(store.append(e.streamId, [{ ...e, claimOwner: "msg-1" }])).rejects.toBeInstanceOf(
      EventStoreStorageError,
    );
    clock.advance(6_000);
    await expect(store.append(e.streamId, [{ ...e, claimOwner: "msg-2" }])).rejects.toBeInstanceOf(
      EventInFlightError,
    );
    expect(storage.storedEventIds()).toEqual([]);
  });

  it("a redelivered message whose commit did land is acknowledged, not stored twice", async () => {
    const { storage, store } = setup();
    const e = { ...change(), claimOwner: "msg-1" };
    await store.append(e.streamId, [e]);
    const again = await store.append(e.streamId, [e]); // ack lost: the same message again
    expect(again.duplicates).toEqual([e.eventId]);
    expect(storage.storedEventIds()).toEqual([e.eventId]);
  });
});
