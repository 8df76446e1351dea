/**
 * Puts a scenario together: the routine background (lazy) merged in time order with the
 * scenario's story (eager, small). Stateful producers (lights, buses, trains) belong to the
 * background only, so each producer's events are created in the order they are sent.
 */
import { buildCity } from "../city.ts";
import { createProducers, type Producers } from "../producers/index.ts";
import { Rng } from "../rng.ts";
import type { ScenarioStep } from "../steps.ts";
import {
  type ExpectedOutcome,
  mergeByTime,
  mergeStreams,
  type ScenarioContext,
  type ScenarioRun,
  STORY_WINDOW_SECONDS,
  Stamper,
  Story,
  type Stream,
  validateContext,
} from "./engine.ts";
import { type RoutineOptions, routineStreams } from "./routine.ts";

export interface Composition {
  readonly producers: Producers;
  readonly story: Story;
  readonly durationMs: number;
  /** ms offset of a fraction of the story window (the run, or its first 15 minutes). */
  at(fraction: number): number;
}

export function compose(
  ctx: ScenarioContext,
  routine: RoutineOptions,
  write: (c: Composition) => ExpectedOutcome,
  extraStreams: (c: Composition) => readonly Stream[] = () => [],
): ScenarioRun {
  validateContext(ctx);
  const producers = createProducers(ctx.city, ctx.rng.fork("producers"));
  const durationMs = Math.round(ctx.durationSeconds * 1000);
  const storyMs = Math.min(durationMs, STORY_WINDOW_SECONDS * 1000);
  const story = new Story(new Stamper(ctx.startMs, ctx.rng, "story"), storyMs - 1);
  const c: Composition = {
    producers,
    story,
    durationMs,
    at: (f) => Math.min(storyMs - 1, Math.max(0, Math.floor(storyMs * f))),
  };
  const expected = write(c);
  const routineStamper = new Stamper(ctx.startMs, ctx.rng, "routine");
  const streams = [...routineStreams(producers, ctx.rate, routine), ...extraStreams(c)];
  function* background(): Generator<ScenarioStep> {
    for (const p of mergeStreams(streams, durationMs, ctx.rng.fork("routine"))) {
      yield routineStamper.step(p);
    }
  }
  const storySteps: ScenarioStep[] = story.sorted();
  return { steps: mergeByTime<ScenarioStep>(storySteps, background()), expected };
}

/** The context of a seed: the seed's city and a scenario rng derived from the same seed. */
export function contextFor(
  seed: number,
  rate: number,
  durationSeconds: number,
  startMs: number,
): ScenarioContext {
  return {
    city: buildCity(seed),
    rng: new Rng(seed).fork("scenario"),
    rate,
    durationSeconds,
    startMs,
  };
}
