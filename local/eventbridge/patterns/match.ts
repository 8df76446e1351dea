/**
 * Matching, as event-ruler does it: the event is flattened into leaves keyed by dotted path
 * (so `{"a.b": ..}` and `{"a": {"b": ..}}` are the same field); values inside arrays are
 * leaves of the array's path, and fields taken from objects inside one array must come from
 * the same array element ("array consistency"). Only leaves count: `exists` and every other
 * operator ignore object and empty-array values.
 */
import { ipInRange, parseIp } from "./ip.ts";
import type { CompiledPattern, LeafValue, Matcher, PatternBranch } from "./types.ts";

interface Leaf {
  readonly value: LeafValue;
  /** array id → element index, for every array this leaf sits in. */
  readonly membership: ReadonlyMap<number, number>;
}

type LeafIndex = Map<string, Leaf[]>;

/** An event flattened once, to be matched against many patterns (read-only). */
export type FlattenedEvent = { readonly leaves: LeafIndex };

/** Flattens a (parsed) event for `matchesFlattened`. */
export function flattenEvent(event: unknown): FlattenedEvent {
  return { leaves: flatten(event) };
}

function flatten(event: unknown): LeafIndex {
  const index: LeafIndex = new Map();
  let nextArrayId = 0;
  const walk = (value: unknown, path: string, membership: Map<number, number>): void => {
    if (Array.isArray(value)) {
      const id = nextArrayId++;
      value.forEach((element, i) => {
        walk(element, path, new Map(membership).set(id, i));
      });
      return;
    }
    if (typeof value === "object" && value !== null) {
      for (const [key, child] of Object.entries(value)) {
        walk(child, path === "" ? key : `${path}.${key}`, membership);
      }
      return;
    }
    if (path === "") return;
    const leaves = index.get(path) ?? [];
    leaves.push({ value: value as LeafValue, membership });
    index.set(path, leaves);
  };
  walk(event, "", new Map());
  return index;
}

const FIVE_BILLION = 5e9;
/** event-ruler compares numbers with 6 digits after the decimal point. */
const comparable = (n: number): number => Math.round(n * 1e6);

function inNumericRange(m: Extract<Matcher, { kind: "numeric" }>, value: LeafValue): boolean {
  if (typeof value !== "number" || !inRange(value)) return false;
  const v = comparable(value);
  if (m.lower) {
    const lo = comparable(m.lower.value);
    if (m.lower.inclusive ? v < lo : v <= lo) return false;
  }
  if (m.upper) {
    const hi = comparable(m.upper.value);
    if (m.upper.inclusive ? v > hi : v >= hi) return false;
  }
  return true;
}

const lower = (s: string): string => s.toLowerCase();

const inRange = (n: number): boolean => n >= -FIVE_BILLION && n <= FIVE_BILLION;

/** Numbers are equal by value, to event-ruler's 6 decimal digits inside ±5e9. */
function sameNumber(a: number, b: number): boolean {
  return inRange(a) && inRange(b) ? comparable(a) === comparable(b) : a === b;
}

function exactEquals(m: Extract<Matcher, { kind: "exact" }>, value: LeafValue): boolean {
  if (m.value === value) return true;
  if (typeof m.value === "number" && typeof value === "number") return sameNumber(m.value, value);
  if (m.ip && typeof value === "string") {
    const ip = parseIp(value);
    return ip !== undefined && ip.family === m.ip.family && ip.value === m.ip.value;
  }
  return false;
}

/** Whether one present leaf value satisfies a (non-exists) matcher. */
export function matchValue(m: Matcher, value: LeafValue): boolean {
  switch (m.kind) {
    case "exact":
      return exactEquals(m, value);
    case "prefix":
      if (typeof value !== "string") return false;
      return m.ignoreCase ? lower(value).startsWith(lower(m.value)) : value.startsWith(m.value);
    case "suffix":
      if (typeof value !== "string") return false;
      return m.ignoreCase ? lower(value).endsWith(lower(m.value)) : value.endsWith(m.value);
    case "equalsIgnoreCase":
      return typeof value === "string" && lower(value) === lower(m.value);
    case "wildcard":
      return typeof value === "string" && m.glob.test(value);
    case "anythingBut":
      return !m.values.some(
        (v) =>
          v === value ||
          (typeof v === "number" && typeof value === "number" && sameNumber(v, value)),
      );
    case "anythingButIgnoreCase":
      return typeof value !== "string" || !m.values.some((v) => lower(v) === lower(value));
    case "anythingButPrefix":
      return typeof value !== "string" || !m.values.some((v) => value.startsWith(v));
    case "anythingButSuffix":
      return typeof value !== "string" || !m.values.some((v) => value.endsWith(v));
    case "anythingButWildcard":
      return typeof value !== "string" || !m.globs.some((g) => g.test(value));
    case "numeric":
      return inNumericRange(m, value);
    case "cidr": {
      if (typeof value !== "string") return false;
      const ip = parseIp(value);
      return ip !== undefined && ipInRange(ip, m.range);
    }
    case "exists":
      return m.value;
  }
}

interface FieldCandidates {
  /** true when the field is satisfied by its absence (exists: false and no leaves). */
  readonly absentOk: boolean;
  readonly leaves: readonly Leaf[];
}

function candidates(matchers: readonly Matcher[], leaves: readonly Leaf[]): FieldCandidates {
  const absentOk =
    leaves.length === 0 && matchers.some((m) => m.kind === "exists" && m.value === false);
  const matching = leaves.filter((leaf) => matchers.some((m) => matchValue(m, leaf.value)));
  return { absentOk, leaves: matching };
}

function consistent(a: Leaf, chosen: readonly Leaf[]): boolean {
  for (const other of chosen) {
    for (const [arrayId, index] of a.membership) {
      const otherIndex = other.membership.get(arrayId);
      if (otherIndex !== undefined && otherIndex !== index) return false;
    }
  }
  return true;
}

function matchBranch(branch: PatternBranch, index: LeafIndex): boolean {
  const fields: FieldCandidates[] = [];
  for (const [path, matchers] of branch) {
    const field = candidates(matchers, index.get(path) ?? []);
    if (!field.absentOk && field.leaves.length === 0) return false;
    if (!field.absentOk) fields.push(field);
  }
  // Pick one leaf per field, all from the same elements of any shared array.
  const chosen: Leaf[] = [];
  const search = (i: number): boolean => {
    const field = fields[i];
    if (field === undefined) return true;
    for (const leaf of field.leaves) {
      if (!consistent(leaf, chosen)) continue;
      chosen.push(leaf);
      if (search(i + 1)) return true;
      chosen.pop();
    }
    return false;
  };
  return search(0);
}

/** Whether the (parsed) event matches the compiled pattern. */
export function matchesPattern(pattern: CompiledPattern, event: unknown): boolean {
  return matchesFlattened(pattern, flattenEvent(event));
}

/** Whether an event flattened with `flattenEvent` matches the compiled pattern. */
export function matchesFlattened(pattern: CompiledPattern, event: FlattenedEvent): boolean {
  return pattern.branches.some((branch) => matchBranch(branch, event.leaves));
}
