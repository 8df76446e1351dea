import { describe, expect, it } from "vitest";
import type { LightState } from "../../../../events/catalog/common.ts";
import { ManualClock } from "../../../../functions/shared/clock.ts";
import { InMemoryBus } from "../../../../functions/shared/derived.ts";
import { InMemoryDocumentStore } from "../../../../functions/shared/documents.ts";
import { TrafficService } from "../../../../functions/traffic/service.ts";
import { cityEvent, stampContext } from "../fixtures.ts";

const G_R: LightState = { vehicles: "green", pedestrians: "red" };
const Y_R: LightState = { vehicles: "yellow", pedestrians: "red" };
const R_R: LightState = { vehicles: "red", pedestrians: "red" };

const at = (intersectionId: string) => ({
  latitude: 52.37,
  longitude: 4.89,
  zone: "z3",
  intersectionId,
});

/** Fault injection: writes of the sweep index fail while `failing` is set. */
class FaultyIndexDocs extends InMemoryDocumentStore {
  failing = false;
  override async put<T>(pk: string, sk: string, value: T, expectedVersion: number) {
    if (this.failing && pk === "traffic#pending") {
      throw new Error(`injected: read models unavailable for ${pk}`);
    }
    return super.put(pk, sk, value, expectedVersion);
  }
}

function setup() {
  const docs = new FaultyIndexDocs();
  const bus = new InMemoryBus();
  const clock = new ManualClock();
  const service = new TrafficService({
    docs,
    bus: bus.publisher("traffic", () => clock.now()),
    clock,
    resequencing: { holdMs: 5_000, maxHeld: 20 },
  });
  return { bus, clock, service, docs };
}

describe("traffic: sweep of expired holds", () => {
  it("applies a quiet intersection's held change once its hold expires, at the next invocation", async () => {
    const { bus, clock, service } = setup();
    const ctx = stampContext("tlc-i40");
    const first = cityEvent(
      "TrafficLightChanged",
      { location: at("i-40"), oldState: G_R, newState: Y_R },
      { ctx },
    );
    const second = cityEvent(
      "TrafficLightChanged",
      { location: at("i-40"), oldState: Y_R, newState: R_R },
      { ctx },
    );
    void first; // sequence 1 never arrives
    await service.handle(second);
    expect(await service.sweepHeld()).toEqual([]); // not yet due
    expect((await service.intersection("i-40"))?.held).toHaveLength(1);

    clock.advance(5_000);
    // the next invocation is for another intersection: i-40 gets no event, yet is swept
    const other = cityEvent("TrafficDensityMeasured", { location: at("i-41") });
    await service.handle(other);
    expect(await service.sweepHeld()).toEqual(["i-40"]);
    const state = await service.intersection("i-40");
    expect(state?.held).toEqual([]);
    expect(state?.lights).toEqual(R_R);
    const flagged = bus.ofType("SignalSequenceViolation");
    expect(flagged.map((e) => e.detail.rule)).toContain("sequence-gap-expired");
    expect(flagged[0]?.detail.meta.causationId).toBe(second.detail.meta.eventId);
    // swept once: nothing pending any more
    clock.advance(60_000);
    expect(await service.sweepHeld()).toEqual([]);
  });

  it("sweeps at most sweepLimit intersections per call, earliest first", async () => {
    const docs = new InMemoryDocumentStore();
    const bus = new InMemoryBus();
    const clock = new ManualClock();
    const service = new TrafficService({
      docs,
      bus: bus.publisher("traffic", () => clock.now()),
      clock,
      resequencing: { holdMs: 5_000, maxHeld: 20 },
      sweepLimit: 2,
    });
    for (const id of ["i-50", "i-51", "i-52"]) {
      const ctx = stampContext(`tlc-${id}`);
      cityEvent("TrafficLightChanged", { location: at(id), oldState: G_R, newState: Y_R }, { ctx });
      await service.handle(
        cityEvent(
          "TrafficLightChanged",
          { location: at(id), oldState: Y_R, newState: R_R },
          { ctx },
        ),
      );
      clock.advance(1);
    }
    clock.advance(5_000);
    expect(await service.sweepHeld()).toEqual(["i-50", "i-51"]);
    expect(await service.sweepHeld()).toEqual(["i-52"]);
  });

  it("an intersection stays in the sweep when recording it in the index failed once", async () => {
    const { clock, service, docs } = setup();
    const ctx = stampContext("tlc-i45");
    void cityEvent("TrafficLightChanged", { location: at("i-45") }, { ctx }); // lost sequence 1
    const second = cityEvent(
      "TrafficLightChanged",
      { location: at("i-45"), oldState: Y_R, newState: R_R },
      { ctx },
    );
    await service.handle(second);
    docs.failing = true;
    await expect(service.sweepHeld()).rejects.toThrow(/injected/);
    docs.failing = false;
    clock.advance(5_000);
    // no further event for i-45: only the retried index write can bring it to the sweep
    expect(await service.sweepHeld()).toEqual(["i-45"]);
    expect((await service.intersection("i-45"))?.held).toEqual([]);
  });
});
