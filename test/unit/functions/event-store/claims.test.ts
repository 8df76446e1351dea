import { describe, expect, it } from "vitest";
import { EventInFlightError } from "../../../../functions/event-store/errors.ts";
import { InMemoryEventStorage } from "../../../../functions/event-store/memory-adapter.ts";
import { streamStateProjection } from "../../../../functions/event-store/projections.ts";
import { toNewEvent } from "../../../../functions/event-store/record-handler.ts";
import { EventStore } from "../../../../functions/event-store/store.ts";
import { ManualClock } from "../../../../functions/shared/clock.ts";
import { cityEvent, stampContext } from "../fixtures.ts";

function setup() {
  const storage = new InMemoryEventStorage();
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
});
