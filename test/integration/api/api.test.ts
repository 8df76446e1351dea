/**
 * The city API on the local cloud (port 0): the gateway's /api/ prefix runs the API function's
 * handler over the deployed tables, which the event-store, analytics and traffic functions fill
 * from events published on the bus (real SDK v3 clients, real HTTP). Also `buzzville publish`
 * and `buzzville timeline`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main as publishCommand } from "../../../bin/ops/publish.ts";
import { main as timelineCommand } from "../../../bin/ops/timeline.ts";
import { INTERSECTIONS_OF } from "../../../functions/api/zones.ts";
import { mountLocalApi } from "../../../local/api/serve.ts";
import { type RunningFunctions, startFunctions } from "../../../local/lambda/runtime.ts";
import { cityEvent, stampContext } from "../../unit/functions/fixtures.ts";
import { capture, type OpsHarness, publish, startOpsCloud, waitFor } from "../ops/support.ts";

let h: OpsHarness;
let functions: RunningFunctions;

beforeAll(async () => {
  h = await startOpsCloud();
  mountLocalApi(h.cloud.gateway, h.resources);
  const wanted = new Set(["EventStore", "Analytics", "Traffic", "TrafficSignals"]);
  const es = h.resources.eventSources.filter((e) => wanted.has(e.subscriptionId));
  const fns = Object.fromEntries(
    Object.entries(h.resources.functions).filter(([id]) => es.some((e) => e.function === id)),
  );
  functions = startFunctions({
    resources: { ...h.resources, functions: fns, eventSources: es },
    sqs: h.sqs,
    maxInstancesPerFunction: 1,
    waitTimeSeconds: 1,
  });
  expect(await functions.warm()).toEqual([]);
}, 120_000);
afterAll(async () => {
  await functions?.stop();
  await h?.stop();
});

interface Answer {
  readonly status: number;
  readonly type: string;
  readonly body: Record<string, unknown> & { error?: { code: string; message: string } };
  readonly text: string;
}

async function get(path: string): Promise<Answer> {
  const res = await fetch(`${h.cloud.endpoint}${path}`);
  const text = await res.text();
  const type = res.headers.get("content-type") ?? "";
  return {
    status: res.status,
    type,
    text,
    body: type.includes("json") ? (JSON.parse(text) as Answer["body"]) : {},
  };
}

/** Waits until the stream holds `n` events (read through the API itself). */
async function stored(streamId: string, n: number): Promise<void> {
  await waitFor(
    `${n} event(s) in ${streamId}`,
    async () => {
      const a = await get(`/api/streams/${encodeURIComponent(streamId)}`);
      return a.status === 200 && (a.body.events as unknown[]).length >= n;
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  );
}

const T = "2026-11-23T15:00:00.000Z";
const at = (minutes: number) => new Date(Date.parse(T) + minutes * 60_000).toISOString();

describe("streams: pages and the state at an instant", () => {
  const ctx = stampContext("weather-station-api");
  const issued = cityEvent("WeatherAlertIssued", { alertId: "wx-api-1" }, { ctx, occurredAt: T });
  const cancelled = cityEvent(
    "WeatherAlertCancelled",
    { alertId: "wx-api-1" },
    { ctx, occurredAt: at(5), correlationId: issued.detail.meta.eventId },
  );
  const streamId = issued.detail.meta.streamId;
  const path = `/api/streams/${encodeURIComponent(streamId)}`;

  beforeAll(async () => {
    await publish(h, [issued, cancelled]);
    await stored(streamId, 2);
  }, 90_000);

  it("alert issued at T, cancelled at T+5: ACTIVE at T+3, CANCELLED at T+6", async () => {
    const mid = await get(`${path}/state?asOf=${encodeURIComponent(at(3))}`);
    expect(mid.status).toBe(200);
    expect(mid.body.state).toMatchObject({ status: "ACTIVE", eventCount: 1 });
    const after = await get(`${path}/state?asOf=${encodeURIComponent(at(6))}`);
    expect(after.body.state).toMatchObject({ status: "CANCELLED", eventCount: 2 });
    const v1 = await get(`${path}/state?version=1`);
    expect(v1.body).toMatchObject({ version: 1, state: { status: "ACTIVE" } });
  });

  it("pages the events with a cursor bound to the stream", async () => {
    const first = await get(`${path}?limit=1`);
    expect((first.body.events as { type: string }[]).map((e) => e.type)).toEqual([
      "WeatherAlertIssued",
    ]);
    expect(typeof first.body.nextCursor).toBe("string");
    const second = await get(`${path}?limit=1&cursor=${first.body.nextCursor}`);
    expect((second.body.events as { type: string }[]).map((e) => e.type)).toEqual([
      "WeatherAlertCancelled",
    ]);
    expect(second.body.nextCursor).toBeNull();
    const other = await get(`/api/streams/zone%23z1?cursor=${first.body.nextCursor}`);
    expect(other.status).toBe(400);
    expect(other.body.error?.code).toBe("InvalidCursor");
  });

  it("answers 400s naming the parameter and what is allowed, 404s for unknown ids", async () => {
    const both = await get(`${path}/state?asOf=${encodeURIComponent(at(3))}&version=1`);
    expect(both.status).toBe(400);
    expect(both.body.error?.message).toMatch(/either asOf or version/);
    const badAsOf = await get(`${path}/state?asOf=yesterday`);
    expect(badAsOf.body.error).toMatchObject({ code: "InvalidParameter" });
    expect(badAsOf.body.error?.message).toMatch(/^asOf="yesterday".*ISO-8601/);
    const badLimit = await get(`${path}?limit=0`);
    expect(badLimit.body.error?.message).toMatch(/limit="0".*integer from 1 to 500/);
    const typo = await get(`${path}?lmit=2`);
    expect(typo.body.error?.message).toMatch(/unknown query parameter "lmit"/);
    const badId = await get("/api/streams/nothing-here");
    expect(badId.status).toBe(400);
    expect(badId.body.error?.message).toMatch(/alert#<id>/);
    const unknown = await get("/api/streams/alert%23never-issued/state");
    expect(unknown.status).toBe(404);
    const encoding = await get("/api/streams/alert%E0%A4%A");
    expect(encoding.status).toBe(400);
    expect(encoding.body.error?.message).toMatch(/not valid URL encoding/);
    const route = await get("/api/nowhere");
    expect(route.status).toBe(404);
    expect(route.body.error?.code).toBe("RouteNotFound");
    const post = await fetch(`${h.cloud.endpoint}${path}`, { method: "POST", body: "{}" });
    expect(post.status).toBe(405);
  });

  it("serves the correlation timeline, and buzzville timeline prints it", async () => {
    const id = issued.detail.meta.eventId;
    const a = await get(`/api/timelines/${id}`);
    expect(a.status).toBe(200);
    expect((a.body.events as { type: string }[]).map((e) => e.type)).toEqual([
      "WeatherAlertIssued",
      "WeatherAlertCancelled",
    ]);
    const page = await get(`/api/timelines/${id}?limit=1`);
    expect((page.body.events as unknown[]).length).toBe(1);
    const rest = await get(`/api/timelines/${id}?limit=1&cursor=${page.body.nextCursor}`);
    expect((rest.body.events as { type: string }[])[0]?.type).toBe("WeatherAlertCancelled");
    const mermaid = await get(`/api/timelines/${id}?format=mermaid`);
    expect(mermaid.type).toContain("text/vnd.mermaid");
    expect(mermaid.text).toMatch(/^sequenceDiagram\n/);
    const notUlid = await get("/api/timelines/story-7");
    expect(notUlid.status).toBe(400);
    expect(notUlid.body.error?.message).toMatch(/give from=/);
    const unknownIncident = await get("/api/incidents/inc-fire-0000/timeline");
    expect(unknownIncident.status).toBe(404);

    const cli = await capture(timelineCommand, [id, ...h.target]);
    expect(cli.code).toBe(0);
    expect(cli.out).toMatch(/WeatherAlertIssued[\s\S]*WeatherAlertCancelled/);
    const json = await capture(timelineCommand, [id, "--json", ...h.target]);
    expect(JSON.parse(json.out)).toMatchObject({ kind: "correlation", steps: 2, outOfOrder: [] });
    const missing = await capture(timelineCommand, ["01JDX8Q4W6T2N5V7X9Y1B3C5D7", ...h.target]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/no event of incident or correlation id/);
  });
});

describe("zones and intersections from the analytics and traffic read models", () => {
  const zone = "z3";
  const intersectionId = INTERSECTIONS_OF[zone]?.[0] ?? "i-1";
  const location = { latitude: 47.3, longitude: 8.5, zone, intersectionId };
  /** Three minutes ago: its window is closed (rolled up) by the batch that counts it. */
  let past = "";
  let now = "";

  beforeAll(async () => {
    now = new Date().toISOString();
    past = new Date(Date.parse(now) - 3 * 60_000).toISOString();
    const later = new Date(Date.parse(past) + 1).toISOString();
    const ctx = stampContext(`cam-${intersectionId}`);
    const lights = stampContext(`tlc-${intersectionId}`);
    const alerts = stampContext("weather-station-live");
    await publish(h, [
      cityEvent(
        "TrafficDensityMeasured",
        { location, vehiclesCounted: 40 },
        { ctx, occurredAt: past },
      ),
      cityEvent(
        "TrafficDensityMeasured",
        { location, vehiclesCounted: 7 },
        { ctx, occurredAt: later },
      ),
      cityEvent("TrafficLightChanged", { location }, { ctx: lights, occurredAt: now }),
      cityEvent("WeatherAlertIssued", { alertId: "wx-live-1" }, { ctx: alerts, occurredAt: now }),
    ]);
    await stored(`intersection#${intersectionId}`, 1);
  }, 90_000);

  it("GET /api/intersections/{id}: lights, mode, last applied sequence", async () => {
    // The density reading may create the read model before the light change is applied.
    const a = await waitFor("the light change in the traffic read model", async () => {
      const r = await get(`/api/intersections/${intersectionId}`);
      return r.status === 200 && r.body.lights ? r : undefined;
    });
    expect(a.body).toMatchObject({
      intersectionId,
      mode: "normal",
      lights: { vehicles: "yellow" },
      lastAppliedSequence: 1,
    });
    expect((await get("/api/intersections/i-99999")).status).toBe(404);
    expect((await get("/api/intersections/x1")).body.error?.message).toMatch(/i-12/);
  });

  it("GET /api/zones/live: events per minute, density, alerts, lights", async () => {
    const minute = `${now.slice(0, 16)}:00.000Z`;
    type Minute = { minute: string; byType: Record<string, number> };
    const live = await waitFor("z3's live view", async () => {
      const r = await get(`/api/zones/live?zone=${zone}&minutes=60`);
      const z = (r.body.zones as Record<string, unknown>[] | undefined)?.[0];
      const alerts = z?.activeAlerts as unknown[] | undefined;
      const counted = (z?.eventsPerMinute as Minute[] | undefined)?.find(
        (m) => m.minute === minute,
      );
      return z?.trafficDensity && alerts?.length && counted?.byType.WeatherAlertIssued
        ? z
        : undefined;
    });
    const counted = (live.eventsPerMinute as Minute[]).find((m) => m.minute === minute);
    expect(counted?.byType).toMatchObject({ TrafficLightChanged: 1, WeatherAlertIssued: 1 });
    expect(live.trafficDensity).toMatchObject({ vehiclesCounted: 7 });
    expect(live.activeAlerts).toEqual([
      expect.objectContaining({ id: "wx-live-1", status: "ACTIVE" }),
    ]);
    expect(live.lights).toMatchObject({ intersections: 6, reporting: 1, byMode: { normal: 1 } });
    const all = await get("/api/zones/live?limit=3");
    expect((all.body.zones as unknown[]).length).toBe(3);
    const next = await get(`/api/zones/live?limit=3&cursor=${all.body.nextCursor}`);
    expect((next.body.zones as { zone: string }[])[0]?.zone).toBe("z4");
    expect((await get("/api/zones/live?zone=z99")).body.error?.message).toMatch(/one of z1, z2/);
  });

  it("GET /api/zones/hourly-distribution and weekly-data: the rolled-up density", async () => {
    const hour = new Date(past).getUTCHours();
    const day = past.slice(0, 10);
    const hourly = await waitFor("the hour's roll-up", async () => {
      const r = await get(`/api/zones/hourly-distribution?zone=${zone}&days=2`);
      const z = (
        r.body.zones as {
          vehiclesByHour: number[];
          days: { day: string; vehiclesByHour: number[] }[];
        }[]
      )[0];
      const d = z?.days.find((x) => x.day === day);
      return d?.vehiclesByHour[hour] === 47 ? z : undefined;
    });
    expect(hourly.vehiclesByHour[hour]).toBe(47);
    const weekly = await get(`/api/zones/weekly-data?zone=${zone}&days=7`);
    const days = (weekly.body.zones as { days: { day: string; vehiclesCounted: number }[] }[])[0]
      ?.days;
    expect(days).toHaveLength(7);
    expect(days?.find((d) => d.day === day)?.vehiclesCounted).toBe(47);
    const bad = await get("/api/zones/weekly-data?days=8");
    expect(bad.status).toBe(400);
    expect(bad.body.error?.message).toBe('days="8" is not allowed: an integer from 1 to 7');
  });
});

describe("buzzville publish", () => {
  it("publishes a valid event and prints its id; the store gets it", async () => {
    const payload = JSON.stringify({
      ...cityEvent("WeatherAlertIssued", { alertId: "wx-cli-1" }).detail,
      meta: undefined,
    });
    const out = await capture(publishCommand, [
      "--type",
      "WeatherAlertIssued",
      "--payload",
      payload,
      ...h.target,
    ]);
    expect(out.err).toBe("");
    expect(out.code).toBe(0);
    const id = out.out.trim();
    expect(id).toMatch(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
    await stored("alert#wx-cli-1", 1);
    const events = (await get("/api/streams/alert%23wx-cli-1")).body.events as {
      eventId: string;
      detail: { meta: { vectorClock?: Record<string, number> } };
    }[];
    expect(events[0]?.eventId).toBe(id);
    expect(Object.values(events[0]?.detail.meta.vectorClock ?? {})).toEqual([1]);
  });

  it("prints the validation error naming the field, publishing nothing", async () => {
    const out = await capture(publishCommand, [
      "--type",
      "WeatherAlertIssued",
      "--payload",
      '{"alertId":"wx-bad"}',
      "--count",
      "2",
      ...h.target,
    ]);
    expect(out.code).toBe(1);
    expect(out.err).toMatch(
      /invalid WeatherAlertIssued event: 2 of 2 event drafts are invalid; nothing was published/,
    );
    expect(out.err).toMatch(/severity|zones|validUntil/);
    const usage = await capture(publishCommand, ["--type", "X", "--payload", "{", ...h.target]);
    expect(usage.code).toBe(2);
    expect(usage.err).toMatch(/--payload must be JSON/);
  });
});
