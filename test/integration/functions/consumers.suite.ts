/**
 * The consumers on the local cloud (real wire protocols, real SDK v3 clients, the deployed
 * handler modules run by the local Lambda runner): publish with the project's publisher, then
 * check the services' effects in their tables. The emergency function runs with a Dispatch API
 * that always fails, to exercise the saga's compensation path end to end. Dead-letter cases are
 * in dead-letters.suite.ts; the file running these suites on one cloud is local-cloud.test.ts.
 */
import type { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { type DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { ulid } from "ulid";
import { beforeAll, describe, expect, it } from "vitest";
import type { LightState } from "../../../events/catalog/common.ts";
import type { AnyCityEvent } from "../../../events/catalog.ts";
import { CityEventPublisher } from "../../../events/publisher.ts";
import type { Ledger } from "../../../functions/notification/ledger.ts";
import { incidentIdOf } from "../../../functions/shared/incident.ts";
import { SHARED_IDS } from "../../../infra/resources.ts";
import type { ResourceMap } from "../../../local/resource-map.ts";
import { waitFor } from "../../support/wait.ts";
import { cityEvent, eventBridgeJson, stampContext } from "../../unit/functions/fixtures.ts";
import { type ConsumerCloud, credentials } from "./consumer-cloud.ts";

/** The consumers' tests on the consumer cloud `cloud()` returns (booted by the running file). */
export const describeConsumers = (cloud: () => ConsumerCloud) =>
  describe("consumers on the local cloud", () => {
    let c: ConsumerCloud;
    let resources: ResourceMap;
    let events: EventBridgeClient;
    let sqs: SQSClient;
    let docs: DynamoDBDocumentClient;
    let eventsTable = "";

    beforeAll(() => {
      c = cloud();
      ({ resources, events, sqs, docs, eventsTable } = c);
    });

    const doc = <T>(pk: string, sk: string) => c.doc<T>(pk, sk);
    const putRaw = (list: readonly AnyCityEvent[]) => c.putRaw(list);
    const sendToFifo = (queueId: string, body: string, groupId: string, dedupId: string) =>
      c.sendToFifo(queueId, body, groupId, dedupId);

    it("notifies a zone of known size once, even when the alert is delivered twice", async () => {
      // A subscriber of the citizen alerts topic for zone z3 (SNS filter policy on `zone`).
      const sns = new SNSClient({
        endpoint: c.cloud.endpoint,
        region: c.cloud.region,
        credentials,
      });
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
          Attributes: {
            FilterPolicy: JSON.stringify({ zone: ["z3"] }),
            RawMessageDelivery: "true",
          },
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
      const ledger = await waitFor(
        "z3 notified and announced",
        async () => {
          const l = await doc<Ledger>(key, "ledger");
          return l?.z3?.stage === "announced" ? l : undefined;
        },
        { timeoutMs: 45_000 },
      );
      expect(Object.keys(ledger)).toEqual(["z3"]);
      const queue = resources.queues.NotificationCriticalQueue;
      if (!queue) throw new Error("NotificationCriticalQueue was not deployed");
      // A delivery whose invocation ran past the function's timeout on a loaded machine (or was
      // refused while the other held the zone's claim) comes back after the queue's visibility
      // timeout, 60 s: the bound is above that.
      await waitFor(
        "both deliveries consumed",
        async () => {
          const a = await sqs.send(
            new GetQueueAttributesCommand({
              QueueUrl: queue.url,
              AttributeNames: [
                "ApproximateNumberOfMessages",
                "ApproximateNumberOfMessagesNotVisible",
              ],
            }),
          );
          return (
            a.Attributes?.ApproximateNumberOfMessages === "0" &&
            a.Attributes?.ApproximateNumberOfMessagesNotVisible === "0"
          );
        },
        { timeoutMs: 90_000 },
      );
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
    }, 180_000);

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
          const s = await doc<{ status: string; attempts: number }>(
            `incident#${incidentId}`,
            "saga",
          );
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
  });
