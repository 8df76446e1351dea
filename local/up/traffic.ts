/**
 * The traffic of a local run: the city simulator (simulator/run.ts `runScenario`) when present,
 * else a small built-in seeded source publishing the catalog's example events through the
 * project's CityEventPublisher. Both publish through the given client (real PutEvents calls).
 */

import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { allDefinitions } from "../../events/catalog.ts";
import type { AnyEventDraft } from "../../events/draft.ts";
import { DERIVED_SOURCES } from "../../events/names.ts";
import { CityEventPublisher } from "../../events/publisher.ts";
import { seededRandom } from "../../events/random.ts";
import type { PutEventsSender } from "./accounting.ts";

export interface TrafficOptions {
  readonly busName: string;
  readonly client: PutEventsSender;
  /** Seconds of traffic; runs until `signal` aborts when omitted. */
  readonly durationSeconds?: number;
  readonly signal: AbortSignal;
  readonly seed: number;
  /** Events per second. */
  readonly rate: number;
  /** Simulator scenario name (e.g. "normal-day"). */
  readonly scenario: string;
  readonly onError?: (error: unknown) => void;
  /** Backpressure: true while the city is in crisis (info readings slow down). */
  readonly slowDown?: () => boolean;
}

/** What a traffic run reports back. */
export interface TrafficOutcome {
  /** Info readings held back under backpressure (crisis mode). */
  readonly heldBack: number;
}

export interface TrafficSource {
  readonly kind: "simulator" | "built-in";
  /** The scenario names it accepts (checked before the cloud boots); any when absent. */
  readonly scenarios?: readonly string[];
  run(options: TrafficOptions): Promise<TrafficOutcome>;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });

export const builtInTraffic: TrafficSource = {
  kind: "built-in",
  async run(options) {
    const random = seededRandom(options.seed);
    const origin = allDefinitions().filter(
      (d) => !(DERIVED_SOURCES as readonly string[]).includes(d.source),
    );
    const publishers = [1, 2, 3].map(
      (i) =>
        new CityEventPublisher({
          busName: options.busName,
          producerId: `builtin-${i}`,
          client: options.client,
          random,
        }),
    );
    const ends = options.durationSeconds ? Date.now() + options.durationSeconds * 1000 : Infinity;
    while (!options.signal.aborted && Date.now() < ends) {
      const tickStart = Date.now();
      const drafts = Array.from({ length: Math.max(1, Math.round(options.rate)) }, () => {
        const def = origin[Math.floor(random() * origin.length)] ?? origin[0];
        return { type: def?.type, payload: def?.example } as AnyEventDraft;
      });
      const publisher = publishers[Math.floor(random() * publishers.length)] ?? publishers[0];
      try {
        await publisher?.publish(drafts);
      } catch (error) {
        options.onError?.(error);
      }
      await sleep(Math.max(0, 1000 - (Date.now() - tickStart)), options.signal);
    }
    return { heldBack: 0 };
  },
};

/** The simulator's runScenario when simulator/run.ts exists, else the built-in source. */
export async function loadTrafficSource(): Promise<TrafficSource> {
  const url = new URL("../../simulator/run.ts", import.meta.url);
  if (!existsSync(fileURLToPath(url))) return builtInTraffic;
  const mod = (await import(url.href)) as typeof import("../../simulator/run.ts");
  if (typeof mod.runScenario !== "function") return builtInTraffic;
  const names = (await import("../../simulator/scenarios/index.ts").catch(() => undefined))
    ?.SCENARIO_NAMES;
  return {
    kind: "simulator",
    ...(Array.isArray(names) ? { scenarios: names } : {}),
    async run(options) {
      const summary = await mod.runScenario({
        scenario: options.scenario as Parameters<typeof mod.runScenario>[0]["scenario"],
        rate: options.rate,
        // Without a duration the run lasts until the signal aborts it.
        durationSeconds: options.durationSeconds ?? 7 * 24 * 3600,
        seed: options.seed,
        busName: options.busName,
        client: options.client,
        signal: options.signal,
        ...(options.slowDown ? { slowDown: options.slowDown } : {}),
      });
      return { heldBack: summary.heldBack };
    },
  };
}
