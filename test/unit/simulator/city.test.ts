import { describe, expect, it } from "vitest";
import { UnitIdSchema } from "../../../events/catalog/common.ts";
import { CENSUS } from "../../../functions/notification/registry.ts";
import {
  buildCity,
  intersectionById,
  routeBetween,
  totalPopulation,
  ZONES,
} from "../../../simulator/city.ts";
import { Rng, SimulatorArgumentError } from "../../../simulator/rng.ts";

describe("Rng", () => {
  it("replays the same sequence for the same seed and differs for another seed", () => {
    const draw = (seed: number) => {
      const r = new Rng(seed);
      return Array.from({ length: 20 }, () => r.next());
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });

  it("keeps int() within its inclusive bounds and reaches both ends", () => {
    const r = new Rng(1);
    const seen = new Set(Array.from({ length: 500 }, () => r.int(3, 6)));
    expect([...seen].sort()).toEqual([3, 4, 5, 6]);
  });

  it("forks independent streams that depend only on the seed and the label", () => {
    const a = new Rng(5);
    a.next();
    const b = new Rng(5);
    expect(a.fork("x").next()).toBe(b.fork("x").next());
    expect(a.fork("x").next()).not.toBe(b.fork("y").next());
  });

  it("rejects a non-integer seed, naming the value", () => {
    expect(() => new Rng(1.5)).toThrow(SimulatorArgumentError);
    expect(() => new Rng(1.5)).toThrow(/seed must be an integer, got 1.5/);
  });
});

describe("buildCity", () => {
  it("builds the same city for the same seed", () => {
    expect(buildCity(42)).toEqual(buildCity(42));
  });

  it("keeps the census fixed but lets the seed move coordinates and buildings", () => {
    const a = buildCity(1);
    const b = buildCity(2);
    expect(a.zones.map((z) => [z.id, z.population])).toEqual(
      b.zones.map((z) => [z.id, z.population]),
    );
    expect(a.intersections.map((i) => i.id)).toEqual(b.intersections.map((i) => i.id));
    expect(a.intersections.map((i) => i.lat)).not.toEqual(b.intersections.map((i) => i.lat));
    expect(a.buildings).not.toEqual(b.buildings);
  });

  it("has eight zones whose populations sum to the citizen registry's 50,000", () => {
    const city = buildCity(42);
    expect(city.zones.map((z) => z.id)).toEqual(["z1", "z2", "z3", "z4", "z5", "z6", "z7", "z8"]);
    expect(totalPopulation(city)).toBe(50_000);
    expect(ZONES.reduce((s, z) => s + z.population, 0)).toBe(50_000);
  });

  it("has the notification registry's census, zone by zone", () => {
    const city = buildCity(9);
    expect(Object.fromEntries(city.zones.map((z) => [z.id, z.population]))).toEqual(CENSUS);
  });

  it("puts every intersection, building and unit in a known zone near the centre", () => {
    const city = buildCity(3);
    const zoneIds = new Set(city.zones.map((z) => z.id));
    for (const i of city.intersections) {
      expect(zoneIds.has(i.zone)).toBe(true);
      expect(Math.abs(i.lat - city.centre.lat)).toBeLessThan(0.02);
      expect(Math.abs(i.lng - city.centre.lng)).toBeLessThan(0.03);
    }
    for (const b of city.buildings) {
      expect(intersectionById(city, b.intersectionId).zone).toBe(b.zone);
    }
    expect(city.intersections.filter((i) => i.zone === "z3")).toHaveLength(6);
  });

  it("names standby units the way the catalog expects and has fire engines, ambulances and police", () => {
    const city = buildCity(9);
    for (const u of city.units) expect(UnitIdSchema.safeParse(u.id).success).toBe(true);
    expect(new Set(city.units.map((u) => u.kind))).toEqual(
      new Set(["fire-engine", "ambulance", "police"]),
    );
    expect(new Set(city.units.map((u) => u.id)).size).toBe(city.units.length);
  });
});

describe("routeBetween", () => {
  it("walks the grid one block at a time from start to target", () => {
    const city = buildCity(42);
    const route = routeBetween(city, "i-1", "i-20");
    expect(route[0]).toBe("i-1");
    expect(route.at(-1)).toBe("i-20");
    for (let k = 1; k < route.length; k++) {
      const a = intersectionById(city, route[k - 1] ?? "");
      const b = intersectionById(city, route[k] ?? "");
      expect(Math.abs(a.col - b.col) + Math.abs(a.row - b.row)).toBe(1);
    }
  });

  it("names the unknown intersection and the valid ids", () => {
    expect(() => routeBetween(buildCity(1), "i-1", "i-99")).toThrow(
      /Intersection "i-99" is not in Buzz Ville \(ids are i-1..i-48\)/,
    );
  });
});
