/**
 * `buzzville projections rebuild` on a live local city (docs/OPERATIONS.md, "Projections"): the
 * fire scenario runs through the real functions; the rebuild feeds the stored events to the
 * consumers' own code and the rebuilt intersections equal the live ones; a rebuild publishes
 * nothing (no PutEvents, no SNS Publish, no dispatch), and replacing the live documents keeps them.
 */
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main as projections } from "../../../bin/ops/projections.ts";
import { comparable } from "../../../functions/projections/sync.ts";
import { SHARED_IDS } from "../../../infra/resources.ts";
import { VirtualClock } from "../../../simulator/clock.ts";
import { runScenario } from "../../../simulator/run.ts";
import { LocalCity, OUTCOME_TEST_TIMEOUT_MS } from "../simulator/local-city.ts";
import { capture } from "./support.ts";

const PREFIX = "proj-it";
let city: LocalCity;
let target: string[];
let asOf: string;
let since: string;

beforeAll(async () => {
  city = await LocalCity.start(PREFIX);
  target = ["--endpoint", city.cloud.endpoint, "--prefix", PREFIX];
}, OUTCOME_TEST_TIMEOUT_MS);
afterAll(async () => {
  await city?.stop();
});

interface Window {
  readonly totalEvents: number;
  readonly countsByType: Record<string, number>;
  readonly countsByPriority: Record<string, number>;
}
const countsOf = (w: Window | undefined) =>
  w && { total: w.totalEvents, byType: w.countsByType, byPriority: w.countsByPriority };

const table = (id: string) => city.resources.tables[id]?.name ?? "";

/** Every live intersection document of the read-models table. */
async function liveIntersections(): Promise<Map<string, unknown>> {
  const out = await city.docs.send(
    new ScanCommand({
      TableName: table(SHARED_IDS.readModelsTable),
      FilterExpression: "begins_with(pk, :p) AND sk = :s",
      ExpressionAttributeValues: { ":p": "intersection#", ":s": "state" },
    }),
  );
  return new Map((out.Items ?? []).map((i) => [String(i.pk), i.doc]));
}

/** Every live document of the read-models table whose pk starts with `prefix`, by pk/sk. */
async function liveDocuments(prefix: string): Promise<Map<string, unknown>> {
  const out = await city.docs.send(
    new ScanCommand({
      TableName: table(SHARED_IDS.readModelsTable),
      FilterExpression: "begins_with(pk, :p)",
      ExpressionAttributeValues: { ":p": prefix },
    }),
  );
  return new Map((out.Items ?? []).map((i) => [`${i.pk}/${i.sk}`, i.doc]));
}

/** Requests the city served by service and action (the gateway's counts, every origin). */
function requestsBy(service: string, action: string): number {
  const s = city.cloud.gateway.requests.snapshot();
  return (s.client[service]?.[action] ?? 0) + (s.cloud[service]?.[action] ?? 0);
}

async function storedCount(): Promise<number> {
  const out = await city.docs.send(
    new ScanCommand({ TableName: table(SHARED_IDS.eventsTable), Select: "COUNT" }),
  );
  return out.Count ?? 0;
}

describe("buzzville projections rebuild", () => {
  it(
    "rebuilds the intersections of a fire scenario equal to the live ones, publishing nothing",
    async () => {
      const start = Date.now();
      const summary = await runScenario({
        scenario: "fire",
        rate: 2,
        durationSeconds: 20,
        seed: 5,
        busName: city.resources.bus.name,
        client: city.events,
        clock: new VirtualClock(start),
      });
      expect(summary.failures).toBe(0);
      await city.observeUntil("units dispatched for the fire", (all) =>
        all.some((d) => d.type === "UnitsDispatched"),
      );
      await city.waitUntilDrained();
      expect(await storedCount()).toBeGreaterThan(0);
      since = new Date(start - 60_000).toISOString();
      // after the drain every derived event has occurred; the scenario's own events are stamped
      // on its virtual clock, up to its 20 s (which a fast drain may not have reached yet)
      asOf = new Date(Math.max(Date.now(), start + 21_000)).toISOString();
      const live = await liveIntersections();
      expect(live.size).toBeGreaterThan(0);

      const before = {
        put: requestsBy("events", "PutEvents"),
        sns: requestsBy("sns", "Publish"),
      };
      expect(before.put).toBeGreaterThan(0); // the live services did publish derived events
      const check = await capture(projections, [
        "rebuild",
        "--only",
        "intersections",
        "--since",
        since,
        "--as-of",
        asOf,
        "--check",
        "--json",
        ...target,
      ]);
      expect(check.err).toContain("intersections: ");
      const result = JSON.parse(check.out);
      expect(result.diffs).toEqual([]);
      expect(check.code).toBe(0);
      expect(result.applied.intersections).toBeGreaterThan(0);
      expect(result.compared).toBeGreaterThanOrEqual(live.size);
      // the rebuild's own side effects: none on the bus, none to citizens
      expect(requestsBy("events", "PutEvents")).toBe(before.put);
      expect(requestsBy("sns", "Publish")).toBe(before.sns);
    },
    OUTCOME_TEST_TIMEOUT_MS,
  );

  it("rebuilds the zone statistics' minute counts equal to the live ones", async () => {
    const check = await capture(projections, [
      "rebuild",
      "--only",
      "zone-stats",
      "--since",
      since,
      "--as-of",
      asOf,
      "--check",
      "--json",
      ...target,
    ]);
    const r = JSON.parse(check.out) as {
      compared: number;
      diffs: { pk: string; sk: string; live?: Window; rebuilt: Window }[];
      applied: Record<string, number>;
    };
    expect(r.applied["zone-stats"]).toBeGreaterThan(0);
    const minutes = r.compared - r.diffs.filter((d) => !d.sk.startsWith("minute#")).length;
    expect(minutes).toBeGreaterThan(0);
    // Counts come from the events alone; whether a window was already closed (emitted, open
    // list, hourly roll-up) depends on when the live sweep last ran, so only counts must agree.
    for (const d of r.diffs.filter((x) => x.sk.startsWith("minute#"))) {
      expect(countsOf(d.rebuilt), `${d.pk}/${d.sk}`).toEqual(countsOf(d.live));
    }
  });

  it.each([
    ["incidents", "incident#"],
    ["units", "units#fleet"],
  ])(
    "rebuilds the %s of the fire scenario equal to the live ones, dispatching nothing",
    async (name, prefix) => {
      const live = await liveDocuments(prefix);
      expect(live.size).toBeGreaterThan(0);
      const before = requestsBy("events", "PutEvents");
      const check = await capture(projections, [
        "rebuild",
        "--only",
        name,
        "--since",
        since,
        "--as-of",
        asOf,
        "--check",
        "--json",
        ...target,
      ]);
      const result = JSON.parse(check.out);
      expect(result.diffs).toEqual([]);
      expect(check.code).toBe(0);
      expect(result.applied[name]).toBeGreaterThan(0);
      // every live document of the projection was rebuilt and compared (comparable(), sync.ts)
      expect(result.compared).toBe(live.size);
      if (name === "incidents") {
        const sagas = [...live].filter(([k]) => k.endsWith("/saga")).map(([, d]) => d);
        expect(sagas).toContainEqual(expect.objectContaining({ status: "dispatched" }));
      }
      expect(requestsBy("events", "PutEvents")).toBe(before);
    },
    OUTCOME_TEST_TIMEOUT_MS,
  );

  it("replacing the live documents with the rebuild keeps them equal", async () => {
    const live = await liveIntersections();
    const write = await capture(projections, [
      "rebuild",
      "--only",
      "intersections",
      "--since",
      since,
      "--as-of",
      asOf,
      ...target,
    ]);
    expect(write.err).not.toContain("Error");
    expect(write.code).toBe(0);
    expect(write.out).toMatch(/wrote \d+ document\(s\) to proj-it-ReadModelsTable/);
    // the same documents, the idempotency window compared as a set (its order is arrival order)
    const asCompared = (m: Map<string, unknown>) =>
      new Map([...m].map(([pk, doc]) => [pk, comparable(doc)]));
    expect(asCompared(await liveIntersections())).toEqual(asCompared(live));
  });

  it("rejects an unknown projection and a missing action", async () => {
    const bad = await capture(projections, ["rebuild", "--only", "buses", ...target]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain(
      '--only must be one of intersections, zone-stats, incidents, units, got "buses"',
    );
    const none = await capture(projections, [...target]);
    expect(none.code).toBe(2);
    expect(none.err).toContain('expects the action "rebuild", got none');
  });
});
