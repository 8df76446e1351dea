/** The scenarios by name. */
import { chaos } from "./chaos.ts";
import { crisis } from "./crisis.ts";
import type { Scenario } from "./engine.ts";
import { fire } from "./fire.ts";
import { normalDay } from "./normal-day.ts";
import { rushHour } from "./rush-hour.ts";
import { storm } from "./storm.ts";

export const SCENARIO_NAMES = [
  "normal-day",
  "rush-hour",
  "storm",
  "fire",
  "crisis",
  "chaos",
] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export const SCENARIOS: Readonly<Record<ScenarioName, Scenario>> = {
  "normal-day": normalDay,
  "rush-hour": rushHour,
  storm,
  fire,
  crisis,
  chaos,
};

export function isScenarioName(value: unknown): value is ScenarioName {
  return typeof value === "string" && (SCENARIO_NAMES as readonly string[]).includes(value);
}

export { chaosCounts, chaosScenario } from "./chaos.ts";
export { contextFor } from "./compose.ts";
export type {
  Expectation,
  ExpectedOutcome,
  Scenario,
  ScenarioContext,
  ScenarioRun,
} from "./engine.ts";
