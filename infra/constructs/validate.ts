/**
 * Prop validation helpers in the aws-cdk-lib style: validate in the constructor, name the
 * construct path and the prop, quote the given value and say what is allowed. Unresolved tokens
 * are accepted as is (they are only known at deploy time).
 */
import { Token } from "aws-cdk-lib";
import type { IConstruct } from "constructs";
import { InfraConfigError, quote } from "../errors.ts";

function field(scope: IConstruct, prop: string): string {
  return `${scope.node.path || "<root>"}: ${prop}`;
}

/** Throws unless `value` is an integer in [min, max]. */
export function requireInteger(
  scope: IConstruct,
  prop: string,
  value: number,
  min: number,
  max: number,
): number {
  return requireInRange(scope, prop, value, min, max, "an integer");
}

/** Throws unless `value` is a finite number in [min, max]. */
export function requireNumber(
  scope: IConstruct,
  prop: string,
  value: number,
  min: number,
  max: number,
): number {
  return requireInRange(scope, prop, value, min, max, "a number");
}

function requireInRange(
  scope: IConstruct,
  prop: string,
  value: number,
  min: number,
  max: number,
  kind: "an integer" | "a number",
): number {
  if (Token.isUnresolved(value)) return value;
  const ok = kind === "an integer" ? Number.isInteger(value) : Number.isFinite(value);
  if (!ok || value < min || value > max) {
    throw new InfraConfigError(
      field(scope, prop),
      `must be ${kind} from ${min} to ${max}, got ${quote(value)}`,
    );
  }
  return value;
}

/** Throws unless `value` is one of `allowed`. */
export function requireOneOf<T>(
  scope: IConstruct,
  prop: string,
  value: T,
  allowed: readonly T[],
): T {
  if (!allowed.includes(value)) {
    throw new InfraConfigError(
      field(scope, prop),
      `must be one of ${allowed.map((a) => quote(a)).join(", ")}, got ${quote(value)}`,
    );
  }
  return value;
}

/** Throws unless `value` is a 12-digit AWS account id. */
export function requireAccountId(scope: IConstruct, prop: string, value: string): string {
  if (Token.isUnresolved(value)) return value;
  if (!/^\d{12}$/.test(value)) {
    throw new InfraConfigError(
      field(scope, prop),
      `must be a 12-digit AWS account id, got ${quote(value)}`,
    );
  }
  return value;
}

/** Throws unless `value` is a plausible e-mail address. */
export function requireEmail(scope: IConstruct, prop: string, value: string): string {
  if (Token.isUnresolved(value)) return value;
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value)) {
    throw new InfraConfigError(
      field(scope, prop),
      `must be an e-mail address like ops@example.org, got ${quote(value)}`,
    );
  }
  return value;
}

/** Throws unless `value` is a non-empty plain JSON object (an EventBridge event pattern). */
export function requireEventPattern(
  scope: IConstruct,
  prop: string,
  value: unknown,
): Record<string, unknown> {
  if (
    typeof value !== "object" ||
    value === null ||
    Array.isArray(value) ||
    Object.keys(value).length === 0
  ) {
    throw new InfraConfigError(
      field(scope, prop),
      `must be a non-empty EventBridge event pattern object such as {"source":["buzzville.weather"]}, got ${quote(value)}`,
    );
  }
  return value as Record<string, unknown>;
}

/** Throws with the field name; for cross-prop rules (exactly one of, etc.). */
export function invalid(scope: IConstruct, prop: string, message: string): never {
  throw new InfraConfigError(field(scope, prop), message);
}
