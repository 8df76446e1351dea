import { describe, expect, it } from "vitest";
import type { EventDefinition } from "../../../events/catalog/common.ts";
import { CATALOG } from "../../../events/catalog.ts";
import { type AnyEventDraft, draftProblems } from "../../../events/draft.ts";
import type { EventType } from "../../../events/names.ts";
import { parseCityEvent } from "../../../events/validate.ts";
import { SimulatorArgumentError } from "../../../simulator/errors.ts";
import {
  chaosCounts,
  chaosScenario,
  contextFor,
  SCENARIO_NAMES,
  SCENARIOS,
} from "../../../simulator/scenarios/index.ts";
import { draftsOf, type EventStep, type ScenarioStep } from "../../../simulator/steps.ts";

const START = Date.UTC(2026, 5, 1, 8, 0, 0);

function stepsOf(name: (typeof SCENARIO_NAMES)[number], seed = 7, rate = 10, duration = 120) {
  const run = SCENARIOS[name].build(contextFor(seed, rate, duration, START));
  return { steps: [...run.steps], expected: run.expected };
}

const events = (steps: readonly ScenarioStep[]): EventStep[] =>
  steps.filter((s): s is EventStep => s.kind === "event");

function priorityOf(d: AnyEventDraft): string {
  return (CATALOG[d.type as EventType] as EventDefinition).priority(d.payload as never);
}

function payload(step: EventStep): Record<string, unknown> {
  return step.draft.payload as unknown as Record<string, unknown>;
}

describe.each(SCENARIO_NAMES)("scenario %s", (name) => {
  it("gives identical steps (ids and timestamps included) for the same seed", () => {
    expect(stepsOf(name, 11).steps).toEqual(stepsOf(name, 11).steps);
  });

  it("gives a different stream for another seed", () => {
    expect(stepsOf(name, 11).steps).not.toEqual(stepsOf(name, 12).steps);
  });

  it("emits only drafts that pass the catalog, with unique event ids", () => {
    const drafts = stepsOf(name).steps.flatMap(draftsOf);
    expect(drafts.length).toBeGreaterThan(100);
    expect(draftProblems(drafts)).toEqual([]);
  });

  it("keeps its steps in time order inside the run, with occurredAt = start + atMs", () => {
    const { steps } = stepsOf(name);
    for (let k = 1; k < steps.length; k++) {
      expect(steps[k]?.atMs).toBeGreaterThanOrEqual(steps[k - 1]?.atMs ?? 0);
    }
    for (const s of events(steps)) {
      expect(s.atMs).toBeLessThan(120_000);
      expect(s.draft.occurredAt).toBe(new Date(START + s.atMs).toISOString());
    }
  });

  it("keeps every step of a very short run within the run (story jitter included)", () => {
    const { steps } = stepsOf(name, 4, 10, 2);
    expect(steps.length).toBeGreaterThan(5);
    for (const s of steps) expect(s.atMs).toBeLessThan(2000);
  });

  it("describes its expected outcome", () => {
    const { expected } = stepsOf(name);
    expect(expected.story.length).toBeGreaterThan(20);
    expect(expected.checks.length).toBeGreaterThan(0);
  });
});

describe("the stories hold in the generated streams", () => {
  it("normal-day runs at the base rate", () => {
    const n = events(stepsOf("normal-day", 3, 10, 120).steps).length;
    expect(n).toBeGreaterThan(10 * 120 * 0.95);
    expect(n).toBeLessThan(10 * 120 * 1.1);
  });

  it("fire: smoke precedes the fire alarm in the same building, all correlated", () => {
    const { steps, expected } = stepsOf("fire");
    const story = events(steps).filter(
      (s) => s.draft.type === "SmokeDetected" || s.draft.type === "FireAlarmRaised",
    );
    const alarmAt = story.findIndex((s) => s.draft.type === "FireAlarmRaised");
    expect(alarmAt).toBeGreaterThan(0);
    const smokes = story.slice(0, alarmAt);
    expect(smokes.map((s) => s.draft.type)).toEqual(["SmokeDetected", "SmokeDetected"]);
    const alarm = story[alarmAt] as EventStep;
    for (const s of smokes) {
      expect(payload(s).buildingId).toBe(payload(alarm).buildingId);
      expect(s.producerId).toBe(alarm.producerId);
    }
    const firstId = smokes[0]?.draft.eventId;
    expect(alarm.draft.correlationId).toBe(firstId);
    expect(priorityOf(alarm.draft)).toBe("critical");
    const zone = (payload(alarm).location as { zone: string }).zone;
    expect(expected.checks).toContainEqual(
      expect.objectContaining({ kind: "zone-notified", zone, times: 1 }),
    );
    const route = expected.checks.find((c) => c.kind === "intersections-preempted");
    expect(route && "intersectionIds" in route && route.intersectionIds.at(-1)).toBe(
      (payload(alarm).location as { intersectionId: string }).intersectionId,
    );
  });

  it("storm: the red alert is issued before it is cancelled, schools closed in between", () => {
    const ev = events(stepsOf("storm").steps);
    const issued = ev.findIndex(
      (s) => s.draft.type === "WeatherAlertIssued" && payload(s).level === "red",
    );
    const schools = ev.findIndex(
      (s) => s.draft.type === "WeatherAlertIssued" && payload(s).level === "yellow",
    );
    const cancelled = ev.findIndex(
      (s) =>
        s.draft.type === "WeatherAlertCancelled" &&
        payload(s).alertId === payload(ev[issued] as EventStep).alertId,
    );
    expect(issued).toBeGreaterThanOrEqual(0);
    expect(schools).toBeGreaterThan(issued);
    expect(cancelled).toBeGreaterThan(schools);
    expect(priorityOf((ev[issued] as EventStep).draft)).toBe("critical");
    expect(String(payload(ev[schools] as EventStep).headline)).toMatch(/^Schools closed/);
  });

  it("crisis: concert, storm and accident together, info readings at about 10x normal", () => {
    const normal = events(stepsOf("normal-day", 5, 10, 120).steps);
    const crisis = events(stepsOf("crisis", 5, 10, 120).steps);
    const info = (list: EventStep[]) => list.filter((s) => priorityOf(s.draft) === "info").length;
    const ratio = info(crisis) / info(normal);
    expect(ratio).toBeGreaterThan(9);
    expect(ratio).toBeLessThan(11);
    const types = new Set(crisis.map((s) => s.draft.type));
    for (const t of ["PublicEventStarted", "WeatherAlertIssued", "AccidentDetected"]) {
      expect(types.has(t as EventType)).toBe(true);
    }
    const nonInfo = (list: EventStep[]) =>
      list.filter((s) => priorityOf(s.draft) !== "info").length;
    expect(Math.abs(nonInfo(crisis) - nonInfo(normal))).toBeLessThan(nonInfo(normal) * 0.1);
  });

  it("chaos: exactly the configured duplicates, out-of-order pairs and malformed entries", () => {
    const ctx = contextFor(3, 10, 60, START);
    const steps = [
      ...chaosScenario({ duplicates: 17, outOfOrder: 9, malformed: 11 }).build(ctx).steps,
    ];
    const count = (k: ScenarioStep["kind"]) => steps.filter((s) => s.kind === k).length;
    expect(count("duplicate")).toBe(17);
    expect(count("reorder")).toBe(9);
    expect(count("malformed")).toBe(11);
  });

  it("chaos: duplicates point at events sent before them; reordered pairs are one producer's consecutive changes", () => {
    const steps = stepsOf("chaos").steps;
    const seen = new Set<string>();
    for (const s of steps) {
      if (s.kind === "event" && s.draft.eventId) seen.add(s.draft.eventId);
      if (s.kind === "duplicate") expect(seen.has(s.eventId)).toBe(true);
      if (s.kind === "reorder") {
        const [a, b] = s.drafts.map(
          (d) => d.payload as unknown as { newState: unknown; oldState: unknown },
        );
        expect(b?.oldState).toEqual(a?.newState);
        expect(s.producerId).toMatch(/^tlc-i-\d+$/);
      }
    }
  });

  it("chaos: malformed entries really break the catalog, each with a reason", () => {
    const malformed = stepsOf("chaos").steps.filter((s) => s.kind === "malformed");
    expect(new Set(malformed.map((m) => m.reason)).size).toBe(5);
    for (const m of malformed) {
      const asConsumerSeesIt = () =>
        parseCityEvent({
          source: m.entry.Source,
          "detail-type": m.entry.DetailType,
          detail: JSON.parse(m.entry.Detail),
        });
      expect(asConsumerSeesIt).toThrow();
    }
  });

  it("chaos: the critical collision is delivered twice; expectations name its dispatch and notice", () => {
    const run = chaosScenario({ duplicates: 3, outOfOrder: 2, malformed: 1 }).build(
      contextFor(5, 10, 60, START),
    );
    const steps = [...run.steps];
    const crashes = events(steps).filter((s) => s.draft.type === "AccidentDetected");
    expect(crashes).toHaveLength(1);
    const crash = crashes[0] as EventStep;
    expect(priorityOf(crash.draft)).toBe("critical");
    const crashId = crash.draft.eventId;
    const dupes = steps.filter((s) => s.kind === "duplicate" && s.eventId === crashId);
    expect(dupes.length).toBeGreaterThanOrEqual(1);
    expect(dupes.every((d) => d.atMs > crash.atMs)).toBe(true);
    const kinds = run.expected.checks.map((c) => c.kind);
    expect(kinds).toEqual(
      expect.arrayContaining(["units-dispatched", "zone-notified", "no-duplicate-actions"]),
    );
    expect(run.expected.checks).toContainEqual(
      expect.objectContaining({ kind: "rejected", count: 1 }),
    );
    expect(run.expected.checks).toContainEqual(
      expect.objectContaining({ kind: "units-dispatched", correlationId: crashId }),
    );
  });

  it("chaos: once played through, expects every changed intersection in its controller's last state", () => {
    const run = chaosScenario({ duplicates: 2, outOfOrder: 5, malformed: 1 }).build(
      contextFor(6, 10, 60, START),
    );
    const finals = () => run.expected.checks.filter((c) => c.kind === "final-light-state");
    const last = new Map<string, unknown>();
    let started = false;
    for (const s of run.steps) {
      if (!started) expect(finals()).toEqual([]); // not known before the end
      started = true;
      for (const d of draftsOf(s)) {
        if (d.type !== "TrafficLightChanged") continue;
        const p = d.payload as unknown as {
          location: { intersectionId: string };
          newState: unknown;
        };
        last.set(p.location.intersectionId, p.newState); // generation order = sequence order
      }
    }
    const expected = finals().map((c) =>
      c.kind === "final-light-state" ? [c.intersectionId, c.state] : [],
    );
    expect(last.size).toBeGreaterThan(10);
    expect(new Map(expected as [string, unknown][])).toEqual(last);
  });

  it("chaos: default counts are 5 %, 3 % and 2 % of the routine events", () => {
    expect(chaosCounts(contextFor(1, 10, 100, START))).toEqual({
      duplicates: 50,
      outOfOrder: 30,
      malformed: 20,
    });
    expect(() => chaosCounts(contextFor(1, 10, 100, START), { duplicates: -1 })).toThrow(
      /chaos duplicates must be an integer >= 0, got -1/,
    );
  });

  it("plays the story within the first 15 minutes of a long run, lazily", () => {
    const run = SCENARIOS.fire.build(contextFor(2, 10, 7 * 24 * 3600, START));
    let alarmAt: number | undefined;
    for (const s of run.steps) {
      if (s.kind === "event" && s.draft.type === "FireAlarmRaised") {
        alarmAt = s.atMs;
        break;
      }
    }
    expect(alarmAt).toBeDefined();
    expect(alarmAt).toBeLessThan(15 * 60 * 1000);
  });

  it("rejects a bad rate or duration, naming the value and the allowed range", () => {
    expect(() => SCENARIOS.fire.build(contextFor(1, 0, 60, START))).toThrow(SimulatorArgumentError);
    expect(() => SCENARIOS.fire.build(contextFor(1, 0, 60, START))).toThrow(
      /rate must be a number in \(0, 10000\] events\/s, got 0/,
    );
    expect(() => SCENARIOS.storm.build(contextFor(1, 5, -3, START))).toThrow(/got -3/);
  });
});
