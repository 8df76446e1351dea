/**
 * chaos: an ordinary day delivered badly. On top of normal-day's routine traffic:
 * - duplicates: events already sent are delivered again, byte for byte (same eventId, same
 *   sequence) — at-least-once delivery;
 * - out-of-order: a traffic-light controller's two consecutive changes (sequence n, n+1) are
 *   delivered n+1 first — the traffic service must resequence;
 * - malformed: raw PutEvents entries that break the catalog (bad JSON, unknown type, wrong
 *   source, out-of-range field, missing meta), sent bypassing validation.
 * The counts are exact: `chaosScenario({ duplicates, outOfOrder, malformed })`, by default 5 %,
 * 3 % and 2 % of the routine events (at least one each).
 */
import { newEventId } from "../../events/ids.ts";
import { iso } from "../clock.ts";
import { createProducers } from "../producers/index.ts";
import type { Rng } from "../rng.ts";
import { SimulatorArgumentError } from "../rng.ts";
import type { EventStep, MalformedStep, RawEntry, ScenarioStep } from "../steps.ts";
import {
  mergeByTime,
  mergeStreams,
  type Scenario,
  type ScenarioContext,
  type ScenarioRun,
  Stamper,
  validateContext,
} from "./engine.ts";
import { routineStreams } from "./routine.ts";

export interface ChaosOptions {
  readonly duplicates?: number;
  readonly outOfOrder?: number;
  readonly malformed?: number;
}

export interface ChaosCounts {
  readonly duplicates: number;
  readonly outOfOrder: number;
  readonly malformed: number;
}

/** The counts a context yields (explicit options win over the default shares). */
export function chaosCounts(ctx: ScenarioContext, o: ChaosOptions = {}): ChaosCounts {
  const base = ctx.rate * ctx.durationSeconds;
  const count = (v: number | undefined, share: number, name: string): number => {
    const n = v ?? Math.max(1, Math.round(base * share));
    if (!Number.isInteger(n) || n < 0) {
      throw new SimulatorArgumentError(`chaos ${name} must be an integer >= 0, got ${String(v)}`);
    }
    return n;
  };
  return {
    duplicates: count(o.duplicates, 0.05, "duplicates"),
    outOfOrder: count(o.outOfOrder, 0.03, "outOfOrder"),
    malformed: count(o.malformed, 0.02, "malformed"),
  };
}

type Injection = { readonly atMs: number; readonly kind: "duplicate" | "reorder" | "malformed" };

/** `n` injections of a kind spread evenly over the run after a short warm-up, lazily. */
function* spread(
  n: number,
  durationMs: number,
  kind: Injection["kind"],
  rng: Rng,
): Generator<Injection> {
  const warmUp = durationMs * 0.05;
  const span = durationMs - warmUp - 1;
  for (let k = 0; k < n; k++) {
    yield { atMs: Math.floor(warmUp + ((k + rng.float(0.2, 0.8)) * span) / n), kind };
  }
}

const MALFORMED_KINDS = [
  "detail-not-json",
  "unknown-detail-type",
  "field-out-of-range",
  "missing-meta",
  "wrong-source",
] as const;

function malformedEntry(
  k: number,
  atMs: number,
  ctx: ScenarioContext,
  ids: () => number,
): MalformedStep {
  const at = ctx.startMs + atMs;
  const zone = ctx.city.zones[k % ctx.city.zones.length] ?? { id: "z1", centre: ctx.city.centre };
  const location = { latitude: zone.centre.lat, longitude: zone.centre.lng, zone: zone.id };
  const meta = {
    eventId: newEventId(at, ids),
    occurredAt: iso(at),
    producerId: "chaos-monkey",
    sequence: k + 1,
    lamport: k + 1,
    priority: "info",
    zone: zone.id,
    streamId: `zone#${zone.id}`,
    correlationId: "chaos",
    schemaVersion: 1,
  };
  const density = {
    cameraId: `cam-density-${zone.id}`,
    location,
    windowSeconds: 60,
    vehiclesCounted: 12,
    averageSpeedKmh: 30,
    occupancyPercent: 10,
  };
  const kind = MALFORMED_KINDS[k % MALFORMED_KINDS.length] ?? "detail-not-json";
  const entry = (Source: string, DetailType: string, Detail: string): RawEntry => ({
    Source,
    DetailType,
    Detail,
  });
  const byKind: Record<(typeof MALFORMED_KINDS)[number], { entry: RawEntry; reason: string }> = {
    "detail-not-json": {
      entry: entry("buzzville.camera", "TrafficDensityMeasured", '{"cameraId": "cam-density-z1",'),
      reason: "Detail is not valid JSON",
    },
    "unknown-detail-type": {
      entry: entry("buzzville.camera", "CameraExploded", JSON.stringify({ ...density, meta })),
      reason: "detail-type CameraExploded is not in the catalog",
    },
    "field-out-of-range": {
      entry: entry(
        "buzzville.camera",
        "TrafficDensityMeasured",
        JSON.stringify({ ...density, location: { ...location, latitude: 123.4 }, meta }),
      ),
      reason: "location.latitude 123.4 is out of range (-90..90)",
    },
    "missing-meta": {
      entry: entry("buzzville.camera", "TrafficDensityMeasured", JSON.stringify(density)),
      reason: "detail.meta is missing",
    },
    "wrong-source": {
      entry: entry(
        "buzzville.weather",
        "TrafficDensityMeasured",
        JSON.stringify({ ...density, meta }),
      ),
      reason:
        "source buzzville.weather is not the source of TrafficDensityMeasured (buzzville.camera)",
    },
  };
  const chosen = byKind[kind];
  return { kind: "malformed", atMs, entry: chosen.entry, reason: chosen.reason };
}

export function chaosScenario(options: ChaosOptions = {}): Scenario {
  return {
    name: "chaos",
    title: "Duplicates, out-of-order deliveries and malformed events mixed into a normal day",
    build(ctx: ScenarioContext): ScenarioRun {
      validateContext(ctx);
      const counts = chaosCounts(ctx, options);
      const durationMs = Math.round(ctx.durationSeconds * 1000);
      const rng = ctx.rng.fork("chaos");
      const producers = createProducers(ctx.city, ctx.rng.fork("producers"));
      const lights = [...producers.trafficLights.values()];
      const stamper = new Stamper(ctx.startMs, ctx.rng, "routine");
      const chaosStamper = new Stamper(ctx.startMs, ctx.rng, "chaos");
      const malformedIds = rng.fork("malformed-ids").asPrng();
      const injections = mergeByTime<Injection>(
        spread(counts.duplicates, durationMs, "duplicate", rng.fork("duplicates")),
        spread(counts.outOfOrder, durationMs, "reorder", rng.fork("reorders")),
        spread(counts.malformed, durationMs, "malformed", rng.fork("malformed")),
      );
      const streams = routineStreams(producers, ctx.rate);

      function* steps(): Generator<ScenarioStep> {
        const history: EventStep[] = [];
        let malformedK = 0;
        let pendingDuplicates = 0;
        let head = injections.next();
        const inject = function* (upTo: number): Generator<ScenarioStep> {
          for (; !head.done && head.value.atMs <= upTo; head = injections.next()) {
            const inj = head.value;
            if (inj.kind === "malformed") {
              yield malformedEntry(malformedK++, inj.atMs, ctx, malformedIds);
            } else if (inj.kind === "reorder") {
              const c = rng.pick(lights);
              const a = chaosStamper.draft({
                atMs: inj.atMs,
                producerId: c.producerId,
                draft: c.next(),
              });
              const b = chaosStamper.draft({
                atMs: inj.atMs,
                producerId: c.producerId,
                draft: c.next(),
              });
              yield { kind: "reorder", atMs: inj.atMs, producerId: c.producerId, drafts: [a, b] };
            } else {
              const original = history.length > 0 ? rng.pick(history) : undefined;
              if (original?.draft.eventId) {
                yield { kind: "duplicate", atMs: inj.atMs, eventId: original.draft.eventId };
              } else {
                pendingDuplicates++; // nothing sent yet: duplicate the first event sent
              }
            }
          }
        };
        for (const p of mergeStreams(streams, durationMs, ctx.rng.fork("routine"))) {
          yield* inject(p.atMs);
          const step = stamper.step(p);
          history.push(step);
          if (history.length > 400) history.splice(0, 200);
          yield step;
          for (; pendingDuplicates > 0; pendingDuplicates--) {
            yield { kind: "duplicate", atMs: step.atMs, eventId: step.draft.eventId ?? "" };
          }
        }
        yield* inject(Number.POSITIVE_INFINITY);
      }

      return {
        steps: steps(),
        expected: {
          story: `A normal day's routine traffic with ${counts.duplicates} duplicate deliveries, ${counts.outOfOrder} out-of-order pairs at traffic lights and ${counts.malformed} malformed events (${MALFORMED_KINDS.join(", ")}).`,
          watch: [
            "event store: every eventId stored once despite duplicates",
            "traffic: held gaps filled by the late event, no SignalSequenceViolation for reordered pairs",
            "validation failures (EventFailures Reason=validation) and DLQs for the malformed events the bus accepted",
          ],
          checks: [
            {
              kind: "no-duplicate-actions",
              description: "no action (notification, dispatch, stored event) happens twice",
            },
            {
              kind: "rejected",
              count: counts.malformed,
              description: `${counts.malformed} malformed events are rejected (by the bus or by the consumers' validation), none is acted upon`,
            },
          ],
        },
      };
    },
  };
}

export const chaos: Scenario = chaosScenario();
