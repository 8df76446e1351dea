/** The console's dispatched units: taken from UnitsDispatched events only, bounded, dropped after a while on scene. */
import type { SQSRecord } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { DispatchedUnits } from "../../../../local/console/units.ts";

const record = (type: string, detail: Record<string, unknown>): SQSRecord =>
  ({ body: JSON.stringify({ "detail-type": type, detail }) }) as SQSRecord;

const dispatched = (incidentId: string, occurredAt: string) =>
  record("UnitsDispatched", {
    incidentId,
    unitIds: ["fire-engine-1"],
    route: { intersectionIds: ["i-1", "i-2", "i-3"] },
    etaSeconds: 60,
    meta: { occurredAt },
  });

describe("the console's dispatched units", () => {
  it("keeps what UnitsDispatched says, and nothing from other events", () => {
    let now = Date.parse("2026-11-23T15:00:30Z");
    const units = new DispatchedUnits(() => now);
    units.delivered(record("UnitsReserved", { incidentId: "inc-1", unitIds: ["x"] }));
    units.delivered({ body: "not json UnitsDispatched" } as SQSRecord);
    units.delivered(dispatched("inc-1", "2026-11-23T15:00:00Z"));
    expect(units.current()).toEqual([
      {
        incidentId: "inc-1",
        unitIds: ["fire-engine-1"],
        route: ["i-1", "i-2", "i-3"],
        dispatchedAt: Date.parse("2026-11-23T15:00:00Z"),
        etaSeconds: 60,
      },
    ]);
    now += 11 * 60_000; // on scene for more than ten minutes: off the map
    expect(units.current()).toEqual([]);
  });

  it("keeps the newest twenty dispatches", () => {
    const units = new DispatchedUnits(() => Date.parse("2026-11-23T15:01:00Z"));
    for (let n = 0; n < 25; n++) {
      units.delivered(dispatched(`inc-${n}`, `2026-11-23T15:00:${String(n).padStart(2, "0")}Z`));
    }
    const ids = units.current().map((u) => u.incidentId);
    expect(ids).toHaveLength(20);
    expect(ids[0]).toBe("inc-5");
  });
});
