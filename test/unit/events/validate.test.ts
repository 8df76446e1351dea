import { describe, expect, it } from "vitest";
import {
  CATALOG,
  CityEventError,
  EventMetaSchema,
  exampleEvent,
  InvalidEventError,
  parseCityEvent,
  parseDetail,
  parsePayload,
  UnknownEventTypeError,
  validateEvent,
} from "../../../events/index.ts";

function thrown(fn: () => unknown): InvalidEventError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidEventError);
    expect(error).toBeInstanceOf(CityEventError);
    return error as InvalidEventError;
  }
  throw new Error("expected an InvalidEventError, nothing was thrown");
}

const wx = CATALOG.WeatherAlertIssued.example;
const accidentEvent = exampleEvent(CATALOG.AccidentDetected) as {
  source: string;
  "detail-type": string;
  detail: Record<string, unknown> & { meta: Record<string, unknown> };
};

describe("payload validation errors name the type, the field and the rule", () => {
  it("an enum value outside the allowed ones", () => {
    const e = thrown(() => parsePayload("WeatherAlertIssued", { ...wx, level: "purple" }));
    expect(e.message).toBe(
      'WeatherAlertIssued.level: expected one of yellow|orange|red, got "purple"',
    );
    expect(e.name).toBe("InvalidEventError");
    expect(e.eventType).toBe("WeatherAlertIssued");
    expect(e.problems).toEqual([
      {
        eventType: "WeatherAlertIssued",
        path: "level",
        rule: 'expected one of yellow|orange|red, got "purple"',
      },
    ]);
  });

  it("a missing required field", () => {
    const { intensity: _drop, ...rest } = wx;
    expect(thrown(() => parsePayload("WeatherAlertIssued", rest)).message).toBe(
      "WeatherAlertIssued.intensity: required (number), got nothing",
    );
  });

  it("a number out of range, a nested path and an array index", () => {
    const e = thrown(() =>
      parsePayload("WeatherAlertIssued", {
        ...wx,
        location: { ...wx.location, latitude: 123 },
        zones: ["z3", "north"],
      }),
    );
    expect(e.problems.map((p) => `${p.path}: ${p.rule}`)).toEqual([
      "location.latitude: expected a number <= 90, got 123",
      'zones[1]: expected a zone id like z3 (z + digits), got "north"',
    ]);
    expect(e.message).toContain("2 problems:\n  - WeatherAlertIssued.location.latitude:");
  });

  it("a wrong type, a bad date and a too-long text", () => {
    const e = thrown(() =>
      parsePayload("WeatherAlertIssued", {
        ...wx,
        intensity: "9",
        validFrom: "yesterday",
        headline: "x".repeat(501),
      }),
    );
    expect(e.problems.map((p) => `${p.path}: ${p.rule}`)).toEqual([
      "headline: expected at most 500 characters, got length 501",
      'intensity: expected number, got "9"',
      'validFrom: expected an ISO 8601 UTC date-time like 2026-11-23T15:04:05.000Z, got "yesterday"',
    ]);
  });

  it("an unknown field (e.g. personal data) lists the allowed ones", () => {
    const e = thrown(() =>
      parsePayload("AccidentDetected", {
        ...CATALOG.AccidentDetected.example,
        driverName: "J. Doe",
      }),
    );
    expect(e.message).toMatch(
      /^AccidentDetected\.driverName: unknown field \(extra fields and personal data are rejected\); allowed: sensorId\|location\|severity/,
    );
  });

  it("cross-field rules", () => {
    const e = thrown(() => parsePayload("WeatherAlertIssued", { ...wx, validUntil: wx.validFrom }));
    expect(e.message).toBe(
      `WeatherAlertIssued.validUntil: must be after validFrom (${wx.validFrom}), got "${wx.validFrom}"`,
    );
    const t = CATALOG.TrafficLightChanged.example;
    expect(
      thrown(() => parsePayload("TrafficLightChanged", { ...t, newState: t.oldState })).problems[0]
        ?.path,
    ).toBe("newState");
  });

  it("a traffic-light event needs an intersection", () => {
    const t = CATALOG.TrafficLightChanged.example;
    const { intersectionId: _drop, ...location } = t.location;
    expect(thrown(() => parsePayload("TrafficLightChanged", { ...t, location })).message).toBe(
      "TrafficLightChanged.location.intersectionId: required (string), got nothing",
    );
  });

  it("an unknown detail-type names the allowed types", () => {
    const e = thrown(() => parsePayload("MeteorShower", {}));
    expect(e).toBeInstanceOf(UnknownEventTypeError);
    expect(e.message).toMatch(
      /^MeteorShower: unknown detail-type "MeteorShower"; expected one of WeatherAlertIssued\|WeatherAlertCancelled\|/,
    );
    expect(e.message).toContain("|ReadingsAggregated");
  });
});

describe("detail (payload + meta)", () => {
  it("accepts a stamped example and returns the typed detail", () => {
    const detail = parseDetail("AccidentDetected", accidentEvent.detail);
    expect(detail.vehiclesInvolved).toBe(3);
    expect(detail.meta.streamId).toBe("zone#z3");
  });

  it("rejects meta that breaks the envelope contract", () => {
    const meta = {
      ...accidentEvent.detail.meta,
      eventId: "not-a-ulid",
      sequence: 0,
      priority: "urgent",
    };
    const e = thrown(() => parseDetail("AccidentDetected", { ...accidentEvent.detail, meta }));
    expect(e.problems.map((p) => p.path)).toEqual([
      "meta.eventId",
      "meta.sequence",
      "meta.priority",
    ]);
    expect(e.problems[2]?.rule).toBe('expected one of critical|high|normal|info, got "urgent"');
  });

  it("rejects meta that disagrees with the payload (zone, intersection, stream)", () => {
    const meta = { ...accidentEvent.detail.meta, zone: "z9", streamId: "zone#z9" };
    const e = thrown(() => parseDetail("AccidentDetected", { ...accidentEvent.detail, meta }));
    expect(e.problems.map((p) => `${p.path}: ${p.rule}`)).toEqual([
      'meta.zone: must be "z3" (derived from the payload), got "z9"',
      'meta.streamId: must be "zone#z3" (derived from the payload), got "zone#z9"',
    ]);
  });

  it("validateEvent returns a result instead of throwing", () => {
    const ok = validateEvent("AccidentDetected", accidentEvent.detail);
    expect(ok.ok).toBe(true);
    const bad = validateEvent("AccidentDetected", { ...accidentEvent.detail, lanesBlocked: -1 });
    expect(bad.ok).toBe(false);
    if (!bad.ok)
      expect(bad.error.message).toBe(
        "AccidentDetected.lanesBlocked: expected a number >= 0, got -1",
      );
    const unknown = validateEvent("Nope", {});
    expect(unknown.ok).toBe(false);
  });

  it("EventMetaSchema accepts optional fields and rejects unknown ones", () => {
    const meta = {
      ...accidentEvent.detail.meta,
      vectorClock: { a: 2 },
      replayed: true,
      causationId: accidentEvent.detail.meta.eventId,
    };
    expect(EventMetaSchema.parse(meta)).toEqual(meta);
    expect(EventMetaSchema.safeParse({ ...meta, phone: "1" }).success).toBe(false);
    expect(
      EventMetaSchema.safeParse({ ...meta, occurredAt: "2026-11-23T15:00:00+01:00" }).success,
    ).toBe(false);
  });
});

describe("parseCityEvent (a whole EventBridge event, as a consumer receives it)", () => {
  it("parses an object or its JSON text into a typed city event", () => {
    for (const raw of [accidentEvent, JSON.stringify(accidentEvent)]) {
      const event = parseCityEvent(raw);
      expect(event.detailType).toBe("AccidentDetected");
      expect(event.source).toBe("buzzville.collision-sensor");
      if (event.detailType === "AccidentDetected") expect(event.detail.injuriesReported).toBe(2);
    }
  });

  it("rejects a source that does not belong to the type", () => {
    expect(
      thrown(() => parseCityEvent({ ...accidentEvent, source: "buzzville.weather" })).message,
    ).toBe(
      'AccidentDetected.source: expected "buzzville.collision-sensor" for AccidentDetected, got "buzzville.weather"',
    );
  });

  it("rejects non-JSON text, a missing detail-type and an unknown one", () => {
    expect(thrown(() => parseCityEvent("{oops")).message).toMatch(
      /expected an EventBridge event as JSON/,
    );
    expect(thrown(() => parseCityEvent({ source: "x", detail: {} })).message).toBe(
      "EventBridgeEvent.detail-type: required (string), got nothing",
    );
    expect(
      thrown(() => parseCityEvent({ ...accidentEvent, "detail-type": "Nope" })),
    ).toBeInstanceOf(UnknownEventTypeError);
  });
});
