/**
 * The city's routine traffic: the background every scenario runs on. Shares of the base rate:
 *
 * | stream                 | share | priority |
 * |------------------------|-------|----------|
 * | traffic-lights         | 0.55  | normal   |
 * | buses                  | 0.20  | info     |
 * | trains                 | 0.05  | info     |
 * | camera-routine         | 0.05  | normal   |
 * | camera-low-confidence  | 0.10  | info     |
 * | street-lights          | 0.05  | info     |
 *
 * plus the density feed: every zone's counting camera reports once a minute (info).
 * A scenario scales streams (`RoutineOptions`): rush hour doubles lights and buses, a crisis
 * multiplies every info-level stream by ten.
 */
import type { Producers } from "../producers/index.ts";
import type { Rng } from "../rng.ts";
import type { Stream } from "./engine.ts";

export const ROUTINE_SHARES = {
  "traffic-lights": 0.55,
  buses: 0.2,
  trains: 0.05,
  "camera-routine": 0.05,
  "camera-low-confidence": 0.1,
  "street-lights": 0.05,
} as const;

export type RoutineStreamName = keyof typeof ROUTINE_SHARES | "density-feed";

/** The info-level routine streams (the "readings" a crisis multiplies). */
export const INFO_STREAMS: readonly RoutineStreamName[] = [
  "buses",
  "trains",
  "camera-low-confidence",
  "street-lights",
  "density-feed",
];

export interface RoutineOptions {
  /** Multiplier per stream (default 1). */
  readonly scale?: Partial<Record<RoutineStreamName, number>>;
  /** Density feed windows per minute (default 1: every zone once a minute). */
  readonly densityPerMinute?: number;
  /** Traffic load seen by the density feed (1 = ordinary, 2.5 = rush hour). */
  readonly trafficLoad?: number;
  /** Largest transit delay, seconds (below 600 keeps transit info-level). */
  readonly maxTransitDelaySeconds?: number;
  /** Crowding factor for transit occupancy. */
  readonly crowd?: number;
}

export function routineStreams(p: Producers, rate: number, o: RoutineOptions = {}): Stream[] {
  const scale = (name: RoutineStreamName): number => o.scale?.[name] ?? 1;
  const per = (name: keyof typeof ROUTINE_SHARES): number =>
    rate * ROUTINE_SHARES[name] * scale(name);
  const lights = [...p.trafficLights.values()];
  const cameras = [...p.cameras.values()];
  const zones = [...p.lightSensors.values()];
  const maxDelay = o.maxTransitDelaySeconds ?? 599;
  const crowd = o.crowd ?? 1;
  const load = o.trafficLoad ?? 1;
  const densityPerMinute = (o.densityPerMinute ?? 1) * scale("density-feed");
  const windowSeconds = Math.max(1, Math.round(60 / densityPerMinute));
  return [
    {
      name: "traffic-lights",
      perSecond: per("traffic-lights"),
      emit: (rng: Rng) => {
        const c = rng.pick(lights);
        return [{ producerId: c.producerId, draft: c.next() }];
      },
    },
    {
      name: "buses",
      perSecond: per("buses"),
      emit: (rng: Rng) => {
        const b = rng.pick(p.buses);
        return [{ producerId: b.producerId, draft: b.depart(rng, maxDelay, crowd) }];
      },
    },
    {
      name: "trains",
      perSecond: per("trains"),
      emit: (rng: Rng) => {
        const t = rng.pick(p.trains);
        return [{ producerId: t.producerId, draft: t.arrive(rng, maxDelay, crowd) }];
      },
    },
    {
      name: "camera-routine",
      perSecond: per("camera-routine"),
      emit: (rng: Rng) => {
        const c = rng.pick(cameras);
        return [{ producerId: c.producerId, draft: c.anomaly(rng, false) }];
      },
    },
    {
      name: "camera-low-confidence",
      perSecond: per("camera-low-confidence"),
      emit: (rng: Rng) => {
        const c = rng.pick(cameras);
        return [{ producerId: c.producerId, draft: c.anomaly(rng, true) }];
      },
    },
    {
      name: "street-lights",
      perSecond: per("street-lights"),
      emit: (rng: Rng) => {
        const z = rng.pick(zones);
        const state = rng.pick(["on", "dimmed"] as const);
        return [{ producerId: z.producerId, draft: z.switchLights(state, "schedule", rng) }];
      },
    },
    {
      name: "density-feed",
      perSecond: densityPerMinute / 60,
      emit: (rng: Rng) =>
        p.densityFeeds.map((f) => ({
          producerId: f.producerId,
          draft: f.measure(rng, windowSeconds, load),
        })),
    },
  ];
}
