/**
 * crisis: everything at once. A sold-out concert starts at the arena, a red storm alert covers
 * the arena's half of the city, a serious collision with injuries happens next to the arena and
 * a crowd surge is seen — while every info-level reading (density feed, transit, street lights,
 * low-confidence camera sightings) runs at ten times its normal rate: the overload in which
 * critical work must still go first and bulk work may be shed.
 */
import { iso } from "../clock.ts";
import { producerOf } from "../producers/index.ts";
import type { WeatherAlertSpec } from "../producers/sensors.ts";
import { compose } from "./compose.ts";
import type { Scenario } from "./engine.ts";
import { INFO_STREAMS, type RoutineStreamName } from "./routine.ts";

/** How much faster info-level readings flow in a crisis. */
export const CRISIS_INFO_FACTOR = 10;

export const crisis: Scenario = {
  name: "crisis",
  title: "Concert + storm + accident at once, info readings at 10x",
  build: (ctx) =>
    compose(
      ctx,
      {
        scale: Object.fromEntries(INFO_STREAMS.map((s) => [s, CRISIS_INFO_FACTOR])) as Partial<
          Record<RoutineStreamName, number>
        >,
      },
      (c) => {
        const arena = [...c.producers.organisers.values()][0];
        if (!arena) throw new RangeError(`${ctx.city.name} has no venue`);
        const venue = arena.venue;
        const concertId = `concert-${ctx.rng.seed}`;
        const concert = c.story.add(
          c.at(0.05),
          arena,
          arena.start({
            publicEventId: concertId,
            name: "Buzz Ville Summer Concert",
            kind: "concert",
            expectedAttendance: 18_000,
            durationMinutes: 180,
            startsAtMs: ctx.startMs + c.at(0.05),
          }),
        );
        const zones = venue.zone <= "z4" ? ["z1", "z2", "z3", "z4"] : ["z5", "z6", "z7", "z8"];
        const station =
          c.producers.weather.find((w) => w.station.zone === venue.zone) ?? c.producers.weather[0];
        if (!station) throw new RangeError(`${ctx.city.name} has no weather station`);
        const alertId = `wx-crisis-${ctx.rng.seed}`;
        const red: WeatherAlertSpec = {
          alertId,
          level: "red",
          kind: "thunderstorm",
          zones,
          headline: "Violent thunderstorm over the arena district: seek shelter now.",
          validFrom: iso(ctx.startMs + c.at(0.1)),
          validUntil: iso(ctx.startMs + ctx.durationSeconds * 1000 + 3_600_000),
          intensity: 8,
          windSpeedKmh: 110,
          precipitationMmPerHour: 55,
        };
        c.story.add(c.at(0.1), station, station.issue(red));
        const crash = producerOf(
          c.producers.collisionSensors,
          venue.intersectionId,
          "collision sensor",
        );
        const accident = c.story.add(c.at(0.2), crash, crash.accident("high", 3, 3, 2));
        const cam = producerOf(c.producers.cameras, venue.intersectionId, "camera");
        c.story.add(c.at(0.3), cam, cam.sighting("crowd-surge", 0.92, 8.5), {
          correlateWith: concert,
          causedBy: concert,
        });
        return {
          story: `The Summer Concert (18,000 people) starts at ${venue.name} in ${venue.zone}; a red thunderstorm alert covers ${zones.join(", ")}; a three-car collision with three injured at ${venue.intersectionId} beside the arena; a crowd surge on camera. Meanwhile every info-level reading runs at ${CRISIS_INFO_FACTOR}x its normal rate.`,
          watch: [
            "critical queues stay near zero while bulk and analytics queues back up",
            "incidents for the collision and the red alert; ambulances and police dispatched",
            "notification-critical delivered first; notification-bulk batched and possibly shed",
          ],
          checks: [
            {
              kind: "units-dispatched",
              zone: venue.zone,
              correlationId: accident.draft.eventId ?? "",
              unitKinds: ["ambulance"],
              description: `ambulances are dispatched to the collision at ${venue.intersectionId}`,
            },
            ...zones.map((zone) => ({
              kind: "zone-notified" as const,
              zone,
              times: 1,
              forType: "WeatherAlertIssued",
              description: `zone ${zone} is notified once of the red alert`,
            })),
            {
              kind: "alert-final-state",
              alertId,
              state: "active",
              description: `alert ${alertId} is still active at the end`,
            },
          ],
        };
      },
    ),
};
