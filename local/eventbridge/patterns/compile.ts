/**
 * Event pattern compiler: validates a pattern like AWS (event-ruler's JsonRuleCompiler) and
 * flattens it into AND-branches of dotted paths; `$or` forks branches. Within a branch each
 * path holds one OR-list of matchers: the last one written in document order.
 */
import { InvalidEventPatternError } from "../errors.ts";
import { TOO_COMPLEX, wildcardComplexity } from "./complexity.ts";
import { parseIp } from "./ip.ts";
import { compileMatchExpression, PatternSyntaxError } from "./operators.ts";
import type { CompiledPattern, Matcher } from "./types.ts";

const OR = "$or";
const RESERVED_IN_OR = new Set([
  "anything-but",
  "exists",
  "prefix",
  "suffix",
  "numeric",
  "cidr",
  "equals-ignore-case",
  "wildcard",
  "exactly",
]);

type Branch = Map<string, Matcher[]>;

const fail = (reason: string): never => {
  throw new PatternSyntaxError(reason);
};

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function compileValues(values: unknown[]): Matcher[] {
  const matchers: Matcher[] = [];
  for (const value of values) {
    if (isPlainObject(value)) {
      matchers.push(compileMatchExpression(value));
    } else if (typeof value === "string") {
      const ip = parseIp(value);
      matchers.push(ip ? { kind: "exact", value, ip } : { kind: "exact", value });
    } else if (typeof value === "number" || typeof value === "boolean" || value === null) {
      matchers.push({ kind: "exact", value });
    } else {
      fail("Match value must be String, number, true, false, or null");
    }
  }
  if (matchers.length === 0) fail("Empty arrays are not allowed");
  return matchers;
}

function parseOr(branches: Branch[], path: string, value: unknown): Branch[] {
  if (!Array.isArray(value)) return fail(`It must be an Array followed with ${OR}.`);
  const base = branches.length > 0 ? branches : [new Map()];
  const out: Branch[] = [];
  for (const alternative of value) {
    if (!isPlainObject(alternative)) {
      fail(`Only JSON object is allowed in array of ${OR} relationship.`);
    }
    const forked = base.map((b) => new Map(b));
    out.push(...parseObject(forked, path, alternative as Record<string, unknown>, true));
  }
  if (value.length < 2) fail(`There must have at least 2 Objects in ${OR} relationship.`);
  return out;
}

function parseObject(
  input: Branch[],
  path: string,
  object: Record<string, unknown>,
  insideOr: boolean,
): Branch[] {
  let branches = input;
  const keys = Object.keys(object);
  if (keys.length === 0) fail("Empty objects are not allowed");
  for (const key of keys) {
    const value = object[key];
    if (key === OR) {
      branches = parseOr(branches, path, value);
      continue;
    }
    if (insideOr && RESERVED_IN_OR.has(key)) {
      fail(`${key} is Ruler reserved fieldName which cannot be used inside ${OR}.`);
    }
    const child = path === "" ? key : `${path}.${key}`;
    if (isPlainObject(value)) {
      branches = parseObject(branches, child, value, insideOr);
    } else if (Array.isArray(value)) {
      const matchers = compileValues(value);
      if (branches.length === 0) branches = [new Map()];
      // Replace, not AND: like event-ruler's `rule.put(name, values)` (withOverriding, the
      // default), a later constraint on the same path wins in each branch, so an `$or` branch
      // can override an outer field. AWS: "If multiple patterns are specified for the same
      // JSON field, EventBridge only uses the last one." (cases-or-override.ts)
      for (const branch of branches) branch.set(child, matchers);
    } else {
      fail(`"${key}" must be an object or an array`);
    }
  }
  return branches;
}

/** Refuses a branch whose wildcards on one field are too complex for AWS (complexity.ts). */
function checkComplexity(branches: readonly Branch[]): void {
  for (const branch of branches) {
    for (const matchers of branch.values()) {
      const globs = matchers.flatMap((m) =>
        m.kind === "wildcard" ? [m.glob] : m.kind === "anythingButWildcard" ? m.globs : [],
      );
      if (globs.length > 0 && !Number.isFinite(wildcardComplexity(globs))) fail(TOO_COMPLEX);
    }
  }
}

/** Compiles an already-parsed pattern; throws InvalidEventPatternError with AWS's reason. */
export function compilePatternValue(pattern: unknown): CompiledPattern {
  try {
    if (!isPlainObject(pattern)) fail("Filter is not an object");
    const branches = parseObject([], "", pattern as Record<string, unknown>, false);
    checkComplexity(branches);
    return { source: pattern, branches };
  } catch (error) {
    if (error instanceof PatternSyntaxError) {
      throw new InvalidEventPatternError(error.message, { cause: error });
    }
    throw error;
  }
}

/** Parses and compiles a pattern given as JSON text (PutRule, TestEventPattern, archives). */
export function compilePattern(text: string): CompiledPattern {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InvalidEventPatternError(`Filter is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return compilePatternValue(parsed);
}
