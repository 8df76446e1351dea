import { describe, expect, it } from "vitest";
import { ScriptedDispatchApi } from "../../../../functions/emergency/dispatch-api.ts";
import {
  type AbsorbedEvents,
  IncidentSaga,
  sagaKey,
} from "../../../../functions/emergency/saga.ts";
import { UnitPool } from "../../../../functions/emergency/units.ts";
import { CircuitBreaker, InMemoryBreakerStore } from "../../../../functions/shared/breaker.ts";
import { ManualClock } from "../../../../functions/shared/clock.ts";
import { InMemoryBus } from "../../../../functions/shared/derived.ts";
import {
  DocumentConflictError,
  InMemoryDocumentStore,
} from "../../../../functions/shared/documents.ts";
import { incidentIdOf } from "../../../../functions/shared/incident.ts";
import { cityEvent } from "../fixtures.ts";

const where = { latitude: 52.37, longitude: 4.9, zone: "z5" };

function setup(docs = new InMemoryDocumentStore()) {
  const bus = new InMemoryBus();
  const clock = new ManualClock();
  const api = new ScriptedDispatchApi("ok");
  const breaker = new CircuitBreaker({
    name: "dispatch-api",
    store: new InMemoryBreakerStore(),
    clock,
    failureThreshold: 1,
    openMs: 30_000,
    timeoutMs: 50,
  });
  const units = new UnitPool(docs, {
    "fire-engine": 2,
    ambulance: 2,
    police: 2,
    hazmat: 1,
    rescue: 1,
  });
  const saga = new IncidentSaga({
    docs,
    units,
    dispatchApi: api,
    breaker,
    bus: bus.publisher("emergency", () => clock.now()),
    clock,
  });
  return { docs, bus, api, breaker, saga };
}

/** Dense smoke then the fire alarm in one building, correlated by the first smoke event. */
function fire(correlationId = "01JDX8Q4W6T2N5V7X9Y1B3C5D7") {
  const smoke = cityEvent(
    "SmokeDetected",
    { buildingId: "b-17", location: where, obscurationPercentPerM: 40 },
    { priority: "critical", correlationId },
  );
  const alarm = cityEvent(
    "FireAlarmRaised",
    { buildingId: "b-17", location: where, severity: "critical" },
    { correlationId },
  );
  return { smoke, alarm };
}

describe("incidents join", () => {
  it("dense smoke and the fire alarm of one building name one incident", () => {
    const { smoke, alarm } = fire();
    expect(incidentIdOf(smoke)).toBe(incidentIdOf(alarm));
    expect(incidentIdOf(smoke)).toMatch(/^inc-fire-[0-9a-f]{20}$/);
    const other = fire("01JDX8Q4W6T2N5V7X9Y1B3C5D8");
    expect(incidentIdOf(other.alarm)).not.toBe(incidentIdOf(alarm));
    const gas = cityEvent("GasLeakDetected", { buildingId: "b-17", location: where });
    expect(incidentIdOf(gas)).not.toBe(incidentIdOf(alarm));
  });

  it("the later critical event is absorbed (severity escalated), not a second incident", async () => {
    const { saga, bus, api, docs } = setup();
    const { smoke, alarm } = fire();
    expect((await saga.handle(smoke))?.status).toBe("dispatched");
    await saga.handle(alarm);
    expect(bus.ofType("IncidentOpened")).toHaveLength(1);
    expect(bus.ofType("UnitsReserved")).toHaveLength(1);
    expect(bus.ofType("UnitsDispatched")).toHaveLength(1);
    expect(api.calls).toHaveLength(1);
    const read = async () =>
      (await docs.get<AbsorbedEvents>(sagaKey(incidentIdOf(smoke)).pk, "absorbed"))?.value;
    expect((await read())?.severity).toBe("critical");
    expect((await read())?.eventIds).toEqual([alarm.detail.meta.eventId]);
    await saga.handle(structuredClone(alarm)); // redelivered: absorbed once
    expect((await read())?.eventIds).toHaveLength(1);
  });

  it("two events of one incident handled at the same time: one drives it, the other is absorbed on retry", async () => {
    const { saga, bus, api } = setup();
    const { smoke, alarm } = fire();
    const results = await Promise.allSettled([saga.handle(smoke), saga.handle(alarm)]);
    const rejected = results.filter((r) => r.status === "rejected");
    expect(rejected).toHaveLength(1);
    expect((rejected[0] as PromiseRejectedResult).reason).toBeInstanceOf(DocumentConflictError);
    await saga.handle(results[0]?.status === "rejected" ? smoke : alarm); // the retry
    expect(bus.ofType("IncidentOpened")).toHaveLength(1);
    expect(bus.ofType("UnitsDispatched")).toHaveLength(1);
    expect(api.calls).toHaveLength(1);
  });
});

describe("absorbing while the saga runs", () => {
  it("an event absorbed between two saga steps does not make the owner re-emit a step", async () => {
    const docs = new InMemoryDocumentStore();
    const { smoke, alarm } = fire();
    const bus = new InMemoryBus();
    const clock = new ManualClock();
    const inner = bus.publisher("emergency", () => clock.now());
    let saga: IncidentSaga | undefined;
    let absorbed = false;
    const sink = {
      publishDerived: async (...args: Parameters<typeof inner.publishDerived>) => {
        const out = await inner.publishDerived(...args);
        if (!absorbed && args[1].some((d) => d.type === "IncidentOpened")) {
          absorbed = true;
          await saga?.handle(alarm); // the alarm lands right after IncidentOpened went out
        }
        return out;
      },
    };
    saga = new IncidentSaga({
      docs,
      units: new UnitPool(docs, {
        "fire-engine": 2,
        ambulance: 2,
        police: 2,
        hazmat: 1,
        rescue: 1,
      }),
      dispatchApi: new ScriptedDispatchApi("ok"),
      breaker: new CircuitBreaker({ name: "d", store: new InMemoryBreakerStore(), clock }),
      bus: sink,
      clock,
    });
    expect((await saga.handle(smoke))?.status).toBe("dispatched");
    expect(absorbed).toBe(true);
    expect(bus.ofType("IncidentOpened")).toHaveLength(1);
    expect(bus.ofType("UnitsDispatched")).toHaveLength(1);
  });
});

/** A document store whose first save of a saga with a dispatch attempt conflicts (a concurrent writer). */
class ConflictingStore extends InMemoryDocumentStore {
  private failed = false;
  override async put<T>(pk: string, sk: string, value: T, expectedVersion: number) {
    const attempts = (value as { attempts?: number }).attempts ?? 0;
    if (sk === "saga" && attempts > 0 && !this.failed) {
      this.failed = true;
      throw new DocumentConflictError(pk, sk, expectedVersion);
    }
    return super.put(pk, sk, value, expectedVersion);
  }
}

describe("saga state and the breaker", () => {
  it("a read-model conflict after the dispatch does not count as a Dispatch API failure", async () => {
    const { saga, breaker } = setup(new ConflictingStore());
    const { smoke } = fire();
    await expect(saga.handle(smoke)).rejects.toBeInstanceOf(DocumentConflictError);
    expect(await breaker.status()).toBe("closed"); // threshold 1: one counted failure would open it
  });
});
