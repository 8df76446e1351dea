/**
 * fire: smoke, then a fire alarm, in one building. A detector first reports light smoke (high),
 * then dense hot smoke (critical), the building's alarm goes off (critical), and a nearby camera
 * sees flames. Every event carries the first smoke event's id as correlationId.
 */
import { type City, routeBetween } from "../city.ts";
import { producerOf } from "../producers/index.ts";
import { compose } from "./compose.ts";
import type { Scenario } from "./engine.ts";

/** The fire station nearest to an intersection (grid distance) that has a fire engine. */
export function nearestFireStation(city: City, intersectionId: string): string {
  const target = city.intersections.find((i) => i.id === intersectionId);
  const stations = [
    ...new Set(
      city.units.filter((u) => u.kind === "fire-engine").map((u) => u.stationIntersectionId),
    ),
  ];
  let best: { id: string; d: number } | undefined;
  for (const id of stations) {
    const s = city.intersections.find((i) => i.id === id);
    if (!s || !target) continue;
    const d = Math.abs(s.col - target.col) + Math.abs(s.row - target.row);
    if (!best || d < best.d) best = { id, d };
  }
  if (!best) throw new RangeError(`${city.name} has no fire station near ${intersectionId}`);
  return best.id;
}

export const fire: Scenario = {
  name: "fire",
  title: "Smoke then a fire alarm in one building: dispatch, evacuation notice, pre-emption",
  build: (ctx) =>
    compose(ctx, {}, (c) => {
      const rng = ctx.rng.fork("fire");
      const building = rng.pick(
        ctx.city.buildings.filter((b) => b.kind === "residential" || b.kind === "office"),
      );
      const panel = producerOf(c.producers.firePanels, building.id, "fire panel");
      const floor = rng.int(1, building.floors);
      const first = c.story.add(c.at(0.2), panel, panel.smoke(floor, 8, 31));
      const link = { correlateWith: first, causedBy: first };
      const dense = c.story.add(c.at(0.25), panel, panel.smoke(floor, 27, 64), link);
      c.story.add(c.at(0.3), panel, panel.alarm(floor, 78, "heat"), {
        correlateWith: first,
        causedBy: dense,
      });
      const cam = producerOf(c.producers.cameras, building.intersectionId, "camera");
      c.story.add(c.at(0.33), cam, cam.sighting("fire-visible", 0.9, 7), link);
      const station = nearestFireStation(ctx.city, building.intersectionId);
      const route = routeBetween(ctx.city, station, building.intersectionId);
      const correlationId = first.draft.eventId ?? "";
      return {
        story: `Smoke on floor ${floor} of ${building.name} (${building.id}, ${building.address}, zone ${building.zone}): light smoke first, then dense hot smoke, then the fire alarm; the camera at ${building.intersectionId} sees flames. All four events share correlationId ${correlationId}.`,
        watch: [
          "emergency: one incident, fire engines reserved then dispatched",
          `notification: zone ${building.zone} told to evacuate once (not once per event)`,
          `traffic: lights pre-empted on the route ${route.join(" → ")}`,
        ],
        checks: [
          {
            kind: "units-dispatched",
            zone: building.zone,
            correlationId,
            unitKinds: ["fire-engine"],
            description: `fire engines are dispatched to ${building.id} in ${building.zone}`,
          },
          {
            kind: "zone-notified",
            zone: building.zone,
            times: 1,
            forType: "FireAlarmRaised",
            description: `zone ${building.zone} is notified exactly once`,
          },
          {
            kind: "intersections-preempted",
            target: building.intersectionId,
            intersectionIds: route,
            description: `the lights on the dispatched route to ${building.intersectionId} are pre-empted (the city model's route from the station at ${station}: ${route.join(" → ")})`,
          },
        ],
      };
    }),
};
