import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkTransition } from "../../../functions/traffic/lights.ts";
import { buildCity } from "../../../simulator/city.ts";
import {
  isConflicting,
  LIGHT_CYCLE,
  type LightState,
  TrafficLightController,
} from "../../../simulator/producers/traffic-light.ts";

const city = buildCity(42);
const at = city.intersections[11];
if (!at) throw new Error("test city has no intersection 12");

type Change = { oldState: LightState; newState: LightState };

function changes(startPhase: number, n: number): Change[] {
  const c = new TrafficLightController(at as NonNullable<typeof at>, startPhase);
  return Array.from({ length: n }, () => c.next().payload as unknown as Change);
}

describe("TrafficLightController", () => {
  it("never shows two conflicting greens, whatever the start phase and however long it runs", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 1, max: 60 }), (phase, n) => {
        for (const ch of changes(phase, n)) {
          expect(isConflicting(ch.newState)).toBe(false);
          expect(isConflicting(ch.oldState)).toBe(false);
        }
      }),
    );
  });

  it("chains its changes: each change starts from the previous new state", () => {
    const list = changes(2, 12);
    for (let k = 1; k < list.length; k++) expect(list[k]?.oldState).toEqual(list[k - 1]?.newState);
  });

  it("follows the rule: vehicles red → pedestrians green → pedestrians red → vehicles green", () => {
    const list = changes(0, LIGHT_CYCLE.length * 2);
    const milestones = list.flatMap((ch) => {
      const out: string[] = [];
      if (ch.oldState.vehicles !== "red" && ch.newState.vehicles === "red")
        out.push("vehicles red");
      if (ch.oldState.pedestrians !== "green" && ch.newState.pedestrians === "green")
        out.push("pedestrians green");
      if (ch.oldState.pedestrians === "green" && ch.newState.pedestrians === "red")
        out.push("pedestrians red");
      if (ch.oldState.vehicles !== "green" && ch.newState.vehicles === "green")
        out.push("vehicles green");
      return out;
    });
    expect(milestones).toEqual([
      "vehicles red",
      "pedestrians green",
      "pedestrians red",
      "vehicles green",
      "vehicles red",
      "pedestrians green",
      "pedestrians red",
      "vehicles green",
    ]);
  });

  it("goes through yellow before vehicles turn red", () => {
    const list = changes(0, LIGHT_CYCLE.length);
    const toRed = list.find(
      (ch) => ch.newState.vehicles === "red" && ch.oldState.vehicles !== "red",
    );
    expect(toRed?.oldState.vehicles).toBe("yellow");
  });

  it("breaks none of the traffic service's sequence rules", () => {
    for (const ch of changes(1, LIGHT_CYCLE.length * 3)) {
      expect(checkTransition(ch.oldState, ch.newState)).toEqual([]);
    }
  });

  it("uses its own producer id per intersection", () => {
    const a = new TrafficLightController(at);
    const b = new TrafficLightController(city.intersections[0] ?? at);
    expect(a.producerId).toBe(`tlc-${at.id}`);
    expect(a.producerId).not.toBe(b.producerId);
  });
});
