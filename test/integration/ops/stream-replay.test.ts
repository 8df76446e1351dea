/**
 * `buzzville stream` and `buzzville replay` against the local cloud with the event-store function
 * running: events published on the bus reach the store through rule -> intake -> pipe -> FIFO ->
 * function; the stream command shows the state at an instant; a replay of the archive re-delivers
 * the events (marked with replay-name) and the store stays idempotent.
 */
import { DeleteMessageCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main as replay } from "../../../bin/ops/replay.ts";
import { main as stream } from "../../../bin/ops/stream.ts";
import type { AnyCityEvent } from "../../../events/catalog.ts";
import { type RunningFunctions, startFunctions } from "../../../local/lambda/runtime.ts";
import { cityEvent, stampContext } from "../../unit/functions/fixtures.ts";
import {
  capture,
  depth,
  drain,
  type OpsHarness,
  publish,
  queueUrl,
  startOpsCloud,
  waitFor,
} from "./support.ts";

let h: OpsHarness;
let functions: RunningFunctions;
/** Bodies the event-store function handled successfully (deleted from its queue). */
const handled: Record<string, unknown>[] = [];

beforeAll(async () => {
  h = await startOpsCloud();
  // Only the event-store function and its event source: the other queues keep what they get.
  const es = h.resources.eventSources.filter((e) => e.subscriptionId === "EventStore");
  const fns = Object.fromEntries(
    Object.entries(h.resources.functions).filter(([id]) => es.some((e) => e.function === id)),
  );
  functions = startFunctions({
    resources: { ...h.resources, functions: fns, eventSources: es },
    sqs: h.sqs,
    maxInstancesPerFunction: 1,
    waitTimeSeconds: 1,
    onDelivered: (_sub, record) => handled.push(JSON.parse(record.body) as Record<string, unknown>),
  });
  expect(await functions.warm()).toEqual([]);
});
afterAll(async () => {
  await functions?.stop();
  await h?.stop();
});

const T = "2026-11-23T10:00:00.000Z";
const at = (minutes: number) => new Date(Date.parse(T) + minutes * 60_000).toISOString();

/** Messages the event-store pipe moved from its intake queue to the FIFO so far. */
function pipeMoved(): number {
  return h.cloud.pipes.list().find((p) => p.pipe.Name === "ops-it-EventStorePipe")?.moved ?? 0;
}

async function storedVersions(streamId: string): Promise<number> {
  const out = await capture(stream, [streamId, "--json", ...h.target]);
  if (out.code !== 0) return 0;
  return (JSON.parse(out.out) as { events: unknown[] }).events.length;
}

describe("buzzville stream", () => {
  const ctx = stampContext("weather-station-1");
  const issued = cityEvent("WeatherAlertIssued", { alertId: "wx-ops-1" }, { ctx, occurredAt: T });
  const cancelled = cityEvent(
    "WeatherAlertCancelled",
    { alertId: "wx-ops-1" },
    { ctx, occurredAt: at(10) },
  );
  const streamId = issued.detail.meta.streamId;

  it("shows a stream's events and its state at an instant (T+0:03 -> ACTIVE)", async () => {
    await publish(h, [issued, cancelled]);
    await waitFor(`2 events in ${streamId}`, async () => (await storedVersions(streamId)) === 2);

    const json = await capture(stream, [streamId, "--as-of", at(3), "--json", ...h.target]);
    expect(json.code).toBe(0);
    const body = JSON.parse(json.out) as {
      asOf: string;
      events: { type: string; version: number; eventId: string }[];
      state: { status: string; version: number; eventCount: number };
    };
    expect(body.asOf).toBe(at(3));
    expect(body.events.map((e) => [e.version, e.type, e.eventId])).toEqual([
      [1, "WeatherAlertIssued", issued.detail.meta.eventId],
      [2, "WeatherAlertCancelled", cancelled.detail.meta.eventId],
    ]);
    expect(body.state).toMatchObject({ status: "ACTIVE", version: 1, eventCount: 1 });

    const text = await capture(stream, [streamId, "--as-of", "2026-11-23T10:03:00Z", ...h.target]);
    expect(text.code).toBe(0);
    expect(text.out).toContain(`stream ${streamId} (table ops-it-EventsTable): 2 event(s)`);
    expect(text.out).toContain("WeatherAlertCancelled");
    expect(text.out).toContain("(after --as-of)");
    expect(text.out).toContain("state at 2026-11-23T10:03:00.000Z: ACTIVE (version 1, 1 event(s)");

    const head = await capture(stream, [streamId, ...h.target]);
    expect(head.out).toContain("state at head: CANCELLED (version 2, 2 event(s)");
  });

  it("fails clearly for an empty stream, a bad instant and a missing stream id", async () => {
    const empty = await capture(stream, ["alert#nobody", ...h.target]);
    expect(empty.code).toBe(1);
    expect(empty.err).toContain('stream "alert#nobody" has no events in table ops-it-EventsTable');

    const bad = await capture(stream, [streamId, "--as-of", "T+3", ...h.target]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain(
      '--as-of must be an ISO-8601 instant like 2026-11-23T10:00:00Z, got "T+3"',
    );

    const none = await capture(stream, [...h.target]);
    expect(none.code).toBe(2);
    expect(none.err).toContain("expects exactly one stream id");
  });
});

describe("buzzville replay", () => {
  it("re-delivers the archived events of a window, marked replay-name, and the store stays idempotent", async () => {
    const analytics = queueUrl(h, "AnalyticsQueue");
    const from = new Date(Date.now() - 1000).toISOString();
    const ctx = stampContext("weather-station-2");
    const events: AnyCityEvent[] = [
      cityEvent("WeatherAlertIssued", { alertId: "wx-ops-2" }, { ctx, occurredAt: at(20) }),
      cityEvent("WeatherAlertCancelled", { alertId: "wx-ops-2" }, { ctx, occurredAt: at(25) }),
    ];
    const ids = events.map((e) => e.detail.meta.eventId).sort();
    const streamId = events[0]?.detail.meta.streamId ?? "";
    await publish(h, events);
    await waitFor(`2 events in ${streamId}`, async () => (await storedVersions(streamId)) === 2);
    // The first deliveries: seen, then gone from the analytics queue.
    const firsts = await waitFor("first deliveries to analytics", async () => {
      const got = (await drain(h, analytics)).map((b) => JSON.parse(b));
      return got.length > 0 ? got : undefined;
    });
    expect(firsts.every((e: Record<string, unknown>) => e["replay-name"] === undefined)).toBe(true);
    const movedBefore = pipeMoved();

    const out = await capture(replay, [
      "--from",
      from,
      "--to",
      "now",
      "--rules",
      "Analytics,EventStoreRule",
      "--name",
      "ops-it-replay",
      "--poll-ms",
      "20",
      ...h.target,
    ]);
    expect(out.err).toBe("");
    expect(out.code).toBe(0);
    expect(out.out).toContain("replay ops-it-replay: ops-it-CityBusArchive [");
    expect(out.out).toContain("(rules AnalyticsRule, EventStoreRule)");
    expect(out.out).toContain("replay ops-it-replay completed");

    const replayed: Record<string, unknown>[] = [];
    await waitFor("replayed copies on the analytics queue", async () => {
      const page = await h.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: analytics, MaxNumberOfMessages: 10 }),
      );
      for (const m of page.Messages ?? []) {
        replayed.push(JSON.parse(m.Body ?? "{}") as Record<string, unknown>);
        await h.sqs.send(
          new DeleteMessageCommand({ QueueUrl: analytics, ReceiptHandle: m.ReceiptHandle }),
        );
      }
      const mine = replayed.filter((e) =>
        ids.includes(String((e.detail as { meta: { eventId: string } }).meta.eventId)),
      );
      return mine.length >= 2;
    });
    const mine = replayed.filter((e) =>
      ids.includes(String((e.detail as { meta: { eventId: string } }).meta.eventId)),
    );
    expect(mine.map((e) => e["replay-name"])).toEqual(["ops-it-replay", "ops-it-replay"]);
    expect(
      mine.map((e) => (e.detail as { meta: { eventId: string } }).meta.eventId).sort(),
    ).toEqual(ids);

    // The event store got the replay too (EventStoreRule): the pipe forwarded both copies to the
    // FIFO, whose deduplication id is the event id, so within SQS's 5-minute window they are
    // dropped there; the stream is unchanged and the function never saw a replayed copy.
    await waitFor("the event-store pipe to forward the replayed copies", () =>
      pipeMoved() >= movedBefore + 2 ? true : undefined,
    );
    await waitFor("the event-store FIFO to be empty", async () =>
      (await depth(h, queueUrl(h, "EventStoreQueue"))) === 0 ? true : undefined,
    );
    expect(handled.filter((e) => e["replay-name"] !== undefined)).toEqual([]);
    expect(await storedVersions(streamId)).toBe(2);
  });

  it("rejects bad instants, an empty window and unknown rules", async () => {
    const bad = await capture(replay, ["--from", "yesterday", "--to", "2026-11-23T10:00:00Z"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain(
      '--from must be an ISO-8601 instant like 2026-11-23T10:00:00Z, got "yesterday"',
    );
    const order = await capture(replay, [
      "--from",
      "2026-11-23T11:00:00Z",
      "--to",
      "2026-11-23T10:00:00Z",
    ]);
    expect(order.code).toBe(2);
    expect(order.err).toContain("--from must be before --to");
    const future = await capture(replay, [
      "--from",
      "2026-11-23T10:00:00Z",
      "--to",
      "2999-01-01T00:00:00Z",
    ]);
    expect(future.code).toBe(2);
    expect(future.err).toContain("--to must not be in the future");
    const rule = await capture(replay, [
      "--from",
      "2026-11-23T10:00:00Z",
      "--to",
      "2026-11-23T11:00:00Z",
      "--rules",
      "Nope",
      ...h.target,
    ]);
    expect(rule.code).toBe(1);
    expect(rule.err).toContain('unknown rule "Nope"; rules on the bus: ');
    expect(rule.err).toContain("AnalyticsRule");
  });
});
