/**
 * A traffic-light controller: one per intersection, its own producer id (so its own sequence
 * and Lamport clock). It cycles by the rules:
 *
 *   vehicles green → vehicles yellow → vehicles red (all red) → pedestrians green
 *   → pedestrians red (all red) → vehicles green → …
 *
 * Pedestrians only get green while vehicles are red, so two conflicting greens never happen.
 */

import type { AnyEventDraft } from "../../events/draft.ts";
import type { Intersection } from "../city.ts";
import { atIntersection } from "./location.ts";

export type LightColour = "red" | "yellow" | "green";

export interface LightState {
  readonly vehicles: LightColour;
  readonly pedestrians: LightColour;
}

/** The cycle, each state with how long it lasts (seconds). */
export const LIGHT_CYCLE: readonly { readonly state: LightState; readonly seconds: number }[] = [
  { state: { vehicles: "green", pedestrians: "red" }, seconds: 40 },
  { state: { vehicles: "yellow", pedestrians: "red" }, seconds: 4 },
  { state: { vehicles: "red", pedestrians: "red" }, seconds: 2 },
  { state: { vehicles: "red", pedestrians: "green" }, seconds: 20 },
  { state: { vehicles: "red", pedestrians: "red" }, seconds: 3 },
];

/** True when vehicles and pedestrians could both move (any non-red vehicle light + walk). */
export function isConflicting(s: LightState): boolean {
  return s.pedestrians !== "red" && s.vehicles !== "red";
}

function cycleStep(phase: number): (typeof LIGHT_CYCLE)[number] {
  const step = LIGHT_CYCLE[phase % LIGHT_CYCLE.length];
  if (!step) throw new RangeError(`no light-cycle phase ${phase}`);
  return step;
}

export class TrafficLightController {
  readonly producerId: string;
  readonly controllerId: string;
  private phase: number;

  constructor(
    readonly intersection: Intersection,
    /** Start phase (index into LIGHT_CYCLE), so the city's lights are not all in step. */
    startPhase = 0,
  ) {
    this.controllerId = `tlc-${intersection.id}`;
    this.producerId = this.controllerId;
    this.phase = ((startPhase % LIGHT_CYCLE.length) + LIGHT_CYCLE.length) % LIGHT_CYCLE.length;
  }

  get state(): LightState {
    return cycleStep(this.phase).state;
  }

  /** Advance to the next state of the cycle and describe the change. */
  next(): AnyEventDraft {
    const old = this.state;
    this.phase = (this.phase + 1) % LIGHT_CYCLE.length;
    const step = cycleStep(this.phase);
    return {
      type: "TrafficLightChanged",
      payload: {
        controllerId: this.controllerId,
        location: atIntersection(this.intersection),
        oldState: old,
        newState: step.state,
        durationSeconds: step.seconds,
        reason: "schedule",
      },
    };
  }
}
