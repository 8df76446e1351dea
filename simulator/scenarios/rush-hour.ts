/**
 * rush-hour: the morning peak. Lights cycle twice as often, buses run three times as often and
 * late (some past 10 minutes, normal priority), trains are crowded, the density feed reports
 * every 20 s with heavy load, and a two-car collision blocks two lanes on the busiest avenue.
 */
import { GRID_COLS, intersectionIdAt } from "../city.ts";
import { producerOf } from "../producers/index.ts";
import { compose } from "./compose.ts";
import type { Scenario } from "./engine.ts";

export const rushHour: Scenario = {
  name: "rush-hour",
  title: "Morning peak: congestion, late buses, crowded trains, a blocking collision",
  build: (ctx) =>
    compose(
      ctx,
      {
        scale: { "traffic-lights": 2, buses: 3, trains: 2 },
        densityPerMinute: 3,
        trafficLoad: 2.5,
        maxTransitDelaySeconds: 900,
        crowd: 2.2,
      },
      (c) => {
        const rng = ctx.rng.fork("rush-hour");
        const crossingId = intersectionIdAt(rng.int(1, GRID_COLS - 2), 2);
        const sensor = producerOf(c.producers.collisionSensors, crossingId, "collision sensor");
        const crash = c.story.add(c.at(0.3), sensor, sensor.accident("medium", 2, 0, 2));
        const zone = sensor.intersection.zone;
        const cam = producerOf(c.producers.cameras, crossingId, "camera");
        c.story.add(c.at(0.32), cam, cam.sighting("stalled-vehicle", 0.93, 6), {
          correlateWith: crash,
          causedBy: crash,
        });
        return {
          story:
            "The morning peak: twice the light changes, three times the buses (some over ten minutes late), crowded trains and a density feed every 20 s showing slow, dense traffic. At 30 % of the run a two-car collision blocks two lanes on the crosstown route; its camera confirms a stalled vehicle.",
          watch: [
            "traffic-signals FIFO depth and the density read model (speeds falling, occupancy rising)",
            `the collision at ${crossingId} (zone ${zone}): high priority, notified once, traffic rerouted around it`,
            "late buses (delay ≥ 600 s) arrive as normal priority, the rest as info",
          ],
          checks: [
            {
              kind: "zone-notified",
              zone,
              times: 1,
              forType: "AccidentDetected",
              description: `zone ${zone} is notified once about the collision at ${crossingId}`,
            },
            { kind: "no-incident", description: "no incident: the collision is not critical" },
          ],
        };
      },
    ),
};
