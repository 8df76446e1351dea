import { describe, expect, it } from "vitest";
import { always, byValue, firstOf, streamIdFrom } from "../../../events/catalog/common.ts";
import { citizensNotified } from "../../../events/catalog/services.ts";
import {
  allDefinitions,
  CATALOG,
  EVENT_TYPES,
  type EventDefinition,
  PRIORITIES,
  parsePayload,
  SOURCE_OF,
  STREAM_ID_PATTERN,
} from "../../../events/index.ts";
import { topology } from "../../../infra/topology.ts";
import { compilePatternValue, matchesPattern } from "../../../local/eventbridge/patterns/index.ts";

const defs = allDefinitions();
type Payload = Record<string, unknown> & { location?: Record<string, unknown> };
const example = (d: EventDefinition): Payload => structuredClone(d.example) as Payload;

describe("catalog coverage", () => {
  it("has exactly one entry per EventType, in names.ts order", () => {
    expect(defs.map((d) => d.type)).toEqual([...EVENT_TYPES]);
    expect(Object.keys(CATALOG).sort()).toEqual([...EVENT_TYPES].sort());
  });

  it.each(defs.map((d) => [d.type, d] as const))("%s: source comes from SOURCE_OF", (type, d) => {
    expect(d.source).toBe(SOURCE_OF[type]);
  });

  it.each(defs.map((d) => [d.type, d] as const))(
    "%s: the example is valid and well routed",
    (_t, d) => {
      const payload = parsePayload(d.type, d.example) as Payload;
      expect(PRIORITIES).toContain(d.priority(payload));
      const stream = d.streamId(payload);
      expect(stream).toMatch(STREAM_ID_PATTERN);
      expect(
        stream.startsWith(`${d.streamRule.kind}#`) ||
          stream.startsWith(`${d.streamRule.otherwise?.kind}#`),
      ).toBe(true);
      expect(d.place(payload).zone).toMatch(/^z\d+$/);
    },
  );

  it.each(defs.map((d) => [d.type, d] as const))(
    "%s: payload is strict (unknown fields rejected)",
    (_t, d) => {
      expect(() =>
        parsePayload(d.type, { ...example(d), citizenPhone: "+31 6 1234 5678" }),
      ).toThrow(/citizenPhone: unknown field/);
    },
  );
});

describe("no personal data", () => {
  const PERSONAL =
    /phone|email|msisdn|firstName|lastName|fullName|surname|passport|licen[cs]ePlate|plate|faceId|ssn/i;
  function keys(schema: unknown, out: string[] = []): string[] {
    if (schema && typeof schema === "object") {
      const s = schema as {
        shape?: Record<string, unknown>;
        unwrap?: () => unknown;
        element?: unknown;
      };
      if (s.shape) for (const [k, v] of Object.entries(s.shape)) out.push(k, ...keys(v));
      else if (typeof s.unwrap === "function") keys(s.unwrap(), out);
      else if (s.element) keys(s.element, out);
    }
    return out;
  }
  it.each(defs.map((d) => [d.type, d] as const))("%s has no personal-data field", (_t, d) => {
    const names = keys(d.payload);
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => PERSONAL.test(n))).toEqual([]);
  });
});

describe("priority classifiers", () => {
  const wx = CATALOG.WeatherAlertIssued;
  it.each([
    ["red", "critical"],
    ["orange", "high"],
    ["yellow", "normal"],
  ] as const)("WeatherAlertIssued level %s is %s", (level, priority) => {
    expect(wx.priority(parsePayload("WeatherAlertIssued", { ...wx.example, level }))).toBe(
      priority,
    );
  });

  it("a cancelled red alert is high, a cancelled yellow one normal", () => {
    const c = CATALOG.WeatherAlertCancelled;
    expect(c.priority(parsePayload("WeatherAlertCancelled", { ...c.example, level: "red" }))).toBe(
      "high",
    );
    expect(
      c.priority(parsePayload("WeatherAlertCancelled", { ...c.example, level: "yellow" })),
    ).toBe("normal");
  });

  it("high-rate readings are info", () => {
    const t = CATALOG.TrafficDensityMeasured;
    expect(t.priority(parsePayload("TrafficDensityMeasured", t.example))).toBe("info");
    expect(
      CATALOG.DaylightChanged.priority(
        parsePayload("DaylightChanged", CATALOG.DaylightChanged.example),
      ),
    ).toBe("info");
  });

  it("gas leaks are critical from the gas's danger level, high below it", () => {
    const g = CATALOG.GasLeakDetected;
    expect(
      g.priority(
        parsePayload("GasLeakDetected", { ...g.example, gas: "carbon-monoxide", ppm: 250 }),
      ),
    ).toBe("critical");
    expect(
      g.priority(
        parsePayload("GasLeakDetected", { ...g.example, gas: "carbon-monoxide", ppm: 60 }),
      ),
    ).toBe("high");
    expect(
      g.priority(parsePayload("GasLeakDetected", { ...g.example, gas: "methane", ppm: 250 })),
    ).toBe("high");
  });

  it("a minor accident without injuries is high, one with injuries critical", () => {
    const a = CATALOG.AccidentDetected;
    const minor = { ...a.example, severity: "low", injuriesReported: 0 } as const;
    expect(a.priority(parsePayload("AccidentDetected", minor))).toBe("high");
    expect(a.priority(parsePayload("AccidentDetected", { ...minor, injuriesReported: 1 }))).toBe(
      "critical",
    );
  });

  it("camera anomalies depend on kind and confidence", () => {
    const c = CATALOG.CameraAnomalyDetected;
    const p = (anomaly: string, confidence: number) =>
      c.priority(parsePayload("CameraAnomalyDetected", { ...c.example, anomaly, confidence }));
    expect(p("wrong-way-driver", 0.9)).toBe("high");
    expect(p("wrong-way-driver", 0.6)).toBe("normal");
    expect(p("debris-on-road", 0.95)).toBe("normal");
    expect(p("crowd-surge", 0.3)).toBe("info");
  });

  it("large public events are high, small ones normal", () => {
    const e = CATALOG.PublicEventStarted;
    expect(e.priority(parsePayload("PublicEventStarted", e.example))).toBe("high");
    expect(
      e.priority(parsePayload("PublicEventStarted", { ...e.example, expectedAttendance: 300 })),
    ).toBe("normal");
  });
});

describe("ordering keys", () => {
  it("traffic-light events go to the intersection's stream", () => {
    const t = CATALOG.TrafficLightChanged;
    expect(t.streamId(parsePayload("TrafficLightChanged", t.example))).toBe("intersection#i-12");
    const v = CATALOG.SignalSequenceViolation;
    expect(v.streamId(parsePayload("SignalSequenceViolation", v.example))).toBe(
      "intersection#i-12",
    );
  });

  it("incident saga events go to the incident's stream, alerts to the alert's", () => {
    for (const type of [
      "IncidentOpened",
      "UnitsReserved",
      "UnitsDispatched",
      "DispatchFailed",
      "DispatchEscalated",
    ] as const) {
      const d = CATALOG[type] as EventDefinition;
      expect(d.streamId(parsePayload(type, d.example))).toBe(
        "incident#inc-01JDX8Q4W6T2N5V7X9Y1B3C5D7",
      );
    }
    const w = CATALOG.WeatherAlertIssued;
    expect(w.streamId(parsePayload("WeatherAlertIssued", w.example))).toBe("alert#wx-2026-0412");
  });

  it("a reroute without an incident falls back to its zone's stream", () => {
    const r = CATALOG.TrafficRerouted;
    const { incidentId: _drop, ...rest } = r.example;
    expect(r.streamId(parsePayload("TrafficRerouted", { ...rest, reason: "roadworks" }))).toBe(
      "zone#z3",
    );
  });

  it("device readings go to their zone's stream", () => {
    const g = CATALOG.GasLeakDetected;
    expect(g.streamId(parsePayload("GasLeakDetected", g.example))).toBe("zone#z2");
  });
});

describe("consumers match infra/topology.ts", () => {
  function variants(d: EventDefinition): Record<string, unknown>[] {
    const base = example(d);
    const withI: Payload = {
      ...base,
      ...(base.location ? { location: { ...base.location, intersectionId: "i-1" } } : {}),
    };
    const withoutI: Payload = structuredClone(base);
    if (withoutI.location) delete withoutI.location.intersectionId;
    const places = [d.place(withI)];
    if (d.payload.safeParse(withoutI).success) places.push(d.place(withoutI));
    return PRIORITIES.flatMap((priority) =>
      places.map((place) => ({
        source: d.source,
        "detail-type": d.type,
        detail: {
          ...base,
          meta: {
            priority,
            zone: place.zone,
            ...(place.intersectionId ? { intersectionId: place.intersectionId } : {}),
          },
        },
      })),
    );
  }

  // the local cloud's EventBridge matcher (event-ruler semantics), the one the rules run on
  const compiled = topology.subscriptions.map((sub) => ({
    sub,
    pattern: compilePatternValue(sub.pattern),
  }));

  it.each(defs.map((d) => [d.type, d] as const))("%s", (_t, d) => {
    const reached = new Set<string>();
    for (const event of variants(d)) {
      for (const { sub, pattern } of compiled) {
        if (matchesPattern(pattern, event)) {
          const fn = topology.functions.find((f) => f.id === sub.functionId);
          if (fn) reached.add(fn.service);
        }
      }
    }
    expect([...d.consumers].sort()).toEqual([...reached].sort());
  });
});

describe("stream rules (the one statement streamId and the docs read)", () => {
  it("falls through to the next rule when a field is absent", () => {
    const base = { ...citizensNotified.example, alertId: undefined, incidentId: undefined };
    const stream = (p: object) => streamIdFrom(citizensNotified.streamRule, p);
    expect(stream({ ...base, alertId: "wx-1", incidentId: "inc-1" })).toBe("alert#wx-1");
    expect(stream({ ...base, incidentId: "inc-1" })).toBe("incident#inc-1");
    expect(stream(base)).toBe(`zone#${citizensNotified.example.zone}`);
  });
});

describe("priority statements (the one statement priority and priorityRule come from)", () => {
  it("firstOf takes the first case that applies and says each case", () => {
    const s = firstOf<{ n: number }>(
      [
        { level: "info", condition: "when n < 1", test: (p) => p.n < 1 },
        { level: "high", condition: "when n > 5", test: (p) => p.n > 5 },
      ],
      "normal",
    );
    expect([0, 3, 9].map((n) => s.of({ n }))).toEqual(["info", "normal", "high"]);
    expect(s.rule).toBe("info when n < 1; high when n > 5; otherwise normal");
  });

  it("byValue groups neighbouring values of one level and always() names its note", () => {
    const s = byValue("by level", (p: { l: "a" | "b" | "c" }) => p.l, {
      a: "high",
      b: "info",
      c: "info",
    });
    expect(s.of({ l: "c" })).toBe("info");
    expect(s.rule).toBe("by level: a → high, b or c → info");
    expect(always("info", "audit").rule).toBe("always info (audit)");
  });
});
