/**
 * Turns zod issues into `EventProblem`s whose rule says what is allowed and what was received,
 * e.g. `expected one of yellow|orange|red, got "purple"`.
 */
import { z } from "zod";
import type { EventProblem } from "./errors.ts";

type Issue = z.core.$ZodIssue;

/** `location.zone`, `zones[1]`, `""` for the root. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** A short rendering of a received value. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "bigint") return `${value}n`;
  // JSON renders NaN and ±Infinity as null: say what was really received.
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

const FORMAT_HINTS: Readonly<Record<string, string>> = {
  datetime: "an ISO 8601 UTC date-time like 2026-11-23T15:04:05.000Z",
};

function bound(
  issue: { origin: string; inclusive?: boolean; exact?: boolean },
  v: number | bigint,
  side: "min" | "max",
): string {
  const n = String(v);
  switch (issue.origin) {
    case "string":
      return issue.exact
        ? `exactly ${n} characters`
        : `${side === "min" ? "at least" : "at most"} ${n} characters`;
    case "array":
    case "set":
      return issue.exact
        ? `exactly ${n} items`
        : `${side === "min" ? "at least" : "at most"} ${n} items`;
    default: {
      const op =
        side === "min"
          ? issue.inclusive === false
            ? ">"
            : ">="
          : issue.inclusive === false
            ? "<"
            : "<=";
      return `a number ${op} ${n}`;
    }
  }
}

function receivedOf(issue: Issue, origin?: string): string {
  const input = issue.input;
  if (
    (origin === "string" || origin === "array") &&
    (typeof input === "string" || Array.isArray(input))
  ) {
    return `got length ${input.length}`;
  }
  return `got ${describeValue(input)}`;
}

/** The keys a (possibly wrapped) object schema allows at a path, if it can be found. */
export function allowedKeysAt(
  schema: z.ZodType,
  path: readonly PropertyKey[],
): string[] | undefined {
  let current: z.ZodType | undefined = schema;
  const unwrap = (s: z.ZodType): z.ZodType => {
    let t: z.ZodType = s;
    for (let i = 0; i < 10; i++) {
      if (t instanceof z.ZodOptional || t instanceof z.ZodNullable || t instanceof z.ZodDefault) {
        t = t.unwrap() as z.ZodType;
      } else if (t instanceof z.ZodPipe) {
        t = t.in as z.ZodType;
      } else break;
    }
    return t;
  };
  for (const key of path) {
    if (current === undefined) return undefined;
    const s = unwrap(current);
    if (s instanceof z.ZodObject && typeof key === "string")
      current = s.shape[key] as z.ZodType | undefined;
    else if (s instanceof z.ZodArray && typeof key === "number") current = s.element as z.ZodType;
    else return undefined;
  }
  if (current === undefined) return undefined;
  const target = unwrap(current);
  return target instanceof z.ZodObject ? Object.keys(target.shape) : undefined;
}

/** The rule an issue broke, with what is allowed and what was received. */
export function ruleOf(issue: Issue, schema?: z.ZodType): string {
  switch (issue.code) {
    case "invalid_value":
      return `expected ${issue.values.length === 1 ? describeValue(issue.values[0]) : `one of ${issue.values.map(String).join("|")}`}, got ${describeValue(issue.input)}`;
    case "invalid_type":
      return issue.input === undefined
        ? `required (${issue.expected}), got nothing`
        : `expected ${issue.expected}, got ${describeValue(issue.input)}`;
    case "too_small":
      return `expected ${bound(issue, issue.minimum, "min")}, ${receivedOf(issue, issue.origin)}`;
    case "too_big":
      return `expected ${bound(issue, issue.maximum, "max")}, ${receivedOf(issue, issue.origin)}`;
    case "invalid_format": {
      const hint = FORMAT_HINTS[issue.format];
      const base =
        hint !== undefined
          ? `expected ${hint}`
          : issue.format === "regex" && issue.message.startsWith("expected")
            ? issue.message
            : `expected format ${issue.format}${issue.pattern ? ` (${issue.pattern})` : ""}`;
      return `${base}, got ${describeValue(issue.input)}`;
    }
    case "unrecognized_keys": {
      const allowed = schema ? allowedKeysAt(schema, issue.path) : undefined;
      const which =
        issue.keys.length === 1 ? "unknown field" : `unknown fields ${issue.keys.join(", ")}`;
      return `${which} (extra fields and personal data are rejected)${allowed ? `; allowed: ${allowed.join("|")}` : ""}`;
    }
    case "not_multiple_of":
      return `expected a multiple of ${issue.divisor}, got ${describeValue(issue.input)}`;
    case "custom":
      return `${issue.message}, got ${describeValue(issue.input)}`;
    default:
      return `${issue.message}, got ${describeValue(issue.input)}`;
  }
}

/** Problems of a failed parse, one per issue; unrecognized keys get their own path each. */
export function problemsOf(
  eventType: string,
  error: z.ZodError,
  schema?: z.ZodType,
  index?: number,
): EventProblem[] {
  return error.issues.map((issue) => {
    const path =
      issue.code === "unrecognized_keys" && issue.keys.length === 1
        ? formatPath([...issue.path, issue.keys[0] as string])
        : formatPath(issue.path);
    return {
      ...(index === undefined ? {} : { index }),
      eventType,
      path,
      rule: ruleOf(issue, schema),
    };
  });
}
