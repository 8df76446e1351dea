import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { causalClock } from "../../../../events/draft.ts";
import {
  buildTimeline,
  happenedBeforeRelation,
  type TimelineEvent,
} from "../../../../functions/api/timeline.ts";
import { timelineMermaid } from "../../../../functions/api/timeline-render.ts";

const T0 = Date.parse("2026-11-23T15:00:00.000Z");
const PRODUCERS = ["panel", "camera", "svc-emergency/a", "svc-traffic/b"] as const;

/** A plan: each step, a producer sends an event, caused by an earlier one (or none). */
const plans = fc.array(
  fc.record({ producer: fc.nat({ max: PRODUCERS.length - 1 }), cause: fc.option(fc.nat()) }),
  { minLength: 1, maxLength: 25 },
);

/** Runs a plan the way the publisher stamps: the cause's clock plus the producer's sequence. */
function run(plan: readonly { producer: number; cause: number | null }[]): TimelineEvent[] {
  const seq = new Map<string, number>();
  const lamport = new Map<string, number>();
  const out: TimelineEvent[] = [];
  plan.forEach((step, i) => {
    const producerId = PRODUCERS[step.producer] ?? "panel";
    const cause =
      step.cause === null || out.length === 0 ? undefined : out[step.cause % out.length];
    const n = (seq.get(producerId) ?? 0) + 1;
    seq.set(producerId, n);
    const l = Math.max(lamport.get(producerId) ?? 0, cause?.lamport ?? 0) + 1;
    lamport.set(producerId, l);
    out.push({
      eventId: `E${String(i).padStart(3, "0")}`,
      type: "SmokeDetected",
      streamId: "zone#z3",
      version: i + 1,
      occurredAt: new Date(T0 + i * 1000).toISOString(),
      producerId,
      sequence: n,
      lamport: l,
      ...(cause ? { causationId: cause.eventId } : {}),
      vectorClock: causalClock(producerId, n, cause?.vectorClock).toJSON(),
    });
  });
  return out;
}

/** Ground truth: the transitive closure of cause links and each producer's send order. */
function truth(events: readonly TimelineEvent[]): (a: string, b: string) => boolean {
  const index = new Map(events.map((e, i) => [e.eventId, i]));
  const n = events.length;
  const reach = Array.from({ length: n }, () => new Array<boolean>(n).fill(false));
  events.forEach((e, j) => {
    const c = e.causationId ? index.get(e.causationId) : undefined;
    if (c !== undefined) (reach[c] as boolean[])[j] = true;
    events.forEach((f, i) => {
      if (i < j && f.producerId === e.producerId) (reach[i] as boolean[])[j] = true;
    });
  });
  for (let k = 0; k < n; k++)
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++)
        if (reach[i]?.[k] && reach[k]?.[j]) (reach[i] as boolean[])[j] = true;
  return (a, b) => reach[index.get(a) ?? -1]?.[index.get(b) ?? -1] === true;
}

function ancestors(events: readonly TimelineEvent[], e: TimelineEvent): Set<string> {
  const byId = new Map(events.map((x) => [x.eventId, x]));
  const out = new Set<string>();
  for (let c = e.causationId; c !== undefined; c = byId.get(c)?.causationId) out.add(c);
  return out;
}

describe("happened-before over stamped vector clocks", () => {
  it("is sound (only true causality) and complete along cause chains", () => {
    fc.assert(
      fc.property(plans, (plan) => {
        const events = run(plan);
        const hb = happenedBeforeRelation(events);
        const real = truth(events);
        for (const a of events) {
          for (const b of events) {
            if (hb(a, b)) expect(real(a.eventId, b.eventId)).toBe(true);
          }
          for (const id of ancestors(events, a)) {
            const cause = events.find((x) => x.eventId === id) as TimelineEvent;
            expect(hb(cause, a)).toBe(true);
          }
        }
      }),
    );
  });

  it("orders a linear extension with pairwise-concurrent steps, whatever the input order", () => {
    fc.assert(
      fc.property(plans, fc.infiniteStream(fc.nat()), (plan, shuffles) => {
        const events = run(plan);
        const hb = happenedBeforeRelation(events);
        const t = buildTimeline(events);
        const shuffled = [...events].sort(() => (shuffles.next().value % 3) - 1);
        expect(buildTimeline(shuffled).events.map((e) => e.eventId)).toEqual(
          t.events.map((e) => e.eventId),
        );
        t.events.forEach((a, i) => {
          for (const b of t.events.slice(i + 1)) expect(hb(b, a)).toBe(false);
          for (const id of a.concurrentWith) {
            const b = t.events.find((x) => x.eventId === id) as TimelineEvent;
            expect(hb(a, b) || hb(b, a)).toBe(false);
          }
        });
        expect(t.events).toHaveLength(events.length);
        expect(t.outOfOrder).toEqual([]);
      }),
    );
  });
});

/** The fire story: smoke → dense smoke → alarm on the panel; the camera and services branch off. */
function fireStory(): TimelineEvent[] {
  const plan = [
    { producer: 0, cause: null }, // 0 smoke (panel)
    { producer: 0, cause: 0 }, // 1 dense smoke (panel)
    { producer: 1, cause: 0 }, // 2 camera sees flames, caused by the first smoke
    { producer: 0, cause: 1 }, // 3 fire alarm (panel)
    { producer: 2, cause: 1 }, // 4 incident opened (emergency), from the dense smoke
    { producer: 2, cause: 1 }, // 5 units reserved, same handler
    { producer: 3, cause: 5 }, // 6 route pre-empted (traffic)
  ];
  const types = [
    "SmokeDetected",
    "SmokeDetected",
    "CameraAnomalyDetected",
    "FireAlarmRaised",
    "IncidentOpened",
    "UnitsReserved",
    "TrafficRerouted",
  ];
  return run(plan).map((e, i) => ({ ...e, type: types[i] ?? e.type }));
}

describe("buildTimeline on the fire story", () => {
  it("puts causes first and shows the camera and the services' branches as concurrent", () => {
    const t = buildTimeline(fireStory());
    const order = t.events.map((e) => e.type);
    expect(order[0]).toBe("SmokeDetected");
    expect(order.indexOf("IncidentOpened")).toBeLessThan(order.indexOf("UnitsReserved"));
    expect(order.indexOf("UnitsReserved")).toBeLessThan(order.indexOf("TrafficRerouted"));
    const camera = t.events.find((e) => e.type === "CameraAnomalyDetected");
    const alarm = t.events.find((e) => e.type === "FireAlarmRaised");
    expect(camera?.concurrentWith.length).toBeGreaterThan(0);
    expect(alarm?.step).toBe(t.events.find((e) => e.type === "IncidentOpened")?.step ?? Number.NaN);
    expect(alarm?.concurrentWith).toContain(
      t.events.find((e) => e.type === "IncidentOpened")?.eventId,
    );
    const mermaid = timelineMermaid(t);
    expect(mermaid).toMatch(/^sequenceDiagram\n/);
    expect(mermaid).toContain("par step");
    expect(mermaid).toMatch(/P3->>P4: TrafficRerouted/);
  });

  it("flags an event stored or stamped before its cause", () => {
    const events = fireStory();
    const [smoke, dense] = events;
    if (!smoke || !dense) throw new Error("story too short");
    const early = {
      ...dense,
      version: 0,
      occurredAt: "2026-11-23T14:59:00.000Z",
      lamport: 1,
      vectorClock: { elsewhere: 1 },
    };
    const t = buildTimeline([smoke, early]);
    const flagged = t.events.find((e) => e.eventId === dense.eventId);
    expect(t.outOfOrder).toEqual([dense.eventId]);
    expect(flagged?.anomalies.join(" ")).toMatch(/before its cause/);
    expect(flagged?.anomalies.join(" ")).toMatch(/Lamport time 1 is not after/);
    expect(flagged?.anomalies.join(" ")).toMatch(/produced without receiving it/);
    expect(flagged?.anomalies.join(" ")).toMatch(/stored as version 0/);
  });

  it("orders events without clocks (stamped before clocks existed) by their causation links", () => {
    const plain = fireStory()
      .reverse()
      .map(({ vectorClock: _, ...rest }) => ({ ...rest, lamport: 1, sequence: 0 }));
    const t = buildTimeline(plain);
    const pos = (type: string) => t.events.findIndex((e) => e.type === type);
    expect(pos("IncidentOpened")).toBeLessThan(pos("UnitsReserved"));
    expect(pos("UnitsReserved")).toBeLessThan(pos("TrafficRerouted"));
    expect(t.outOfOrder).toHaveLength(6); // Lamport 1 everywhere: not after any cause
  });
});
