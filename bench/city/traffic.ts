/**
 * The load of the city bench: the simulator's normal-day mix (simulator/run.ts `runScenario`,
 * one validating CityEventPublisher per device) at a rate, and open-loop streams of chosen
 * drafts (critical incidents, info readings) through a CityEventPublisher.
 */
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { type AnyEventDraft, CityEventPublisher } from "../../events/index.ts";
import { INCIDENT_TYPES } from "../../events/names.ts";
import type { PutEventsSender } from "../../local/up/accounting.ts";
import { runScenario } from "../../simulator/run.ts";
import { draftMix, relocate } from "../fixtures.ts";

export interface MixTraffic {
  readonly busName: string;
  readonly client: PutEventsSender;
  /** Also the producers' run tag (the meter's tag). */
  readonly tag: string;
  readonly rate: number;
  readonly seconds: number;
  readonly seed: number;
  readonly signal?: AbortSignal;
}

/**
 * The normal-day mix at `rate` events/s for `seconds`; resolves when its time is over. A
 * publisher that falls behind (a starved CPU) is cut off at 1.25 × `seconds` + 2 s: what it did
 * not publish by then was not offered.
 */
export async function normalDay(t: MixTraffic): Promise<void> {
  const cutOff = AbortSignal.timeout((t.seconds * 1.25 + 2) * 1000);
  const run = runScenario({
    scenario: "normal-day",
    rate: t.rate,
    durationSeconds: t.seconds,
    seed: t.seed,
    busName: t.busName,
    client: t.client,
    runTag: t.tag,
    // Enough producers in flight at once to offer high rates from one process.
    concurrency: 64,
    maxAcceptedIds: 1,
    progressIntervalMs: 3_600_000,
    signal: t.signal ? AbortSignal.any([t.signal, cutOff]) : cutOff,
  });
  // Batches in flight at the cut-off may still be retrying: give them a bounded moment.
  await settledWithin([run], (t.seconds * 1.25 + 7) * 1000);
}

/** `count` critical incident drafts (fire, gas, accident, …), relocated around the city. */
export function criticalDrafts(count: number, random: () => number): AnyEventDraft[] {
  return Array.from({ length: count }, (_, i) => {
    const type = INCIDENT_TYPES[i % INCIDENT_TYPES.length] ?? INCIDENT_TYPES[0];
    return { type, payload: relocate(type, random), priority: "critical" } as AnyEventDraft;
  });
}

/** `count` device drafts of the bench mix, all at priority info. */
export function infoDrafts(count: number, random: () => number): AnyEventDraft[] {
  return draftMix(count, random, { producerOnly: true }).map(
    (d) => ({ ...d, priority: "info" }) as AnyEventDraft,
  );
}

export interface OpenLoop {
  readonly busName: string;
  readonly client: PutEventsSender;
  /** Producer id `<name>:<tag>`. */
  readonly producerId: string;
  readonly drafts: readonly AnyEventDraft[];
  readonly rate: number;
  readonly seconds: number;
  readonly random: () => number;
}

/** Publishes the drafts (cycled) open loop: batches of ≤ 10 on a fixed schedule. */
export async function openLoop(o: OpenLoop): Promise<void> {
  const publisher = new CityEventPublisher({
    busName: o.busName,
    producerId: o.producerId,
    client: o.client,
    random: o.random,
  });
  const batch = Math.max(1, Math.min(10, Math.round(o.rate / 10)));
  const intervalMs = (batch / o.rate) * 1000;
  const batches = Math.max(1, Math.round((o.rate * o.seconds) / batch));
  const start = performance.now();
  const inFlight: Promise<unknown>[] = [];
  for (let b = 0; b < batches; b++) {
    const wait = start + b * intervalMs - performance.now();
    if (wait > 0) await sleep(wait);
    const from = (b * batch) % Math.max(1, o.drafts.length - batch);
    // A failed batch is simply not accepted: the meter counts accepted entries only.
    inFlight.push(publisher.publish(o.drafts.slice(from, from + batch)).catch(() => undefined));
  }
  // Calls still retrying well past the schedule are abandoned: they were not offered in time.
  await settledWithin(inFlight, (o.seconds * 0.5 + 5) * 1000);
}

/** Waits for the promises, or `ms`, whichever comes first. */
export async function settledWithin(promises: readonly Promise<unknown>[], ms: number) {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([Promise.allSettled(promises), bound]);
  clearTimeout(timer);
}
