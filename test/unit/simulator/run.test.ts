import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../../simulator/clock.ts";
import { SimulatorArgumentError } from "../../../simulator/errors.ts";
import { type Progress, runScenario } from "../../../simulator/run.ts";
import { contextFor, SCENARIOS } from "../../../simulator/scenarios/index.ts";
import { draftsOf } from "../../../simulator/steps.ts";
import { FakeBus } from "./fake-bus.ts";

const START = Date.UTC(2026, 5, 1, 8, 0, 0);

async function play(
  scenario: Parameters<typeof runScenario>[0]["scenario"],
  extra: Partial<Parameters<typeof runScenario>[0]> = {},
) {
  const clock = new VirtualClock(START);
  const bus = new FakeBus(clock);
  const summary = await runScenario({
    scenario,
    rate: 10,
    durationSeconds: 30,
    seed: 5,
    busName: "city-bus",
    client: bus,
    clock,
    ...extra,
  });
  return { bus, summary, clock };
}

describe("runScenario", () => {
  it("publishes every step of the scenario, counted by type, with the accepted ids", async () => {
    const { bus, summary } = await play("fire");
    const steps = [...SCENARIOS.fire.build(contextFor(5, 10, 30, START)).steps];
    const drafts = steps.flatMap(draftsOf);
    expect(summary.sent).toBe(drafts.length);
    expect(summary.failures).toBe(0);
    const byType: Record<string, number> = {};
    for (const d of drafts) byType[d.type] = (byType[d.type] ?? 0) + 1;
    expect(summary.sentByType).toEqual(byType);
    expect(new Set(summary.acceptedEventIds)).toEqual(new Set(drafts.map((d) => d.eventId)));
    expect(bus.received.every((r) => r.entry.EventBusName === "city-bus")).toBe(true);
  });

  it("replays byte-identical entries for the same seed on a virtual clock", async () => {
    const a = await play("storm");
    const b = await play("storm");
    expect(a.bus.received.map((r) => r.entry.Detail)).toEqual(
      b.bus.received.map((r) => r.entry.Detail),
    );
    expect(a.bus.received.length).toBeGreaterThan(250);
  });

  it("sends nothing before its time and lasts the requested duration", async () => {
    const { bus, summary, clock } = await play("normal-day");
    for (const r of bus.received) {
      const occurredAt = Date.parse(JSON.parse(r.entry.Detail ?? "{}").meta.occurredAt);
      expect(r.at).toBeGreaterThanOrEqual(occurredAt);
    }
    expect(clock.now()).toBe(START + 30_000);
    expect(summary.elapsedMs).toBe(30_000);
    expect(summary.actualRate).toBeCloseTo(summary.sent / 30, 1);
  });

  it("numbers each producer's events 1, 2, 3… with a rising Lamport clock", async () => {
    const { bus } = await play("rush-hour");
    const last = new Map<string, { sequence: number; lamport: number }>();
    for (const d of bus.details()) {
      const { producerId, sequence, lamport } = d.meta as {
        producerId: string;
        sequence: number;
        lamport: number;
      };
      const prev = last.get(producerId) ?? { sequence: 0, lamport: 0 };
      expect(sequence).toBe(prev.sequence + 1);
      expect(lamport).toBeGreaterThan(prev.lamport);
      last.set(producerId, { sequence, lamport });
    }
    expect([...last.keys()].filter((p) => p.startsWith("tlc-")).length).toBeGreaterThan(10);
  });

  it("chaos: delivers reordered pairs late-first, duplicates byte for byte, malformed raw", async () => {
    const { bus, summary } = await play("chaos", {
      chaos: { duplicates: 6, outOfOrder: 4, malformed: 5 },
    });
    expect(summary.duplicatesSent).toBe(6);
    expect(summary.outOfOrderSent).toBe(8);
    expect(summary.malformedSent).toBe(5);
    expect(summary.malformedRejectedByBus).toBe(1); // the entry whose Detail is not JSON
    expect(summary.failures).toBe(0);
    const details = bus.received.map((r) => r.entry.Detail ?? "");
    const repeats = details.filter((d, i) => details.indexOf(d) !== i);
    expect(repeats).toHaveLength(6);
    let inversions = 0;
    const seen = new Map<string, number>();
    for (const d of bus.details("TrafficLightChanged")) {
      const { producerId, sequence } = d.meta as { producerId: string; sequence: number };
      const max = seen.get(producerId) ?? 0;
      if (sequence < max) inversions += 1;
      seen.set(producerId, Math.max(max, sequence));
    }
    expect(inversions).toBeGreaterThanOrEqual(4);
    const malformedTypes = bus.received.filter((r) => r.entry.DetailType === "CameraExploded");
    expect(malformedTypes).toHaveLength(1);
  });

  it("retries transient entry failures and counts permanent ones without losing neighbours", async () => {
    const clock = new VirtualClock(START);
    const bus = new FakeBus(clock);
    const seenOnce = new Set<string>();
    bus.fault = (entry) => {
      if (entry.DetailType === "DaylightChanged") {
        return { ErrorCode: "AccessDeniedException", ErrorMessage: "not for you" };
      }
      if (entry.DetailType === "BusDeparted" && !seenOnce.has(entry.Detail ?? "")) {
        seenOnce.add(entry.Detail ?? "");
        return { ErrorCode: "InternalFailure", ErrorMessage: "try again" };
      }
      return undefined;
    };
    const summary = await runScenario({
      scenario: "normal-day",
      rate: 10,
      durationSeconds: 30,
      seed: 5,
      busName: "city-bus",
      client: bus,
      clock,
      retry: { baseDelayMs: 10, maxDelayMs: 50 },
    });
    expect(summary.failuresByCode).toEqual({ AccessDeniedException: 16 });
    expect(summary.sampleFailures[0]?.type).toBe("DaylightChanged");
    expect(summary.sentByType.BusDeparted).toBe(seenOnce.size);
    expect(summary.sentByType.StreetLightsSwitched).toBeGreaterThan(16);
  });

  it("publishes each device as <device>:<runTag>, a new producer session per run", async () => {
    const producers = (bus: FakeBus) =>
      new Set(bus.details().map((d) => String((d.meta as { producerId: string }).producerId)));
    const tagged = await play("fire");
    const tag = `r${START.toString(36)}`;
    expect([...producers(tagged.bus)].every((p) => p.endsWith(`:${tag}`))).toBe(true);
    expect([...producers(tagged.bus)].some((p) => new RegExp(`^tlc-i-\\d+:${tag}$`).test(p))).toBe(
      true,
    );
    const bare = await play("fire", { runTag: "" });
    expect([...producers(bare.bus)].some((p) => p.includes(":"))).toBe(false);
    const named = await play("fire", { runTag: "demo-1" });
    expect([...producers(named.bus)].every((p) => p.endsWith(":demo-1"))).toBe(true);
    await expect(play("fire", { runTag: "no spaces" })).rejects.toThrow(
      'runTag must be 0-40 letters, digits or . _ -, got "no spaces"',
    );
  });

  it("keeps at most maxAcceptedIds ids and says it truncated", async () => {
    const { summary } = await play("normal-day", { maxAcceptedIds: 50 });
    expect(summary.acceptedEventIds).toHaveLength(50);
    expect(summary.acceptedEventIdsTruncated).toBe(true);
    expect(summary.sent).toBeGreaterThan(250);
  });

  it("stops when the signal aborts and says so", async () => {
    const abort = new AbortController();
    const seen: Progress[] = [];
    const { summary } = await play("normal-day", {
      signal: abort.signal,
      progressIntervalMs: 1000,
      onProgress: (p) => {
        seen.push(p);
        if (p.elapsedMs >= 5000) abort.abort();
      },
    });
    expect(summary.aborted).toBe(true);
    expect(summary.elapsedMs).toBeLessThan(7000);
    expect(summary.sent).toBeLessThan(120);
    expect(seen.length).toBeGreaterThanOrEqual(5);
  });

  it("rejects an unknown scenario, a bad seed and a missing bus with the allowed values", async () => {
    await expect(play("flood" as never)).rejects.toThrow(
      'unknown scenario "flood"; allowed: normal-day, rush-hour, storm, fire, crisis, chaos',
    );
    await expect(play("fire", { seed: -1 })).rejects.toThrow(SimulatorArgumentError);
    await expect(play("fire", { busName: "" })).rejects.toThrow(/busName must name the event bus/);
  });
});
