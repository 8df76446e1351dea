/**
 * The city's zones and their intersections, from the census the services share (the simulator's
 * city model: fixed zone ids and intersection grid, whatever the seed).
 */
import { GRID_COLS, GRID_ROWS, intersectionIdAt, ZONES, zoneAt } from "../../simulator/city.ts";

export const ZONE_IDS: readonly string[] = ZONES.map((z) => z.id);

export const ZONE_NAMES: Readonly<Record<string, string>> = Object.fromEntries(
  ZONES.map((z) => [z.id, z.name]),
);

/** Intersection ids per zone. */
export const INTERSECTIONS_OF: Readonly<Record<string, readonly string[]>> = (() => {
  const out: Record<string, string[]> = {};
  for (let row = 0; row < GRID_ROWS; row++) {
    for (let col = 0; col < GRID_COLS; col++) {
      const zone = zoneAt(col, row);
      out[zone] = [...(out[zone] ?? []), intersectionIdAt(col, row)];
    }
  }
  return out;
})();
