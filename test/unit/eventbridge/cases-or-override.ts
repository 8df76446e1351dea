/**
 * A field constrained both outside an `$or` and inside one of its branches. EventBridge
 * compiles patterns with event-ruler, whose JsonRuleCompiler writes each field into every
 * branch with `rule.put(name, values)`: a later constraint on the same path REPLACES the
 * earlier one in that branch (document order), it is not AND-ed. event-ruler's own test
 * `testWithRuleOverride` asserts exactly this, and the EventBridge guide ("Event pattern
 * syntax", considerations) says: "If multiple patterns are specified for the same JSON field,
 * EventBridge only uses the last one."
 */
import type { MatchCase } from "./pattern-cases.ts";

const envelope = (source: string, detail: Record<string, unknown>) => ({
  version: "0",
  id: "1",
  "detail-type": "T",
  source,
  account: "000000000000",
  time: "2026-11-23T15:00:00Z",
  region: "us-east-1",
  resources: [],
  detail,
});

// Branches: { source: ["b"] } and { source: ["a"], detail.x: [1] }.
const OUTER_THEN_OR = { source: ["a"], $or: [{ source: ["b"] }, { detail: { x: [1] } }] };
// Branches: { source: ["a"] } and { source: ["a"], detail.x: [1] } (the later "source" wins).
const OR_THEN_OUTER = { $or: [{ source: ["b"] }, { detail: { x: [1] } }], source: ["a"] };
// event-ruler's testWithRuleOverride rule.
const RULER_TEST = {
  name: ["a", "b"],
  $or: [{ name: [{ "anything-but": "a" }] }, { condition1: ["x"] }],
};
const NESTED = { detail: { state: ["on"], $or: [{ state: ["off"] }, { zone: ["z3"] }] } };

export const OR_OVERRIDE_CASES: MatchCase[] = [
  {
    name: "$or branch replaces the outer value of the same field (source b)",
    pattern: OUTER_THEN_OR,
    event: envelope("b", {}),
    match: true,
  },
  {
    name: "outer value still holds in the other branch (source a, x 1)",
    pattern: OUTER_THEN_OR,
    event: envelope("a", { x: 1 }),
    match: true,
  },
  {
    name: "outer value without the other branch's field (source a)",
    pattern: OUTER_THEN_OR,
    event: envelope("a", {}),
    match: false,
  },
  {
    name: "neither outer nor branch value (source c, x 1)",
    pattern: OUTER_THEN_OR,
    event: envelope("c", { x: 1 }),
    match: false,
  },
  {
    name: "a field after the $or replaces the branch's value (source b)",
    pattern: OR_THEN_OUTER,
    event: envelope("b", {}),
    match: false,
  },
  {
    name: "a field after the $or applies to every branch (source a)",
    pattern: OR_THEN_OUTER,
    event: envelope("a", {}),
    match: true,
  },
  {
    name: "event-ruler testWithRuleOverride: name c matches the overriding branch",
    pattern: RULER_TEST,
    event: { name: "c" },
    match: true,
  },
  {
    name: "event-ruler testWithRuleOverride: name a with condition1 x",
    pattern: RULER_TEST,
    event: { name: "a", condition1: "x" },
    match: true,
  },
  {
    name: "event-ruler testWithRuleOverride: name a alone",
    pattern: RULER_TEST,
    event: { name: "a" },
    match: false,
  },
  {
    name: "nested: branch value replaces the outer one (state off)",
    pattern: NESTED,
    event: envelope("s", { state: "off" }),
    match: true,
  },
  {
    name: "nested: outer value with the other branch (state on, zone z3)",
    pattern: NESTED,
    event: envelope("s", { state: "on", zone: "z3" }),
    match: true,
  },
  {
    name: "nested: outer value, other branch fails (state on, zone z1)",
    pattern: NESTED,
    event: envelope("s", { state: "on", zone: "z1" }),
    match: false,
  },
];
