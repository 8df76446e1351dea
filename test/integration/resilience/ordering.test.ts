/**
 * Ordering at the city's scale (docs/RELIABILITY.md, "What was tried"): 1,000 light changes of
 * 50 intersections, published in a shuffled order with 100 duplicates (50 the same event again,
 * 50 a controller re-sending a change under a new event id), through the bus, the intake queue,
 * the pipe and the FIFO queue to the traffic function. Its resequencing must put every
 * intersection in the state of its last change, with no change applied out of order.
 *
 * The resequencing hold is raised to 10 minutes so that only resequencing decides the outcome,
 * never the speed of a loaded machine (a gap given up after the hold is flagged as a violation;
 * that path is tested in the traffic function's unit tests).
 */
import { ulid } from "ulid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LightState } from "../../../events/catalog/common.ts";
import type { AnyCityEvent } from "../../../events/catalog.ts";
import { seededRandom } from "../../../events/random.ts";
import { waitFor } from "../../support/wait.ts";
import { cityEvent, stampContext } from "../../unit/functions/fixtures.ts";
import { type ConsumerCloud, startConsumerCloud } from "../functions/consumer-cloud.ts";

const INTERSECTIONS = 50;
/** Half the intersections get 19 changes, half 21: 1,000 in all, ending in different states. */
const changesOf = (k: number) => (k % 2 === 0 ? 19 : 21);
/** The light cycle: vehicles green -> yellow -> red -> pedestrians green -> red -> vehicles green. */
const CYCLE: LightState[] = [
  { vehicles: "green", pedestrians: "red" },
  { vehicles: "yellow", pedestrians: "red" },
  { vehicles: "red", pedestrians: "red" },
  { vehicles: "red", pedestrians: "green" },
  { vehicles: "red", pedestrians: "red" },
];
const stateAt = (n: number): LightState =>
  CYCLE[n % CYCLE.length] ?? { vehicles: "red", pedestrians: "red" };

interface Intersection {
  readonly appliedChanges: number;
  readonly lights: LightState;
  readonly held: unknown[];
  readonly violations: number;
  readonly duplicatesDropped: number;
}

function lightChanges(k: number): AnyCityEvent[] {
  const ctx = stampContext(`tlc-ord-${k}`, 1000 + k);
  const location = {
    latitude: 47.3,
    longitude: 8.5,
    zone: `z${(k % 5) + 1}`,
    intersectionId: `i-${800 + k}`,
  };
  return Array.from({ length: changesOf(k) }, (_, j) =>
    cityEvent(
      "TrafficLightChanged",
      { controllerId: `tlc-ord-${k}`, location, oldState: stateAt(j), newState: stateAt(j + 1) },
      { ctx },
    ),
  );
}

function shuffle<T>(list: T[], random: () => number): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [list[i], list[j]] = [list[j] as T, list[i] as T];
  }
  return list;
}

describe("ordering at the city's scale", () => {
  let c: ConsumerCloud;
  beforeAll(async () => {
    c = await startConsumerCloud("ord", { extraEnv: { TRAFFIC_HOLD_MS: "600000" } });
  }, 120_000);
  afterAll(async () => {
    await c?.stop();
  });

  it("ends 50 intersections in the state of their last change from 1,000 shuffled, duplicated changes", async () => {
    const random = seededRandom(2026);
    const changes = Array.from({ length: INTERSECTIONS }, (_, k) => lightChanges(k));
    const all = changes.flat();
    expect(all).toHaveLength(1_000);
    const sameAgain = all.filter((_, i) => i % 20 === 0);
    const resent = all
      .filter((_, i) => i % 20 === 10)
      .map((e) => {
        const copy = structuredClone(e);
        (copy.detail.meta as { eventId: string }).eventId = ulid();
        return copy;
      });
    expect(sameAgain.length + resent.length).toBe(100);
    await c.putRaw(shuffle([...all, ...sameAgain, ...resent], random));

    const states = new Map<number, Intersection>();
    const pkOf = (k: number) => `intersection#i-${800 + k}`;
    /** The intersections' states, read in one BatchGetItem per poll. */
    const read = async (ks: readonly number[]) => {
      const docs = await c.docsOf<Intersection>(ks.map(pkOf), "state");
      return ks.flatMap((k) => {
        const s = docs.get(pkOf(k));
        return s ? [[k, s] as const] : [];
      });
    };
    const everyOne = Array.from({ length: INTERSECTIONS }, (_, k) => k);
    await waitFor(
      () => `every intersection at its last change (${states.size}/${INTERSECTIONS} done)`,
      async () => {
        for (const [k, s] of await read(everyOne.filter((k) => !states.has(k)))) {
          if (s.appliedChanges >= changesOf(k)) states.set(k, s);
        }
        return states.size === INTERSECTIONS;
      },
      { timeoutMs: 240_000, intervalMs: 500 },
    );
    // The re-sent changes (new event id, old sequence) may still be on their way: every one is
    // dropped by the resequencer (applied, it would move the lights and the count below).
    let dropped = 0;
    await waitFor(
      () => `the ${resent.length} re-sent changes dropped (${dropped} so far)`,
      async () => {
        for (const [k, s] of await read(everyOne)) states.set(k, s);
        dropped = [...states.values()].reduce((n, s) => n + s.duplicatesDropped, 0);
        return dropped >= resent.length;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    for (let k = 0; k < INTERSECTIONS; k++) {
      const s = states.get(k);
      expect(s?.appliedChanges, `i-${800 + k}`).toBe(changesOf(k));
      expect(s?.lights, `i-${800 + k}`).toEqual(stateAt(changesOf(k)));
      expect(s?.held, `i-${800 + k}`).toEqual([]);
      expect(s?.violations, `i-${800 + k}`).toBe(0);
    }
  }, 400_000);
});
