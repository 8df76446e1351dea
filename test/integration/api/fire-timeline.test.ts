/**
 * The causal timeline of the fire scenario on the whole local city (port 0, every function
 * running, the simulator publishing over the real wire): smoke → fire alarm → incident → units
 * reserved → dispatched → zone notified → route pre-empted, read back through the city API and
 * `buzzville timeline`, with the emergency and notification branches concurrent.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main as timelineCommand } from "../../../bin/ops/timeline.ts";
import { VectorClock } from "../../../events/logical-clocks.ts";
import type { TimelineEntry } from "../../../functions/api/timeline.ts";
import { mountLocalApi } from "../../../local/api/serve.ts";
import { VirtualClock } from "../../../simulator/clock.ts";
import { runScenario } from "../../../simulator/run.ts";
import { waitFor } from "../../support/wait.ts";
import { capture } from "../ops/support.ts";
import { LocalCity, OUTCOME_TEST_TIMEOUT_MS, OUTCOME_TIMEOUT_MS } from "../simulator/local-city.ts";

const PREFIX = "api-fire";
let city: LocalCity;

beforeAll(async () => {
  city = await LocalCity.start(PREFIX);
  mountLocalApi(city.cloud.gateway, city.resources);
}, 120_000);
afterAll(async () => {
  await city?.stop();
});

async function getJson(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${city.cloud.endpoint}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("the fire scenario's causal timeline", () => {
  it(
    "orders the story by happened-before and shows its concurrent branches",
    async () => {
      const summary = await runScenario({
        scenario: "fire",
        rate: 2,
        durationSeconds: 20,
        seed: 3,
        busName: city.resources.bus.name,
        client: city.events,
        clock: new VirtualClock(Date.now()),
      });
      const dispatched = summary.expected.checks.find((c) => c.kind === "units-dispatched");
      const preempted = summary.expected.checks.find((c) => c.kind === "intersections-preempted");
      if (
        dispatched?.kind !== "units-dispatched" ||
        preempted?.kind !== "intersections-preempted"
      ) {
        throw new Error("the fire scenario lost its expected outcome");
      }
      const id = dispatched.correlationId;
      const wanted = ["UnitsDispatched", "CitizensNotified"];
      const timeline = await waitFor(
        `UnitsDispatched and CitizensNotified in the timeline of ${id}`,
        async () => {
          const r = await getJson(`/api/timelines/${id}?limit=1000`);
          const types = ((r.body.events as TimelineEntry[] | undefined) ?? []).map((e) => e.type);
          return wanted.every((t) => types.includes(t)) ? r.body : undefined;
        },
        { timeoutMs: OUTCOME_TIMEOUT_MS, intervalMs: 250 },
      );
      const events = timeline.events as TimelineEntry[];
      const pos = (type: string) => events.findIndex((e) => e.type === type);
      const one = (type: string) => events.find((e) => e.type === type) as TimelineEntry;

      // Causes first: smoke → alarm; incident → units reserved → dispatched.
      expect(events[0]?.type).toBe("SmokeDetected");
      expect(pos("SmokeDetected")).toBeLessThan(pos("FireAlarmRaised"));
      expect(pos("IncidentOpened")).toBeLessThan(pos("UnitsReserved"));
      expect(pos("UnitsReserved")).toBeLessThan(pos("UnitsDispatched"));
      // Derived events carry the clock of their cause merged with their service's entry.
      for (const type of ["IncidentOpened", "UnitsDispatched", "CitizensNotified"]) {
        const clock = one(type).vectorClock ?? {};
        expect(Object.keys(clock).length, type).toBeGreaterThanOrEqual(2);
        expect(
          Object.keys(clock).some((p) => p.startsWith("svc-")),
          type,
        ).toBe(true);
      }
      // The notification branch and the emergency branch are concurrent, and shown as such.
      const notified = VectorClock.from(one("CitizensNotified").vectorClock);
      const units = VectorClock.from(one("UnitsDispatched").vectorClock);
      expect(notified.compare(units)).toBe("concurrent");
      expect(events.some((e) => e.concurrentWith.length > 0)).toBe(true);
      expect(timeline.steps as number).toBeLessThan(events.length);
      // No service's event was produced before its cause. (A device's declared cause — the
      // camera "caused by" the smoke — is flagged: the camera never received the smoke event.)
      for (const e of events.filter((x) => x.producerId.startsWith("svc-"))) {
        expect(
          e.anomalies.filter((a) => /Lamport|vector clock/.test(a)),
          e.type,
        ).toEqual([]);
      }
      const camera = one("CameraAnomalyDetected");
      expect(camera.anomalies.join(" ")).toMatch(/produced without receiving it/);
      expect(pos("SmokeDetected")).toBeLessThan(pos("CameraAnomalyDetected"));

      // The same story by incident id, through the CLI (mermaid) and the API.
      const incidentId = String(
        (one("UnitsDispatched") as unknown as { streamId: string }).streamId,
      ).split("#")[1];
      const byIncident = await getJson(`/api/incidents/${incidentId}/timeline?limit=1000`);
      expect(byIncident.status).toBe(200);
      expect((byIncident.body.events as TimelineEntry[]).map((e) => e.eventId)).toEqual(
        expect.arrayContaining(events.map((e) => e.eventId)),
      );
      const mermaid = await capture(timelineCommand, [
        incidentId ?? "",
        "--mermaid",
        "--endpoint",
        city.cloud.endpoint,
        "--prefix",
        PREFIX,
      ]);
      expect(mermaid.code).toBe(0);
      expect(mermaid.out).toMatch(/^sequenceDiagram\n/);
      expect(mermaid.out).toMatch(/par step \d+/);
      expect(mermaid.out).toMatch(/->>P\d+: UnitsDispatched/);

      // The route is pre-empted for this incident (intersection read model).
      const target = await waitFor(`${preempted.target} pre-empted`, async () => {
        const r = await getJson(`/api/intersections/${preempted.target}`);
        return r.body.mode === "preempted" ? r.body : undefined;
      });
      expect(target.modeIncidentId).toBe(incidentId);
    },
    OUTCOME_TEST_TIMEOUT_MS,
  );
});
