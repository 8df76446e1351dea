/**
 * The JSONPath of EventBridge Pipes dynamic parameters and input templates, over the local
 * cloud's one JSONPath (local/jsonpath.ts): `$`, `$.a.b`, `$.a[0]`, `$['a']`. What differs from
 * EventBridge targets (local/eventbridge/delivery/jsonpath.ts): strings that hold JSON are parsed
 * at every step, so `$.body.detail.x` reaches into an SQS message body holding an EventBridge
 * event, as on AWS; and no wildcard, since a dynamic parameter here selects one value.
 */
import { evaluateSteps, type PathStep, parseSteps } from "../jsonpath.ts";

export class JsonPathError extends Error {
  override readonly name = "JsonPathError";
}

export function parsePath(path: string): PathStep[] {
  if (!path.startsWith("$")) {
    throw new JsonPathError(
      `JSONPath "${path}" must start with "$" (e.g. "$.body.detail.meta.eventId")`,
    );
  }
  const steps = parseSteps(path);
  const failedAt = Array.isArray(steps)
    ? steps.find((step) => "wildcard" in step)?.at
    : steps.failedAt;
  if (failedAt !== undefined || !Array.isArray(steps)) {
    throw new JsonPathError(
      `JSONPath "${path}" is not supported at position ${failedAt}: use dotted keys, ['key'] or [index]`,
    );
  }
  return steps;
}

/** A string holding a JSON object or array, parsed; any other value as it is. */
export function parseIfJson(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const t = value.trimStart();
  if (!t.startsWith("{") && !t.startsWith("[")) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** The value at `path` in `root`, or `undefined` when any step is missing. */
export function evaluatePath(root: unknown, path: string): unknown {
  return evaluateSteps(parsePath(path), root, parseIfJson);
}

/** Whether a Pipes parameter is a JSONPath (dynamic) rather than a static value. */
export const isDynamic = (value: string) => value.startsWith("$.") || value === "$";

/**
 * Renders a Pipes InputTemplate: `<$.path>` placeholders are replaced by the values they select.
 * A template that is a single placeholder yields that value itself (objects as JSON text).
 */
export function renderTemplate(template: string, root: unknown): string {
  const whole = template.trim().match(/^<(\$[^>]*)>$/);
  if (whole?.[1]) {
    const value = evaluatePath(root, whole[1]);
    return typeof value === "string" ? value : JSON.stringify(value ?? null);
  }
  return template.replace(/<(\$[^>]*)>/g, (_all, path: string) => {
    const value = evaluatePath(root, path);
    return typeof value === "string" ? value : JSON.stringify(value ?? null);
  });
}
