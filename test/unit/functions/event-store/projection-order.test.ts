import { describe, expect, it } from "vitest";
import { InMemoryEventStorage } from "../../../../functions/event-store/memory-adapter.ts";
import { streamStateProjection } from "../../../../functions/event-store/projections.ts";
import { toNewEvent } from "../../../../functions/event-store/record-handler.ts";
import { EventStore } from "../../../../functions/event-store/store.ts";
import { ManualClock } from "../../../../functions/shared/clock.ts";
import { cityEvent, stampContext } from "../fixtures.ts";

describe("stream status by causal order", () => {
  it("an IncidentOpened stored after UnitsDispatched does not set the status back to OPEN", async () => {
    const store = new EventStore({
      storage: new InMemoryEventStorage(),
      clock: new ManualClock(),
      projection: streamStateProjection,
      snapshotEvery: 2, // the order survives a snapshot
    });
    const ctx = stampContext("svc-emergency");
    const opened = toNewEvent(cityEvent("IncidentOpened", {}, { ctx }));
    const reserved = toNewEvent(cityEvent("UnitsReserved", {}, { ctx }));
    const dispatched = toNewEvent(cityEvent("UnitsDispatched", {}, { ctx }));
    const stream = opened.streamId;
    expect(dispatched.streamId).toBe(stream);
    // delivered out of causal order
    await store.append(stream, [reserved]);
    await store.append(stream, [dispatched]);
    await store.append(stream, [opened]);
    const { state } = await store.state(stream);
    expect(state.status).toBe("DISPATCHED");
    expect(state.eventCount).toBe(3);
    expect(state.version).toBe(3);
    // and in causal order the result is the same
    expect((await store.state(stream, 1)).state.status).toBe("UNITS_RESERVED");
  });
});
