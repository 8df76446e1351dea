/**
 * Light-cycle rules of an intersection (functions/README.md, traffic): vehicles red -> pedestrians green ->
 * pedestrians red -> vehicles green; vehicles go green -> yellow -> red; never two conflicting
 * greens (vehicles and pedestrians moving at once).
 */
import type { LightState } from "../../events/catalog/common.ts";
import type { SEQUENCE_RULES } from "../../events/catalog/services.ts";

export type SequenceRule = (typeof SEQUENCE_RULES)[number];

export interface RuleBreach {
  readonly rule: SequenceRule;
  readonly explanation: string;
}

const moving = (c: LightState["vehicles"]) => c === "green" || c === "yellow";

/** Every rule the transition `from -> to` breaks (empty when it is a legal step). */
export function checkTransition(from: LightState, to: LightState): RuleBreach[] {
  const breaches: RuleBreach[] = [];
  if (to.vehicles === "green" && to.pedestrians === "green") {
    breaches.push({
      rule: "conflicting-greens",
      explanation: "vehicles and pedestrians are both green",
    });
  } else if (moving(to.vehicles) && moving(to.pedestrians)) {
    breaches.push({
      rule: "pedestrian-vehicle-conflict",
      explanation: `vehicles ${to.vehicles} while pedestrians ${to.pedestrians}`,
    });
  }
  if (from.vehicles === "green" && to.vehicles === "red") {
    breaches.push({
      rule: "green-to-red-without-yellow",
      explanation: "vehicles went green → red without yellow",
    });
  }
  if (from.vehicles !== "green" && to.vehicles === "green" && from.pedestrians !== "red") {
    breaches.push({
      rule: "pedestrian-vehicle-conflict",
      explanation: `vehicles turned green before pedestrians were red (pedestrians were ${from.pedestrians})`,
    });
  }
  if (from.pedestrians !== "green" && to.pedestrians === "green" && from.vehicles !== "red") {
    breaches.push({
      rule: "pedestrian-vehicle-conflict",
      explanation: `pedestrians turned green before vehicles were red (vehicles were ${from.vehicles})`,
    });
  }
  return breaches;
}

export const sameLights = (a: LightState, b: LightState) =>
  a.vehicles === b.vehicles && a.pedestrians === b.pedestrians;
