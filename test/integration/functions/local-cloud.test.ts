/**
 * The consumers on the local cloud (real wire protocols, real SDK v3 clients, the deployed
 * handler modules run by the local Lambda runner): publish with the project's publisher, then
 * check the services' effects in their tables. The emergency function runs with a Dispatch API
 * that always fails, to exercise the saga's compensation path end to end.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { ulid } from "ulid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LightState } from "../../../events/catalog/common.ts";
import type { AnyCityEvent } from "../../../events/catalog.ts";
import { CityEventPublisher } from "../../../events/publisher.ts";
import { dlqTool } from "../../../functions/dlq/index.ts";
import { incidentIdOf } from "../../../functions/shared/incident.ts";
import { SHARED_IDS } from "../../../infra/resources.ts";
import { topology } from "../../../infra/topology.ts";
import { type LocalCloud, startLocalCloud } from "../../../local/cloud.ts";
import { deployTopology } from "../../../local/deploy.ts";
import { type RunningFunctions, startFunctions } from "../../../local/lambda/runtime.ts";
import type { ResourceMap } from "../../../local/resource-map.ts";
import { waitFor } from "../../support/wait.ts";
import { cityEvent, eventBridgeJson, stampContext } from "../../unit/functions/fixtures.ts";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };

describe("consumers on the local cloud", () => {
  let cloud: LocalCloud;
  let resources: ResourceMap;
  let functions: RunningFunctions;
  let events: EventBridgeClient;
  let sqs: SQSClient;
  let docs: DynamoDBDocumentClient;
  const logs: string[] = [];
  let readModels = "";
  let eventsTable = "";

  beforeAll(async () => {
    cloud = await startLocalCloud({ port: 0 });
    resources = await deployTopology({
      endpoint: cloud.endpoint,
      region: cloud.region,
      topology,
      prefix: "fn-it",
    });
    const config = { endpoint: cloud.endpoint, region: cloud.region, credentials };
    events = new EventBridgeClient(config);
    sqs = new SQSClient(config);
    docs = DynamoDBDocumentClient.from(new DynamoDBClient(config));
    readModels = resources.tables[SHARED_IDS.readModelsTable]?.name ?? "";
    eventsTable = resources.tables[SHARED_IDS.eventsTable]?.name ?? "";
    functions = startFunctions({
      resources,
      sqs,
      maxInstancesPerFunction: 1,
      entries: { Emergency: "test/integration/functions/fixtures/emergency-failing-dispatch.ts" },
      onLog: (fn, line) => logs.push(`[${fn}] ${line}`),
    });
    cloud.attachLambda(functions.invoke);
    expect(await functions.warm()).toEqual([]);
  });

  afterAll(async () => {
    await functions?.stop();
    events?.destroy();
    sqs?.destroy();
    docs?.destroy();
    await cloud?.stop();
  });

  const doc = async <T>(pk: string, sk: string): Promise<T | undefined> =>
    (await docs.send(new GetCommand({ TableName: readModels, Key: { pk, sk } }))).Item?.doc as T;

  /** PutEvents of already stamped events, in the given order (the publisher would re-stamp). */
  async function putRaw(list: readonly AnyCityEvent[]): Promise<void> {
    for (let i = 0; i < list.length; i += 10) {
      const out = await events.send(
        new PutEventsCommand({
          Entries: list.slice(i, i + 10).map((e) => ({
            EventBusName: resources.bus.name,
            Source: e.source,
            DetailType: e.detailType,
            Detail: JSON.stringify(e.detail),
          })),
        }),
      );
      expect(out.FailedEntryCount ?? 0).toBe(0);
    }
  }

  it("notifies a zone of known size once, even when the alert is delivered twice", async () => {
    // A subscriber of the citizen alerts topic for zone z3 (SNS filter policy on `zone`).
    const sns = new SNSClient({ endpoint: cloud.endpoint, region: cloud.region, credentials });
    const inbox = await sqs.send(new CreateQueueCommand({ QueueName: "fn-it-z3-inbox" }));
    const inboxArn = (
      await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: inbox.QueueUrl, AttributeNames: ["QueueArn"] }),
      )
    ).Attributes?.QueueArn;
    await sns.send(
      new SubscribeCommand({
        TopicArn: resources.topics[SHARED_IDS.citizenAlertsTopic]?.arn,
        Protocol: "sqs",
        Endpoint: inboxArn,
        Attributes: { FilterPolicy: JSON.stringify({ zone: ["z3"] }), RawMessageDelivery: "true" },
      }),
    );
    sns.destroy();

    const alert = cityEvent(
      "WeatherAlertIssued",
      { level: "orange", zones: ["z3"] },
      { priority: "high" },
    );
    await putRaw([alert, alert]);
    const key = `notification#${alert.detail.meta.eventId}`;
    const zones = await waitFor("z3 notified", () => doc<string[]>(key, "zones"), {
      timeoutMs: 45_000,
    });
    expect(zones).toEqual(["z3"]);
    const queue = resources.queues.NotificationCriticalQueue;
    if (!queue) throw new Error("NotificationCriticalQueue was not deployed");
    await waitFor("both deliveries consumed", async () => {
      const a = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queue.url,
          AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        }),
      );
      return (
        a.Attributes?.ApproximateNumberOfMessages === "0" &&
        a.Attributes?.ApproximateNumberOfMessagesNotVisible === "0"
      );
    });
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: inbox.QueueUrl, MaxNumberOfMessages: 10 }),
    );
    const bodies = (received.Messages ?? []).map((m) => JSON.parse(m.Body ?? "{}"));
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toMatchObject({
      zone: "z3",
      recipientsCount: 8_100,
      alertId: (alert.detail as { alertId: string }).alertId,
    });
    expect(JSON.stringify(bodies[0])).not.toMatch(/\+999-/);
    const summary = await doc<{ count: number }>("citizens#z3", "summary");
    expect(summary?.count).toBe(8_100);
  });

  /** Sends an EventBridge event JSON straight to a FIFO queue (bypassing the bus and pipe). */
  async function sendToFifo(queueId: string, body: string, groupId: string, dedupId: string) {
    const queue = resources.queues[queueId];
    if (!queue) throw new Error(`${queueId} was not deployed`);
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queue.url,
        MessageBody: body,
        MessageGroupId: groupId,
        MessageDeduplicationId: dedupId,
      }),
    );
  }

  it("ends in the right intersection state from out-of-order and duplicated light changes", async () => {
    const ctx = stampContext("tlc-i30");
    // A full cycle; the last state (vehicles green) is produced by no earlier step.
    const states: LightState[] = [
      { vehicles: "green", pedestrians: "red" },
      { vehicles: "yellow", pedestrians: "red" },
      { vehicles: "red", pedestrians: "red" },
      { vehicles: "red", pedestrians: "green" },
      { vehicles: "red", pedestrians: "red" },
      { vehicles: "green", pedestrians: "red" },
    ];
    const location = { latitude: 47.3, longitude: 8.5, zone: "z2", intersectionId: "i-30" };
    const changes = states
      .slice(1)
      .map((s, i) =>
        cityEvent(
          "TrafficLightChanged",
          { controllerId: "tlc-i30", location, oldState: states[i], newState: s },
          { ctx },
        ),
      );
    const [c1, c2, c3, c4, c5] = changes;
    if (!c1 || !c2 || !c3 || !c4 || !c5) throw new Error("fixture");
    // Duplicates straight into the FIFO queue with a different deduplication id, so FIFO
    // deduplication cannot hide them: the same event again (idempotency drops it) and the
    // controller re-sending change 2 under a new event id (the resequencer drops it).
    await sendToFifo(
      "TrafficSignalsQueue",
      eventBridgeJson(c1),
      "i-30",
      `dup-${c1.detail.meta.eventId}`,
    );
    const resent = structuredClone(c2);
    (resent.detail.meta as { eventId: string }).eventId = ulid();
    await putRaw([c3, c1, c5]);
    await sendToFifo("TrafficSignalsQueue", eventBridgeJson(resent), "i-30", "resent-c2");
    await putRaw([c2, c4]);
    const state = await waitFor(
      "i-30 at its last state",
      async () => {
        const s = await doc<{
          appliedChanges: number;
          lights: LightState;
          held: unknown[];
          violations: number;
          duplicatesDropped: number;
        }>("intersection#i-30", "state");
        return s && s.appliedChanges >= 5 && s.duplicatesDropped >= 1 ? s : undefined;
      },
      { timeoutMs: 45_000 },
    );
    expect(state.appliedChanges).toBe(5);
    expect(state.lights).toEqual({ vehicles: "green", pedestrians: "red" });
    expect(state.held).toEqual([]);
    expect(state.violations).toBe(0);
    expect(state.duplicatesDropped).toBe(1);
  });

  it("dead-letters a malformed event on the traffic FIFO at once; its group's valid events go on", async () => {
    const ctx = stampContext("tlc-i31");
    const location = { latitude: 47.3, longitude: 8.5, zone: "z2", intersectionId: "i-31" };
    const first = cityEvent(
      "TrafficLightChanged",
      {
        controllerId: "tlc-i31",
        location,
        oldState: { vehicles: "green", pedestrians: "red" },
        newState: { vehicles: "yellow", pedestrians: "red" },
      },
      { ctx },
    );
    const malformed = eventBridgeJson(
      cityEvent("TrafficLightChanged", { controllerId: "tlc-i31", location }),
    ).replace('"zone":"z2"', '"zone":"nowhere"');
    const second = cityEvent(
      "TrafficLightChanged",
      {
        controllerId: "tlc-i31",
        location,
        oldState: { vehicles: "yellow", pedestrians: "red" },
        newState: { vehicles: "red", pedestrians: "red" },
      },
      { ctx },
    );
    await sendToFifo("TrafficSignalsQueue", eventBridgeJson(first), "i-31", "i31-1");
    await sendToFifo("TrafficSignalsQueue", malformed, "i-31", "i31-bad");
    await sendToFifo("TrafficSignalsQueue", eventBridgeJson(second), "i-31", "i31-2");
    const dlq = resources.queues.TrafficSignalsDlq;
    if (!dlq) throw new Error("TrafficSignalsDlq was not deployed");
    const tool = dlqTool({ sqs, documents: docs, readModelsTable: readModels, onCount: () => {} });
    const entries = await waitFor(
      "the malformed event in the traffic DLQ",
      async () => {
        const list = await tool.list(dlq.url);
        return list.length > 0 ? list : undefined;
      },
      { timeoutMs: 45_000, intervalMs: 250 },
    );
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ reason: "validation", receiveCount: 1 });
    expect(entries[0]?.detail).toMatch(/zone/);
    const state = await waitFor("both valid changes applied", async () => {
      const s = await doc<{ appliedChanges: number; lights: LightState }>(
        "intersection#i-31",
        "state",
      );
      return s && s.appliedChanges >= 2 ? s : undefined;
    });
    expect(state.lights).toEqual({ vehicles: "red", pedestrians: "red" });
    expect(await tool.list(dlq.url)).toHaveLength(1); // nothing else reached the DLQ
  });

  it("runs the saga's compensation when dispatch keeps failing: units released, escalated", async () => {
    const publisher = new CityEventPublisher({
      busName: resources.bus.name,
      producerId: "collision-9",
      client: events,
    });
    const [accident] = await publisher.publish([
      {
        type: "AccidentDetected",
        payload: {
          sensorId: "collision-9",
          location: { latitude: 47.3, longitude: 8.5, zone: "z4", intersectionId: "i-20" },
          severity: "high",
          vehiclesInvolved: 2,
          injuriesReported: 1,
          lanesBlocked: 1,
        },
      },
    ]);
    const incidentId = accident ? incidentIdOf(accident) : "";
    const saga = await waitFor(
      "the incident escalated",
      async () => {
        const s = await doc<{ status: string; attempts: number }>(`incident#${incidentId}`, "saga");
        return s?.status === "escalated" ? s : undefined;
      },
      { timeoutMs: 55_000, intervalMs: 250 },
    );
    expect(saga.attempts).toBeGreaterThanOrEqual(1);
    const fleet = await doc<Record<string, { status: string; incidentId?: string }>>(
      "units#fleet",
      "ambulance",
    );
    expect(Object.values(fleet ?? {}).filter((u) => u.incidentId === incidentId)).toEqual([]);
    // every saga step is in the event store, in the incident's stream
    const stream = await waitFor("the incident stream", async () => {
      const out = await docs.send(
        new QueryCommand({
          TableName: eventsTable,
          KeyConditionExpression: "pk = :s",
          ExpressionAttributeValues: { ":s": `incident#${incidentId}` },
        }),
      );
      const types = (out.Items ?? []).flatMap((i) => i.eventTypes as string[]);
      return types.includes("DispatchEscalated") ? types : undefined;
    });
    expect(stream).toEqual(
      expect.arrayContaining([
        "IncidentOpened",
        "UnitsReserved",
        "DispatchFailed",
        "DispatchEscalated",
      ]),
    );
  });

  it("posts public-safe events to the media topic and counts every event per zone and minute", async () => {
    const event = cityEvent("PublicEventStarted", {
      location: { latitude: 47.3, longitude: 8.5, zone: "z7" },
    });
    await putRaw([event]);
    const queue = await waitFor(
      "the media post for z7",
      async () => {
        const q = await doc<{ posts: number; pending: unknown[] }>("media#z7", "queue");
        return q && q.posts >= 1 ? q : undefined;
      },
      { timeoutMs: 45_000 },
    );
    expect(queue.pending).toEqual([]);
    const minute = `${event.detail.meta.occurredAt.slice(0, 16)}:00.000Z`;
    const window = await waitFor("the z7 minute window", async () => {
      const w = await doc<{ eventIds: string[]; countsByType: Record<string, number> }>(
        "zone-stats#z7",
        `minute#${minute}`,
      );
      return w?.eventIds.includes(event.detail.meta.eventId) ? w : undefined;
    });
    expect(window.countsByType.PublicEventStarted).toBeGreaterThanOrEqual(1);
  });

  it("a malformed event reaches the DLQ with its reason, and the DLQ tool redrives it", async () => {
    const bad = cityEvent(
      "AccidentDetected",
      { location: { latitude: 47.3, longitude: 8.5, zone: "z8" } },
      { priority: "critical" },
    );
    const detail = { ...bad.detail, vehiclesInvolved: 0 };
    const out = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: resources.bus.name,
            Source: bad.source,
            DetailType: bad.detailType,
            Detail: JSON.stringify(detail),
          },
        ],
      }),
    );
    expect(out.FailedEntryCount ?? 0).toBe(0);
    const dlq = resources.queues.EmergencyCriticalDlq;
    const source = resources.queues.EmergencyCriticalQueue;
    if (!dlq || !source) throw new Error("the emergency queues were not deployed");
    const tool = dlqTool({ sqs, documents: docs, readModelsTable: readModels, onCount: () => {} });
    const [entry] = await waitFor(
      "the malformed event in the emergency DLQ",
      async () => {
        const entries = await tool.record(dlq.url);
        return entries.length > 0 ? entries : undefined;
      },
      { timeoutMs: 55_000, intervalMs: 500 },
    );
    expect(entry).toMatchObject({ reason: "validation", sourceQueue: source.name });
    expect(entry?.detail).toMatch(/vehiclesInvolved/);
    expect(entry?.receiveCount).toBe(1); // dead-lettered at once, not after the retries
    expect(await tool.redrive(dlq.url, source.url)).toEqual({ moved: 1, completed: 0 });
    // Still invalid: the redriven copy is dead-lettered again at once, and stays there.
    const [again] = await waitFor("the redriven copy back in the DLQ", async () => {
      const entries = await tool.list(dlq.url);
      return entries.length > 0 ? entries : undefined;
    });
    expect(again).toMatchObject({ reason: "validation" });
    expect(again?.messageId).not.toBe(entry?.messageId);
  });
});
