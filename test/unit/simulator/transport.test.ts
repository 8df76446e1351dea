import { describe, expect, it } from "vitest";
import type { AnyEventDraft } from "../../../events/draft.ts";
import { buildCity } from "../../../simulator/city.ts";
import { VirtualClock } from "../../../simulator/clock.ts";
import { createProducers } from "../../../simulator/producers/index.ts";
import { Rng } from "../../../simulator/rng.ts";
import { SimulatorTransport } from "../../../simulator/transport.ts";
import { FakeBus } from "./fake-bus.ts";

function setup() {
  const clock = new VirtualClock(Date.UTC(2026, 5, 1));
  const bus = new FakeBus(clock);
  const transport = new SimulatorTransport({
    client: bus,
    busName: "b",
    random: new Rng(1).asPrng(),
    sleep: (ms) => clock.sleep(ms),
    now: () => clock.now(),
    runTag: "t1",
  });
  const p = createProducers(buildCity(1), new Rng(1));
  const lux = p.lightSensors.get("z2");
  if (!lux) throw new Error("no light sensor in z2");
  return { bus, transport, lux, rng: new Rng(2) };
}

describe("SimulatorTransport", () => {
  it("publishes the valid neighbours of an invalid draft and names the broken field", async () => {
    const { bus, transport, lux, rng } = setup();
    const good = lux.daylight("sunrise", rng);
    const bad = {
      ...lux.switchLights("on", "daylight", rng),
      payload: { ...lux.switchLights("on", "daylight", rng).payload, brightnessPercent: 140 },
    } as AnyEventDraft;
    const { outcomes } = await transport.publish("lux-z2", [
      good,
      bad,
      lux.daylight("sunset", rng),
    ]);
    expect(outcomes.filter((o) => !o.errorCode).map((o) => o.type)).toEqual([
      "DaylightChanged",
      "DaylightChanged",
    ]);
    const failed = outcomes.filter((o) => o.errorCode);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ type: "StreetLightsSwitched", errorCode: "InvalidEvent" });
    expect(failed[0]?.errorMessage).toMatch(/brightnessPercent/);
    expect(bus.details().map((d) => d.meta.sequence)).toEqual([1, 2]);
    expect(bus.details().every((d) => d.meta.producerId === "lux-z2:t1")).toBe(true);
  });

  it("sends a tick's drafts of several producers together, ≤ 10 per call, each producer numbered alone", async () => {
    const { bus, transport, lux, rng } = setup();
    const drafts = (n: number) => Array.from({ length: n }, () => lux.daylight("sunrise", rng));
    const { outcomes, events } = await transport.publishTick([
      ["lux-z2", drafts(7)],
      ["lux-z3", drafts(6)],
    ]);
    expect(outcomes).toHaveLength(13);
    expect(outcomes.every((o) => !o.errorCode)).toBe(true);
    expect(events).toHaveLength(13);
    const calls = bus.received.map((r) => r.call);
    expect(new Set(calls).size).toBe(2); // 13 entries: 10 + 3
    const seqOf = (producer: string) =>
      bus
        .details()
        .filter((d) => d.meta.producerId === producer)
        .map((d) => d.meta.sequence);
    expect(seqOf("lux-z2:t1")).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(seqOf("lux-z3:t1")).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("stamps a reversed pair in order and delivers it late-first, one call each", async () => {
    const { bus, transport, lux, rng } = setup();
    await transport.publish("lux-z2", [lux.daylight("sunrise", rng)]);
    const { outcomes } = await transport.publishReversed("lux-z2", [
      lux.switchLights("off", "daylight", rng),
      lux.switchLights("dimmed", "schedule", rng),
    ]);
    expect(outcomes.every((o) => !o.errorCode)).toBe(true);
    expect(bus.details().map((d) => d.meta.sequence)).toEqual([1, 3, 2]);
    const calls = bus.received.map((r) => r.call);
    expect(new Set(calls).size).toBe(3);
  });

  it("reports raw entries the bus refuses with AWS's error code", async () => {
    const { transport } = setup();
    const outcomes = await transport.sendRaw([
      { Source: "buzzville.camera", DetailType: "X", Detail: "{oops" },
      { Source: "buzzville.camera", DetailType: "Y", Detail: "{}" },
    ]);
    expect(outcomes.map((o) => o.errorCode)).toEqual(["MalformedDetail", undefined]);
  });
});
