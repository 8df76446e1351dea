import { describe, expect, it } from "vitest";
import type { LightState } from "../../../../events/catalog/common.ts";
import { checkTransition } from "../../../../functions/traffic/lights.ts";

const S = (
  vehicles: LightState["vehicles"],
  pedestrians: LightState["pedestrians"],
): LightState => ({
  vehicles,
  pedestrians,
});

describe("light-cycle rules", () => {
  it.each([
    ["vehicles green -> yellow", S("green", "red"), S("yellow", "red")],
    ["vehicles yellow -> red", S("yellow", "red"), S("red", "red")],
    ["pedestrians green once vehicles are red", S("red", "red"), S("red", "green")],
    ["pedestrians red again", S("red", "green"), S("red", "red")],
    ["vehicles green once pedestrians are red", S("red", "red"), S("green", "red")],
  ])("allows %s", (_, from, to) => {
    expect(checkTransition(from, to)).toEqual([]);
  });

  it.each([
    ["two greens", S("red", "green"), S("green", "green"), "conflicting-greens"],
    [
      "green -> red without yellow",
      S("green", "red"),
      S("red", "red"),
      "green-to-red-without-yellow",
    ],
    [
      "vehicles green while pedestrians walk",
      S("red", "green"),
      S("green", "red"),
      "pedestrian-vehicle-conflict",
    ],
    [
      "pedestrians green while vehicles move",
      S("yellow", "red"),
      S("yellow", "green"),
      "pedestrian-vehicle-conflict",
    ],
  ])("flags %s", (_, from, to, rule) => {
    expect(checkTransition(from, to).map((b) => b.rule)).toContain(rule);
  });
});
