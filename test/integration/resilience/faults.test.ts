/**
 * No loss and no double side effect under faults, in process (docs/RELIABILITY.md "What was
 * tried"): the consumers on the local cloud, the emergency function with a Dispatch API that
 * times out on ~20 % of calls and kills its environment right after the first acceptance of ~1
 * incident in 4 (before the saga records the step; fixtures/emergency-faulty-dispatch.ts). A few
 * hundred events, accidents and weather alerts among them, are published; every one ends in the
 * event store exactly once, each incident is opened and dispatched (or escalated) exactly once,
 * each alert announces each zone exactly once, and no DLQ holds anything.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetQueueAttributesCommand, SetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnyCityEvent } from "../../../events/catalog.ts";
import { incidentIdOf } from "../../../functions/shared/incident.ts";
import { topology } from "../../../infra/topology.ts";
import { waitFor } from "../../support/wait.ts";
import { cityEvent, stampContext } from "../../unit/functions/fixtures.ts";
import { type ConsumerCloud, startConsumerCloud } from "../functions/consumer-cloud.ts";
import { killsAfter, timesOut } from "./fixtures/emergency-faulty-dispatch.ts";

const faults = mkdtempSync(join(tmpdir(), "buzzville-faults-"));
const logLines = (name: string): string[] => {
  try {
    return readFileSync(join(faults, name), "utf8").split("\n").filter(Boolean);
  } catch {
    return [];
  }
};

/** Each stored event's count and (stream, type) pairs, from the commit items. */
async function stored(c: ConsumerCloud) {
  const counts = new Map<string, number>();
  const byStream: { pk: string; type: string; id: string }[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await c.docs.send(
      new ScanCommand({ TableName: c.eventsTable, ExclusiveStartKey: start, ConsistentRead: true }),
    );
    for (const item of out.Items ?? []) {
      const ids = (item.eventIds ?? []) as string[];
      const types = (item.eventTypes ?? []) as string[];
      ids.forEach((id, i) => {
        counts.set(id, (counts.get(id) ?? 0) + 1);
        byStream.push({ pk: String(item.pk), type: types[i] ?? "", id });
      });
    }
    start = out.LastEvaluatedKey;
  } while (start);
  return { counts, byStream };
}

function workload(): { all: AnyCityEvent[]; accidents: AnyCityEvent[]; alerts: AnyCityEvent[] } {
  const accidents = Array.from({ length: 40 }, (_, i) =>
    cityEvent(
      "AccidentDetected",
      {
        sensorId: `collision-${i}`,
        location: {
          latitude: 47.3,
          longitude: 8.5,
          zone: `z${1 + (i % 8)}`,
          intersectionId: `i-${100 + i}`,
        },
        severity: "high",
      },
      { ctx: stampContext(`collision-${i}`) },
    ),
  );
  const alerts = Array.from({ length: 20 }, (_, i) =>
    cityEvent(
      "WeatherAlertIssued",
      {
        alertId: `wx-faults-${i}`,
        location: { latitude: 47.3, longitude: 8.5, zone: `z${1 + (i % 8)}` },
        zones: [`z${1 + (i % 8)}`, `z${1 + ((i + 3) % 8)}`],
      },
      { ctx: stampContext(`weather-${i}`) },
    ),
  );
  const filler = Array.from({ length: 240 }, (_, i) =>
    cityEvent(
      "PublicEventStarted",
      { location: { latitude: 47.3, longitude: 8.5, zone: `z${1 + (i % 8)}` } },
      { ctx: stampContext(`venue-${i}`) },
    ),
  );
  const all: AnyCityEvent[] = [];
  for (let i = 0; i < filler.length; i++) {
    const extra = i % 4 === 0 ? accidents[i / 4] : i % 12 === 1 ? alerts[(i - 1) / 12] : undefined;
    all.push(...(extra ? [extra] : []), filler[i] as AnyCityEvent);
  }
  return { all, accidents, alerts };
}

describe("faults: killed environments and a timing-out downstream", () => {
  let c: ConsumerCloud;
  beforeAll(async () => {
    c = await startConsumerCloud("faults", {
      extraEnv: { FAULTS_DIR: faults },
      entries: { Emergency: "test/integration/resilience/fixtures/emergency-faulty-dispatch.ts" },
    });
    // A killed environment's message comes back after the visibility timeout: 12 s, not 60 s
    // (long enough for the messages the poller holds while the one environment is busy).
    const emergency = topology.subscriptions.filter((x) => x.functionId === "Emergency");
    const queues = Object.entries(c.resources.queues).filter(
      ([id]) => !id.endsWith("Dlq") && emergency.some((s) => id.startsWith(s.id)),
    );
    expect(queues.length).toBeGreaterThan(0);
    for (const [, queue] of queues) {
      await c.sqs.send(
        new SetQueueAttributesCommand({
          QueueUrl: queue.url,
          Attributes: { VisibilityTimeout: "12" },
        }),
      );
    }
  }, 120_000);
  afterAll(async () => {
    await c?.stop();
    rmSync(faults, { recursive: true, force: true });
  });

  it("stores every event once and makes every side effect once", async () => {
    const { all, accidents, alerts } = workload();
    await c.putRaw(all);
    const incidents = accidents.map(incidentIdOf);
    const ids = all.map((e) => e.detail.meta.eventId);
    // An accident notifies its zone; a weather alert each of its two zones.
    const expectedNotices = accidents.length + alerts.length * 2;
    let progress = "nothing scanned";
    const settled = (s: Awaited<ReturnType<typeof stored>>) => {
      const done = incidents.filter((inc) =>
        s.byStream.some(
          (e) =>
            e.pk === `incident#${inc}` &&
            (e.type === "UnitsDispatched" || e.type === "DispatchEscalated"),
        ),
      );
      const notices = s.byStream.filter((e) => e.type === "CitizensNotified").length;
      const storedIds = ids.filter((id) => s.counts.has(id)).length;
      progress = `${storedIds}/${ids.length} stored, ${done.length}/${incidents.length} incidents done, ${notices}/${expectedNotices} notices`;
      return (
        storedIds === ids.length && done.length === incidents.length && notices >= expectedNotices
      );
    };
    const s = await waitFor(
      () => `every event stored and every incident dispatched or escalated (${progress})`,
      async () => {
        const now = await stored(c);
        return settled(now) ? now : undefined;
      },
      { timeoutMs: 50_000, intervalMs: 250 },
    );
    // Faults really happened: environments killed mid-invocation, dispatch calls timed out.
    const killed = readdirSync(faults).filter((f) => f.startsWith("killed-")).length;
    expect(killed).toBeGreaterThanOrEqual(Math.max(3, incidents.filter(killsAfter).length));
    const calls = logLines("calls.log");
    expect(
      calls.some((id, i) => timesOut(id, calls.slice(0, i).filter((x) => x === id).length)),
    ).toBe(true);
    // Every accepted event stored exactly once.
    expect(ids.filter((id) => s.counts.get(id) !== 1)).toEqual([]);
    expect([...s.counts.values()].filter((n) => n !== 1)).toEqual([]);
    // Each incident opened once and dispatched (or escalated) once; the API took each once.
    for (const inc of incidents) {
      const types = s.byStream.filter((e) => e.pk === `incident#${inc}`).map((e) => e.type);
      expect(
        types.filter((t) => t === "IncidentOpened"),
        inc,
      ).toHaveLength(1);
      expect(
        types.filter((t) => t === "UnitsDispatched" || t === "DispatchEscalated"),
        inc,
      ).toHaveLength(1);
    }
    // The API's effect once per dispatched incident; the killed ones were called again (a
    // replay the API absorbs), so only its idempotency keeps the effect single.
    const dispatched = logLines("dispatched.log");
    const withUnits = incidents.filter((inc) =>
      s.byStream.some((e) => e.pk === `incident#${inc}` && e.type === "UnitsDispatched"),
    );
    expect(withUnits.length).toBeGreaterThan(0);
    for (const inc of withUnits)
      expect(
        dispatched.filter((d) => d === inc),
        inc,
      ).toHaveLength(1);
    expect(logLines("replays.log").length).toBeGreaterThanOrEqual(1);
    // Each alert announced each of its zones once (accidents are alerts too).
    const notified = s.byStream.filter((e) => e.type === "CitizensNotified");
    expect(new Set(notified.map((e) => e.id)).size).toBe(notified.length);
    expect(notified).toHaveLength(expectedNotices);
    // Nothing dead-lettered.
    for (const [id, queue] of Object.entries(c.resources.queues)) {
      if (!id.endsWith("Dlq")) continue;
      const out = await c.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queue.url,
          AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        }),
      );
      expect(Number(out.Attributes?.ApproximateNumberOfMessages ?? 0), id).toBe(0);
    }
  }, 90_000);
});
