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
import { type Composition, compose } from "./compose.ts";
import type { ExpectedOutcome, Scenario, ScenarioContext, Story } from "./engine.ts";
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
      (c) => writeCrisis(ctx, c),
    ),
};

interface Venue {
  readonly name: string;
  readonly zone: string;
  readonly intersectionId: string;
}

type StoryEvent = ReturnType<Story["add"]>;

function writeCrisis(ctx: ScenarioContext, c: Composition): ExpectedOutcome {
  const { venue, concert } = startConcert(ctx, c);
  const zones = venue.zone <= "z4" ? ["z1", "z2", "z3", "z4"] : ["z5", "z6", "z7", "z8"];
  const alertId = issueRedAlert(ctx, c, venue.zone, zones);
  const accident = crashBesideArena(c, venue, concert);
  return crisisOutcome(venue, zones, alertId, accident.draft.eventId ?? "");
}

/** The sold-out concert at the city's first venue. */
function startConcert(ctx: ScenarioContext, c: Composition): { venue: Venue; concert: StoryEvent } {
  const arena = [...c.producers.organisers.values()][0];
  if (!arena) throw new RangeError(`${ctx.city.name} has no venue`);
  const concert = c.story.add(
    c.at(0.05),
    arena,
    arena.start({
      publicEventId: `concert-${ctx.rng.seed}`,
      name: "Buzz Ville Summer Concert",
      kind: "concert",
      expectedAttendance: 18_000,
      durationMinutes: 180,
      startsAtMs: ctx.startMs + c.at(0.05),
    }),
  );
  return { venue: arena.venue, concert };
}

/** A red thunderstorm alert over the arena's half of the city; returns its alert id. */
function issueRedAlert(
  ctx: ScenarioContext,
  c: Composition,
  zone: string,
  zones: string[],
): string {
  const station =
    c.producers.weather.find((w) => w.station.zone === zone) ?? c.producers.weather[0];
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
  return alertId;
}

/** A three-car collision with injuries beside the arena, then a crowd surge on camera. */
function crashBesideArena(c: Composition, venue: Venue, concert: StoryEvent): StoryEvent {
  const crash = producerOf(c.producers.collisionSensors, venue.intersectionId, "collision sensor");
  const accident = c.story.add(c.at(0.2), crash, crash.accident("high", 3, 3, 2));
  const cam = producerOf(c.producers.cameras, venue.intersectionId, "camera");
  c.story.add(c.at(0.3), cam, cam.sighting("crowd-surge", 0.92, 8.5), {
    correlateWith: concert,
    causedBy: concert,
  });
  return accident;
}

function crisisOutcome(
  venue: Venue,
  zones: readonly string[],
  alertId: string,
  accidentEventId: string,
): ExpectedOutcome {
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
        correlationId: accidentEventId,
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
}
