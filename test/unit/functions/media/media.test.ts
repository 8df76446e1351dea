import { describe, expect, it } from "vitest";
import { InMemoryMediaChannel } from "../../../../functions/media/channel.ts";
import { MediaService } from "../../../../functions/media/service.ts";
import { CircuitBreaker, InMemoryBreakerStore } from "../../../../functions/shared/breaker.ts";
import { ManualClock } from "../../../../functions/shared/clock.ts";
import { InMemoryBus } from "../../../../functions/shared/derived.ts";
import { InMemoryDocumentStore } from "../../../../functions/shared/documents.ts";
import { cityEvent } from "../fixtures.ts";

function setup() {
  const clock = new ManualClock();
  const channel = new InMemoryMediaChannel();
  const bus = new InMemoryBus();
  const docs = new InMemoryDocumentStore();
  const service = new MediaService({
    docs,
    channel,
    breaker: new CircuitBreaker({ name: "media", store: new InMemoryBreakerStore(), clock }),
    bus: bus.publisher("media", () => clock.now()),
    clock,
    minIntervalMs: 60_000,
  });
  return { clock, channel, bus, service, docs };
}

const at = (zone: string) => ({ latitude: 1, longitude: 1, zone });

describe("media", () => {
  it("merges events that arrive together into one post per zone", async () => {
    const { service, channel, bus } = setup();
    await service.enqueue(cityEvent("AccidentDetected", { location: at("z3") }));
    await service.enqueue(cityEvent("PublicEventStarted", { location: at("z3") }));
    await service.enqueue(cityEvent("AccidentDetected", { location: at("z3") }));
    expect(await service.flush("z3")).toBe(true);
    expect(channel.posts).toHaveLength(1);
    expect(channel.posts[0]?.sourceEventIds).toHaveLength(3);
    expect(channel.posts[0]?.headline).toBe("3 city updates for zone z3");
    expect(bus.ofType("MediaPostPublished")).toHaveLength(1);
  });

  it("rate-limits a zone and posts what queued meanwhile once the interval has passed", async () => {
    const { service, channel, clock } = setup();
    await service.enqueue(cityEvent("AccidentDetected", { location: at("z3") }));
    await service.flush("z3");
    await service.enqueue(cityEvent("AccidentDetected", { location: at("z3") }));
    expect(await service.flush("z3")).toBe(false);
    clock.advance(60_000);
    expect(await service.flush("z3")).toBe(true);
    expect(channel.posts).toHaveLength(2);
  });

  it("queues an event once even when delivered twice", async () => {
    const { service, channel } = setup();
    const e = cityEvent("AccidentDetected", { location: at("z1") });
    await service.enqueue(e);
    await service.enqueue(structuredClone(e));
    await service.flush("z1");
    expect(channel.posts[0]?.sourceEventIds).toEqual([e.detail.meta.eventId]);
  });

  it("never posts an event twice: one delivered again after its post is not queued again", async () => {
    const { service, channel, clock } = setup();
    const e = cityEvent("AccidentDetected", { location: at("z2") });
    await service.enqueue(e);
    await service.flush("z2");
    clock.advance(60_000);
    await service.enqueue(structuredClone(e)); // a redelivery, an EventBridge duplicate
    expect(await service.flush("z2")).toBe(false); // nothing queued: nothing to post
    expect(channel.posts.flatMap((p) => p.sourceEventIds)).toEqual([e.detail.meta.eventId]);
  });

  it("writes each zone's queue once per batch, a failed zone failing only its records", async () => {
    const { service, docs } = setup();
    const ok = [1, 2, 3].map(() => cityEvent("PublicEventStarted", { location: at("z4") }));
    for (const [i, e] of ok.entries()) service.add(e, `ok-${i}`);
    service.add(cityEvent("PublicEventStarted", { location: at("z6") }), "bad-0");
    const put = docs.put.bind(docs);
    let writes = 0;
    docs.put = async (pk, sk, value, version) => {
      writes += 1;
      if (pk === "media#z6") throw new Error("injected: z6 unavailable");
      return put(pk, sk, value, version);
    };
    const failures = await service.commitQueued();
    expect(failures.map((f) => f.messageId)).toEqual(["bad-0"]);
    expect(writes).toBe(2); // z4 once for its three events, z6 once
  });

  it("ignores events that are not public-safe", async () => {
    const { service } = setup();
    expect(await service.enqueue(cityEvent("IntrusionDetected"))).toBeUndefined();
  });

  it("posts a quiet zone's queued items once its interval passes, at the next invocation of any zone", async () => {
    const { service, channel, clock } = setup();
    await service.enqueue(cityEvent("PublicEventStarted", { location: at("z5") }));
    expect(await service.flushPending(["z5"])).toEqual([]);
    await service.enqueue(cityEvent("PublicEventStarted", { location: at("z5") }));
    expect(await service.flushPending(["z5"])).toEqual([]); // rate-limited: stays queued
    expect(channel.posts).toHaveLength(1);
    clock.advance(59_999);
    await service.flushPending([]);
    expect(channel.posts).toHaveLength(1);
    clock.advance(1);
    // the next invocation only carries a z6 event; z5 gets no event, yet is posted
    await service.enqueue(cityEvent("PublicEventStarted", { location: at("z6") }));
    await service.flushPending(["z6"]);
    expect(channel.posts.map((p) => p.zone).sort()).toEqual(["z5", "z5", "z6"]);
  });
});
