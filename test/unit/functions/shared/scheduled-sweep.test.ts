/**
 * The scheduled sweep rule invokes each function with `{"Records": []}`: through the real kit,
 * such an empty invocation closes analytics' due windows, applies traffic's expired holds and
 * posts media's queued items of quiet zones.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { analyticsHooks } from "../../../../functions/analytics/runtime.ts";
import { AnalyticsService } from "../../../../functions/analytics/service.ts";
import { InMemoryMediaChannel } from "../../../../functions/media/channel.ts";
import { mediaHooks } from "../../../../functions/media/runtime.ts";
import { MediaService } from "../../../../functions/media/service.ts";
import { CircuitBreaker, InMemoryBreakerStore } from "../../../../functions/shared/breaker.ts";
import { ManualClock } from "../../../../functions/shared/clock.ts";
import { InMemoryBus } from "../../../../functions/shared/derived.ts";
import { InMemoryDocumentStore } from "../../../../functions/shared/documents.ts";
import { cityHandler, lazy } from "../../../../functions/shared/kit.ts";
import { trafficHooks } from "../../../../functions/traffic/runtime.ts";
import { TrafficService } from "../../../../functions/traffic/service.ts";
import { cityEvent, eventBridgeJson, sqsEvent, sqsRecord, stampContext } from "../fixtures.ts";

const SCHEDULED = { Records: [] };

beforeAll(() => {
  vi.stubEnv("POWERTOOLS_LOG_LEVEL", "SILENT");
});
afterAll(() => {
  vi.unstubAllEnvs();
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** The kit's EMF output is not under test here: keep it off the test's stdout. */
function quietStdout() {
  vi.spyOn(process.stdout, "write").mockImplementation(() => true);
}

describe("scheduled sweep: an invocation with no records", () => {
  it("analytics emits a quiet zone's ReadingsAggregated once its window is due", async () => {
    quietStdout();
    const clock = new ManualClock(Date.parse("2026-11-23T15:04:00.000Z"));
    const bus = new InMemoryBus();
    const service = new AnalyticsService({
      docs: new InMemoryDocumentStore(),
      bus: bus.publisher("analytics", () => clock.now()),
      clock,
      graceMs: 10_000,
    });
    const handler = cityHandler(
      "analytics-sweep-test",
      lazy(() => ({ ...analyticsHooks(service), clock })),
    );
    const reading = cityEvent(
      "TrafficDensityMeasured",
      { location: { latitude: 1, longitude: 1, zone: "z4" }, vehiclesCounted: 10 },
      { occurredAt: new Date(clock.now() + 1_000).toISOString() },
    );
    const first = await handler(sqsEvent([sqsRecord(eventBridgeJson(reading))]));
    expect(first.batchItemFailures).toEqual([]);
    await handler(SCHEDULED);
    expect(bus.ofType("ReadingsAggregated")).toHaveLength(0); // not due yet
    clock.advance(70_000); // the minute plus its grace is over; z4 gets no event since
    expect(await handler(SCHEDULED)).toEqual({ batchItemFailures: [] });
    const closed = bus.ofType("ReadingsAggregated");
    expect(closed.map((e) => e.detail.meta.zone)).toEqual(["z4"]);
    await handler(SCHEDULED); // closed once
    expect(bus.ofType("ReadingsAggregated")).toHaveLength(1);
  });

  it("traffic applies a quiet intersection's held change once its hold expires", async () => {
    quietStdout();
    const clock = new ManualClock();
    const bus = new InMemoryBus();
    const service = new TrafficService({
      docs: new InMemoryDocumentStore(),
      bus: bus.publisher("traffic", () => clock.now()),
      clock,
      resequencing: { holdMs: 5_000, maxHeld: 20 },
    });
    const handler = cityHandler(
      "traffic-sweep-test",
      lazy(() => ({ ...trafficHooks(service), clock })),
    );
    const location = { latitude: 1, longitude: 1, zone: "z3", intersectionId: "i-70" };
    const ctx = stampContext("tlc-i70");
    const lost = cityEvent("TrafficLightChanged", { location }, { ctx }); // sequence 1: never sent
    void lost;
    const second = cityEvent(
      "TrafficLightChanged",
      {
        location,
        oldState: { vehicles: "yellow", pedestrians: "red" },
        newState: { vehicles: "red", pedestrians: "red" },
      },
      { ctx },
    );
    await handler(sqsEvent([sqsRecord(eventBridgeJson(second))]));
    expect((await service.intersection("i-70"))?.held).toHaveLength(1);
    clock.advance(5_000);
    await handler(SCHEDULED);
    const state = await service.intersection("i-70");
    expect(state?.held).toEqual([]);
    expect(state?.lights).toEqual({ vehicles: "red", pedestrians: "red" });
    expect(bus.ofType("SignalSequenceViolation").map((e) => e.detail.rule)).toContain(
      "sequence-gap-expired",
    );
  });

  it("media posts a quiet zone's queued item once its rate limit has passed", async () => {
    quietStdout();
    const clock = new ManualClock();
    const channel = new InMemoryMediaChannel();
    const bus = new InMemoryBus();
    const service = new MediaService({
      docs: new InMemoryDocumentStore(),
      channel,
      breaker: new CircuitBreaker({ name: "media", store: new InMemoryBreakerStore(), clock }),
      bus: bus.publisher("media", () => clock.now()),
      clock,
      minIntervalMs: 60_000,
    });
    const handler = cityHandler(
      "media-sweep-test",
      lazy(() => ({ ...mediaHooks(service), clock })),
    );
    const at = { latitude: 1, longitude: 1, zone: "z5" };
    await handler(
      sqsEvent([sqsRecord(eventBridgeJson(cityEvent("PublicEventStarted", { location: at })))]),
    );
    await handler(
      sqsEvent([sqsRecord(eventBridgeJson(cityEvent("PublicEventStarted", { location: at })))]),
    );
    expect(channel.posts).toHaveLength(1); // the second is rate-limited: queued
    clock.advance(60_000);
    await handler(SCHEDULED);
    expect(channel.posts.map((p) => p.zone)).toEqual(["z5", "z5"]);
  });

  it("media keeps a zone to sweep when recording it in the index failed once", async () => {
    quietStdout();
    const clock = new ManualClock();
    const channel = new InMemoryMediaChannel();
    const docs = new FaultyIndexDocs("media#pending");
    const service = new MediaService({
      docs,
      channel,
      breaker: new CircuitBreaker({ name: "media", store: new InMemoryBreakerStore(), clock }),
      bus: new InMemoryBus().publisher("media", () => clock.now()),
      clock,
      minIntervalMs: 60_000,
    });
    const handler = cityHandler(
      "media-fault-test",
      lazy(() => ({ ...mediaHooks(service), clock })),
    );
    const post = () =>
      sqsEvent([
        sqsRecord(
          eventBridgeJson(
            cityEvent("PublicEventStarted", {
              location: { latitude: 1, longitude: 1, zone: "z8" },
            }),
          ),
        ),
      ]);
    await handler(post()); // posted: the rate limit starts
    docs.failing = true;
    await handler(post()); // queued; recording z8's due time fails
    docs.failing = false;
    await handler(SCHEDULED); // records z8 again (still rate-limited)
    clock.advance(60_000);
    await handler(SCHEDULED); // z8 got no event since: only the index brings it here
    expect(channel.posts.map((p) => p.zone)).toEqual(["z8", "z8"]);
  });
});

/** Fault injection: writes of one sweep index fail while `failing` is set. */
class FaultyIndexDocs extends InMemoryDocumentStore {
  failing = false;
  constructor(private readonly indexPk: string) {
    super();
  }
  override async put<T>(pk: string, sk: string, value: T, expectedVersion: number) {
    if (this.failing && pk === this.indexPk) throw new Error(`injected: ${pk} unavailable`);
    return super.put(pk, sk, value, expectedVersion);
  }
}
