/**
 * The whole path on the local cloud: the project's publisher -> PutEvents -> rules -> intake
 * queues -> pipes -> FIFO queues -> the deployed handler modules (Lambda runner) -> DynamoDB.
 */
import { GetItemCommand, QueryCommand } from "@aws-sdk/client-dynamodb";
import type { SQSRecord } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { definitionOf } from "../../../events/catalog.ts";
import type { AnyEventDraft } from "../../../events/draft.ts";
import { CityEventPublisher } from "../../../events/publisher.ts";
import { SHARED_IDS } from "../../../infra/resources.ts";
import { topology } from "../../../infra/topology.ts";
import { type LocalCloud, startLocalCloud } from "../../../local/cloud.ts";
import { deployTopology } from "../../../local/deploy.ts";
import { type RunningFunctions, startFunctions } from "../../../local/lambda/runtime.ts";
import type { ResourceMap } from "../../../local/resource-map.ts";
import { storedEventIds } from "../../../local/up/inspect.ts";
import { clientsFor, waitFor } from "./support.ts";

describe("end to end on the local cloud: publisher -> rule -> queue -> pipe -> function -> DynamoDB", () => {
  let cloud: LocalCloud;
  let resources: ResourceMap;
  let functions: RunningFunctions;
  let clients: ReturnType<typeof clientsFor>;
  const delivered: { sub: string; record: SQSRecord }[] = [];

  beforeAll(async () => {
    cloud = await startLocalCloud({ port: 0 });
    clients = clientsFor(cloud.endpoint);
    resources = await deployTopology({ endpoint: cloud.endpoint, region: cloud.region, topology });
    functions = startFunctions({
      resources,
      sqs: clients.sqs,
      maxInstancesPerFunction: 1,
      onDelivered: (sub, record) => delivered.push({ sub, record }),
    });
    cloud.attachLambda(functions.invoke);
  });
  afterAll(async () => {
    await functions?.stop();
    await cloud?.stop();
  });

  it("stores published events in their stream and delivers them to the intersection's FIFO consumer", async () => {
    const publisher = new CityEventPublisher({
      busName: resources.bus.name,
      producerId: "tlc-i12",
      client: clients.events,
    });
    const example = definitionOf("TrafficLightChanged").example;
    const published = await publisher.publish(
      [1, 2, 3].map(() => ({ type: "TrafficLightChanged", payload: example }) as AnyEventDraft),
    );
    const ids = published.map((e) => e.detail.meta.eventId);
    const table = resources.tables[SHARED_IDS.eventsTable]?.name ?? "";

    const stored = await waitFor("the 3 events in the event store", async () => {
      const found = await storedEventIds(clients.dynamodb, table);
      return ids.every((id) => found.has(id)) ? found : undefined;
    });
    expect(stored.size).toBeGreaterThanOrEqual(3);

    // The commits sit in the event's stream (pk = meta.streamId). (Arrival order through the
    // standard intake queue is not guaranteed, on AWS neither: consumers resequence.)
    const streamId = published[0]?.detail.meta.streamId ?? "";
    const { Items = [] } = await clients.dynamodb.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: "pk = :s",
        ExpressionAttributeValues: { ":s": { S: streamId } },
      }),
    );
    const streamIds = Items.flatMap((i) => (i.eventIds?.L ?? []).map((v) => v.S));
    // (The traffic consumer may add derived events of its own to the intersection's stream.)
    expect(streamIds).toEqual(expect.arrayContaining(ids));
    const marker = await clients.dynamodb.send(
      new GetItemCommand({
        TableName: table,
        Key: { pk: { S: `event#${ids[0]}` }, sk: { S: "marker" } },
      }),
    );
    expect(marker.Item).toBeUndefined(); // no per-event claim item (docs/RELIABILITY.md section 3)

    // The intersection's FIFO consumer got them through the pipe, grouped by intersection.
    const traffic = await waitFor("the 3 events delivered to TrafficSignals", () => {
      const got = delivered.filter(
        (d) =>
          d.sub === "TrafficSignals" && ids.includes(JSON.parse(d.record.body).detail.meta.eventId),
      );
      const seen = new Set(got.map((d) => JSON.parse(d.record.body).detail.meta.eventId));
      return seen.size === ids.length ? got : undefined;
    });
    expect(new Set(traffic.map((d) => d.record.attributes.MessageGroupId))).toEqual(
      new Set(["i-12"]),
    );
  });
});
