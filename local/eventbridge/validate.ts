/**
 * Request-level validation helpers that produce AWS's Coral-style messages, e.g.
 * "1 validation error detected: Value 'x' at 'name' failed to satisfy constraint: ...".
 */
import { SerializationError, ValidationError } from "./errors.ts";

export type Input = Record<string, unknown>;

export function parseBody(body: string): Input {
  if (body.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new SerializationError("Request body is not valid JSON.", error);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new SerializationError("Request body must be a JSON object.");
  }
  return parsed as Input;
}

export function constraintError(
  value: unknown,
  field: string,
  constraint: string,
): ValidationError {
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  // Errors never echo a payload: long values are cut (docs/RELIABILITY.md, "Hostile input").
  const shown = text.length > 256 ? `${text.slice(0, 256)}…` : text;
  return new ValidationError(
    `1 validation error detected: Value '${shown}' at '${field}' failed to satisfy constraint: ${constraint}`,
  );
}

export function optionalString(input: Input, key: string): string | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") {
    throw new SerializationError(`Field ${key} must be a string, got ${JSON.stringify(value)}.`);
  }
  return value;
}

export function requiredString(input: Input, key: string, field: string): string {
  const value = optionalString(input, key);
  if (value === undefined) {
    throw new ValidationError(
      `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

export interface NameRule {
  readonly field: string;
  readonly max: number;
  readonly pattern: RegExp;
  readonly patternText: string;
}

export function checkName(value: string, rule: NameRule): string {
  if (value.length < 1) {
    throw constraintError(value, rule.field, "Member must have length greater than or equal to 1");
  }
  if (value.length > rule.max) {
    throw constraintError(
      value,
      rule.field,
      `Member must have length less than or equal to ${rule.max}`,
    );
  }
  if (!rule.pattern.test(value)) {
    throw constraintError(
      value,
      rule.field,
      `Member must satisfy regular expression pattern: ${rule.patternText}`,
    );
  }
  return value;
}

export const BUS_NAME: NameRule = {
  field: "name",
  max: 256,
  pattern: /^[/.\-_A-Za-z0-9]+$/,
  patternText: "[/\\.\\-_A-Za-z0-9]+",
};

export const RULE_NAME: NameRule = {
  field: "name",
  max: 64,
  pattern: /^[.\-_A-Za-z0-9]+$/,
  patternText: "[\\.\\-_A-Za-z0-9]+",
};

export const ARCHIVE_NAME: NameRule = {
  field: "archiveName",
  max: 48,
  pattern: /^[.\-_A-Za-z0-9]+$/,
  patternText: "[\\.\\-_A-Za-z0-9]+",
};

export const REPLAY_NAME: NameRule = {
  field: "replayName",
  max: 64,
  pattern: /^[.\-_A-Za-z0-9]+$/,
  patternText: "[\\.\\-_A-Za-z0-9]+",
};

/** JSON 1.1 timestamps are epoch seconds (possibly fractional); ISO strings are tolerated. */
export function toEpochMs(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return Math.round(value * 1000);
  if (typeof value === "string") {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

export const toEpochSeconds = (ms: number): number => ms / 1000;

/** ISO 8601 without milliseconds, as EventBridge renders the `time` field. */
export const isoSeconds = (ms: number): string => `${new Date(ms).toISOString().slice(0, 19)}Z`;

export function paginate<T>(items: T[], input: Input): { page: T[]; nextToken?: string } {
  const limitRaw = input.Limit;
  const limit = typeof limitRaw === "number" && limitRaw > 0 ? Math.min(limitRaw, 100) : 100;
  const tokenRaw = input.NextToken;
  const start = typeof tokenRaw === "string" ? Number.parseInt(tokenRaw, 10) || 0 : 0;
  const page = items.slice(start, start + limit);
  const next = start + limit;
  return next < items.length ? { page, nextToken: String(next) } : { page };
}
