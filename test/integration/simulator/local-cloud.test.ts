/**
 * The simulator against the local cloud (local/), deployed from the topology, over the real AWS
 * wire protocols with real SDK v3 clients — without the functions: it checks what the
 * simulator's events trigger in the routing (which queues get which events), the precondition of
 * each scenario's expected outcome. Outcomes of the consumers are in services-outcomes.test.ts.
 */
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { topology } from "../../../infra/topology.ts";
import { type LocalCloud, startLocalCloud } from "../../../local/cloud.ts";
import { deployTopology } from "../../../local/deploy.ts";
import type { ResourceMap } from "../../../local/resource-map.ts";
import { VirtualClock } from "../../../simulator/clock.ts";
import { runScenario } from "../../../simulator/run.ts";
import { contextFor, SCENARIOS } from "../../../simulator/scenarios/index.ts";
import type { EventStep } from "../../../simulator/steps.ts";
import { waitFor } from "../../support/wait.ts";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
let cloud: LocalCloud;
let resources: ResourceMap;
let sqs: SQSClient;
let events: EventBridgeClient;

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0 });
  resources = await deployTopology({
    endpoint: cloud.endpoint,
    region: cloud.region,
    topology,
    prefix: "sim-it",
  });
  const config = { endpoint: cloud.endpoint, region: cloud.region, credentials };
  sqs = new SQSClient(config);
  events = new EventBridgeClient(config);
});

afterAll(async () => {
  sqs?.destroy();
  events?.destroy();
  await cloud?.stop();
});

interface Delivered {
  readonly type: string;
  readonly eventId: string;
}

/** Receives (and deletes) everything a consumer queue holds until `count` arrived. */
async function drain(logicalSubscription: string, count: number): Promise<Delivered[]> {
  const queue =
    Object.values(resources.queues).find(
      (q) => q.subscriptionId === logicalSubscription && q.role === "intake",
    ) ??
    Object.values(resources.queues).find(
      (q) => q.subscriptionId === logicalSubscription && q.role === "consumer",
    );
  if (!queue) throw new Error(`no queue for subscription ${logicalSubscription}`);
  const got: Delivered[] = [];
  await waitFor(`${count} messages in ${queue.name} (have ${got.length})`, async () => {
    const r = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queue.url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
      }),
    );
    const messages = r.Messages ?? [];
    for (const m of messages) {
      const body = JSON.parse(m.Body ?? "{}");
      got.push({ type: body["detail-type"], eventId: body.detail?.meta?.eventId });
    }
    if (messages.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queue.url,
          Entries: messages.map((m, i) => ({
            Id: String(i),
            ReceiptHandle: m.ReceiptHandle ?? "",
          })),
        }),
      );
    }
    return got.length >= count;
  });
  return got;
}

function storyOf(
  name: "fire" | "storm",
  seed: number,
  rate: number,
  duration: number,
  startMs: number,
) {
  return [...SCENARIOS[name].build(contextFor(seed, rate, duration, startMs)).steps].filter(
    (s): s is EventStep => s.kind === "event",
  );
}

describe("simulator on the local cloud", () => {
  it("fire: the critical story reaches emergency, only the alarm reaches citizens' alerts", async () => {
    const start = Date.now();
    const summary = await runScenario({
      scenario: "fire",
      rate: 2,
      durationSeconds: 20,
      seed: 3,
      busName: resources.bus.name,
      client: events,
      clock: new VirtualClock(start),
    });
    expect(summary.failures).toBe(0);
    const steps = storyOf("fire", 3, 2, 20, start);
    const id = (type: string, nth = 0) =>
      steps.filter((s) => s.draft.type === type)[nth]?.draft.eventId;

    const emergency = await drain("EmergencyCritical", 2);
    expect(emergency.map((d) => d.eventId).sort()).toEqual(
      [id("SmokeDetected", 1), id("FireAlarmRaised")].sort(),
    );
    const alerts = await drain("NotificationCritical", 1);
    expect(alerts).toEqual([{ type: "FireAlarmRaised", eventId: id("FireAlarmRaised") }]);
    const analytics = await drain("Analytics", summary.sent);
    expect(new Set(analytics.map((d) => d.eventId))).toEqual(new Set(summary.acceptedEventIds));
  });

  it("storm: the red alert is critical for emergency and citizens, the schools notice goes bulk", async () => {
    const start = Date.now();
    const summary = await runScenario({
      scenario: "storm",
      rate: 2,
      durationSeconds: 20,
      seed: 5,
      busName: resources.bus.name,
      client: events,
      clock: new VirtualClock(start),
    });
    expect(summary.failures).toBe(0);
    const steps = storyOf("storm", 5, 2, 20, start);
    const issued = steps.filter((s) => s.draft.type === "WeatherAlertIssued");
    const cancelled = steps.filter((s) => s.draft.type === "WeatherAlertCancelled");
    const [red, schools] = issued;
    const emergency = await drain("EmergencyCritical", 1);
    expect(emergency.map((d) => d.eventId)).toEqual([red?.draft.eventId]);
    const critical = await drain("NotificationCritical", 2); // red issued, red cancelled (high)
    expect(critical.map((d) => d.eventId).sort()).toEqual(
      [red?.draft.eventId, cancelled[0]?.draft.eventId].sort(),
    );
    const bulk = await drain("NotificationBulk", 2); // schools notice issued + cancelled
    expect(bulk.map((d) => d.eventId).sort()).toEqual(
      [schools?.draft.eventId, cancelled[1]?.draft.eventId].sort(),
    );
    await drain("Analytics", summary.sent);
  });

  it("chaos: the bus refuses the non-JSON entry and delivers duplicates and the other malformed ones", async () => {
    const summary = await runScenario({
      scenario: "chaos",
      rate: 2,
      durationSeconds: 20,
      seed: 8,
      busName: resources.bus.name,
      client: events,
      clock: new VirtualClock(Date.now()),
      chaos: { duplicates: 3, outOfOrder: 2, malformed: 5 },
    });
    expect(summary).toMatchObject({
      failures: 0,
      duplicatesSent: 3,
      outOfOrderSent: 4,
      malformedSent: 5,
      malformedRejectedByBus: 1,
    });
    // analytics takes every city event: all accepted entries arrive, duplicates included
    const analytics = await drain("Analytics", summary.sent);
    expect(analytics).toHaveLength(summary.sent);
    expect(analytics.filter((d) => d.type === "CameraExploded")).toHaveLength(1);
  });
});
