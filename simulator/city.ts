/**
 * The seeded model of Buzz Ville: zones, a street grid of intersections, buildings, standby
 * emergency units, transit stations and routes, venues, and the producers installed in them.
 *
 * What is fixed (the city's "census", shared with the services): zone ids, names and
 * populations (they sum to 50,000, matching the notification service's citizen registry), the
 * intersection ids and which zone each lies in. What the seed decides: exact coordinates (a few
 * metres of jitter), buildings and their addresses, where units stand by, which buildings carry
 * gas sensors. Same seed → same city, deep-equal.
 */
import { Rng } from "./rng.ts";

export interface LatLng {
  readonly lat: number;
  readonly lng: number;
}

export interface Zone {
  readonly id: string;
  readonly name: string;
  readonly population: number;
  readonly centre: LatLng;
}

export interface Intersection extends LatLng {
  readonly id: string;
  readonly zone: string;
  /** Grid position (column 0..7 west→east, row 0..5 south→north). */
  readonly col: number;
  readonly row: number;
  /** "Nth Avenue & Name Street". */
  readonly address: string;
}

export type BuildingKind =
  | "school"
  | "hospital"
  | "office"
  | "residential"
  | "warehouse"
  | "venue"
  | "station";

export interface Building extends LatLng {
  readonly id: string;
  readonly kind: BuildingKind;
  readonly name: string;
  readonly address: string;
  readonly zone: string;
  /** The nearest intersection (its id). */
  readonly intersectionId: string;
  readonly floors: number;
  readonly hasGasSensor: boolean;
}

/** Unit kinds and ids follow the catalog (`fire-engine-7`, `ambulance-3`, `police-2`). */
export type UnitKind = "fire-engine" | "ambulance" | "police";

export interface EmergencyUnit extends LatLng {
  readonly id: string;
  readonly kind: UnitKind;
  readonly zone: string;
  readonly stationIntersectionId: string;
}

export interface TrainStation extends LatLng {
  readonly id: string;
  readonly name: string;
  readonly zone: string;
  readonly intersectionId: string;
}

export interface TrainLine {
  readonly id: string;
  readonly name: string;
  readonly stationIds: readonly string[];
}

export interface BusRoute {
  readonly id: string;
  readonly name: string;
  /** Stops are intersections along the route. */
  readonly stopIntersectionIds: readonly string[];
}

export interface WeatherStation extends LatLng {
  readonly id: string;
  readonly zone: string;
}

export interface City {
  readonly name: string;
  readonly seed: number;
  readonly centre: LatLng;
  readonly zones: readonly Zone[];
  readonly intersections: readonly Intersection[];
  readonly buildings: readonly Building[];
  readonly units: readonly EmergencyUnit[];
  readonly trainStations: readonly TrainStation[];
  readonly trainLines: readonly TrainLine[];
  readonly busRoutes: readonly BusRoute[];
  readonly weatherStations: readonly WeatherStation[];
  /** Intersections carrying an AI camera (every one, plus venues' cameras via buildings). */
  readonly cameraIntersectionIds: readonly string[];
}

export const CITY_CENTRE: LatLng = { lat: 47.3, lng: 8.5 };

/** The census: fixed for every seed. Populations sum to 50,000. */
export const ZONES: readonly Omit<Zone, "centre">[] = [
  { id: "z1", name: "Old Town", population: 7200 },
  { id: "z2", name: "Harbour", population: 5400 },
  { id: "z3", name: "University", population: 8100 },
  { id: "z4", name: "Riverside", population: 6300 },
  { id: "z5", name: "Market", population: 5800 },
  { id: "z6", name: "Industrial Park", population: 3200 },
  { id: "z7", name: "Greenfields", population: 7600 },
  { id: "z8", name: "Hillcrest", population: 6400 },
];

export const GRID_COLS = 8;
export const GRID_ROWS = 6;
/** Street spacing of ~400 m. */
const LAT_STEP = 0.0036;
const LNG_STEP = 0.0053;

const AVENUES = ["1st", "2nd", "3rd", "4th", "5th", "6th", "7th", "8th"];
const STREETS = ["Elm", "Oak", "Maple", "Cedar", "Birch", "Willow"];

/** Zone of a grid cell: zones are 2 columns × 3 rows; z1..z4 south, z5..z8 north. */
export function zoneAt(col: number, row: number): string {
  const zc = Math.floor(col / 2);
  const zr = Math.floor(row / 3);
  return `z${zr * 4 + zc + 1}`;
}

/** Intersection id of a grid cell: i-1 .. i-48, row-major from the south-west corner. */
export function intersectionIdAt(col: number, row: number): string {
  return `i-${row * GRID_COLS + col + 1}`;
}

/** Zone of a census intersection id (`i-1` .. `i-48`); undefined for an id outside the grid. */
export function zoneOfIntersection(id: string): string | undefined {
  const n = /^i-([0-9]{1,6})$/.exec(id)?.[1];
  const index = Number(n) - 1;
  if (n === undefined || index < 0 || index >= GRID_COLS * GRID_ROWS) return undefined;
  return zoneAt(index % GRID_COLS, Math.floor(index / GRID_COLS));
}

function gridLatLng(col: number, row: number): LatLng {
  return {
    lat: CITY_CENTRE.lat + (row - (GRID_ROWS - 1) / 2) * LAT_STEP,
    lng: CITY_CENTRE.lng + (col - (GRID_COLS - 1) / 2) * LNG_STEP,
  };
}

function round6(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

const BUILDING_NAMES: Readonly<Record<BuildingKind, readonly string[]>> = {
  school: ["School"],
  hospital: ["St. Agnes Hospital", "City General Hospital"],
  office: ["Guild Tower", "Exchange House", "Beacon Offices", "Quay Point"],
  residential: ["Rose Court", "Poplar Flats", "Garden Terraces", "Mill Lofts"],
  warehouse: ["Depot 7", "Northgate Storage", "Cold Store 3"],
  venue: ["Buzz Arena", "Old Town Concert Hall"],
  station: ["Central Station"],
};

export function buildCity(seed: number): City {
  const rng = new Rng(seed).fork("city");
  const intersections = layIntersections(rng);
  const byId = (id: string): Intersection => {
    const found = intersections.find((i) => i.id === id);
    if (!found) throw new Error(`unknown intersection ${id}`);
    return found;
  };
  const zones: Zone[] = ZONES.map((z) => {
    const own = intersections.filter((i) => i.zone === z.id);
    const lat = own.reduce((s, i) => s + i.lat, 0) / own.length;
    const lng = own.reduce((s, i) => s + i.lng, 0) / own.length;
    return { ...z, centre: { lat: round6(lat), lng: round6(lng) } };
  });
  const buildings = placeBuildings(rng, intersections, zones, byId);
  const units = stationUnits(rng, byId);
  const { trainStations, trainLines } = trainNetwork(byId);
  return {
    name: "Buzz Ville",
    seed,
    centre: CITY_CENTRE,
    zones,
    intersections,
    buildings,
    units,
    trainStations,
    trainLines,
    busRoutes: busRoutes(),
    weatherStations: WEATHER_STATION_SPOTS.map((p, n) => {
      const at = byId(intersectionIdAt(p.col, p.row));
      return { id: `ws-${n + 1}`, zone: at.zone, lat: at.lat, lng: at.lng };
    }),
    cameraIntersectionIds: intersections.map((i) => i.id),
  };
}

const cityJitter = (rng: Rng): number => rng.float(-0.0002, 0.0002);

/** The street grid, each crossing slightly off the grid. */
function layIntersections(rng: Rng): Intersection[] {
  const intersections: Intersection[] = [];
  for (let row = 0; row < GRID_ROWS; row++) {
    for (let col = 0; col < GRID_COLS; col++) {
      const base = gridLatLng(col, row);
      intersections.push({
        id: intersectionIdAt(col, row),
        zone: zoneAt(col, row),
        col,
        row,
        lat: round6(base.lat + cityJitter(rng)),
        lng: round6(base.lng + cityJitter(rng)),
        address: `${AVENUES[col]} Avenue & ${STREETS[row]} Street`,
      });
    }
  }
  return intersections;
}

/** Per zone a school, two residential blocks and an office or warehouse; then the landmarks. */
function placeBuildings(
  rng: Rng,
  intersections: readonly Intersection[],
  zones: readonly Zone[],
  byId: (id: string) => Intersection,
): Building[] {
  const buildings: Building[] = [];
  const used = new Map<BuildingKind, number>();
  const add = (kind: BuildingKind, at: Intersection): void => {
    const n = used.get(kind) ?? 0;
    used.set(kind, n + 1);
    buildings.push(building(rng, kind, n, at, buildings.length + 1));
  };
  for (const z of zones) {
    const own = intersections.filter((i) => i.zone === z.id);
    add("school", rng.pick(own));
    add("residential", rng.pick(own));
    add("residential", rng.pick(own));
    add(rng.pick(["office", "warehouse"] as const), rng.pick(own));
  }
  add("hospital", byId(intersectionIdAt(2, 1)));
  add("hospital", byId(intersectionIdAt(5, 4)));
  add("venue", byId(intersectionIdAt(6, 1)));
  add("venue", byId(intersectionIdAt(1, 4)));
  add("station", byId(intersectionIdAt(3, 2)));
  return buildings;
}

/** The `n`-th building of its kind (0-based), the city's `index`-th, near `at`. */
function building(rng: Rng, kind: BuildingKind, n: number, at: Intersection, index: number) {
  const names = BUILDING_NAMES[kind];
  const baseName = names[n % names.length] ?? kind;
  const zoneName = ZONES.find((z) => z.id === at.zone)?.name ?? at.zone;
  const name =
    kind === "school"
      ? `${zoneName} School`
      : n < names.length
        ? baseName
        : `${baseName} ${Math.floor(n / names.length) + 1}`;
  const number = rng.int(1, 180);
  return {
    id: `b-${index}`,
    kind,
    name,
    address: `${number} ${STREETS[at.row]} Street`,
    zone: at.zone,
    intersectionId: at.id,
    lat: round6(at.lat + rng.float(0.0003, 0.0012)),
    lng: round6(at.lng + rng.float(0.0003, 0.0012)),
    floors: kind === "office" ? rng.int(6, 24) : rng.int(1, 6),
    hasGasSensor: kind !== "station" && rng.chance(0.6),
  } satisfies Building;
}

const UNIT_STATIONS = [
  { zone: "z1", col: 1, row: 1 },
  { zone: "z4", col: 6, row: 0 },
  { zone: "z6", col: 3, row: 4 },
  { zone: "z8", col: 7, row: 5 },
];

/** Up to two fire engines, an ambulance and a police car at each emergency station. */
function stationUnits(rng: Rng, byId: (id: string) => Intersection): EmergencyUnit[] {
  const units: EmergencyUnit[] = [];
  const counters: Record<UnitKind, number> = { "fire-engine": 0, ambulance: 0, police: 0 };
  for (const s of UNIT_STATIONS) {
    const at = byId(intersectionIdAt(s.col, s.row));
    for (const kind of ["fire-engine", "fire-engine", "ambulance", "police"] as const) {
      if (kind === "fire-engine" && rng.chance(0.25)) continue;
      counters[kind] += 1;
      units.push({
        id: `${kind}-${counters[kind]}`,
        kind,
        zone: at.zone,
        stationIntersectionId: at.id,
        lat: round6(at.lat + cityJitter(rng)),
        lng: round6(at.lng + cityJitter(rng)),
      });
    }
  }
  return units;
}

const TRAIN_STATION_SPOTS = [
  { id: "ts-central", name: "Central Station", col: 3, row: 2 },
  { id: "ts-harbour", name: "Harbour Halt", col: 3, row: 0 },
  { id: "ts-university", name: "University", col: 4, row: 1 },
  { id: "ts-hillcrest", name: "Hillcrest", col: 7, row: 4 },
  { id: "ts-greenfields", name: "Greenfields", col: 4, row: 5 },
];

function trainNetwork(
  byId: (id: string) => Intersection,
): Pick<City, "trainStations" | "trainLines"> {
  const trainStations = TRAIN_STATION_SPOTS.map((s): TrainStation => {
    const { zone, id: intersectionId, lat, lng } = byId(intersectionIdAt(s.col, s.row));
    return { id: s.id, name: s.name, zone, intersectionId, lat, lng };
  });
  const trainLines: TrainLine[] = [
    {
      id: "S1",
      name: "S1 Harbour–Greenfields",
      stationIds: ["ts-harbour", "ts-central", "ts-greenfields"],
    },
    {
      id: "S2",
      name: "S2 University–Hillcrest",
      stationIds: ["ts-university", "ts-central", "ts-hillcrest"],
    },
  ];
  return { trainStations, trainLines };
}

const WEATHER_STATION_SPOTS = [
  { col: 1, row: 1 },
  { col: 6, row: 1 },
  { col: 1, row: 4 },
  { col: 6, row: 4 },
];

const busRoutes = (): BusRoute[] => [
  { id: "bus-1", name: "1 Crosstown", stopIntersectionIds: rowRoute(2) },
  { id: "bus-2", name: "2 Northside", stopIntersectionIds: rowRoute(4) },
  { id: "bus-3", name: "3 Ring North–South", stopIntersectionIds: colRoute(2) },
  { id: "bus-4", name: "4 Hill Line", stopIntersectionIds: colRoute(5) },
];

function rowRoute(row: number): string[] {
  return Array.from({ length: GRID_COLS }, (_, col) => intersectionIdAt(col, row));
}

function colRoute(col: number): string[] {
  return Array.from({ length: GRID_ROWS }, (_, row) => intersectionIdAt(col, row));
}

/** The intersection with this id, or an error listing how ids look. */
export function intersectionById(city: City, id: string): Intersection {
  const found = city.intersections.find((i) => i.id === id);
  if (!found) {
    throw new Error(
      `Intersection "${id}" is not in ${city.name} (ids are i-1..i-${city.intersections.length})`,
    );
  }
  return found;
}

/**
 * The intersections a unit passes from its station to a target intersection: along the row,
 * then along the column (Manhattan route), both ends included.
 */
export function routeBetween(city: City, fromId: string, toId: string): string[] {
  const from = intersectionById(city, fromId);
  const to = intersectionById(city, toId);
  const route: string[] = [];
  const colStep = Math.sign(to.col - from.col);
  for (let c = from.col; c !== to.col; c += colStep) route.push(intersectionIdAt(c, from.row));
  const rowStep = Math.sign(to.row - from.row);
  for (let r = from.row; r !== to.row; r += rowStep) route.push(intersectionIdAt(to.col, r));
  route.push(to.id);
  return route;
}

/** Zones' total population. */
export function totalPopulation(city: City): number {
  return city.zones.reduce((s, z) => s + z.population, 0);
}
