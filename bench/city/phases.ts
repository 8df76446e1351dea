/**
 * The city bench's phases against one running city: the ramp (offered 100 … 1,600 events/s of
 * the normal-day mix, stopping once a step is clearly saturated), a 5,000-event burst, and
 * priority isolation (critical p99 during a 10× info flood ÷ idle critical p99).
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { CityEventPublisher } from "../../events/index.ts";
import type { Percentiles } from "../../local/up/latency.ts";
import { draftMix } from "../fixtures.ts";
import { CityMeter, type RequestsPerEvent } from "./meter.ts";
import { judgeStep, type StepSample, type StepVerdict } from "./saturation.ts";
import { criticalDrafts, infoDrafts, normalDay, openLoop, settledWithin } from "./traffic.ts";

export interface PhaseEnv {
  readonly meter: CityMeter;
  readonly events: EventBridgeClient;
  readonly busName: string;
  readonly criticalSubscription: string;
  /** Messages in the city's consumer queues (visible and in flight), DLQs aside. */
  readonly queued: () => Promise<number>;
  readonly random: () => number;
  readonly progress: (message: string) => void;
}

export interface RampPlan {
  readonly rates: readonly number[];
  /** Length of each step, s. */
  readonly stepSeconds: number;
  /** The steady window is the step after this many seconds. */
  readonly warmSeconds: number;
}

export const FULL_RAMP: RampPlan = {
  rates: [100, 200, 400, 800, 1600],
  stepSeconds: 16,
  warmSeconds: 6,
};
export const QUICK_RAMP: RampPlan = { rates: [100, 200], stepSeconds: 8, warmSeconds: 3 };

export interface StepResult extends StepVerdict {
  readonly offeredPerSecond: number;
  readonly windowSeconds: number;
  readonly cpuMsPerEvent: number;
  readonly requestsPerEvent: RequestsPerEvent;
  /** The part of `requestsPerEvent` the local cloud made on its own behalf (origin `cloud`). */
  readonly cloudRequestsPerEvent: RequestsPerEvent;
  /** p50/p99 ms (published → deleted by the consumer) per subscription, over the window. */
  readonly latencyMs: Record<string, Percentiles>;
  readonly rssMB: number;
}

const MB = 1024 * 1024;

function sampleOf(env: PhaseEnv, tag: string): StepSample {
  return {
    atMs: performance.now(),
    accepted: env.meter.acceptedOf(tag),
    stored: env.meter.storedOf(tag),
  };
}

async function rampStep(env: PhaseEnv, rate: number, plan: RampPlan): Promise<StepResult> {
  const tag = `bench-r${rate}`;
  const traffic = normalDay({
    busName: env.busName,
    client: env.meter.client(tag, env.events),
    tag,
    rate,
    seconds: plan.stepSeconds,
    seed: rate,
  });
  await sleep(plan.warmSeconds * 1000);
  env.meter.newLatencyWindow();
  const before = env.meter.read();
  const start = sampleOf(env, tag);
  await traffic;
  const end = sampleOf(env, tag);
  const after = env.meter.read();
  const latencyMs = env.meter.newLatencyWindow();
  const verdict = judgeStep(rate, start, end);
  const published = end.accepted - start.accepted;
  const work = CityMeter.between(before, after, published);
  return {
    ...verdict,
    offeredPerSecond: rate,
    windowSeconds: Math.round(end.atMs - start.atMs) / 1000,
    // CPU of the whole process (all threads) per event the store took in the window.
    cpuMsPerEvent: work.cpuMsPerEvent,
    requestsPerEvent: work.perEvent,
    cloudRequestsPerEvent: work.cloudPerEvent,
    latencyMs,
    rssMB: Math.round(process.memoryUsage().rss / MB),
  };
}

/** Waits until every event accepted under `tags` is stored, or `timeoutMs`; returns whether. */
export async function drain(env: PhaseEnv, tags: string[], timeoutMs: number): Promise<boolean> {
  const ends = performance.now() + timeoutMs;
  while (env.meter.storedOf(...tags) < env.meter.acceptedOf(...tags)) {
    if (performance.now() > ends) return false;
    await sleep(200);
  }
  return true;
}

export async function runRamp(env: PhaseEnv, plan: RampPlan): Promise<StepResult[]> {
  const steps: StepResult[] = [];
  for (const rate of plan.rates) {
    env.progress(`ramp: offered ${rate} events/s for ${plan.stepSeconds} s`);
    const step = await rampStep(env, rate, plan);
    steps.push(step);
    env.progress(
      `ramp: ${rate}/s → published ${step.publishedPerSecond.toFixed(0)}/s, stored ${step.storedPerSecond.toFixed(0)}/s, backlog +${step.backlogGrowth}, ${step.cpuMsPerEvent.toFixed(2)} CPU ms/event: ${step.sustained ? "sustained" : `not sustained (${step.reason})`}`,
    );
    if (step.stopClimbing) break;
  }
  const first = steps[0];
  if (first && steps.every((s) => !s.sustained)) {
    // Even the first step saturated: one step below, at half of what the store took, so the
    // sustained rate is a measured figure rather than 0.
    const rate = Math.max(5, Math.round(first.storedPerSecond / 2));
    await drainRamp(env, steps);
    env.progress(`ramp: no step sustained; one step at ${rate} events/s`);
    const step = await rampStep(env, rate, plan);
    env.progress(
      `ramp: ${rate}/s → stored ${step.storedPerSecond.toFixed(1)}/s: ${step.sustained ? "sustained" : step.reason}`,
    );
    steps.push(step);
  }
  await drainRamp(env, steps);
  return steps.sort((a, b) => a.offeredPerSecond - b.offeredPerSecond);
}

async function drainRamp(env: PhaseEnv, steps: readonly StepResult[]): Promise<void> {
  const tags = steps.map((s) => `bench-r${s.offeredPerSecond}`);
  env.progress("ramp: draining the backlog (at most 20 s)");
  if (!(await drain(env, tags, 20_000))) {
    env.progress(
      `ramp: ${env.meter.acceptedOf(...tags) - env.meter.storedOf(...tags)} events still not stored after 20 s; the next phases run on top of them`,
    );
  }
}

/**
 * Waits up to `ms` for the earlier phases' events (`tags`) to be stored; resolves with how many
 * still are not (a phase beginning on them is not comparable).
 */
async function settleEarlier(env: PhaseEnv, tags: readonly string[], ms: number): Promise<number> {
  await drain(env, [...tags], ms);
  return env.meter.acceptedOf(...tags) - env.meter.storedOf(...tags);
}

export interface BurstResult {
  readonly events: number;
  readonly stored: number;
  /** From the first publish to the last of them stored; null when not all were stored. */
  readonly drainSeconds: number | null;
  /** Earlier phases' events still not stored when the burst began (0: it began on an idle city). */
  readonly startBacklog: number;
}

/**
 * First up to `settleMs` for the earlier phases' events (`earlierTags`) to be stored, so the burst
 * meets an idle city (the ramp's last step leaves a backlog by design); then publishes `events`
 * drafts of the bench mix at once (8 PutEvents of 10 in flight), and waits up to `timeoutMs`.
 */
export async function runBurst(
  env: PhaseEnv,
  events: number,
  timeoutMs: number,
  earlier: { readonly tags: readonly string[]; readonly settleMs: number },
) {
  const tag = "bench-burst";
  const startBacklog = await settleEarlier(env, earlier.tags, earlier.settleMs);
  env.progress(
    `burst: ${events} events at once (${startBacklog} earlier events not stored), then up to ${timeoutMs / 1000} s to drain`,
  );
  const start = performance.now();
  const publisher = new CityEventPublisher({
    busName: env.busName,
    producerId: `burst:${tag}`,
    client: env.meter.client(tag, env.events),
    random: env.random,
  });
  const drafts = draftMix(events, env.random, { producerOnly: true });
  let next = 0;
  await settledWithin(
    Array.from({ length: 8 }, async () => {
      for (let from = next; from < drafts.length; from = next) {
        next += 10;
        // A failed batch is simply not accepted: the meter counts accepted entries only.
        await publisher.publish(drafts.slice(from, from + 10)).catch(() => undefined);
      }
    }),
    timeoutMs,
  );
  const drained = await drain(env, [tag], timeoutMs);
  const result: BurstResult = {
    events: env.meter.acceptedOf(tag),
    stored: env.meter.storedOf(tag),
    drainSeconds: drained ? Math.round((performance.now() - start) / 100) / 10 : null,
    startBacklog,
  };
  env.progress(
    `burst: ${result.stored} of ${result.events} stored, drain ${result.drainSeconds ?? "unfinished"} s`,
  );
  return result;
}

/** Waits until the consumer queues hold nothing, or until `endsAt`; resolves with what is left. */
async function queuesEmptied(env: PhaseEnv, endsAt: number): Promise<number> {
  for (;;) {
    const queued = await env.queued();
    if (queued === 0 || performance.now() > endsAt) return queued;
    await sleep(200);
  }
}

export interface IsolationResult {
  readonly baseRate: number;
  readonly criticalRate: number;
  readonly floodRate: number;
  readonly idleCriticalMs: Percentiles;
  readonly floodCriticalMs: Percentiles;
  /** Flood critical p99 ÷ idle critical p99. */
  readonly isolationRatio: number;
  /**
   * Events of the earlier phases still not stored when isolation began (after waiting at most
   * 60 s for them): a backlog there delays critical work too, so the ratio is only meaningful
   * when this is 0.
   */
  readonly startBacklog: number;
  /**
   * Messages still in a consumer queue when isolation began (after the same wait): the burst's
   * incidents queued for the emergency function are stored long before they are handled, and
   * the idle phase's critical events would queue behind them. Comparable when 0.
   */
  readonly startQueued: number;
}

const ISOLATION = { base: 20, critical: 2, floodFactor: 10, seconds: 12 } as const;

async function isolationPhase(env: PhaseEnv, name: string, flood: boolean): Promise<Percentiles> {
  env.meter.newLatencyWindow();
  const s = ISOLATION.seconds;
  const traffic: Promise<void>[] = [
    normalDay({
      busName: env.busName,
      client: env.meter.client(`bench-${name}`, env.events),
      tag: `bench-${name}`,
      rate: ISOLATION.base,
      seconds: s,
      seed: 7,
    }),
    openLoop({
      busName: env.busName,
      client: env.meter.client(`bench-${name}`, env.events),
      producerId: `critical:bench-${name}`,
      drafts: criticalDrafts(ISOLATION.critical * s, env.random),
      rate: ISOLATION.critical,
      seconds: s,
      random: env.random,
    }),
  ];
  if (flood) {
    const rate = ISOLATION.base * ISOLATION.floodFactor;
    traffic.push(
      openLoop({
        busName: env.busName,
        client: env.meter.client(`bench-${name}`, env.events),
        producerId: `info-flood:bench-${name}`,
        drafts: infoDrafts(500, env.random),
        rate,
        seconds: s,
        random: env.random,
      }),
    );
  }
  await Promise.all(traffic);
  // The critical events published last need their delivery too.
  await drain(env, [`bench-${name}`], 15_000);
  return env.meter.latencyOf(env.criticalSubscription);
}

export async function runIsolation(
  env: PhaseEnv,
  earlierTags: readonly string[],
): Promise<IsolationResult> {
  // Critical events of an undrained burst would still be queued ahead of the phase's own.
  const settleEnds = performance.now() + 60_000;
  const startBacklog = await settleEarlier(env, earlierTags, 60_000);
  const startQueued = await queuesEmptied(env, settleEnds);
  env.progress(
    `isolation: starting with ${startBacklog} earlier events not stored, ${startQueued} messages queued`,
  );
  env.progress(
    `isolation: idle (normal-day ${ISOLATION.base}/s + critical ${ISOLATION.critical}/s) for ${ISOLATION.seconds} s`,
  );
  const idle = await isolationPhase(env, "idle", false);
  env.progress(
    `isolation: + info flood ${ISOLATION.base * ISOLATION.floodFactor}/s for ${ISOLATION.seconds} s`,
  );
  const flood = await isolationPhase(env, "flood", true);
  return {
    baseRate: ISOLATION.base,
    criticalRate: ISOLATION.critical,
    floodRate: ISOLATION.base * ISOLATION.floodFactor,
    idleCriticalMs: idle,
    floodCriticalMs: flood,
    isolationRatio: idle.p99 > 0 ? Math.round((flood.p99 / idle.p99) * 100) / 100 : 0,
    startBacklog,
    startQueued,
  };
}
