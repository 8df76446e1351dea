/**
 * `buzzville load --profile burst` against a whole local city (local/up/city.ts, port 0): every
 * event the bus accepted is found in the event store, and the JSON summary has its shape.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main as load } from "../../../bin/ops/load.ts";
import { type RunningCity, startLocalCity } from "../../../local/up/city.ts";
import { capture } from "./support.ts";

const PREFIX = "load-it";
let city: RunningCity;

beforeAll(async () => {
  city = await startLocalCity({ prefix: PREFIX });
  expect(city.failedToLoad).toEqual([]);
}, 120_000);

afterAll(async () => {
  await city?.stop();
});

describe("buzzville load", () => {
  it("publishes a burst of the normal-day mix and finds every accepted event in the store", async () => {
    const target = ["--endpoint", city.cloud.endpoint, "--prefix", PREFIX];
    const out = await capture(load, [
      "--profile",
      "burst",
      "--rate",
      "30",
      "--duration",
      "1",
      "--wait",
      "180",
      "--json",
      ...target,
    ]);
    expect(out.err).toContain("[load] stored");
    const summary = JSON.parse(out.out) as Record<string, unknown>;
    expect(summary).toMatchObject({
      profile: "burst",
      rate: 30,
      durationSeconds: 1,
      failedToPublish: 0,
      lost: 0,
      undrained: 0,
    });
    expect(summary.published).toBeGreaterThan(0);
    expect(summary.stored).toBe(summary.published);
    for (const key of ["target", "publishSeconds", "drainSeconds", "publishedPerSecond"]) {
      expect(summary).toHaveProperty(key);
    }
    expect(out.code).toBe(0);
  }, 240_000);

  it("rejects an unknown profile with the allowed ones", async () => {
    const out = await capture(load, ["--profile", "spike", "--endpoint", city.cloud.endpoint]);
    expect(out.code).toBe(2);
    expect(out.err).toContain("allowed: soak, ramp, burst");
  });
});
