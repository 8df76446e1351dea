/** Pattern match cases: exact values, arrays, nesting and top-level fields (from the AWS docs). */
import type { MatchCase, TextCase } from "./pattern-cases.ts";

const d = (field: string, ...values: unknown[]) => ({ detail: { [field]: values } });

export const VALUE_CASES: MatchCase[] = [
  {
    name: "exact number compares 6 decimal digits",
    pattern: d("n", 300),
    detail: { n: 300.0000001 },
    match: true,
  },
  {
    name: "exact number differs in 5th decimal",
    pattern: d("n", 300),
    detail: { n: 300.00001 },
    match: false,
  },
  {
    name: "big numbers compare exactly",
    pattern: d("n", 123456789012),
    detail: { n: 123456789012 },
    match: true,
  },
  // --- exact values (type-sensitive, numbers by value) ---
  {
    name: "string equals",
    pattern: d("state", "running"),
    detail: { state: "running" },
    match: true,
  },
  {
    name: "string differs",
    pattern: d("state", "running"),
    detail: { state: "stopped" },
    match: false,
  },
  {
    name: "string is case sensitive",
    pattern: d("state", "running"),
    detail: { state: "Running" },
    match: false,
  },
  {
    name: "any of several values",
    pattern: d("state", "a", "b", "c"),
    detail: { state: "b" },
    match: true,
  },
  {
    name: "none of several values",
    pattern: d("state", "a", "b"),
    detail: { state: "z" },
    match: false,
  },
  { name: "integer equals", pattern: d("n", 300), detail: { n: 300 }, match: true },
  // 300 vs 300.0 / 3.0e2 are in NUMBER_TEXT_CASES: as JS literals they would already be equal.
  { name: "float equals", pattern: d("n", 1.5), detail: { n: 1.5 }, match: true },
  {
    name: "number does not match string",
    pattern: d("n", 300),
    detail: { n: "300" },
    match: false,
  },
  {
    name: "string does not match number",
    pattern: d("n", "300"),
    detail: { n: 300 },
    match: false,
  },
  { name: "true matches true", pattern: d("ok", true), detail: { ok: true }, match: true },
  {
    name: "true does not match 'true'",
    pattern: d("ok", true),
    detail: { ok: "true" },
    match: false,
  },
  {
    name: "false does not match true",
    pattern: d("ok", false),
    detail: { ok: true },
    match: false,
  },
  { name: "null matches null", pattern: d("x", null), detail: { x: null }, match: true },
  { name: "null does not match missing", pattern: d("x", null), detail: {}, match: false },
  {
    name: "null does not match empty string",
    pattern: d("x", null),
    detail: { x: "" },
    match: false,
  },
  { name: "empty string matches empty", pattern: d("x", ""), detail: { x: "" }, match: true },
  {
    name: "empty string does not match null",
    pattern: d("x", ""),
    detail: { x: null },
    match: false,
  },
  {
    name: "missing field never matches a value",
    pattern: d("state", "running"),
    detail: { other: 1 },
    match: false,
  },
  {
    name: "value of an object field does not match",
    pattern: d("obj", "x"),
    detail: { obj: { a: "x" } },
    match: false,
  },
  {
    name: "IP exact value in another notation",
    pattern: d("ip", "2001:db8::1"),
    detail: { ip: "2001:0db8:0:0:0:0:0:1" },
    match: true,
  },
  {
    name: "exactly operator",
    pattern: { detail: { s: [{ exactly: "x" }] } },
    detail: { s: "x" },
    match: true,
  },

  // --- arrays ---
  {
    name: "event array contains the value",
    pattern: d("tags", "b"),
    detail: { tags: ["a", "b"] },
    match: true,
  },
  {
    name: "event array lacks the value",
    pattern: d("tags", "z"),
    detail: { tags: ["a", "b"] },
    match: false,
  },
  {
    name: "arrays intersect",
    pattern: d("tags", "x", "a"),
    detail: { tags: ["a", "b"] },
    match: true,
  },
  {
    name: "nested arrays are flattened",
    pattern: d("m", 3),
    detail: { m: [[1, 2], [3]] },
    match: true,
  },
  {
    name: "empty event array matches no value",
    pattern: { resources: [null] },
    event: { resources: [] },
    match: false,
  },
  {
    name: "resources array from the docs",
    pattern: { resources: ["arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f"] },
    event: {
      resources: [
        "arn:aws:autoscaling:x",
        "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
      ],
    },
    match: true,
  },
  {
    name: "fields of one array element match together",
    pattern: { detail: { items: { k: ["a"], v: [1] } } },
    detail: {
      items: [
        { k: "a", v: 1 },
        { k: "b", v: 2 },
      ],
    },
    match: true,
  },
  {
    name: "fields from different array elements do not combine",
    pattern: { detail: { items: { k: ["a"], v: [2] } } },
    detail: {
      items: [
        { k: "a", v: 1 },
        { k: "b", v: 2 },
      ],
    },
    match: false,
  },

  // --- nesting, top-level fields ---
  {
    name: "nested key",
    pattern: { detail: { a: { b: { c: ["x"] } } } },
    detail: { a: { b: { c: "x" } } },
    match: true,
  },
  {
    name: "nested key wrong level",
    pattern: { detail: { a: { c: ["x"] } } },
    detail: { a: { b: { c: "x" } } },
    match: false,
  },
  {
    name: "dotted pattern key reaches nested field",
    pattern: { "detail.a": ["x"] },
    detail: { a: "x" },
    match: true,
  },
  {
    name: "dotted event key is reached by nesting",
    pattern: { detail: { a: { b: ["x"] } } },
    detail: { "a.b": "x" },
    match: true,
  },
  {
    name: "key names are case sensitive",
    pattern: { detail: { State: ["x"] } },
    detail: { state: "x" },
    match: false,
  },
  {
    name: "source",
    pattern: { source: ["buzzville.camera"] },
    event: { source: "buzzville.camera" },
    match: true,
  },
  {
    name: "source mismatch",
    pattern: { source: ["buzzville.camera"] },
    event: { source: "buzzville.gas" },
    match: false,
  },
  {
    name: "detail-type",
    pattern: { "detail-type": ["FireAlarmRaised"] },
    event: { "detail-type": "FireAlarmRaised" },
    match: true,
  },
  {
    name: "account",
    pattern: { account: ["000000000000"] },
    event: { account: "000000000000" },
    match: true,
  },
  {
    name: "region",
    pattern: { region: ["eu-west-1"] },
    event: { region: "us-east-1" },
    match: false,
  },
  { name: "id", pattern: { id: [{ prefix: "abc" }] }, event: { id: "abc-123" }, match: true },
  {
    name: "time prefix (docs)",
    pattern: { time: [{ prefix: "2017-10-02" }] },
    event: { time: "2017-10-02T12:00:00Z" },
    match: true,
  },
  {
    name: "all fields must match (AND)",
    pattern: { source: ["s"], "detail-type": ["t"], detail: { x: [1] } },
    event: { source: "s", "detail-type": "t", detail: { x: 1 } },
    match: true,
  },
  {
    name: "one failing field fails the AND",
    pattern: { source: ["s"], "detail-type": ["t"], detail: { x: [1] } },
    event: { source: "s", "detail-type": "other", detail: { x: 1 } },
    match: false,
  },
  {
    name: "fields not in the pattern are ignored",
    pattern: d("a", 1),
    detail: { a: 1, b: 2, c: { d: 3 } },
    match: true,
  },
];

/**
 * Number cases given as JSON TEXT (pattern and `detail`), so the spelling of the number
 * (300 / 300.0 / 3e2 / 3.0e2 / "300") reaches the engine the way PutRule and PutEvents
 * deliver it. event-ruler compares numbers inside ±5e9 by value to 6 decimals.
 */
export const NUMBER_TEXT_CASES: TextCase[] = [
  {
    name: "3e2 equals 300.0",
    pattern: '{"detail":{"n":[3e2]}}',
    detail: '{"n":300.0}',
    match: true,
  },
  {
    name: "300 equals 3.0e2",
    pattern: '{"detail":{"n":[300]}}',
    detail: '{"n":3.0e2}',
    match: true,
  },
  {
    name: "300.0 equals 300",
    pattern: '{"detail":{"n":[300.0]}}',
    detail: '{"n":300}',
    match: true,
  },
  { name: "3E+2 equals 300", pattern: '{"detail":{"n":[3E+2]}}', detail: '{"n":300}', match: true },
  { name: '300 vs "300"', pattern: '{"detail":{"n":[300]}}', detail: '{"n":"300"}', match: false },
  {
    name: '"300" vs 300.0',
    pattern: '{"detail":{"n":["300"]}}',
    detail: '{"n":300.0}',
    match: false,
  },
  { name: '"3e2" vs 300', pattern: '{"detail":{"n":["3e2"]}}', detail: '{"n":300}', match: false },
  { name: "301 vs 3.0e2", pattern: '{"detail":{"n":[301]}}', detail: '{"n":3.0e2}', match: false },
  {
    name: "7th decimal ignored",
    pattern: '{"detail":{"n":[300]}}',
    detail: '{"n":300.0000001}',
    match: true,
  },
  {
    name: "6th decimal counts",
    pattern: '{"detail":{"n":[300]}}',
    detail: '{"n":300.000001}',
    match: false,
  },
  {
    name: "numeric = 3.0e2 vs 300.00",
    pattern: '{"detail":{"n":[{"numeric":["=",3.0e2]}]}}',
    detail: '{"n":300.00}',
    match: true,
  },
  {
    name: "anything-but 3e2 vs 300.0",
    pattern: '{"detail":{"n":[{"anything-but":[3e2]}]}}',
    detail: '{"n":300.0}',
    match: false,
  },
  {
    name: "1e2 in an array of numbers",
    pattern: '{"detail":{"n":[1e2]}}',
    detail: '{"n":[5, 100.0]}',
    match: true,
  },
  {
    name: "5e9 boundary equals 5000000000.0",
    pattern: '{"detail":{"n":[5e9]}}',
    detail: '{"n":5000000000.0}',
    match: true,
  },
  {
    name: "-0.5 equals -5e-1",
    pattern: '{"detail":{"n":[-0.5]}}',
    detail: '{"n":-5e-1}',
    match: true,
  },
];
