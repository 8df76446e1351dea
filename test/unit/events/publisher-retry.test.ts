import { describe, expect, it } from "vitest";
import {
  CATALOG,
  type DerivedDraft,
  derivedEventId,
  type InvalidEventError,
  PublishFailedError,
} from "../../../events/index.ts";
import { awsError, failAt } from "./fake-eventbridge.ts";
import { density, rejection, setup } from "./publisher-setup.ts";

describe("partial failures and retries", () => {
  it("retries only the failed entries of a partial failure", async () => {
    const { publisher, fake, sleeps } = setup();
    fake.script(failAt([1, 3], "ThrottlingException", "Rate exceeded"));
    const events = await publisher.publish([density(0), density(1), density(2), density(3)]);
    expect(fake.calls.map((c) => c.length)).toEqual([4, 2]);
    const idsOf = (entries: { Detail?: string }[] | undefined) =>
      entries?.map((e) => JSON.parse(e.Detail ?? "{}").meta.eventId);
    expect(idsOf(fake.calls[1])).toEqual([
      events[1]?.detail.meta.eventId,
      events[3]?.detail.meta.eventId,
    ]);
    expect(fake.accepted).toHaveLength(4);
    expect(sleeps).toHaveLength(1);
  });

  it("retries a throttled or 5xx call as a whole, with backoff from the injected random", async () => {
    const { publisher, fake, sleeps } = setup({
      random: () => 0.5,
      retry: { baseDelayMs: 100, maxDelayMs: 1000, maxAttempts: 5 },
    });
    fake.script(
      () => awsError("ThrottlingException", 400),
      () => awsError("InternalException", 500),
      () => awsError("ServiceUnavailable", 503),
    );
    await publisher.publish([density(1)]);
    expect(fake.calls).toHaveLength(4);
    // full jitter: random × min(max, base × 2^(retry-1)) = 0.5 × 100, 200, 400
    expect(sleeps).toEqual([50, 100, 200]);
  });

  it("gives up after maxAttempts with a typed error listing each failed entry", async () => {
    const { publisher, fake } = setup({ retry: { maxAttempts: 3 } });
    fake.script(
      failAt([0, 2]),
      failAt([0, 1], "InternalFailure", "Try again"),
      failAt([1], "ThrottlingException", "Slow down"),
    );
    const drafts = [density(0), density(1), density(2)];
    const error = await rejection(publisher.publish(drafts));
    expect(error).toBeInstanceOf(PublishFailedError);
    const e = error as PublishFailedError;
    expect(fake.calls.map((c) => c.length)).toEqual([3, 2, 2]);
    const sent = fake.calls[0]?.map((c) => JSON.parse(c.Detail ?? "{}").meta.eventId) ?? [];
    expect(e.failed).toEqual([
      {
        eventId: sent[2],
        type: "TrafficDensityMeasured",
        errorCode: "ThrottlingException",
        errorMessage: "Slow down",
      },
    ]);
    expect(e.publishedEventIds).toEqual([sent[0], sent[1]]);
    expect(e.message).toContain("1 of 3 events were not published after 3 attempts");
    expect(e.message).toContain(
      `${sent[2]} TrafficDensityMeasured: ThrottlingException (Slow down)`,
    );
  });

  it("hands back the unpublished events, which resend() publishes unchanged", async () => {
    const { publisher, fake } = setup({ retry: { maxAttempts: 1 } });
    fake.script(failAt([1], "InternalFailure", "boom"));
    const e = (await rejection(publisher.publish([density(0), density(1)]))) as PublishFailedError;
    expect(e.unpublished).toHaveLength(1);
    const lost = e.unpublished[0];
    const [again] = await publisher.resend(e.unpublished);
    expect(again?.detail.meta).toEqual(lost?.detail.meta);
    expect(fake.events().map((x) => x.detail.meta.sequence)).toEqual([1, 2]);
    const broken = { ...lost, detail: { ...lost?.detail, vehiclesCounted: -5 } } as NonNullable<
      typeof lost
    >;
    const err = (await rejection(publisher.resend([broken]))) as InvalidEventError;
    expect(err.message).toContain(
      "draft #0 TrafficDensityMeasured.vehiclesCounted: expected a number >= 0, got -5",
    );
  });

  it("does not retry a permanent entry error, and reports it", async () => {
    const { publisher, fake } = setup();
    fake.script(failAt([0], "MalformedDetail", "Detail is malformed."));
    const e = (await rejection(publisher.publish([density(0), density(1)]))) as PublishFailedError;
    expect(fake.calls).toHaveLength(1);
    expect(e.failed.map((f) => f.errorCode)).toEqual(["MalformedDetail"]);
    expect(e.publishedEventIds).toHaveLength(1);
  });

  it("does not retry a client error of the whole call (e.g. bus not found)", async () => {
    const { publisher, fake } = setup();
    fake.script(() =>
      awsError("ResourceNotFoundException", 400, "Event bus city-bus does not exist."),
    );
    const e = (await rejection(publisher.publish([density(0), density(1)]))) as PublishFailedError;
    expect(fake.calls).toHaveLength(1);
    expect(e.failed.map((f) => [f.errorCode, f.errorMessage])).toEqual([
      ["ResourceNotFoundException", "Event bus city-bus does not exist."],
      ["ResourceNotFoundException", "Event bus city-bus does not exist."],
    ]);
  });

  it("keeps the last call's SDK error as the cause, per entry and on the error", async () => {
    const { publisher, fake } = setup({ retry: { maxAttempts: 2 } });
    const first = awsError("InternalException", 500, "first");
    const last = awsError("ServiceUnavailable", 503, "last");
    fake.script(
      () => first,
      () => last,
    );
    const e = (await rejection(publisher.publish([density(0), density(1)]))) as PublishFailedError;
    expect(e).toBeInstanceOf(PublishFailedError);
    expect(e.cause).toBe(last);
    expect(e.failed.map((f) => [f.errorCode, f.cause])).toEqual([
      ["ServiceUnavailable", last],
      ["ServiceUnavailable", last],
    ]);
  });

  it("a cause per failed call: an AggregateError of the distinct SDK errors", async () => {
    const { publisher, fake } = setup({ retry: { maxAttempts: 1 } });
    const a = awsError("InternalException", 500, "batch one");
    const b = awsError("AccessDeniedException", 400, "batch two");
    fake.script(
      () => a,
      () => b,
    );
    const e = (await rejection(
      publisher.publish(Array.from({ length: 12 }, (_, i) => density(i))),
    )) as PublishFailedError;
    expect(e.failed.map((f) => f.cause)).toEqual([...Array(10).fill(a), b, b]);
    expect(e.cause).toBeInstanceOf(AggregateError);
    const agg = e.cause as AggregateError;
    expect(agg.errors).toEqual([a, b]);
    expect(agg.message).toBe(
      "2 PutEvents calls failed: InternalException: batch one; AccessDeniedException: batch two",
    );
  });

  it("has no cause when only per-entry error codes failed (the call itself succeeded)", async () => {
    const { publisher, fake } = setup({ retry: { maxAttempts: 2 } });
    fake.script(
      () => awsError("InternalException", 500, "call failed"),
      failAt([0], "InternalFailure", "entry failed"),
    );
    const e = (await rejection(publisher.publish([density(0)]))) as PublishFailedError;
    expect(e.failed.map((f) => f.errorCode)).toEqual(["InternalFailure"]);
    expect(e.failed[0]).not.toHaveProperty("cause");
    expect(e).not.toHaveProperty("cause");
  });

  it("retries a network error (no HTTP response)", async () => {
    const { publisher, fake } = setup();
    fake.script(() =>
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:4566"), { code: "ECONNREFUSED" }),
    );
    await publisher.publish([density(0)]);
    expect(fake.calls).toHaveLength(2);
    expect(fake.accepted).toHaveLength(1);
  });

  it("a failure in one batch does not lose the other batches", async () => {
    const { publisher, fake } = setup({ retry: { maxAttempts: 1 } });
    fake.script(() => awsError("InternalException", 500));
    const e = (await rejection(
      publisher.publish(Array.from({ length: 12 }, (_, i) => density(i))),
    )) as PublishFailedError;
    expect(fake.calls.map((c) => c.length)).toEqual([10, 2]);
    expect(e.failed).toHaveLength(10);
    expect(e.publishedEventIds).toHaveLength(2);
  });
});

describe("derived events", () => {
  it("take causation, correlation, a deterministic id and the Lamport receive from the cause", async () => {
    const { publisher: device } = setup({ producerId: "collision-118" });
    const [cause] = await device.publish([
      { type: "AccidentDetected", payload: CATALOG.AccidentDetected.example },
    ]);
    if (!cause) throw new Error("no cause");
    const causeWithLamport = { detail: { meta: { ...cause.detail.meta, lamport: 40 } } };

    const run = async () => {
      const { publisher, fake } = setup({ producerId: "svc-emergency", vectorClocks: true });
      const out = await publisher.publishDerived(causeWithLamport, [
        { type: "IncidentOpened", payload: CATALOG.IncidentOpened.example, step: "open" },
        { type: "UnitsReserved", payload: CATALOG.UnitsReserved.example, step: "reserve" },
      ]);
      return { out, fake };
    };
    const first = await run();
    const again = await run(); // a retried handler
    const [opened, reserved] = first.out;
    expect(opened?.detail.meta).toMatchObject({
      eventId: derivedEventId(cause.detail.meta.eventId, "open"),
      causationId: cause.detail.meta.eventId,
      correlationId: cause.detail.meta.correlationId,
      lamport: 41,
      producerId: "svc-emergency",
      streamId: "incident#inc-01JDX8Q4W6T2N5V7X9Y1B3C5D7",
    });
    expect(reserved?.detail.meta.lamport).toBe(42);
    expect(reserved?.detail.meta.eventId).toBe(
      derivedEventId(cause.detail.meta.eventId, "reserve"),
    );
    expect(again.out.map((e) => e.detail.meta.eventId)).toEqual(
      first.out.map((e) => e.detail.meta.eventId),
    );
    expect(first.fake.calls[0]?.map((e) => e.Source)).toEqual([
      "buzzville.emergency",
      "buzzville.emergency",
    ]);
  });

  it("default steps are the draft index, and invalid derived payloads are rejected before sending", async () => {
    const { publisher, fake } = setup();
    const cause = {
      detail: { meta: { eventId: "01JDX8Q4W6T2N5V7X9Y1B3C5D7", correlationId: "c-1", lamport: 1 } },
    };
    const [e] = await publisher.publishDerived(cause, [
      { type: "IncidentOpened", payload: CATALOG.IncidentOpened.example },
    ]);
    expect(e?.detail.meta.eventId).toBe(derivedEventId("01JDX8Q4W6T2N5V7X9Y1B3C5D7", 0));
    const bad: DerivedDraft = {
      type: "UnitsDispatched",
      payload: { ...CATALOG.UnitsDispatched.example, unitIds: ["tank-1"] },
    };
    const err = (await rejection(publisher.publishDerived(cause, [bad]))) as InvalidEventError;
    expect(err.message).toContain("draft #0 UnitsDispatched.unitIds[0]: expected <kind>-<number>");
    expect(fake.calls).toHaveLength(1);
  });
});
