/**
 * normal-day: a slice of an ordinary day. Routine traffic at the base rate (lights cycling,
 * buses and trains, camera readings, the density feed), sunrise early on (lights off), one
 * minor fender-bender, sunset near the end (lights on).
 */
import { producerOf } from "../producers/index.ts";
import { compose } from "./compose.ts";
import type { Scenario } from "./engine.ts";

export const normalDay: Scenario = {
  name: "normal-day",
  title: "An ordinary day: routine traffic, sunrise and sunset, one minor collision",
  build: (ctx) =>
    compose(ctx, {}, (c) => {
      const rng = ctx.rng.fork("normal-day");
      const sensors = [...c.producers.lightSensors.values()];
      for (const s of sensors) {
        const sunrise = c.story.add(c.at(0.05) + rng.int(0, 500), s, s.daylight("sunrise", rng));
        c.story.add(c.at(0.06) + rng.int(0, 500), s, s.switchLights("off", "daylight", rng), {
          correlateWith: sunrise,
          causedBy: sunrise,
        });
      }
      const crossing = rng.pick(ctx.city.intersections);
      const sensor = producerOf(c.producers.collisionSensors, crossing.id, "collision sensor");
      c.story.add(c.at(0.4), sensor, sensor.accident("low", 2, 0, 1));
      for (const s of sensors) {
        const sunset = c.story.add(c.at(0.9) + rng.int(0, 500), s, s.daylight("sunset", rng));
        c.story.add(c.at(0.91) + rng.int(0, 500), s, s.switchLights("on", "daylight", rng), {
          correlateWith: sunset,
          causedBy: sunset,
        });
      }
      return {
        story:
          "Routine city traffic at the base rate. Every zone's light sensor sees sunrise and the street lights go off; mid-way a low-severity two-car collision blocks one lane; at sunset every zone's street lights come back on.",
        watch: [
          "steady flow into every queue, no DLQ messages",
          `the collision at ${crossing.id} (${crossing.zone}): high priority, zone ${crossing.zone} notified once, no incident opened (not critical)`,
          "StreetLightsSwitched off after sunrise and on after sunset in all 8 zones",
        ],
        checks: [
          {
            kind: "zone-notified",
            zone: crossing.zone,
            times: 1,
            forType: "AccidentDetected",
            description: `zone ${crossing.zone} is notified once about the collision at ${crossing.id}`,
          },
          { kind: "no-incident", description: "no incident is opened: nothing critical happens" },
        ],
      };
    }),
};
