import { describe, expect, it } from "vitest";
import {
  type AnyEventDraft,
  CATALOG,
  CityEventError,
  CityEventPublisher,
  InvalidEventError,
  MAX_PUTEVENTS_BYTES,
  newInstanceId,
  parseCityEvent,
  putEventsEntrySize,
  SequenceTracker,
  seededRandom,
  ULID_PATTERN,
} from "../../../events/index.ts";
import { FakeEventBridge } from "./fake-eventbridge.ts";
import { density, rejection, setup, T0 } from "./publisher-setup.ts";

describe("stamping", () => {
  it("stamps meta: ULID, time, sequence, Lamport, place, stream, priority, correlation", async () => {
    const { publisher, fake } = setup();
    const [a, b] = await publisher.publish([
      { type: "WeatherAlertIssued", payload: CATALOG.WeatherAlertIssued.example },
      density(3),
    ]);
    expect(a?.detail.meta).toMatchObject({
      occurredAt: "2026-11-23T15:00:00.000Z",
      producerId: "cam-i12-n",
      sequence: 1,
      lamport: 1,
      priority: "critical",
      zone: "z3",
      streamId: "alert#wx-2026-0412",
      schemaVersion: 1,
    });
    expect(a?.detail.meta.eventId).toMatch(ULID_PATTERN);
    expect(a?.detail.meta.correlationId).toBe(a?.detail.meta.eventId);
    expect(a?.detail.meta.intersectionId).toBeUndefined();
    expect(b?.detail.meta).toMatchObject({
      sequence: 2,
      lamport: 2,
      priority: "info",
      intersectionId: "i-12",
      streamId: "zone#z3",
    });
    // on the wire: source, detail-type, detail = payload + meta, Time, bus
    const entry = fake.calls[0]?.[1];
    expect(entry).toMatchObject({
      EventBusName: "city-bus",
      Source: "buzzville.camera",
      DetailType: "TrafficDensityMeasured",
    });
    expect(entry?.Time?.toISOString()).toBe("2026-11-23T15:00:00.000Z");
    const wire = parseCityEvent({
      source: entry?.Source,
      "detail-type": entry?.DetailType,
      detail: JSON.parse(entry?.Detail ?? "{}"),
    });
    expect(wire.detail).toEqual(b?.detail);
    // the in-memory adapter hands back what it accepted, validated
    expect(fake.events().map((e) => e.detail)).toEqual([a?.detail, b?.detail]);
  });

  it("keeps given ids, times, correlation and priority overrides", async () => {
    const { publisher } = setup();
    const eventId = "01JDX8Q4W6T2N5V7X9Y1B3C5D7";
    const [e] = await publisher.publish([
      {
        ...density(1),
        eventId,
        occurredAt: new Date(T0 - 5000),
        correlationId: "story-7",
        causationId: "01JDX8Q4W6T2N5V7X9Y1B3C5D8",
        priority: "high",
      },
    ]);
    expect(e?.detail.meta).toMatchObject({
      eventId,
      occurredAt: "2026-11-23T14:59:55.000Z",
      correlationId: "story-7",
      causationId: "01JDX8Q4W6T2N5V7X9Y1B3C5D8",
      priority: "high",
    });
  });

  it("sequences let a consumer see the order across calls", async () => {
    const { publisher } = setup();
    const tracker = new SequenceTracker();
    const events = [
      ...(await publisher.publish([density(1), density(2)])),
      ...(await publisher.publish([density(3)])),
    ];
    expect(
      events.map((e) => tracker.observe(e.detail.meta.producerId, e.detail.meta.sequence).kind),
    ).toEqual(["next", "next", "next"]);
  });

  it("stamps a vector clock when asked", async () => {
    const { publisher } = setup({ vectorClocks: true });
    const [a, b] = await publisher.publish([density(1), density(2)]);
    expect(a?.detail.meta.vectorClock).toEqual({ "cam-i12-n": 1 });
    expect(b?.detail.meta.vectorClock).toEqual({ "cam-i12-n": 2 });
  });
});

describe("validation before any network call", () => {
  it("lists every invalid draft by index and sends nothing", async () => {
    const { publisher, fake } = setup();
    const error = await rejection(
      publisher.publish([
        density(1),
        {
          type: "WeatherAlertIssued",
          payload: { ...CATALOG.WeatherAlertIssued.example, level: "purple" },
        } as unknown as AnyEventDraft,
        density(2),
        { type: "Meteor", payload: {} } as unknown as AnyEventDraft,
        { ...density(3), eventId: "nope" },
      ]),
    );
    expect(error).toBeInstanceOf(InvalidEventError);
    const e = error as InvalidEventError;
    expect(e.problems.map((p) => p.index)).toEqual([1, 3, 4]);
    expect(e.message).toContain("3 of 5 event drafts are invalid; nothing was published");
    expect(e.message).toContain(
      'draft #1 WeatherAlertIssued.level: expected one of yellow|orange|red, got "purple"',
    );
    expect(e.message).toContain('draft #3 Meteor: unknown detail-type "Meteor"');
    expect(e.message).toContain("draft #4 TrafficDensityMeasured.eventId: expected a ULID");
    expect(fake.calls).toHaveLength(0);
  });

  it("rejects two drafts with the same eventId", async () => {
    const { publisher, fake } = setup();
    const eventId = "01JDX8Q4W6T2N5V7X9Y1B3C5D7";
    const e = (await rejection(
      publisher.publish([
        { ...density(1), eventId },
        { ...density(2), eventId },
      ]),
    )) as InvalidEventError;
    expect(e.problems).toEqual([
      {
        index: 1,
        eventType: "TrafficDensityMeasured",
        path: "eventId",
        rule: `duplicates the eventId of draft #0 (${eventId})`,
      },
    ]);
    expect(fake.calls).toHaveLength(0);
  });

  it("does not use up sequence numbers on a rejected batch", async () => {
    const { publisher } = setup();
    await rejection(
      publisher.publish([
        density(1),
        { ...density(2), priority: "urgent" } as unknown as AnyEventDraft,
      ]),
    );
    const [e] = await publisher.publish([density(3)]);
    expect(e?.detail.meta.sequence).toBe(1);
  });

  it("rejects an entry larger than the request limit before sending, naming its size", async () => {
    const { publisher, fake } = setup({ maxRequestBytes: 1000 });
    const post = {
      type: "MediaPostPublished",
      payload: { ...CATALOG.MediaPostPublished.example, body: "x".repeat(1500) },
    } as const;
    const e = (await rejection(publisher.publish([density(1), post]))) as InvalidEventError;
    expect(e).toBeInstanceOf(InvalidEventError);
    expect(e.problems).toHaveLength(1);
    expect(e.problems[0]?.index).toBe(1);
    expect(e.problems[0]?.rule).toMatch(
      /^entry is \d+ bytes; a PutEvents request allows at most 1000 bytes$/,
    );
    expect(fake.calls).toHaveLength(0);
  });

  it("validates its options with the value in the message", () => {
    expect(() => new CityEventPublisher({ busName: "", producerId: "p" })).toThrow(
      'busName must be a non-empty string, got ""',
    );
    expect(() => new CityEventPublisher({ busName: "b", producerId: "bad id" })).toThrow(
      CityEventError,
    );
    expect(
      () => new CityEventPublisher({ busName: "b", producerId: "p", retry: { maxAttempts: 0 } }),
    ).toThrow("retry.maxAttempts must be an integer >= 1, got 0");
  });

  it("fromEnv reads EVENT_BUS_NAME when called, and names it when missing", () => {
    expect(
      CityEventPublisher.fromEnv(
        { producerId: "p", client: new FakeEventBridge() },
        { EVENT_BUS_NAME: "bus-x" },
      ).busName,
    ).toBe("bus-x");
    expect(() => CityEventPublisher.fromEnv({ producerId: "p" }, {})).toThrow(
      /EVENT_BUS_NAME is missing or empty/,
    );
  });
});

describe("batching", () => {
  it("publishing nothing makes no call", async () => {
    const { publisher, fake } = setup();
    expect(await publisher.publish([])).toEqual([]);
    expect(fake.calls).toHaveLength(0);
  });

  it("sends 25 events as 10 + 10 + 5, in order", async () => {
    const { publisher, fake } = setup();
    const events = await publisher.publish(Array.from({ length: 25 }, (_, i) => density(i)));
    expect(fake.calls.map((c) => c.length)).toEqual([10, 10, 5]);
    expect(fake.accepted.map((e) => JSON.parse(e.Detail ?? "{}").vehiclesCounted)).toEqual(
      Array.from({ length: 25 }, (_, i) => i),
    );
    expect(events.map((e) => e.detail.meta.sequence)).toEqual(
      Array.from({ length: 25 }, (_, i) => i + 1),
    );
  });

  it("splits by size: entries are counted as AWS counts them (UTF-8 bytes + 14 for Time)", async () => {
    const { publisher, fake } = setup({ maxRequestBytes: 10_000 });
    const big = (i: number): AnyEventDraft => ({
      type: "MediaPostPublished",
      payload: {
        ...CATALOG.MediaPostPublished.example,
        postId: `post-${i}`,
        body: "é".repeat(1990),
      },
    });
    const events = await publisher.publish(Array.from({ length: 5 }, (_, i) => big(i)));
    expect(events).toHaveLength(5);
    const first = fake.calls[0]?.[0] ?? {};
    const expected =
      14 +
      "buzzville.media".length +
      "MediaPostPublished".length +
      Buffer.byteLength(first.Detail ?? "", "utf8");
    expect(putEventsEntrySize(first)).toBe(expected);
    expect(expected).toBeGreaterThan(4000);
    expect(expected).toBeLessThan(5000);
    // two ~4.5 KB entries fit in 10 000 bytes, three do not
    expect(fake.calls.map((c) => c.length)).toEqual([2, 2, 1]);
    for (const call of fake.calls) {
      expect(call.reduce((n, e) => n + putEventsEntrySize(e), 0)).toBeLessThanOrEqual(10_000);
    }
  });

  it("the default request limit is AWS's 256 KiB", () => {
    expect(MAX_PUTEVENTS_BYTES).toBe(262_144);
    expect(() => setup({ maxRequestBytes: MAX_PUTEVENTS_BYTES + 1 })).toThrow(
      "maxRequestBytes must be an integer in 1..262144, got 262145",
    );
  });
});

describe("per-instance producer ids", () => {
  const cause = {
    detail: { meta: { eventId: "01JDX8Q4W6T2N5V7X9Y1B3C5D7", correlationId: "c-1", lamport: 1 } },
  };
  const opened = { type: "IncidentOpened", payload: CATALOG.IncidentOpened.example } as const;

  it("two instances of one service never repeat (producerId, sequence)", async () => {
    // two Lambda instances of the same function, each counting from 1
    const instances = [seededRandom(1), seededRandom(2)].map(
      (random) => setup({ producerId: "svc-emergency", instanceId: true, random }).publisher,
    );
    const events = [];
    for (const p of instances) events.push(...(await p.publishDerived(cause, [opened])));
    const metas = events.map((e) => e.detail.meta);
    expect(metas.map((m) => m.sequence)).toEqual([1, 1]);
    expect(metas[0]?.producerId).toMatch(/^svc-emergency\/[0-9A-HJKMNP-TV-Z]{8}$/);
    expect(metas[1]?.producerId).toMatch(/^svc-emergency\/[0-9A-HJKMNP-TV-Z]{8}$/);
    expect(metas[0]?.producerId).not.toBe(metas[1]?.producerId);
    const tracker = new SequenceTracker();
    expect(metas.map((m) => tracker.observe(m.producerId, m.sequence).kind)).toEqual([
      "next",
      "next",
    ]);
  });

  it("the random instance id comes from the injected random (same seed, same id)", () => {
    const a = setup({ instanceId: true, random: seededRandom(7) }).publisher;
    const b = setup({ instanceId: true, random: seededRandom(7) }).publisher;
    expect(a.instanceId).toBe(newInstanceId(seededRandom(7)));
    expect(a.producerId).toBe(`cam-i12-n/${a.instanceId}`);
    expect(b.producerId).toBe(a.producerId);
  });

  it("stamps a given instance id, in producerId and in the vector clock", async () => {
    const { publisher } = setup({ instanceId: "2026-11-23.a1", vectorClocks: true });
    const [e] = await publisher.publish([density(1)]);
    expect(e?.detail.meta).toMatchObject({ producerId: "cam-i12-n/2026-11-23.a1", sequence: 1 });
    expect(e?.detail.meta.vectorClock).toEqual({ "cam-i12-n/2026-11-23.a1": 1 });
  });

  it("no suffix by default for the constructor (simulated devices keep their id)", async () => {
    const { publisher } = setup();
    expect(publisher.instanceId).toBeUndefined();
    const [e] = await publisher.publish([density(1)]);
    expect(e?.detail.meta.producerId).toBe("cam-i12-n");
  });

  it("fromEnv is per instance unless told otherwise", () => {
    const env = { EVENT_BUS_NAME: "bus-x" };
    const client = new FakeEventBridge();
    const random = seededRandom(3);
    const deployed = CityEventPublisher.fromEnv({ producerId: "svc-traffic", client, random }, env);
    expect(deployed.producerId).toMatch(/^svc-traffic\/[0-9A-HJKMNP-TV-Z]{8}$/);
    expect(
      CityEventPublisher.fromEnv({ producerId: "p", client, instanceId: false }, env).producerId,
    ).toBe("p");
    expect(
      CityEventPublisher.fromEnv({ producerId: "p", client, instanceId: "i-1" }, env).producerId,
    ).toBe("p/i-1");
  });

  it("rejects a malformed instance id or a too long result, naming the value", () => {
    expect(() => setup({ instanceId: "a/b" })).toThrow(
      'instanceId must be true, false or 1-64 letters, digits or . _ : -, got "a/b"',
    );
    expect(() => setup({ instanceId: "" })).toThrow(CityEventError);
    expect(() => setup({ producerId: "p".repeat(120), instanceId: "instance-9" })).toThrow(
      /producerId \+ "\/" \+ instanceId must be at most 128 characters, got 131/,
    );
  });
});
