import { describe, expect, it } from "vitest";
import { ScriptedDispatchApi } from "../../../../functions/emergency/dispatch-api.ts";
import { IncidentSaga } from "../../../../functions/emergency/saga.ts";
import { UnitPool } from "../../../../functions/emergency/units.ts";
import {
  CircuitBreaker,
  CircuitOpenError,
  InMemoryBreakerStore,
} from "../../../../functions/shared/breaker.ts";
import { ManualClock } from "../../../../functions/shared/clock.ts";
import { InMemoryBus } from "../../../../functions/shared/derived.ts";
import { InMemoryDocumentStore } from "../../../../functions/shared/documents.ts";
import { incidentIdOf } from "../../../../functions/shared/incident.ts";
import { cityEvent } from "../fixtures.ts";

/** Documents whose saga write of the given status fails once (a write lost with its environment). */
class FailingSagaWrite extends InMemoryDocumentStore {
  constructor(public failOnStatus?: string) {
    super();
  }
  override async put<T>(pk: string, sk: string, value: T, expectedVersion: number) {
    const status = (value as { status?: unknown }).status;
    if (sk === "saga" && status !== undefined && status === this.failOnStatus) {
      this.failOnStatus = undefined;
      throw new Error(`injected: the ${String(status)} write is lost`);
    }
    return super.put(pk, sk, value, expectedVersion);
  }
}

function setup(options: { behaviour?: "ok" | "fail" | "hang"; ambulances?: number } = {}) {
  const docs = new FailingSagaWrite();
  const bus = new InMemoryBus();
  const clock = new ManualClock();
  const api = new ScriptedDispatchApi(options.behaviour ?? "ok");
  const units = new UnitPool(docs, {
    "fire-engine": 2,
    ambulance: options.ambulances ?? 2,
    police: 2,
    hazmat: 1,
    rescue: 1,
  });
  const breaker = new CircuitBreaker({
    name: "dispatch-api",
    store: new InMemoryBreakerStore(),
    clock,
    failureThreshold: 5,
    openMs: 30_000,
    timeoutMs: 50,
  });
  const saga = new IncidentSaga({
    docs,
    units,
    dispatchApi: api,
    breaker,
    bus: bus.publisher("emergency", () => clock.now()),
    clock,
    maxAttempts: 3,
  });
  return { docs, bus, clock, api, units, saga, breaker };
}

const accident = () =>
  cityEvent("AccidentDetected", {
    location: { latitude: 52.37, longitude: 4.89, zone: "z3", intersectionId: "i-12" },
  });

describe("incident saga", () => {
  it("opens, reserves, dispatches: every step is an event caused by the trigger", async () => {
    const { saga, bus, units } = setup();
    const e = accident();
    const state = await saga.handle(e);
    expect(state?.status).toBe("dispatched");
    expect(bus.events.map((x) => x.detailType)).toEqual([
      "IncidentOpened",
      "UnitsReserved",
      "UnitsDispatched",
    ]);
    for (const x of bus.events) expect(x.detail.meta.causationId).toBe(e.detail.meta.eventId);
    const dispatched = bus.ofType("UnitsDispatched")[0]?.detail;
    expect(dispatched?.incidentId).toBe(incidentIdOf(e));
    expect(dispatched?.route.intersectionIds).toEqual(["i-10", "i-11", "i-12"]);
    expect((await units.fleet("ambulance"))["ambulance-1"]?.status).toBe("dispatched");
  });

  it("acts once when the same event is delivered twice (never two dispatches)", async () => {
    const { saga, bus, api } = setup();
    const e = accident();
    await saga.handle(e);
    await saga.handle(structuredClone(e));
    expect(api.calls).toHaveLength(1);
    expect(bus.ofType("UnitsDispatched")).toHaveLength(1);
  });

  it("compensates after the last failed dispatch: releases units, DispatchFailed, DispatchEscalated", async () => {
    const { saga, bus, units, api } = setup({ behaviour: "fail" });
    const e = accident();
    await expect(saga.handle(e)).rejects.toThrow(/HTTP 503/);
    await expect(saga.handle(e)).rejects.toThrow(/HTTP 503/);
    const state = await saga.handle(e);
    expect(api.calls).toHaveLength(3);
    expect(state?.status).toBe("escalated");
    const failed = bus.ofType("DispatchFailed").map((x) => x.detail);
    expect(failed.map((f) => f.willRetry)).toEqual([true, true, false]);
    expect(failed[2]?.releasedUnitIds.sort()).toEqual(["ambulance-1", "police-1"]);
    expect(bus.ofType("DispatchEscalated")[0]?.detail).toMatchObject({
      level: "mutual-aid",
      reason: "dispatch-failed-repeatedly",
    });
    expect((await units.fleet("ambulance"))["ambulance-1"]?.status).toBe("standby");
    expect(bus.ofType("UnitsDispatched")).toHaveLength(0);
  });

  it("compensates on the queue's final delivery even with attempts left", async () => {
    const { saga, bus } = setup({ behaviour: "fail" });
    const state = await saga.handle(accident(), { finalDelivery: true });
    expect(state?.status).toBe("escalated");
    expect(bus.ofType("DispatchEscalated")).toHaveLength(1);
  });

  it("a dispatch API that hangs times out (reason dispatch-api-timeout)", async () => {
    const { saga, bus } = setup({ behaviour: "hang" });
    await expect(saga.handle(accident())).rejects.toThrow(/did not complete within 50 ms/);
    expect(bus.ofType("DispatchFailed")[0]?.detail.reason).toBe("dispatch-api-timeout");
  });

  it("escalates when no standby unit of a needed kind is left, releasing the partial reservation", async () => {
    const { saga, bus, units } = setup({ ambulances: 0 });
    const state = await saga.handle(accident());
    expect(state?.status).toBe("escalated");
    expect(bus.ofType("DispatchEscalated")[0]?.detail).toMatchObject({
      reason: "no-units-available",
      requestedUnitKinds: ["ambulance"],
    });
    expect((await units.fleet("police"))["police-1"]?.status).toBe("standby");
  });

  it("an open circuit refuses the call without counting an attempt; later it succeeds", async () => {
    const { saga, api, clock, breaker } = setup();
    for (let i = 0; i < 5; i++) {
      await breaker.call("warm", async () => Promise.reject(new Error("down"))).catch(() => {});
    }
    const e = accident();
    await expect(saga.handle(e)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(api.calls).toHaveLength(0);
    clock.advance(30_000);
    expect((await saga.handle(e))?.status).toBe("dispatched");
  });

  it("opens no incident for a yellow weather alert", async () => {
    const { saga, bus } = setup();
    expect(await saga.handle(cityEvent("WeatherAlertIssued", { level: "yellow" }))).toBeUndefined();
    expect(bus.events).toHaveLength(0);
  });

  it("a retry after the bus took a step publishes the saved step, not a recomputed one", async () => {
    const { saga, bus, clock, docs, api } = setup();
    const e = accident();
    docs.failOnStatus = "dispatched"; // after UnitsReserved went out, before the next write
    await expect(saga.handle(e)).rejects.toThrow(/injected/);
    clock.advance(60_000);
    expect((await saga.handle(e))?.status).toBe("dispatched");
    const reserved = bus.ofType("UnitsReserved");
    expect(reserved).toHaveLength(2); // the bus took it; the retry cannot know
    expect(reserved[1]?.detail.meta.eventId).toBe(reserved[0]?.detail.meta.eventId);
    const { meta: _a, ...firstCopy } = reserved[0]?.detail ?? { meta: undefined };
    const { meta: _b, ...secondCopy } = reserved[1]?.detail ?? { meta: undefined };
    expect(secondCopy).toEqual(firstCopy); // same units, same reservation time
    expect(api.calls).toHaveLength(2); // the lost write was the dispatched step's
    expect(bus.ofType("UnitsDispatched")).toHaveLength(1);
    expect(bus.ofType("IncidentOpened")).toHaveLength(1);
  });

  it("a step saved but not published (the bus failing) goes out on the retry, once", async () => {
    const { saga, bus } = setup();
    const e = accident();
    bus.failNextCalls = 5; // every attempt of the publisher's first call
    await expect(saga.handle(e)).rejects.toThrow();
    expect(bus.events).toHaveLength(0);
    expect((await saga.handle(e))?.status).toBe("dispatched");
    expect(bus.events.map((x) => x.detailType)).toEqual([
      "IncidentOpened",
      "UnitsReserved",
      "UnitsDispatched",
    ]);
  });

  it("leaves no published event in the saga document once a delivery is done", async () => {
    const { saga, docs } = setup();
    const e = accident();
    await saga.handle(e);
    const stored = await docs.get<Record<string, unknown>>(`incident#${incidentIdOf(e)}`, "saga");
    expect(stored?.value.status).toBe("dispatched");
    expect(stored?.value).not.toHaveProperty("outbox");
  });
});
