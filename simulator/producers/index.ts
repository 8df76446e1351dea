/**
 * Every producer of the city, built from the city model. Each device is one producer id (its
 * own sequence and Lamport clock at the publisher).
 */
import type { Building, City } from "../city.ts";
import type { Rng } from "../rng.ts";
import { BusProducer, LightSensorProducer, OrganiserProducer, TrainProducer } from "./city-life.ts";
import {
  CameraProducer,
  CollisionSensorProducer,
  DensityFeedProducer,
  FirePanelProducer,
  GasSensorProducer,
  WeatherStationProducer,
} from "./sensors.ts";
import { LIGHT_CYCLE, TrafficLightController } from "./traffic-light.ts";

export * from "./city-life.ts";
export * from "./location.ts";
export * from "./sensors.ts";
export * from "./traffic-light.ts";

export interface Producers {
  readonly weather: readonly WeatherStationProducer[];
  readonly cameras: ReadonlyMap<string, CameraProducer>;
  readonly densityFeeds: readonly DensityFeedProducer[];
  readonly firePanels: ReadonlyMap<string, FirePanelProducer>;
  readonly gasSensors: ReadonlyMap<string, GasSensorProducer>;
  readonly collisionSensors: ReadonlyMap<string, CollisionSensorProducer>;
  readonly trafficLights: ReadonlyMap<string, TrafficLightController>;
  readonly trains: readonly TrainProducer[];
  readonly buses: readonly BusProducer[];
  readonly lightSensors: ReadonlyMap<string, LightSensorProducer>;
  readonly organisers: ReadonlyMap<string, OrganiserProducer>;
}

/** Build the producers; `rng` only decides start phases (lights, bus positions). */
export function createProducers(city: City, rng: Rng): Producers {
  const byId = <T extends { readonly id: string }, P>(
    items: readonly T[],
    make: (t: T) => P,
  ): Map<string, P> => new Map(items.map((t) => [t.id, make(t)]));
  const gasBuildings: Building[] = city.buildings.filter((b) => b.hasGasSensor);
  const trains: TrainProducer[] = city.trainLines.flatMap((line) =>
    [1, 2].map((n) => new TrainProducer(city, line, `${line.id.toLowerCase()}-${n}`)),
  );
  const buses: BusProducer[] = city.busRoutes.flatMap((route) =>
    [1, 2, 3].map(
      (n) =>
        new BusProducer(
          city,
          route,
          `${route.id}-${n}`,
          rng.int(0, route.stopIntersectionIds.length - 1),
        ),
    ),
  );
  return {
    weather: city.weatherStations.map((s) => new WeatherStationProducer(s)),
    cameras: byId(city.intersections, (i) => new CameraProducer(i)),
    densityFeeds: city.zones.map((z) => new DensityFeedProducer(z)),
    firePanels: byId(city.buildings, (b) => new FirePanelProducer(b)),
    gasSensors: byId(gasBuildings, (b) => new GasSensorProducer(b)),
    collisionSensors: byId(city.intersections, (i) => new CollisionSensorProducer(i)),
    trafficLights: byId(
      city.intersections,
      (i) => new TrafficLightController(i, rng.int(0, LIGHT_CYCLE.length - 1)),
    ),
    trains,
    buses,
    lightSensors: byId(city.zones, (z) => new LightSensorProducer(z)),
    organisers: byId(
      city.buildings.filter((b) => b.kind === "venue"),
      (b) => new OrganiserProducer(b),
    ),
  };
}

/** Get from a producer map or fail naming the key and what exists. */
export function producerOf<P>(map: ReadonlyMap<string, P>, key: string, what: string): P {
  const found = map.get(key);
  if (!found) {
    throw new RangeError(`No ${what} for "${key}" (known: ${[...map.keys()].join(", ")})`);
  }
  return found;
}
