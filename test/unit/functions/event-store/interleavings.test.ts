/**
 * Law of the append under any interleaving: environments with stale caches, lost answers,
 * throttles, redeliveries and duplicates never leave a gap, an overlap or an event stored twice,
 * and every event some append acknowledged is stored.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InMemoryEventStorage } from "../../../../functions/event-store/memory-adapter.ts";
import { streamStateProjection } from "../../../../functions/event-store/projections.ts";
import { toNewEvent } from "../../../../functions/event-store/record-handler.ts";
import { EventStore, type NewEvent } from "../../../../functions/event-store/store.ts";
import { ManualClock } from "../../../../functions/shared/clock.ts";
import { cityEvent, stampContext, T0 } from "../fixtures.ts";
import { instrument } from "./storage-faults.ts";

const pool: NewEvent[] = (() => {
  const ctx = stampContext("tlc-law");
  return Array.from({ length: 12 }, () =>
    toNewEvent(cityEvent("TrafficLightChanged", {}, { ctx })),
  );
})();
const stream = pool[0]?.streamId ?? "";

const step = fc.record({
  env: fc.nat({ max: 2 }),
  /** Indexes into the pool: repeats are in-batch duplicates, re-picks are redeliveries. */
  batch: fc.array(fc.nat({ max: pool.length - 1 }), { minLength: 1, maxLength: 4 }),
  fault: fc.constantFrom("none", "none", "lose-answer", "throttle"),
  concurrent: fc.boolean(),
});

describe("event store append under any interleaving", () => {
  it("tiles versions 1..head, stores each event at most once, and every acknowledged one", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 1, maxLength: 25 }),
        fc.boolean(),
        async (steps, returnsColliding) => {
          const io = instrument(new InMemoryEventStorage(returnsColliding));
          const clock = new ManualClock(T0 + 3_600_000);
          const envs = [0, 1, 2].map(
            () =>
              new EventStore({
                storage: io.storage,
                clock,
                projection: streamStateProjection,
                maxConflictRetries: 10,
              }),
          );
          const acknowledged = new Set<string>();
          let pending: Promise<void>[] = [];
          for (const s of steps) {
            if (s.fault === "lose-answer") io.losePutAnswers = 1;
            if (s.fault === "throttle") io.failPuts = 1;
            const events = s.batch.map((i) => pool[i] as NewEvent);
            const run = (envs[s.env] as EventStore<unknown>)
              .append(stream, events)
              .then(() => {
                for (const e of events) acknowledged.add(e.eventId);
              })
              .catch(() => undefined); // a failed batch is redelivered later (or not at all)
            pending.push(run);
            if (!s.concurrent) {
              await Promise.all(pending);
              pending = [];
            }
            clock.advance(1_000);
          }
          await Promise.all(pending);
          const commits = await io.storage.readCommits(stream, 1);
          let next = 1;
          for (const c of commits) {
            expect(c.firstVersion).toBe(next);
            expect(c.events.map((e) => e.version)).toEqual(
              c.events.map((_, i) => c.firstVersion + i),
            );
            next = c.lastVersion + 1;
          }
          const ids = commits.flatMap((c) => c.events.map((e) => e.eventId));
          expect(new Set(ids).size).toBe(ids.length);
          for (const id of acknowledged) expect(ids).toContain(id);
        },
      ),
      { numRuns: 150 },
    );
  });
});
