import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RESOURCE_ENV } from "../../../infra/topology.ts";
import {
  cityEvent,
  eventBridgeJson,
  sqsEvent,
  sqsRecord,
  stampContext,
} from "../../unit/functions/fixtures.ts";
import { type Dynamo, startDynamo } from "./dynalite.ts";

describe("event-store handler against DynamoDB (dynalite)", () => {
  let dynamo: Dynamo;
  const table = "events-handler";
  const saved = { ...process.env };

  beforeAll(async () => {
    dynamo = await startDynamo();
    await dynamo.createEventsTable(table);
    Object.assign(process.env, {
      [RESOURCE_ENV.eventsTable]: table,
      AWS_ENDPOINT_URL: dynamo.endpoint,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      POWERTOOLS_METRICS_DISABLED: "true",
      POWERTOOLS_LOG_LEVEL: "ERROR",
    });
  });
  afterAll(async () => {
    process.env = saved;
    await dynamo.close();
  });

  it("stores each event once per stream, acknowledges a redelivery, fails a malformed record alone", async () => {
    const { handler } = await import("../../../functions/event-store/handler.ts");
    const ctx = stampContext("tlc-i12");
    const a = cityEvent("TrafficLightChanged", {}, { ctx });
    const b = cityEvent("TrafficLightChanged", {}, { ctx });
    const group = a.detail.meta.streamId;
    const bad = sqsRecord(JSON.stringify({ "detail-type": "Nope", source: "x", detail: {} }), {
      groupId: "zone#z1",
    });
    const first = await handler(
      sqsEvent([
        sqsRecord(eventBridgeJson(a), { groupId: group }),
        bad,
        sqsRecord(eventBridgeJson(b), { groupId: group }),
      ]),
    );
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: bad.messageId }]);
    const again = await handler(sqsEvent([sqsRecord(eventBridgeJson(a), { groupId: group })]));
    expect(again.batchItemFailures).toEqual([]);
    const items = (await dynamo.documents.send(new ScanCommand({ TableName: table }))).Items ?? [];
    expect(items).toHaveLength(1); // the commit only: no per-event claim item
    const commits = items.filter((i) => i.kind === "commit");
    // a and b, of one stream in one batch, went in ONE conditional put, in order
    expect(commits).toHaveLength(1);
    expect(commits[0]?.eventIds).toEqual([a.detail.meta.eventId, b.detail.meta.eventId]);
  });
});
