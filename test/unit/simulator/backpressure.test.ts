/** Producers slow down when the city says crisis: info readings thin out, nothing else does. */
import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../../simulator/clock.ts";
import { InfoBackpressure, priorityOfDraft } from "../../../simulator/producers/backpressure.ts";
import { runScenario } from "../../../simulator/run.ts";
import { contextFor, SCENARIOS } from "../../../simulator/scenarios/index.ts";
import { draftsOf } from "../../../simulator/steps.ts";
import { FakeBus } from "./fake-bus.ts";

const START = Date.UTC(2026, 5, 1, 8, 0, 0);

async function crisisRun(slowDown?: () => boolean) {
  const clock = new VirtualClock(START);
  return runScenario({
    scenario: "crisis",
    rate: 5,
    durationSeconds: 30,
    seed: 7,
    busName: "city-bus",
    client: new FakeBus(clock),
    clock,
    ...(slowDown ? { slowDown } : {}),
  });
}

describe("info backpressure", () => {
  it("the crisis scenario under backpressure sends a tenth of its info readings and every other event", async () => {
    const drafts = [...SCENARIOS.crisis.build(contextFor(7, 5, 30, START)).steps].flatMap(draftsOf);
    const info = drafts.filter((d) => priorityOfDraft(d) === "info").length;
    expect(info).toBeGreaterThan(20);
    const free = await crisisRun();
    expect(free.heldBack).toBe(0);
    expect(free.sent).toBe(drafts.length);

    const slowed = await crisisRun(() => true);
    expect(slowed.heldBack).toBe(info - Math.ceil(info / 10));
    expect(slowed.sent).toBe(drafts.length - slowed.heldBack);
    // every critical event still went out
    const critical = (s: typeof free) =>
      Object.entries(s.sentByType).filter(([t]) =>
        ["FireAlarmRaised", "AccidentDetected", "GasLeakDetected", "WeatherAlertIssued"].includes(
          t,
        ),
      );
    expect(critical(slowed)).toEqual(critical(free));
  });

  it("follows the signal as it changes, and holds back nothing that is not info", () => {
    let crisis = false;
    const bp = new InfoBackpressure(() => crisis, 3);
    const reading = { type: "BusDeparted", payload: {}, priority: "info" } as never;
    const alarm = { type: "FireAlarmRaised", payload: {}, priority: "critical" } as never;
    expect([1, 2, 3].map(() => bp.admit(reading))).toEqual([true, true, true]);
    crisis = true;
    expect([1, 2, 3, 4].map(() => bp.admit(reading))).toEqual([true, false, false, true]);
    expect(bp.admit(alarm)).toBe(true);
    expect(bp.heldBack).toBe(2);
    crisis = false;
    expect(bp.admit(reading)).toBe(true);
    expect(() => new InfoBackpressure(() => true, 0)).toThrow("keepOneIn must be an integer >= 1");
  });
});
