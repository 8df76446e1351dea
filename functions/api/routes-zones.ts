/**
 * Zone routes (docs/API.md): live activity, hourly distribution and daily totals per zone, from
 * the analytics read models (AnalyticsService's queries), the traffic read models and, for the
 * alerts and incidents under way, the event store's time-bucket index.
 */
import type { StoredEvent } from "../event-store/port.ts";
import type { IntersectionState } from "../traffic/intersection.ts";
import { intersectionKey } from "../traffic/service.ts";
import type { ApiDeps, RouteAnswer } from "./deps.ts";
import { invalidParameter } from "./errors.ts";
import { type ApiRequest, cursorParam, intParam, onlyParams, pageOf } from "./http.ts";
import { INTERSECTIONS_OF, ZONE_IDS, ZONE_NAMES } from "./zones.ts";

const PAGED = ["zone", "limit", "cursor"];

/** The zones of this page: `zone=` (one) or all, `limit` per page from the cursor on. */
function zonesPage(req: ApiRequest, list: string) {
  const zone = req.query.zone;
  if (zone !== undefined && !ZONE_IDS.includes(zone)) {
    throw invalidParameter("zone", zone, `one of ${ZONE_IDS.join(", ")}`);
  }
  const zones = zone ? [zone] : ZONE_IDS;
  const limit = intParam(req, "limit", { min: 1, max: ZONE_IDS.length, fallback: ZONE_IDS.length });
  const at = cursorParam(req, list);
  const start = typeof at === "number" ? at : 0;
  return pageOf(zones, start, limit ?? ZONE_IDS.length, list);
}

/** `GET /api/zones/live?minutes=5&windowMinutes=60&zone=&limit=&cursor=` */
export async function zonesLive(deps: ApiDeps, req: ApiRequest): Promise<RouteAnswer> {
  onlyParams(req, [...PAGED, "minutes", "windowMinutes"]);
  const minutes = intParam(req, "minutes", { min: 1, max: 60, fallback: 5 }) ?? 5;
  const windowMinutes = intParam(req, "windowMinutes", { min: 1, max: 1440, fallback: 60 }) ?? 60;
  const page = zonesPage(req, "zones-live");
  const now = deps.clock.now();
  const recent = await deps.store.readTimeRange(
    new Date(now - windowMinutes * 60_000).toISOString(),
    new Date(now).toISOString(),
  );
  const zones = await Promise.all(
    page.items.map(async (zone) => ({
      zone,
      name: ZONE_NAMES[zone] ?? zone,
      eventsPerMinute: await perMinute(deps, zone, now, minutes),
      trafficDensity: (await deps.analytics.liveDensity(zone)) ?? null,
      ...(await underWay(deps, zone, recent)),
      lights: await lightsOf(deps, zone),
    })),
  );
  return {
    json: {
      at: new Date(now).toISOString(),
      minutes,
      windowMinutes,
      zones,
      nextCursor: page.nextCursor,
    },
  };
}

/** Events per minute by type and priority, the last `minutes` minutes (the current one last). */
async function perMinute(deps: ApiDeps, zone: string, now: number, minutes: number) {
  const starts = Array.from({ length: minutes }, (_, i) =>
    new Date((Math.floor(now / 60_000) - (minutes - 1 - i)) * 60_000).toISOString(),
  );
  return Promise.all(
    starts.map(async (minute) => {
      const w = await deps.analytics.minute(zone, minute);
      return {
        minute,
        total: w?.totalEvents ?? 0,
        byType: w?.countsByType ?? {},
        byPriority: w?.countsByPriority ?? {},
      };
    }),
  );
}

/** The zone's alerts (still ACTIVE) and incidents seen in the window, with their stream state. */
async function underWay(deps: ApiDeps, zone: string, recent: readonly StoredEvent[]) {
  const streams = new Set(
    recent
      .filter((e) => (e.detail.meta as { zone?: unknown } | undefined)?.zone === zone)
      .map((e) => e.streamId)
      .filter((s) => s.startsWith("alert#") || s.startsWith("incident#")),
  );
  const states = await Promise.all([...streams].sort().map((s) => deps.store.state(s)));
  const view = (s: (typeof states)[number]) => ({
    id: s.state.streamId.slice(s.state.streamId.indexOf("#") + 1),
    streamId: s.state.streamId,
    status: s.state.status,
    lastEventType: s.state.lastEventType ?? null,
    lastOccurredAt: s.state.lastOccurredAt ?? null,
  });
  return {
    activeAlerts: states
      .filter((s) => s.state.streamId.startsWith("alert#") && s.state.status === "ACTIVE")
      .map(view),
    incidents: states.filter((s) => s.state.streamId.startsWith("incident#")).map(view),
  };
}

/** How many of the zone's intersections are in each mode and vehicle light. */
async function lightsOf(deps: ApiDeps, zone: string) {
  const ids = INTERSECTIONS_OF[zone] ?? [];
  const docs = await Promise.all(
    ids.map((id) =>
      deps.docs.get<IntersectionState>(intersectionKey(id).pk, intersectionKey(id).sk),
    ),
  );
  const byMode: Record<string, number> = {};
  const byVehicleLight: Record<string, number> = {};
  const notNormal: string[] = [];
  let reporting = 0;
  for (const d of docs) {
    if (!d) continue;
    reporting += 1;
    byMode[d.value.mode] = (byMode[d.value.mode] ?? 0) + 1;
    const light = d.value.lights?.vehicles ?? "unknown";
    byVehicleLight[light] = (byVehicleLight[light] ?? 0) + 1;
    if (d.value.mode !== "normal") notNormal.push(d.value.intersectionId);
  }
  return { intersections: ids.length, reporting, byMode, byVehicleLight, notNormal };
}

/** `GET /api/zones/hourly-distribution?days=7&zone=&limit=&cursor=` */
export async function zonesHourly(deps: ApiDeps, req: ApiRequest): Promise<RouteAnswer> {
  onlyParams(req, [...PAGED, "days"]);
  const days = intParam(req, "days", { min: 1, max: 7, fallback: 7 }) ?? 7;
  const page = zonesPage(req, "zones-hourly");
  const today = Date.parse(new Date(deps.clock.now()).toISOString().slice(0, 10));
  const dayList = Array.from({ length: days }, (_, i) =>
    new Date(today - (days - 1 - i) * 86_400_000).toISOString().slice(0, 10),
  );
  const zones = await Promise.all(
    page.items.map(async (zone) => {
      const perDay = await Promise.all(
        dayList.map(async (day) => ({
          day,
          vehiclesByHour: await deps.analytics.hourlyDistribution(zone, day),
        })),
      );
      const vehiclesByHour = Array.from({ length: 24 }, (_, h) =>
        perDay.reduce((n, d) => n + (d.vehiclesByHour[h] ?? 0), 0),
      );
      return { zone, name: ZONE_NAMES[zone] ?? zone, vehiclesByHour, days: perDay };
    }),
  );
  return { json: { days, zones, nextCursor: page.nextCursor } };
}

/** `GET /api/zones/weekly-data?days=7&zone=&limit=&cursor=` */
export async function zonesWeekly(deps: ApiDeps, req: ApiRequest): Promise<RouteAnswer> {
  onlyParams(req, [...PAGED, "days"]);
  const days = intParam(req, "days", { min: 1, max: 7, fallback: 7 }) ?? 7;
  const page = zonesPage(req, "zones-weekly");
  const zones = await Promise.all(
    page.items.map(async (zone) => ({
      zone,
      name: ZONE_NAMES[zone] ?? zone,
      days: (await deps.analytics.lastSevenDays(zone)).slice(-days),
    })),
  );
  return { json: { days, zones, nextCursor: page.nextCursor } };
}
