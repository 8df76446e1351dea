/**
 * chaos: an ordinary day delivered badly. On top of normal-day's routine traffic and one
 * collision with an injured driver (critical: an incident, a dispatch, a zone notice, a media
 * post — actions a duplicate must not repeat):
 * - duplicates: events already sent are delivered again, byte for byte (same eventId, same
 *   sequence) — at-least-once delivery; the first one always re-delivers the collision;
 * - out-of-order: a traffic-light controller's two consecutive changes (sequence n, n+1) are
 *   delivered n+1 first — the traffic service must resequence;
 * - malformed: raw PutEvents entries that break the catalog (bad JSON, unknown type, wrong
 *   source, out-of-range field, missing meta), sent bypassing validation.
 * The counts are exact: `chaosScenario({ duplicates, outOfOrder, malformed })`, by default 5 %,
 * 3 % and 2 % of the routine events (at least one each).
 */
import { newEventId } from "../../events/ids.ts";
import { SOURCE_OF } from "../../events/names.ts";
import { iso } from "../clock.ts";
import { createProducers, producerOf } from "../producers/index.ts";
import type { TrafficLightController } from "../producers/traffic-light.ts";
import type { Rng } from "../rng.ts";
import { SimulatorArgumentError } from "../rng.ts";
import type { EventStep, MalformedStep, RawEntry, ScenarioStep } from "../steps.ts";
import {
  type Expectation,
  type ExpectedOutcome,
  mergeByTime,
  mergeStreams,
  type Scenario,
  type ScenarioContext,
  type ScenarioRun,
  STORY_WINDOW_SECONDS,
  Stamper,
  Story,
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

type Injection = {
  readonly atMs: number;
  readonly kind: "duplicate" | "reorder" | "malformed";
  /** A duplicate of this event (else of a random earlier one). */
  readonly eventId?: string;
};

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
  const camera = SOURCE_OF.TrafficDensityMeasured;
  const weather = SOURCE_OF.WeatherAlertIssued;
  const entry = (Source: string, DetailType: string, Detail: string): RawEntry => ({
    Source,
    DetailType,
    Detail,
  });
  const byKind: Record<(typeof MALFORMED_KINDS)[number], { entry: RawEntry; reason: string }> = {
    "detail-not-json": {
      entry: entry(camera, "TrafficDensityMeasured", '{"cameraId": "cam-density-z1",'),
      reason: "Detail is not valid JSON",
    },
    "unknown-detail-type": {
      entry: entry(camera, "CameraExploded", JSON.stringify({ ...density, meta })),
      reason: "detail-type CameraExploded is not in the catalog",
    },
    "field-out-of-range": {
      entry: entry(
        camera,
        "TrafficDensityMeasured",
        JSON.stringify({ ...density, location: { ...location, latitude: 123.4 }, meta }),
      ),
      reason: "location.latitude 123.4 is out of range (-90..90)",
    },
    "missing-meta": {
      entry: entry(camera, "TrafficDensityMeasured", JSON.stringify(density)),
      reason: "detail.meta is missing",
    },
    "wrong-source": {
      entry: entry(weather, "TrafficDensityMeasured", JSON.stringify({ ...density, meta })),
      reason: `source ${weather} is not the source of TrafficDensityMeasured (${camera})`,
    },
  };
  const chosen = byKind[kind];
  return { kind: "malformed", atMs, entry: chosen.entry, reason: chosen.reason };
}

const byGridPosition = (a: TrafficLightController, b: TrafficLightController): number =>
  a.intersection.row - b.intersection.row || a.intersection.col - b.intersection.col;

export function chaosScenario(options: ChaosOptions = {}): Scenario {
  return {
    name: "chaos",
    title: "Duplicates, out-of-order deliveries and malformed events mixed into a normal day",
    build(ctx: ScenarioContext): ScenarioRun {
      validateContext(ctx);
      return buildChaos(ctx, chaosCounts(ctx, options));
    },
  };
}

type Crossing = ScenarioContext["city"]["intersections"][number];

/** What the played-through steps need: the streams, the injections and the chaos' own rng. */
interface ChaosPlay {
  readonly ctx: ScenarioContext;
  readonly rng: Rng;
  readonly durationMs: number;
  readonly lights: readonly TrafficLightController[];
  readonly lightOf: ReadonlyMap<string, TrafficLightController>;
  readonly stamper: Stamper;
  readonly chaosStamper: Stamper;
  readonly malformedIds: () => number;
  readonly story: Story;
  readonly streams: ReturnType<typeof routineStreams>;
  readonly injections: Iterator<Injection>;
  /** Appended with each touched intersection's final state once the steps are played through. */
  readonly checks: Expectation[];
}

function buildChaos(ctx: ScenarioContext, counts: ChaosCounts): ScenarioRun {
  const durationMs = Math.round(ctx.durationSeconds * 1000);
  const storyMs = Math.min(durationMs, STORY_WINDOW_SECONDS * 1000);
  const rng = ctx.rng.fork("chaos");
  const producers = createProducers(ctx.city, ctx.rng.fork("producers"));
  const lights = [...producers.trafficLights.values()];
  const stamper = new Stamper(ctx.startMs, ctx.rng, "routine");
  const chaosStamper = new Stamper(ctx.startMs, ctx.rng, "chaos");
  const malformedIds = rng.fork("malformed-ids").asPrng();
  // The story: a collision with an injured driver (critical), re-delivered later on.
  const story = new Story(new Stamper(ctx.startMs, ctx.rng, "story"));
  const crossing = rng.fork("collision").pick(ctx.city.intersections);
  const sensor = producerOf(producers.collisionSensors, crossing.id, "collision sensor");
  const crash = story.add(Math.floor(storyMs * 0.3), sensor, sensor.accident("medium", 2, 1, 1));
  const crashId = crash.draft.eventId ?? "";
  const injections = chaosInjections(counts, durationMs, storyMs, crashId, rng);
  const checks = chaosChecks(crossing, crashId, counts);
  const play: ChaosPlay = {
    ctx,
    rng,
    durationMs,
    lights,
    lightOf: new Map(lights.map((c) => [c.producerId, c])),
    stamper,
    chaosStamper,
    malformedIds,
    story,
    streams: routineStreams(producers, ctx.rate),
    injections,
    checks,
  };
  return { steps: playChaos(play), expected: chaosExpected(crossing, counts, checks) };
}

/** Duplicates (the collision's own re-delivery first), reordered pairs and malformed entries. */
function chaosInjections(
  counts: ChaosCounts,
  durationMs: number,
  storyMs: number,
  crashId: string,
  rng: Rng,
): Iterator<Injection> {
  const storyDuplicates: Injection[] =
    counts.duplicates > 0
      ? [{ atMs: Math.floor(storyMs * 0.6), kind: "duplicate", eventId: crashId }]
      : [];
  return mergeByTime<Injection>(
    storyDuplicates,
    spread(
      counts.duplicates - storyDuplicates.length,
      durationMs,
      "duplicate",
      rng.fork("duplicates"),
    ),
    spread(counts.outOfOrder, durationMs, "reorder", rng.fork("reorders")),
    spread(counts.malformed, durationMs, "malformed", rng.fork("malformed")),
  );
}

function chaosChecks(crossing: Crossing, crashId: string, counts: ChaosCounts): Expectation[] {
  return [
    {
      kind: "units-dispatched",
      zone: crossing.zone,
      correlationId: crashId,
      unitKinds: ["ambulance"],
      description: `an ambulance is dispatched once to the collision at ${crossing.id}, though it is delivered twice`,
    },
    {
      kind: "zone-notified",
      zone: crossing.zone,
      times: 1,
      forType: "AccidentDetected",
      description: `zone ${crossing.zone} is notified once about the collision at ${crossing.id}`,
    },
    {
      kind: "no-duplicate-actions",
      description:
        "no action happens twice: one notice per alert and zone, one dispatch per incident, one media post per source event, each duplicated event acted on once",
    },
    {
      kind: "rejected",
      count: counts.malformed,
      description: `${counts.malformed} malformed events are rejected (by the bus or by the consumers' validation), none is acted upon`,
    },
  ];
}

/** The mutable state of one play-through. */
interface Played {
  readonly history: EventStep[];
  /** Controllers that changed, for the final-state checks. */
  readonly touched: Set<TrafficLightController>;
  malformedK: number;
  pendingDuplicates: number;
  head: IteratorResult<Injection>;
}

function* playChaos(p: ChaosPlay): Generator<ScenarioStep> {
  const state: Played = {
    history: [],
    touched: new Set(),
    malformedK: 0,
    pendingDuplicates: 0,
    head: p.injections.next(),
  };
  function* routine(): Generator<EventStep> {
    for (const s of mergeStreams(p.streams, p.durationMs, p.ctx.rng.fork("routine"))) {
      yield p.stamper.step(s);
    }
  }
  for (const step of mergeByTime<EventStep>(p.story.sorted(), routine())) {
    yield* injectUpTo(p, state, step.atMs);
    const light = p.lightOf.get(step.producerId);
    if (light) state.touched.add(light);
    state.history.push(step);
    if (state.history.length > 400) state.history.splice(0, 200);
    yield step;
    for (; state.pendingDuplicates > 0; state.pendingDuplicates--) {
      yield { kind: "duplicate", atMs: step.atMs, eventId: step.draft.eventId ?? "" };
    }
  }
  yield* injectUpTo(p, state, Number.POSITIVE_INFINITY);
  // Played through: every controller's last change is known.
  for (const c of [...state.touched].sort(byGridPosition)) {
    p.checks.push({
      kind: "final-light-state",
      intersectionId: c.intersection.id,
      state: c.state,
      description: `${c.intersection.id} ends ${c.state.vehicles} for vehicles, ${c.state.pedestrians} for pedestrians (its controller's last change, whatever the delivery order)`,
    });
  }
}

/** The injections due by `upTo`, as steps. */
function* injectUpTo(p: ChaosPlay, state: Played, upTo: number): Generator<ScenarioStep> {
  for (; !state.head.done && state.head.value.atMs <= upTo; state.head = p.injections.next()) {
    const inj = state.head.value;
    if (inj.kind === "malformed") {
      yield malformedEntry(state.malformedK++, inj.atMs, p.ctx, p.malformedIds);
    } else if (inj.kind === "reorder") {
      yield reorderedPair(p, state, inj.atMs);
    } else if (inj.eventId) {
      yield { kind: "duplicate", atMs: inj.atMs, eventId: inj.eventId };
    } else {
      const original = state.history.length > 0 ? p.rng.pick(state.history) : undefined;
      if (original?.draft.eventId) {
        yield { kind: "duplicate", atMs: inj.atMs, eventId: original.draft.eventId };
      } else {
        state.pendingDuplicates++; // nothing sent yet: duplicate the first event sent
      }
    }
  }
}

/** Two successive changes of a random traffic light, to be delivered in reverse order. */
function reorderedPair(p: ChaosPlay, state: Played, atMs: number): ScenarioStep {
  const c = p.rng.pick(p.lights);
  state.touched.add(c);
  const a = p.chaosStamper.draft({ atMs, producerId: c.producerId, draft: c.next() });
  const b = p.chaosStamper.draft({ atMs, producerId: c.producerId, draft: c.next() });
  return { kind: "reorder", atMs, producerId: c.producerId, drafts: [a, b] };
}

function chaosExpected(
  crossing: Crossing,
  counts: ChaosCounts,
  checks: Expectation[],
): ExpectedOutcome {
  return {
    story: `A normal day's routine traffic and a collision with one injured at ${crossing.id} (${crossing.zone}, delivered twice), with ${counts.duplicates} duplicate deliveries, ${counts.outOfOrder} out-of-order pairs at traffic lights and ${counts.malformed} malformed events (${MALFORMED_KINDS.join(", ")}).`,
    watch: [
      "event store: every eventId stored once despite duplicates",
      `the collision at ${crossing.id}: one incident, one dispatch, zone ${crossing.zone} notified once, one media post — though it arrives twice`,
      "traffic: held gaps filled by the late event, no SignalSequenceViolation for reordered pairs; every intersection ends in its controller's last state",
      "validation failures (EventFailures Reason=validation) and DLQs for the malformed events the bus accepted",
    ],
    checks,
  };
}

export const chaos: Scenario = chaosScenario();
