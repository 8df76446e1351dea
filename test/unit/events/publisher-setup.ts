/** Shared set-up of the publisher tests: an in-memory PutEvents, a fixed clock, a seeded PRNG, a recording sleep. */
import {
  type AnyEventDraft,
  CATALOG,
  CityEventPublisher,
  type CityEventPublisherOptions,
  seededRandom,
} from "../../../events/index.ts";
import { FakeEventBridge } from "./fake-eventbridge.ts";

export const T0 = Date.parse("2026-11-23T15:00:00.000Z");

export function setup(options: Partial<CityEventPublisherOptions> = {}) {
  const fake = new FakeEventBridge();
  const sleeps: number[] = [];
  const publisher = new CityEventPublisher({
    busName: "city-bus",
    producerId: "cam-i12-n",
    client: fake,
    now: () => T0,
    random: seededRandom(42),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...options,
  });
  return { fake, sleeps, publisher };
}

export const density = (n: number): AnyEventDraft => ({
  type: "TrafficDensityMeasured",
  payload: { ...CATALOG.TrafficDensityMeasured.example, vehiclesCounted: n },
});

export async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (error) {
    return error;
  }
  throw new Error("expected the promise to reject");
}
