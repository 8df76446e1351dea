/**
 * The Dispatch API port (the city's computer-aided dispatch system) and a simulated adapter for
 * runs without a real endpoint. Every call runs behind a timeout and the circuit breaker.
 */
import type { Location } from "../../events/catalog/common.ts";
import { DownstreamError } from "../shared/errors.ts";

export interface DispatchRequest {
  readonly incidentId: string;
  readonly unitIds: readonly string[];
  readonly location: Location;
}

export interface DispatchConfirmation {
  readonly etaSeconds: number;
  /** Intersections on the units' route, in order. */
  readonly route: readonly string[];
}

export interface DispatchApi {
  dispatch(request: DispatchRequest, signal: AbortSignal): Promise<DispatchConfirmation>;
}

/** A route to an intersection from the two before it on the grid (deterministic). */
export function routeTo(location: Location): string[] {
  if (!location.intersectionId) return [];
  const n = Number(location.intersectionId.slice(2));
  return [n - 2, n - 1, n].filter((x) => x >= 1).map((x) => `i-${x}`);
}

/** Accepts every dispatch; ETA grows with the number of units. */
export class SimulatedDispatchApi implements DispatchApi {
  async dispatch(request: DispatchRequest): Promise<DispatchConfirmation> {
    return { etaSeconds: 240 + 30 * request.unitIds.length, route: routeTo(request.location) };
  }
}

/** Fault-injectable adapter for tests: fails, hangs or succeeds by script. */
export class ScriptedDispatchApi implements DispatchApi {
  readonly calls: DispatchRequest[] = [];
  constructor(public behaviour: "ok" | "fail" | "hang" = "ok") {}

  async dispatch(request: DispatchRequest, signal: AbortSignal): Promise<DispatchConfirmation> {
    this.calls.push(request);
    if (this.behaviour === "fail") {
      throw new DownstreamError(`Dispatch API refused incident ${request.incidentId}: HTTP 503`);
    }
    if (this.behaviour === "hang") {
      await new Promise<never>((_, reject) =>
        signal.addEventListener("abort", () => reject(new Error("aborted"))),
      );
    }
    return { etaSeconds: 300, route: routeTo(request.location) };
  }
}
