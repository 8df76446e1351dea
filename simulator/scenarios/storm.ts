/**
 * storm: a red storm warning for half the city. Red WeatherAlertIssued (critical), then a
 * schools-closed notice for the covered zones (a yellow alert: normal priority, the bulk
 * channel — information, not an emergency), flooding seen by cameras and street lights
 * switched on in the dark afternoon; near the end both alerts are cancelled.
 */
import { iso } from "../clock.ts";
import { producerOf } from "../producers/index.ts";
import type { WeatherAlertSpec } from "../producers/sensors.ts";
import { compose } from "./compose.ts";
import type { Scenario, ScenarioContext } from "./engine.ts";

export const storm: Scenario = {
  name: "storm",
  title: "Red storm warning, schools closed, flooding, then the all-clear",
  build: (ctx) =>
    compose(ctx, {}, (c) => {
      const rng = ctx.rng.fork("storm");
      const station = rng.pick(c.producers.weather);
      const south = station.station.zone <= "z4";
      const zones = south ? ["z1", "z2", "z3", "z4"] : ["z5", "z6", "z7", "z8"];
      const alertId = `wx-storm-${ctx.rng.seed}`;
      const issuedAt = c.at(0.1);
      const { red, notice } = stormAlerts(ctx, alertId, zones, issuedAt);
      const issued = c.story.add(issuedAt, station, station.issue(red));
      const link = { correlateWith: issued, causedBy: issued };
      c.story.add(c.at(0.15), station, station.issue(notice), link);
      for (const zone of zones) {
        const crossing = rng.pick(ctx.city.intersections.filter((i) => i.zone === zone));
        const cam = producerOf(c.producers.cameras, crossing.id, "camera");
        c.story.add(c.at(0.3) + rng.int(0, 2000), cam, cam.sighting("flooding", 0.86, 6.5), link);
        const lux = producerOf(c.producers.lightSensors, zone, "light sensor");
        c.story.add(c.at(0.2) + rng.int(0, 1000), lux, lux.switchLights("on", "manual", rng), link);
      }
      c.story.add(
        c.at(0.85),
        station,
        station.cancel(red, "The storm has passed; winds below 40 km/h."),
        link,
      );
      c.story.add(c.at(0.87), station, station.cancel(notice, "Schools reopen tomorrow."), link);
      return {
        story: `Weather station ${station.station.id} issues a red storm alert (${alertId}) for ${zones.join(", ")}; schools there are closed (a yellow, normal-priority notice), cameras see flooding and street lights go on. At 85 % of the run the alert is cancelled, then the schools notice.`,
        ...stormExpectations(alertId, zones),
      };
    }),
};

/** The red storm warning and the schools-closed notice (yellow: the bulk channel). */
function stormAlerts(
  ctx: ScenarioContext,
  alertId: string,
  zones: readonly string[],
  issuedAt: number,
): { red: WeatherAlertSpec; notice: WeatherAlertSpec } {
  const red: WeatherAlertSpec = {
    alertId,
    level: "red",
    kind: "storm",
    zones: [...zones],
    headline: "Severe storm: gusts up to 130 km/h and heavy rain. Stay indoors.",
    validFrom: iso(ctx.startMs + issuedAt),
    validUntil: iso(ctx.startMs + ctx.durationSeconds * 1000 + 3_600_000),
    intensity: 9,
    windSpeedKmh: 130,
    precipitationMmPerHour: 40,
    temperatureC: 9.5,
  };
  const schools = ctx.city.buildings.filter((b) => b.kind === "school" && zones.includes(b.zone));
  const notice: WeatherAlertSpec = {
    ...red,
    alertId: `${alertId}-schools`,
    level: "yellow",
    headline: `Schools closed during the storm: ${schools.map((s) => s.name).join(", ") || "all schools"}.`,
    intensity: 3,
  };
  return { red, notice };
}

function stormExpectations(alertId: string, zones: readonly string[]) {
  return {
    watch: [
      "notification-critical: one alert per covered zone, before any bulk message",
      "an incident opened for the red alert (critical WeatherAlertIssued)",
      `event store stream alert#${alertId}: issued, then cancelled`,
    ],
    checks: [
      ...zones.map((zone) => ({
        kind: "zone-notified" as const,
        zone,
        times: 1,
        forType: "WeatherAlertIssued",
        description: `zone ${zone} is notified once of the red storm alert`,
      })),
      {
        kind: "alert-final-state" as const,
        alertId,
        state: "cancelled" as const,
        description: `alert ${alertId} ends cancelled (issued before cancelled)`,
      },
    ],
  };
}
