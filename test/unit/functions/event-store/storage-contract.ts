/**
 * The event store's contract, run on every storage adapter (in-memory in the unit project,
 * DynamoDB on dynalite over the real SDK in the integration project): the adapter's reads and
 * conditional put, and the store's exactly-once append over them — stale caches in two
 * environments, lost answers, redeliveries and duplicates — produced on purpose.
 */
import { describe, expect, it } from "vitest";
import type { StampContext } from "../../../../events/draft.ts";
import {
  EventAlreadyExistsError,
  EventStoreStorageError,
} from "../../../../functions/event-store/errors.ts";
import type { Commit, EventStorageAdapter } from "../../../../functions/event-store/port.ts";
import { streamStateProjection } from "../../../../functions/event-store/projections.ts";
import { toNewEvent } from "../../../../functions/event-store/record-handler.ts";
import { EventStore, type NewEvent } from "../../../../functions/event-store/store.ts";
import type { StreamViewLimits } from "../../../../functions/event-store/stream-views.ts";
import { ManualClock } from "../../../../functions/shared/clock.ts";
import { cityEvent, stampContext, T0 } from "../fixtures.ts";
import { instrument } from "./storage-faults.ts";

type Make = () => Promise<EventStorageAdapter>;

const lights = (n: number, ctx: StampContext = stampContext("tlc-i12")): NewEvent[] =>
  Array.from({ length: n }, () => toNewEvent(cityEvent("TrafficLightChanged", {}, { ctx })));

function commitOf(streamId: string, first: number, ids: string[], at: number): Commit {
  return {
    streamId,
    firstVersion: first,
    lastVersion: first + ids.length - 1,
    committedAt: new Date(at).toISOString(),
    events: ids.map((eventId, i) => ({
      eventId,
      streamId,
      version: first + i,
      type: "TrafficLightChanged",
      source: "city.traffic",
      occurredAt: new Date(at).toISOString(),
      detail: { n: i },
    })),
  };
}

export interface ContractOptions {
  /**
   * A failed put carries the commit holding the key (DynamoDB's ALL_OLD on condition failure;
   * dynalite lacks it): a stale environment then moves on without a read.
   */
  readonly returnsCollidingCommit: boolean;
}

export function describeEventStorageContract(
  label: string,
  make: Make,
  options: ContractOptions,
): void {
  /** One city: a storage and a clock shared by the environments (EventStore instances). */
  async function city() {
    const io = instrument(await make());
    const clock = new ManualClock(T0 + 3_600_000); // the store runs after the events occurred
    const environment = (cache?: StreamViewLimits) =>
      new EventStore({
        storage: io.storage,
        clock,
        projection: streamStateProjection,
        ...(cache ? { cache } : {}),
      });
    return { io, clock, environment };
  }
  const idsOf = async (store: EventStore<unknown>, streamId: string) =>
    (await store.readStream(streamId)).map((e) => [e.version, e.eventId]);

  describe(`${label}: storage adapter`, () => {
    it("puts a commit only where its key is free, and reads it by any version it holds", async () => {
      const storage = await make();
      await storage.putCommit(commitOf("s#1", 1, ["a", "b", "c"], T0));
      const error = await storage.putCommit(commitOf("s#1", 1, ["x"], T0)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EventAlreadyExistsError);
      expect(error).toMatchObject({ streamId: "s#1", version: 1 });
      await storage.putCommit(commitOf("s#1", 4, ["d"], T0 + 1));
      expect(await storage.readHeadVersion("s#1")).toBe(4);
      expect((await storage.readCommitHolding("s#1", 3))?.firstVersion).toBe(1);
      const commits = await storage.readCommits("s#1", 2, 4);
      expect(commits.map((c) => c.firstVersion)).toEqual([1, 4]);
      expect(commits[0]?.events.map((e) => e.detail)).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
    });

    it("reads recent commits newest first, down to the first one before `since`", async () => {
      const storage = await make();
      for (let i = 0; i < 30; i++) {
        await storage.putCommit(commitOf("s#2", i + 1, [`e${i}`], T0 + i * 1000));
      }
      const recent = await storage.readRecentCommits("s#2", new Date(T0 + 27_500).toISOString());
      expect(recent.commits.map((c) => c.eventIds)).toEqual([["e29"], ["e28"], ["e27"]]);
      expect(recent.complete).toBe(false);
      const all = await storage.readRecentCommits("s#2", ""); // more than one page
      expect(all.commits.map((c) => c.lastVersion)).toEqual(
        Array.from({ length: 30 }, (_, i) => 30 - i),
      );
      expect(all.complete).toBe(true);
      expect(await storage.readRecentCommits("s#none", "")).toEqual({
        commits: [],
        complete: true,
      });
    });
  });

  describe(`${label}: exactly-once append`, () => {
    it("a warm environment appends with one put and no read; a cold one reads once", async () => {
      const { io, environment } = await city();
      const store = environment();
      const batches = [lights(3), lights(2), lights(1)];
      const stream = batches[0]?.[0]?.streamId ?? "";
      for (const batch of batches) await store.append(stream, batch);
      expect(io.calls).toEqual({ readRecentCommits: 1, putCommit: 3 });
      expect((await store.readStream(stream)).map((e) => e.version)).toEqual([1, 2, 3, 4, 5, 6]);
    });

    it("skips duplicates inside one batch and across batches", async () => {
      const { environment } = await city();
      const store = environment();
      const [a, b, c] = lights(3);
      if (!a || !b || !c) throw new Error("fixture");
      const first = await store.append(a.streamId, [a, a, b]);
      expect(first.duplicates).toEqual([a.eventId]);
      const second = await store.append(a.streamId, [b, c, a]);
      expect(second.duplicates).toEqual([b.eventId, a.eventId]);
      expect(second.appended.map((e) => [e.version, e.eventId])).toEqual([[3, c.eventId]]);
      expect(await idsOf(store, a.streamId)).toEqual([
        [1, a.eventId],
        [2, b.eventId],
        [3, c.eventId],
      ]);
    });

    it("a stale environment's put collides even inside another's multi-event commit, and recovers", async () => {
      const { io, environment } = await city();
      const envA = environment();
      const envB = environment();
      const [a, b, c, d, e] = lights(5);
      if (!a || !b || !c || !d || !e) throw new Error("fixture");
      await envA.append(a.streamId, [a]); // A knows head 1
      await envB.append(a.streamId, [b, c, d]); // versions 2..4 in ONE commit, A does not know
      io.reset();
      const result = await envA.append(a.streamId, [e]);
      expect(result.appended.map((x) => x.version)).toEqual([5]);
      expect(io.calls).toEqual(
        options.returnsCollidingCommit
          ? { putCommit: 2 } // the failed put returned the commit [2..4]: no read
          : { putCommit: 2, readRecentCommits: 1 },
      );
      expect((await envB.readStream(a.streamId)).map((x) => [x.version, x.eventId])).toEqual(
        [a, b, c, d, e].map((x, i) => [i + 1, x.eventId]),
      );
    });

    it("an environment many commits behind catches up within one append", async () => {
      const { io, environment } = await city();
      const envA = environment();
      const envB = environment();
      const events = lights(7);
      const [a, late] = [events[0], events[6]];
      if (!a || !late) throw new Error("fixture");
      await envA.append(a.streamId, [a]);
      for (const e of events.slice(1, 6)) await envB.append(a.streamId, [e]); // 5 commits
      io.reset();
      const result = await envA.append(a.streamId, [late]);
      expect(result.appended.map((x) => x.version)).toEqual([7]);
      expect(io.calls.readRecentCommits).toBe(1);
      expect(io.calls.putCommit).toBe(options.returnsCollidingCommit ? 3 : 2);
    });

    it("two environments holding the same message (visibility timeout) store it once", async () => {
      const { environment } = await city();
      const envA = environment();
      const envB = environment();
      const [a, b] = lights(2);
      if (!a || !b) throw new Error("fixture");
      await envA.append(a.streamId, [a]);
      await envB.append(a.streamId, [b]); // B took the message over and committed it
      const late = await envA.append(a.streamId, [b]); // A, paused, wakes with a stale head
      expect(late).toMatchObject({ appended: [], duplicates: [b.eventId], version: 2 });
      expect(await idsOf(envA, a.streamId)).toEqual([
        [1, a.eventId],
        [2, b.eventId],
      ]);
    });

    it("concurrent appends of one event, in two environments or one, store it once", async () => {
      const { environment } = await city();
      const envA = environment();
      const envB = environment();
      const [a, b] = lights(2);
      if (!a || !b) throw new Error("fixture");
      const results = await Promise.all([
        envA.append(a.streamId, [a]),
        envB.append(a.streamId, [a]),
        envA.append(a.streamId, [a, b]),
      ]);
      expect(results.flatMap((r) => r.appended.map((x) => x.eventId)).sort()).toEqual(
        [a.eventId, b.eventId].sort(),
      );
      const stored = await idsOf(envA, a.streamId);
      expect(stored.map(([v]) => v)).toEqual([1, 2]);
      expect(stored.map(([, id]) => id).sort()).toEqual([a.eventId, b.eventId].sort());
    });

    it("a commit that landed but whose answer was lost is acknowledged on redelivery, in any environment", async () => {
      const { io, environment } = await city();
      const envA = environment();
      const [a, b] = lights(2);
      if (!a || !b) throw new Error("fixture");
      io.losePutAnswers = 1;
      await expect(envA.append(a.streamId, [a, b])).rejects.toBeInstanceOf(EventStoreStorageError);
      const again = await envA.append(a.streamId, [a, b]); // the same batch, redelivered
      expect(again).toMatchObject({ appended: [], duplicates: [a.eventId, b.eventId] });
      const elsewhere = await environment().append(a.streamId, [b]);
      expect(elsewhere.duplicates).toEqual([b.eventId]);
      expect((await idsOf(envA, a.streamId)).map(([v]) => v)).toEqual([1, 2]);
    });

    it("a throttled put leaves nothing behind: the redelivery, here or elsewhere, stores it at once", async () => {
      const { io, environment } = await city();
      const envA = environment();
      const [a] = lights(1);
      if (!a) throw new Error("fixture");
      io.failPuts = 1;
      await expect(envA.append(a.streamId, [a])).rejects.toBeInstanceOf(EventStoreStorageError);
      const elsewhere = await environment().append(a.streamId, [a]);
      expect(elsewhere.appended.map((x) => x.version)).toEqual([1]);
      const redelivered = await envA.append(a.streamId, [a]);
      expect(redelivered.duplicates).toEqual([a.eventId]);
    });

    it("finds a duplicate older than the cache: a pruned view and a cold environment look back", async () => {
      const { clock, environment } = await city();
      const small = environment({ maxIdsPerStream: 2, keepMs: 0 });
      const events = lights(6);
      const [first] = events;
      if (!first) throw new Error("fixture");
      for (const e of events) {
        await small.append(first.streamId, [e]);
        clock.advance(60_000); // a minute between commits: an hour of them is one look-back
      }
      const pruned = await small.append(first.streamId, [first]);
      expect(pruned.duplicates).toEqual([first.eventId]);
      const cold = await environment().append(first.streamId, [first]);
      expect(cold.duplicates).toEqual([first.eventId]);
      expect(await idsOf(small, first.streamId)).toHaveLength(6);
    });

    it("a hot stream (1,000 commits in 2 minutes, past the 500 ids a view keeps) is read once", async () => {
      const { io, clock, environment } = await city();
      const store = environment();
      const ctx = stampContext("tlc-hot");
      let stream = "";
      for (let i = 0; i < 1000; i++) {
        const [e] = lights(1, ctx);
        if (!e) throw new Error("fixture");
        stream = e.streamId;
        await store.append(e.streamId, [e]);
        clock.advance(120);
      }
      expect(io.calls).toMatchObject({ readRecentCommits: 1, putCommit: 1000 });
      // The view still knows the first of them: a redelivery is a duplicate, found without a read.
      const [first] = (await store.readStream(stream)).map((e) => e.eventId);
      const again = lights(1, ctx).map((e) => ({ ...e, eventId: first ?? "" }));
      expect((await store.append(stream, again)).duplicates).toEqual([first]);
      expect(io.calls.readRecentCommits).toBe(1);
    });

    it("an expected version behind the stream fails with EventAlreadyExistsError, stale cache or not", async () => {
      const { environment } = await city();
      const envA = environment();
      const envB = environment();
      const [a, b, c] = lights(3);
      if (!a || !b || !c) throw new Error("fixture");
      await envA.append(a.streamId, [a], { expectedVersion: 0 });
      await envB.append(a.streamId, [b], { expectedVersion: 1 });
      const stale = await envA.append(a.streamId, [c], { expectedVersion: 1 }).catch((e) => e);
      expect(stale).toBeInstanceOf(EventAlreadyExistsError);
      expect(stale).toMatchObject({ streamId: a.streamId, version: 2 });
      await expect(envB.append(a.streamId, [c], { expectedVersion: 0 })).rejects.toBeInstanceOf(
        EventAlreadyExistsError,
      );
      expect((await envA.append(a.streamId, [c], { expectedVersion: 2 })).version).toBe(3);
    });

    it("isStored tells a stored event from one never committed", async () => {
      const { io, environment } = await city();
      const store = environment();
      const [a, b] = lights(2);
      if (!a || !b) throw new Error("fixture");
      await store.append(a.streamId, [a]);
      io.failPuts = 1;
      await expect(store.append(a.streamId, [b])).rejects.toBeInstanceOf(EventStoreStorageError);
      expect(await store.isStored(a.streamId, a.eventId)).toBe(true);
      expect(await store.isStored(a.streamId, b.eventId)).toBe(false);
    });
  });
}
