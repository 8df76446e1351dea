/** TestEventPattern: validates the pattern and the event envelope like AWS, answers { Result }. */
import type { ActionHandler } from "../context.ts";
import { ValidationError } from "../errors.ts";
import { compilePattern, matchesPattern } from "../patterns/index.ts";
import { requiredString } from "../validate.ts";

const REQUIRED_FIELDS = ["id", "account", "source", "time", "region", "detail-type"] as const;

export const testEventPattern: ActionHandler = (input) => {
  const pattern = compilePattern(requiredString(input, "EventPattern", "eventPattern"));
  const eventText = requiredString(input, "Event", "event");
  let event: unknown;
  try {
    event = JSON.parse(eventText);
  } catch {
    throw new ValidationError("Parameter Event is not valid.");
  }
  if (typeof event !== "object" || event === null || Array.isArray(event)) {
    throw new ValidationError("Parameter Event is not valid.");
  }
  for (const field of REQUIRED_FIELDS) {
    if (!Object.hasOwn(event, field)) {
      throw new ValidationError("Parameter Event is not valid.");
    }
  }
  return { Result: matchesPattern(pattern, event) };
};
