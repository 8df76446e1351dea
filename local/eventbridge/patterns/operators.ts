/**
 * Compiles one match expression (`{ "prefix": "x" }`, `{ "numeric": [...] }`, ...) into a
 * Matcher, with event-ruler's reason texts for every invalid form.
 */
import { EventBridgeError } from "../errors.ts";
import { parseCidr } from "./ip.ts";
import type { Matcher, NumericBound } from "./types.ts";
import { compileWildcard, type Wildcard } from "./wildcard.ts";

/**
 * A pattern that event-ruler would reject; the message is event-ruler's reason text.
 * Internal to the compiler, which rethrows it as InvalidEventPatternError (cause kept).
 */
export class PatternSyntaxError extends EventBridgeError {
  constructor(reason: string, options?: { cause?: unknown }) {
    super("InvalidEventPatternException", reason, 400, options);
    this.name = "PatternSyntaxError";
  }
}

const fail = (reason: string, cause?: unknown): never => {
  throw new PatternSyntaxError(reason, cause === undefined ? undefined : { cause });
};

const FIVE_BILLION = 5e9;
const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Java's Double.toString for the messages that print a number. */
function javaDouble(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e7) return `${n}.0`;
  if (Math.abs(n) >= 1e7) {
    const [mantissa = "0", exp = "0"] = n.toExponential().split("e");
    const m = mantissa.includes(".") ? mantissa : `${mantissa}.0`;
    return `${m}E${Number(exp)}`;
  }
  return String(n);
}

function checkRange(n: number): number {
  if (n < -FIVE_BILLION || n > FIVE_BILLION) {
    fail(
      `Value must be between ${javaDouble(-FIVE_BILLION)} and ${javaDouble(FIVE_BILLION)}, inclusive`,
    );
  }
  return n;
}

const tokenText = (v: unknown): string =>
  v === undefined ? "]" : typeof v === "string" ? v : JSON.stringify(v);

function compileNumeric(operand: unknown): Matcher {
  if (!Array.isArray(operand)) return fail("Value of numeric must be an array.");
  const [op, first, op2, second, ...rest] = operand as unknown[];
  if (typeof op !== "string") return fail(`Invalid member in numeric match: ${tokenText(op)}`);
  const numeric = (value: unknown, name: string): number => {
    if (typeof value !== "number") fail(`Value of ${name} must be numeric`);
    return checkRange(value as number);
  };
  switch (op) {
    case "=": {
      const v = numeric(first, "equals");
      if (operand.length > 2) fail("Too many elements in numeric expression");
      return {
        kind: "numeric",
        lower: { value: v, inclusive: true },
        upper: { value: v, inclusive: true },
      };
    }
    case "<":
    case "<=": {
      const v = numeric(first, op);
      if (operand.length > 2) fail("Too many elements in numeric expression");
      return { kind: "numeric", upper: { value: v, inclusive: op === "<=" } };
    }
    case ">":
    case ">=": {
      const lower: NumericBound = { value: numeric(first, op), inclusive: op === ">=" };
      if (operand.length === 2) return { kind: "numeric", lower };
      if (typeof op2 !== "string") return fail(`Bad value in numeric range: ${tokenText(op2)}`);
      if (op2 !== "<" && op2 !== "<=") return fail(`Bad numeric range operator: ${op2}`);
      const upper: NumericBound = { value: numeric(second, op2), inclusive: op2 === "<=" };
      if (rest.length > 0) fail("Too many terms in numeric range expression");
      if (lower.value >= upper.value) fail("Bottom must be less than top");
      return { kind: "numeric", lower, upper };
    }
    default:
      return fail(`Unrecognized numeric range operator: ${op}`);
  }
}

const NOT_A_STRING: Record<string, string> = {
  "equals-ignore-case":
    "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.",
  wildcard: "wildcard match pattern must be a string",
  prefix: "prefix/suffix match pattern must be a string",
  suffix: "prefix/suffix match pattern must be a string",
};

/** `{"anything-but": {"prefix"|"suffix"|"equals-ignore-case"|"wildcard": value-or-list}}`. */
function compileAnythingButObject(operand: Record<string, unknown>): Matcher {
  const keys = Object.keys(operand);
  const [name] = keys;
  if (name === undefined) return fail("Anything-But expression name not found");
  const notAString = NOT_A_STRING[name];
  if (notAString === undefined) return fail(`Unsupported anything-but pattern: ${name}`);
  const value = operand[name];
  if (!Array.isArray(value) && typeof value !== "string" && typeof value !== "number") {
    fail("Value of anything-but must be an array or single string/number value.");
  }
  const values = Array.isArray(value) ? value : [value];
  for (const v of values) {
    if (typeof v !== "string") fail(notAString);
    if ((name === "prefix" || name === "suffix") && v === "")
      fail("Null prefix/suffix not allowed");
  }
  const strings = values as string[];
  const matcher: Matcher =
    name === "prefix"
      ? { kind: "anythingButPrefix", values: strings }
      : name === "suffix"
        ? { kind: "anythingButSuffix", values: strings }
        : name === "equals-ignore-case"
          ? { kind: "anythingButIgnoreCase", values: strings }
          : { kind: "anythingButWildcard", globs: strings.map(wildcard) };
  if (keys.length > 1) fail("Too many elements in numeric expression");
  return matcher;
}

function compileAnythingBut(operand: unknown): Matcher {
  if (isPlainObject(operand)) return compileAnythingButObject(operand);
  if (typeof operand === "string") return { kind: "anythingBut", values: [operand] };
  if (typeof operand === "number") return { kind: "anythingBut", values: [checkRange(operand)] };
  if (!Array.isArray(operand)) {
    return fail("Value of anything-but must be an array or single string/number value.");
  }
  let strings = 0;
  let numbers = 0;
  for (const v of operand) {
    if (typeof v === "string") strings += 1;
    else if (typeof v === "number") {
      checkRange(v);
      numbers += 1;
    } else fail("Inside anything but list, start|null|boolean is not supported.");
  }
  if (strings > 0 === numbers > 0) {
    fail(
      "Inside anything but list, either all values are number or string, mixed type is not supported",
    );
  }
  return { kind: "anythingBut", values: operand as Array<string | number> };
}

function wildcard(operand: string): Wildcard {
  try {
    return compileWildcard(operand);
  } catch (error) {
    return fail((error as Error).message, error);
  }
}

function prefixOrSuffix(kind: "prefix" | "suffix", operand: unknown): Matcher {
  if (typeof operand === "string") return { kind, value: operand, ignoreCase: false };
  if (!isPlainObject(operand)) return fail(`${kind} match pattern must be a string`);
  const Kind = kind === "prefix" ? "Prefix" : "Suffix";
  const keys = Object.keys(operand);
  const [name] = keys;
  if (name === undefined) return fail(`${Kind} expression name not found`);
  if (name !== "equals-ignore-case") return fail(`Unsupported ${kind} pattern: ${name}`);
  const inner = operand[name];
  if (typeof inner !== "string") return fail("equals-ignore-case match pattern must be a string");
  if (keys.length > 1) fail("Only one key allowed in match expression");
  return { kind, value: inner, ignoreCase: true };
}

/** Compiles `{ "<operator>": operand }`. */
export function compileMatchExpression(expression: Record<string, unknown>): Matcher {
  const keys = Object.keys(expression);
  const [name] = keys;
  if (name === undefined) return fail("Match expression name not found");
  const operand = expression[name];
  const single = (): void => {
    if (keys.length > 1) fail("Only one key allowed in match expression");
  };
  switch (name) {
    case "exactly": {
      if (typeof operand !== "string") fail("exact match pattern must be a string");
      single();
      return { kind: "exact", value: operand as string };
    }
    case "prefix":
    case "suffix": {
      const m = prefixOrSuffix(name, operand);
      single();
      return m;
    }
    case "equals-ignore-case": {
      if (typeof operand !== "string") fail("equals-ignore-case match pattern must be a string");
      single();
      return { kind: "equalsIgnoreCase", value: operand as string };
    }
    case "wildcard": {
      if (typeof operand !== "string") fail("wildcard match pattern must be a string");
      const glob = wildcard(operand as string);
      single();
      return { kind: "wildcard", glob };
    }
    case "numeric": {
      const m = compileNumeric(operand);
      if (keys.length > 1) fail("Too many elements in numeric expression");
      return m;
    }
    case "anything-but": {
      const m = compileAnythingBut(operand);
      if (keys.length > 1) fail("Too many elements in numeric expression");
      return m;
    }
    case "exists": {
      if (typeof operand !== "boolean") fail("exists match pattern must be either true or false.");
      single();
      return { kind: "exists", value: operand as boolean };
    }
    case "cidr": {
      if (typeof operand !== "string") fail("prefix match pattern must be a string");
      let range: ReturnType<typeof parseCidr> | undefined;
      try {
        range = parseCidr(operand as string);
      } catch (error) {
        fail((error as Error).message, error);
      }
      single();
      return { kind: "cidr", range: range as ReturnType<typeof parseCidr> };
    }
    default:
      return fail(`Unrecognized match type ${name}`);
  }
}
