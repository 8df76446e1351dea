/**
 * The console's city map and its live state. The layout is the simulator's city model
 * (simulator/city.ts: the fixed zones and the 8×6 grid of 48 intersections); the state is read
 * through the city API (docs/API.md: `GET /api/zones/live`, `GET /api/intersections/{id}`), the
 * read models the services keep — the page never keeps a second copy of the city.
 */
import { buildCity, GRID_COLS, GRID_ROWS, ZONES } from "../../simulator/city.ts";

export interface CityLayout {
  readonly cols: number;
  readonly rows: number;
  readonly zones: readonly {
    readonly id: string;
    readonly name: string;
    readonly population: number;
    /** Grid cells covered, west/south corner first (zones are 2 columns × 3 rows). */
    readonly col: number;
    readonly row: number;
    readonly width: number;
    readonly height: number;
  }[];
  readonly intersections: readonly {
    readonly id: string;
    readonly zone: string;
    readonly col: number;
    readonly row: number;
    readonly address: string;
  }[];
}

/** The layout of the simulator's city (zone ids and the grid are the same for every seed). */
export function cityLayout(seed = 42): CityLayout {
  const city = buildCity(seed);
  const zones = ZONES.map((z) => {
    const cells = city.intersections.filter((i) => i.zone === z.id);
    const cols = cells.map((i) => i.col);
    const rows = cells.map((i) => i.row);
    const col = Math.min(...cols);
    const row = Math.min(...rows);
    return {
      ...z,
      col,
      row,
      width: Math.max(...cols) - col + 1,
      height: Math.max(...rows) - row + 1,
    };
  });
  const intersections = city.intersections.map((i) => ({
    id: i.id,
    zone: i.zone,
    col: i.col,
    row: i.row,
    address: i.address,
  }));
  return { cols: GRID_COLS, rows: GRID_ROWS, zones, intersections };
}

export interface IntersectionView {
  readonly mode: string;
  readonly vehicles?: string;
  readonly incidentId?: string;
}

export interface StoryRef {
  readonly id: string;
  readonly streamId: string;
  readonly status?: string;
  readonly lastEventType?: string;
  readonly lastOccurredAt?: string;
}

export interface ZoneView {
  readonly zone: string;
  readonly incidents: readonly StoryRef[];
  readonly activeAlerts: readonly StoryRef[];
  readonly eventsLastMinute: number;
}

export interface CityState {
  readonly at: number;
  readonly zones: readonly ZoneView[];
  readonly intersections: Readonly<Record<string, IntersectionView>>;
}

interface LiveZone {
  zone: string;
  incidents?: StoryRef[];
  activeAlerts?: StoryRef[];
  eventsPerMinute?: { total: number }[];
}

interface IntersectionModel {
  mode?: string;
  modeIncidentId?: string;
  lights?: { vehicles?: string };
}

async function getJson<T>(url: string): Promise<T | undefined> {
  const res = await fetch(url);
  if (res.status === 404) {
    await res.body?.cancel();
    return undefined;
  }
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/**
 * One read of the city's state through the city API served at `apiBase` (…/api/): the lights
 * (one read per intersection) and, unless `zonesOf` is given, the zones' incidents and alerts
 * (`zones/live`, whose time-bucket read grows with the hour's events: read less often).
 */
export async function readCityState(
  apiBase: string,
  layout: CityLayout,
  zonesOf?: CityState,
): Promise<CityState> {
  const live = zonesOf
    ? undefined
    : await getJson<{ zones: LiveZone[] }>(`${apiBase}zones/live?minutes=1`);
  const models = await Promise.all(
    layout.intersections.map((i) =>
      getJson<IntersectionModel>(`${apiBase}intersections/${encodeURIComponent(i.id)}`),
    ),
  );
  const intersections: Record<string, IntersectionView> = {};
  layout.intersections.forEach((i, n) => {
    const m = models[n];
    if (!m) return;
    intersections[i.id] = {
      mode: m.mode ?? "normal",
      ...(m.lights?.vehicles ? { vehicles: m.lights.vehicles } : {}),
      ...(m.modeIncidentId ? { incidentId: m.modeIncidentId } : {}),
    };
  });
  return {
    at: Date.now(),
    zones:
      zonesOf?.zones ??
      (live?.zones ?? []).map((z) => ({
        zone: z.zone,
        incidents: z.incidents ?? [],
        activeAlerts: z.activeAlerts ?? [],
        eventsLastMinute: z.eventsPerMinute?.at(-1)?.total ?? 0,
      })),
    intersections,
  };
}
