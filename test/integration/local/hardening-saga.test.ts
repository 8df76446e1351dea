/**
 * The emergency saga under killed environments (docs/RELIABILITY.md §2, "What was tried"): the
 * consumers on the local cloud, the emergency function's environment killed right after the bus
 * took a saga step (IncidentOpened of one incident, UnitsReserved of another) and right before it
 * publishes one (UnitsDispatched of a third). Each step is saved with its events before they go out, so a
 * delivery after a kill publishes the saved step again — the very same event — instead of
 * recomputing it: one id per step, one content per id, the Dispatch API called once per
 * incident, nothing lost, every step stored once. A bus rule copies every saga event the bus
 * accepts to a capture queue, so the test counts what went on the bus, not what the store kept.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SetQueueAttributesCommand,
} from "@aws-sdk/client-sqs";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { incidentIdOf } from "../../../functions/shared/incident.ts";
import { waitFor } from "../../support/wait.ts";
import { cityEvent, stampContext } from "../../unit/functions/fixtures.ts";
import { type ConsumerCloud, startConsumerCloud } from "../functions/consumer-cloud.ts";
import type { KillPoint } from "../functions/fixtures/emergency-killed.ts";

const SAGA_TYPES = ["IncidentOpened", "UnitsReserved", "UnitsDispatched"];
const accident = (i: number) =>
  cityEvent(
    "AccidentDetected",
    {
      sensorId: `saga-kill-${i}`,
      location: { latitude: 47.3, longitude: 8.5, zone: "z2", intersectionId: `i-${60 + i}` },
      severity: "high",
    },
    { ctx: stampContext(`saga-kill-${i}`), priority: "critical" },
  );
const accidents = [accident(1), accident(2), accident(3)];
const [a, b, d] = accidents.map(incidentIdOf) as [string, string, string];
/** One kill per incident: it leaves the incident two receives of its queue's three. */
const KILLS: KillPoint[] = [
  `${a}|after|IncidentOpened`,
  `${b}|after|UnitsReserved`,
  `${d}|before|UnitsDispatched`,
];

interface Captured {
  readonly type: string;
  readonly incidentId: string;
  readonly eventId: string;
  /** The detail without its stamp (meta): what the step says. */
  readonly content: string;
}

const faults = mkdtempSync(join(tmpdir(), "buzzville-saga-kill-"));
let c: ConsumerCloud;
let capture = "";

/** A queue fed by a bus rule with every saga event the bus accepts. */
async function captureSagaEvents(): Promise<string> {
  const q = await c.sqs.send(new CreateQueueCommand({ QueueName: "saga-capture" }));
  const arn = await c.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: q.QueueUrl, AttributeNames: ["QueueArn"] }),
  );
  const bus = c.resources.bus.name;
  await c.events.send(
    new PutRuleCommand({
      Name: "saga-capture",
      EventBusName: bus,
      EventPattern: JSON.stringify({ "detail-type": SAGA_TYPES }),
    }),
  );
  await c.events.send(
    new PutTargetsCommand({
      Rule: "saga-capture",
      EventBusName: bus,
      Targets: [{ Id: "capture", Arn: arn.Attributes?.QueueArn }],
    }),
  );
  return q.QueueUrl ?? "";
}

async function receiveCaptured(): Promise<Captured[]> {
  const out = await c.sqs.send(
    new ReceiveMessageCommand({ QueueUrl: capture, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
  );
  const messages = out.Messages ?? [];
  if (messages.length > 0) {
    await c.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: capture,
        Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
  }
  return messages.map((m) => {
    const e = JSON.parse(m.Body ?? "{}") as {
      "detail-type": string;
      detail: { incidentId: string; meta: { eventId: string } };
    };
    const { meta, ...content } = e.detail;
    return {
      type: e["detail-type"],
      incidentId: e.detail.incidentId,
      eventId: meta.eventId,
      content: JSON.stringify(content),
    };
  });
}

beforeAll(async () => {
  c = await startConsumerCloud("saga-kill", {
    extraEnv: { FAULTS_DIR: faults, EMERGENCY_KILLS: KILLS.join(",") },
    entries: { Emergency: "test/integration/functions/fixtures/emergency-killed.ts" },
  });
  // A killed environment's message comes back after the visibility timeout: 20 s, not 60 s, and
  // past the function's 10 s timeout (its idempotency record's in-progress lock) even when the
  // message waited for a new environment after the kill.
  const queue = c.resources.queues.EmergencyCriticalQueue;
  if (!queue) throw new Error("EmergencyCriticalQueue was not deployed");
  await c.sqs.send(
    new SetQueueAttributesCommand({ QueueUrl: queue.url, Attributes: { VisibilityTimeout: "20" } }),
  );
  capture = await captureSagaEvents();
}, 120_000);
afterAll(async () => {
  await c?.stop();
  rmSync(faults, { recursive: true, force: true });
});

describe("emergency saga: environments killed around its PutEvents", () => {
  it("publishes each step as one event, calls the Dispatch API once, stores each step once", async () => {
    await c.putRaw(accidents);
    const captured: Captured[] = [];
    const dispatched = (id: string) =>
      captured.some((e) => e.incidentId === id && e.type === "UnitsDispatched");
    await waitFor(
      () => `every incident dispatched on the bus (${captured.map((e) => e.type).join(", ")})`,
      async () => {
        captured.push(...(await receiveCaptured()));
        return dispatched(a) && dispatched(b) && dispatched(d);
      },
      { timeoutMs: 110_000, intervalMs: 200 },
    );
    // The three kills happened.
    expect(readdirSync(faults).filter((f) => f.startsWith("killed-"))).toHaveLength(KILLS.length);

    for (const incident of [a, b, d]) {
      const mine = captured.filter((e) => e.incidentId === incident);
      for (const type of SAGA_TYPES) {
        const copies = mine.filter((e) => e.type === type);
        // One event per step: one id, and every copy says the same (the saved step, not a
        // recomputed one: same units, same reservation time).
        expect(new Set(copies.map((e) => e.eventId)).size, `${incident} ${type}`).toBe(1);
        expect(new Set(copies.map((e) => e.content)).size, `${incident} ${type}`).toBe(1);
        // A copy more only where the environment died after the bus took the step.
        const diedAfter = KILLS.includes(`${incident}|after|${type}`) ? 1 : 0;
        expect(copies, `${incident} ${type}`).toHaveLength(1 + diedAfter);
      }
    }
    // Killed before UnitsDispatched went out: the saved step is published, the API not called again.
    const calls = readFileSync(join(faults, "calls.log"), "utf8").split("\n").filter(Boolean);
    for (const incident of [a, b, d]) expect(calls.filter((id) => id === incident)).toHaveLength(1);

    // The event store holds each step once.
    const stored = await waitFor(
      "every saga step stored",
      async () => {
        const out = await c.docs.send(
          new ScanCommand({ TableName: c.eventsTable, ConsistentRead: true }),
        );
        const types = (out.Items ?? [])
          .filter((item) => [a, b, d].some((id) => item.pk === `incident#${id}`))
          .flatMap((item) => (item.eventTypes ?? []) as string[]);
        return types.filter((t) => t === "UnitsDispatched").length >= 3 ? types : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    for (const type of SAGA_TYPES)
      expect(
        stored.filter((t) => t === type),
        type,
      ).toHaveLength(3);
    // Nothing dead-lettered: each incident finished within its queue's receives.
    const dlq = c.resources.queues.EmergencyCriticalDlq;
    const held = await c.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: dlq?.url,
        AttributeNames: ["ApproximateNumberOfMessages"],
      }),
    );
    expect(held.Attributes?.ApproximateNumberOfMessages).toBe("0");
  }, 200_000);
});
