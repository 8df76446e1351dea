/**
 * The run summary's reading of the event store: every stored event id, and `orderViolations`
 * = the stored SignalSequenceViolation events whose rule is `sequence-gap-expired` (order broken
 * after resequencing), each counted once. Real DynamoDB wire protocol against the gateway.
 */
import { CreateTableCommand, type DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Gateway, startGateway } from "../../../local/gateway/server.ts";
import { LocalRunError } from "../../../local/up/errors.ts";
import { scanEventStore } from "../../../local/up/inspect.ts";
import { clientsFor } from "./support.ts";

describe("scanEventStore", () => {
  let gateway: Gateway;
  let ddb: DynamoDBClient;

  beforeAll(async () => {
    gateway = await startGateway({ port: 0 });
    ddb = clientsFor(gateway.url).dynamodb;
    await ddb.send(
      new CreateTableCommand({
        TableName: "events",
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [
          { AttributeName: "pk", AttributeType: "S" },
          { AttributeName: "sk", AttributeType: "S" },
        ],
        KeySchema: [
          { AttributeName: "pk", KeyType: "HASH" },
          { AttributeName: "sk", KeyType: "RANGE" },
        ],
      }),
    );
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  const event = (eventId: string, type: string, detail: object) => ({
    M: { eventId: { S: eventId }, type: { S: type }, detail: { S: JSON.stringify(detail) } },
  });
  const commit = (pk: string, events: ReturnType<typeof event>[]) =>
    ddb.send(
      new PutItemCommand({
        TableName: "events",
        Item: {
          pk: { S: pk },
          sk: { S: "0000000001" },
          kind: { S: "commit" },
          eventIds: { L: events.map((e) => ({ S: e.M.eventId.S })) },
          events: { L: events },
        },
      }),
    );

  it("counts sequence-gap-expired violations once each, not other rules, and lists every id", async () => {
    await commit("intersection#i-1", [
      event("e1", "TrafficLightChanged", { meta: {} }),
      event("v1", "SignalSequenceViolation", { rule: "sequence-gap-expired", meta: {} }),
      event("v2", "SignalSequenceViolation", { rule: "stale-state", meta: {} }),
    ]);
    await commit("intersection#i-2", [
      event("v3", "SignalSequenceViolation", { rule: "sequence-gap-expired", meta: {} }),
    ]);
    // A marker item (not a commit) is ignored.
    await ddb.send(
      new PutItemCommand({
        TableName: "events",
        Item: { pk: { S: "event#e1" }, sk: { S: "marker" }, kind: { S: "marker" } },
      }),
    );
    const scan = await scanEventStore(ddb, "events");
    expect([...scan.ids].sort()).toEqual(["e1", "v1", "v2", "v3"]);
    expect(scan.sequenceViolations).toBe(2);
  });

  it("refuses a missing table name with a clear error instead of scanning nothing", async () => {
    await expect(scanEventStore(ddb, undefined)).rejects.toThrow(LocalRunError);
    await expect(scanEventStore(ddb, undefined)).rejects.toThrow(
      /event store table is not in the deployment/,
    );
  });
});
