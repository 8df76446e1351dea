/** Catalog `location` objects for places of the city model. */
import type { Building, Intersection, LatLng, Zone } from "../city.ts";

export interface DraftLocation {
  readonly latitude: number;
  readonly longitude: number;
  readonly address?: string;
  readonly zone: string;
  readonly intersectionId?: string;
}

export function atIntersection(
  i: Intersection,
): DraftLocation & { readonly intersectionId: string } {
  return {
    latitude: i.lat,
    longitude: i.lng,
    address: i.address,
    zone: i.zone,
    intersectionId: i.id,
  };
}

/** A building's location; its nearest intersection is where units arrive. */
export function atBuilding(b: Building): DraftLocation {
  return {
    latitude: b.lat,
    longitude: b.lng,
    address: `${b.name}, ${b.address}`,
    zone: b.zone,
    intersectionId: b.intersectionId,
  };
}

export function atZoneCentre(z: Zone): DraftLocation {
  return { latitude: z.centre.lat, longitude: z.centre.lng, address: z.name, zone: z.id };
}

export function atPoint(p: LatLng, zone: string, address?: string): DraftLocation {
  return address === undefined
    ? { latitude: p.lat, longitude: p.lng, zone }
    : { latitude: p.lat, longitude: p.lng, address, zone };
}

/** Round to n decimals (readings look like readings). */
export function round(n: number, decimals = 1): number {
  const f = 10 ** decimals;
  return Math.round(n * f) / f;
}
