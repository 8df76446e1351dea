/**
 * Replays stay replays (docs/OPERATIONS.md, "Replay"): `buzzville replay` re-delivers archived
 * events marked `replay-name`; the projections (traffic, analytics, the store) get them again, the
 * side-effecting subscriptions (dispatch, citizen alerts, press) never do — their rules match only
 * events without `replay-name`. No functions run: the queues keep what they get.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main as replay } from "../../../bin/ops/replay.ts";
import type { AnyCityEvent } from "../../../events/catalog.ts";
import { cityEvent, stampContext } from "../../unit/functions/fixtures.ts";
import {
  capture,
  depth,
  drain,
  type OpsHarness,
  publish,
  queueUrl,
  startOpsCloud,
  waitFor,
} from "./support.ts";

let h: OpsHarness;
beforeAll(async () => {
  h = await startOpsCloud();
});
afterAll(async () => {
  await h?.stop();
});

const SIDE_EFFECTS = [
  "EmergencyCriticalQueue",
  "NotificationCriticalQueue",
  "NotificationBulkQueue",
  "MediaQueue",
];
const PROJECTIONS = ["AnalyticsQueue"];
/** The ordered projections' pipes (their FIFO queues drop a copy within SQS's dedup window). */
const PIPES = ["TrafficSignalsPipe", "EventStorePipe"];
const moved = (pipe: string) =>
  h.cloud.pipes.list().find((p) => p.pipe.Name === `ops-it-${pipe}`)?.moved ?? 0;

type Body = { "replay-name"?: string; detail: { meta: { eventId: string } } };

describe("buzzville replay and side effects", () => {
  it("re-delivers to projections and analytics only, never to dispatch, alerts or media", async () => {
    const from = new Date(Date.now() - 1000).toISOString();
    const accident = cityEvent(
      "AccidentDetected",
      {},
      { ctx: stampContext("collision-replay"), priority: "critical" },
    );
    const events: AnyCityEvent[] = [accident];
    await publish(h, events);
    // first deliveries: every subscription of the accident, side-effecting ones included
    const firsts = new Map<string, number>();
    await waitFor("the first deliveries everywhere", async () => {
      for (const q of [...SIDE_EFFECTS, ...PROJECTIONS]) {
        firsts.set(q, (firsts.get(q) ?? 0) + (await drain(h, queueUrl(h, q))).length);
      }
      return ["EmergencyCriticalQueue", "MediaQueue", "AnalyticsQueue"].every(
        (q) => (firsts.get(q) ?? 0) > 0,
      );
    });

    await waitFor("the pipes to move the first deliveries", () => PIPES.every((p) => moved(p) > 0));
    const movedBefore = PIPES.map(moved);
    const out = await capture(replay, [
      "--from",
      from,
      "--to",
      "now",
      "--name",
      "side-effects",
      "--poll-ms",
      "20",
      ...h.target,
    ]);
    expect(out.err).toBe("");
    expect(out.out).toContain("replay side-effects completed");

    const seen = new Map<string, Body[]>();
    await waitFor("the replayed copies on every projection queue", async () => {
      for (const q of PROJECTIONS) {
        const got = (await drain(h, queueUrl(h, q))).map((b) => JSON.parse(b) as Body);
        seen.set(q, [...(seen.get(q) ?? []), ...got]);
      }
      return (
        PROJECTIONS.every((q) => (seen.get(q) ?? []).length > 0) &&
        PIPES.every((p, i) => moved(p) > (movedBefore[i] ?? 0))
      );
    });
    for (const q of PROJECTIONS) {
      const copies = seen.get(q) ?? [];
      expect(
        copies.map((b) => b["replay-name"]),
        q,
      ).toEqual(copies.map(() => "side-effects"));
      expect(
        copies.map((b) => b.detail.meta.eventId),
        q,
      ).toContain(accident.detail.meta.eventId);
    }
    for (const q of SIDE_EFFECTS) expect(await depth(h, queueUrl(h, q)), q).toBe(0);
  });
});
