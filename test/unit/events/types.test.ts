import { describe, expectTypeOf, it } from "vitest";
import type {
  AnyCityEvent,
  AnyEventDraft,
  CityEvent,
  CityEventOf,
  DetailOf,
  EventMeta,
  EventType,
  LightState,
  PayloadOf,
  Priority,
} from "../../../events/index.ts";

describe("inferred types (compile-time)", () => {
  it("Priority is the four levels", () => {
    expectTypeOf<Priority>().toEqualTypeOf<"critical" | "high" | "normal" | "info">();
  });

  it("EventMeta has the contract's fields and optionality", () => {
    expectTypeOf<EventMeta["eventId"]>().toEqualTypeOf<string>();
    expectTypeOf<EventMeta["sequence"]>().toEqualTypeOf<number>();
    expectTypeOf<EventMeta["lamport"]>().toEqualTypeOf<number>();
    expectTypeOf<EventMeta["priority"]>().toEqualTypeOf<Priority>();
    expectTypeOf<EventMeta["intersectionId"]>().toEqualTypeOf<string | undefined>();
    expectTypeOf<EventMeta["causationId"]>().toEqualTypeOf<string | undefined>();
    expectTypeOf<EventMeta["vectorClock"]>().toEqualTypeOf<Record<string, number> | undefined>();
    expectTypeOf<EventMeta["replayed"]>().toEqualTypeOf<boolean | undefined>();
    expectTypeOf<EventMeta>().toHaveProperty("streamId");
    expectTypeOf<EventMeta>().toHaveProperty("correlationId");
    expectTypeOf<EventMeta>().toHaveProperty("schemaVersion");
  });

  it("PayloadOf follows the schema of each type", () => {
    expectTypeOf<PayloadOf<"WeatherAlertIssued">["level"]>().toEqualTypeOf<
      "yellow" | "orange" | "red"
    >();
    expectTypeOf<PayloadOf<"WeatherAlertIssued">["temperatureC"]>().toEqualTypeOf<
      number | undefined
    >();
    expectTypeOf<PayloadOf<"TrafficLightChanged">["newState"]>().toEqualTypeOf<LightState>();
    expectTypeOf<LightState["vehicles"]>().toEqualTypeOf<"red" | "yellow" | "green">();
    // an intersection is required on traffic-light events, optional elsewhere
    expectTypeOf<
      PayloadOf<"TrafficLightChanged">["location"]["intersectionId"]
    >().toEqualTypeOf<string>();
    expectTypeOf<PayloadOf<"AccidentDetected">["location"]["intersectionId"]>().toEqualTypeOf<
      string | undefined
    >();
    expectTypeOf<PayloadOf<"AccidentDetected">["vehiclesInvolved"]>().toEqualTypeOf<number>();
    expectTypeOf<PayloadOf<"UnitsDispatched">["unitIds"]>().toEqualTypeOf<string[]>();
    expectTypeOf<PayloadOf<"UnitsDispatched">["route"]["intersectionIds"]>().toEqualTypeOf<
      string[]
    >();
    expectTypeOf<PayloadOf<"CitizensNotified">["alertType"]>().toEqualTypeOf<
      | "WeatherAlertIssued"
      | "WeatherAlertCancelled"
      | "FireAlarmRaised"
      | "GasLeakDetected"
      | "AccidentDetected"
    >();
    expectTypeOf<PayloadOf<"CitizensNotified">>().not.toHaveProperty("phoneNumber");
  });

  it("DetailOf is the payload plus meta", () => {
    expectTypeOf<DetailOf<"GasLeakDetected">["meta"]>().toEqualTypeOf<EventMeta>();
    expectTypeOf<DetailOf<"GasLeakDetected">["ppm"]>().toEqualTypeOf<number>();
    expectTypeOf<DetailOf<"GasLeakDetected">>().toExtend<PayloadOf<"GasLeakDetected">>();
  });

  it("CityEventOf and AnyCityEvent discriminate on detailType", () => {
    expectTypeOf<CityEventOf<"SmokeDetected">["detailType"]>().toEqualTypeOf<"SmokeDetected">();
    expectTypeOf<CityEventOf<"SmokeDetected">>().toExtend<
      CityEvent<PayloadOf<"SmokeDetected">, "SmokeDetected">
    >();
    expectTypeOf<AnyCityEvent["detailType"]>().toEqualTypeOf<EventType>();
    const narrow = (e: AnyCityEvent): number | undefined =>
      e.detailType === "GasLeakDetected" ? e.detail.ppm : undefined;
    expectTypeOf(narrow).returns.toEqualTypeOf<number | undefined>();
  });

  it("drafts pair a type with its own payload", () => {
    expectTypeOf<
      Extract<AnyEventDraft, { type: "DaylightChanged" }>["payload"]["phase"]
    >().toEqualTypeOf<"sunrise" | "sunset">();
    // @ts-expect-error a weather payload is not a daylight payload
    const bad: AnyEventDraft = { type: "DaylightChanged", payload: { level: "red" } };
    expectTypeOf(bad).toEqualTypeOf<AnyEventDraft>();
  });
});
