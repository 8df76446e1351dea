/**
 * The event-store function's DynamoDB work on the local cloud, counted by the gateway
 * (`cloud.gateway.requests.snapshot()`): events published on the bus reach the function through
 * rule -> intake -> pipe -> FIFO; one environment appends them with one PutItem per stream per
 * batch and one Query per stream it meets — no per-event claim, no head read per commit
 * (docs/RELIABILITY.md section 3).
 */
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SHARED_IDS } from "../../../infra/resources.ts";
import { type RunningFunctions, startFunctions } from "../../../local/lambda/runtime.ts";
import { diffRequestCounts } from "../../../local/request-counts.ts";
import { cityEvent, stampContext } from "../../unit/functions/fixtures.ts";
import { type OpsHarness, publish, startOpsCloud, waitFor } from "../ops/support.ts";

let h: OpsHarness;
let functions: RunningFunctions;
const delivered = new Set<string>();

beforeAll(async () => {
  h = await startOpsCloud();
  const es = h.resources.eventSources.filter((e) => e.subscriptionId === "EventStore");
  const fns = Object.fromEntries(
    Object.entries(h.resources.functions).filter(([id]) => es.some((e) => e.function === id)),
  );
  functions = startFunctions({
    resources: { ...h.resources, functions: fns, eventSources: es },
    sqs: h.sqs,
    maxInstancesPerFunction: 1, // one environment: no stream moves between environments
    waitTimeSeconds: 1,
    onDelivered: (_sub, record) => delivered.add(record.messageId),
  });
  expect(await functions.warm()).toEqual([]);
});
afterAll(async () => {
  await functions?.stop();
  await h?.stop();
});

describe("event-store function: DynamoDB requests per stored event", () => {
  it("one PutItem per commit and one Query per stream, nothing per event", async () => {
    const intersections = ["i-301", "i-302", "i-303"];
    const rounds = 3;
    const before = h.cloud.gateway.requests.snapshot();
    for (let round = 0; round < rounds; round++) {
      const events = intersections.flatMap((intersectionId) => {
        const ctx = stampContext(`tlc-${intersectionId}-${round}`);
        const light = () =>
          cityEvent(
            "TrafficLightChanged",
            { location: { latitude: 1, longitude: 1, zone: "z1", intersectionId } },
            { ctx },
          );
        return [light(), light(), light()];
      });
      await publish(h, events);
      const expected = (round + 1) * events.length;
      await waitFor(`${expected} messages handled`, async () => delivered.size >= expected);
    }
    const dynamo = diffRequestCounts(h.cloud.gateway.requests.snapshot(), before).client.dynamodb;

    const table = h.resources.tables[SHARED_IDS.eventsTable]?.name;
    const items = (await h.documents.send(new ScanCommand({ TableName: table }))).Items ?? [];
    const commits = items.filter((i) => i.kind === "commit");
    const stored = commits.flatMap((c) => c.eventIds as string[]);
    expect(stored).toHaveLength(rounds * intersections.length * 3);
    expect(new Set(stored).size).toBe(stored.length);
    expect(items).toHaveLength(commits.length); // no marker item, no snapshot yet
    // Every PutItem is a commit (a batch's events of one stream share one); the only reads are
    // each stream's first one: at most 1 + streams/events requests per stored event.
    expect(dynamo).toEqual({ PutItem: commits.length, Query: intersections.length });
  });
});
