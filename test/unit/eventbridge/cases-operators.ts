/** Pattern match cases: numeric, exists, cidr and $or (from the AWS docs). */
import type { MatchCase } from "./pattern-cases.ts";

export const OPERATOR_CASES: MatchCase[] = [
  // --- numeric ---
  {
    name: "numeric > 0 and <= 5, inside",
    pattern: { detail: { c: [{ numeric: [">", 0, "<=", 5] }] } },
    detail: { c: 5 },
    match: true,
  },
  {
    name: "numeric > 0 and <= 5, lower bound excluded",
    pattern: { detail: { c: [{ numeric: [">", 0, "<=", 5] }] } },
    detail: { c: 0 },
    match: false,
  },
  {
    name: "numeric > 0 and <= 5, above",
    pattern: { detail: { c: [{ numeric: [">", 0, "<=", 5] }] } },
    detail: { c: 5.000001 },
    match: false,
  },
  {
    name: "numeric >= inclusive",
    pattern: { detail: { c: [{ numeric: [">=", 10] }] } },
    detail: { c: 10 },
    match: true,
  },
  {
    name: "numeric >= below",
    pattern: { detail: { c: [{ numeric: [">=", 10] }] } },
    detail: { c: 9.99 },
    match: false,
  },
  {
    name: "numeric < exclusive",
    pattern: { detail: { c: [{ numeric: ["<", 10] }] } },
    detail: { c: 10 },
    match: false,
  },
  {
    name: "numeric < below",
    pattern: { detail: { c: [{ numeric: ["<", 10] }] } },
    detail: { c: -3 },
    match: true,
  },
  {
    name: "numeric <= inclusive",
    pattern: { detail: { c: [{ numeric: ["<=", 10] }] } },
    detail: { c: 10 },
    match: true,
  },
  {
    name: "numeric = by value",
    pattern: { detail: { x: [{ numeric: ["=", 3.018e2] }] } },
    detail: { x: 301.8 },
    match: true,
  },
  {
    name: "numeric = differs",
    pattern: { detail: { x: [{ numeric: ["=", 300] }] } },
    detail: { x: 300.5 },
    match: false,
  },
  {
    name: "numeric >= and < range",
    pattern: { detail: { x: [{ numeric: [">=", 1, "<", 2] }] } },
    detail: { x: 1.999 },
    match: true,
  },
  {
    name: "numeric ignores strings",
    pattern: { detail: { x: [{ numeric: [">", 0] }] } },
    detail: { x: "5" },
    match: false,
  },
  {
    name: "numeric ignores booleans",
    pattern: { detail: { x: [{ numeric: [">", 0] }] } },
    detail: { x: true },
    match: false,
  },
  {
    name: "numeric negative range",
    pattern: { detail: { x: [{ numeric: [">", -10, "<", -5] }] } },
    detail: { x: -7 },
    match: true,
  },
  {
    name: "numeric on array element",
    pattern: { detail: { x: [{ numeric: [">", 100] }] } },
    detail: { x: [1, 2, 101] },
    match: true,
  },
  {
    name: "numeric compares six decimal digits",
    pattern: { detail: { x: [{ numeric: ["=", 1.0000001] }] } },
    detail: { x: 1.0000004 },
    match: true,
  },
  {
    name: "numeric sixth decimal differs",
    pattern: { detail: { x: [{ numeric: ["=", 1.000001] }] } },
    detail: { x: 1.000003 },
    match: false,
  },
  {
    name: "numeric beyond the limit never matches",
    pattern: { detail: { x: [{ numeric: [">", 0] }] } },
    detail: { x: 6e9 },
    match: false,
  },
  {
    name: "numeric at the upper limit",
    pattern: { detail: { x: [{ numeric: ["<=", 5e9] }] } },
    detail: { x: 5e9 },
    match: true,
  },
  {
    name: "numeric or exact in one list",
    pattern: { detail: { x: [{ numeric: [">", 10] }, 3] } },
    detail: { x: 3 },
    match: true,
  },

  // --- exists ---
  {
    name: "exists true, present",
    pattern: { detail: { k: [{ exists: true }] } },
    detail: { k: "v" },
    match: true,
  },
  {
    name: "exists true, absent",
    pattern: { detail: { k: [{ exists: true }] } },
    detail: { other: "v" },
    match: false,
  },
  {
    name: "exists true, null counts as present",
    pattern: { detail: { k: [{ exists: true }] } },
    detail: { k: null },
    match: true,
  },
  {
    name: "exists false, absent",
    pattern: { detail: { k: [{ exists: false }] } },
    detail: { other: 1 },
    match: true,
  },
  {
    name: "exists false, present",
    pattern: { detail: { k: [{ exists: false }] } },
    detail: { k: "v" },
    match: false,
  },
  {
    name: "exists false, whole detail missing",
    pattern: { detail: { k: [{ exists: false }] } },
    event: {},
    match: true,
  },
  {
    name: "exists true on an object (leaf only)",
    pattern: { detail: { k: [{ exists: true }] } },
    detail: { k: { a: 1 } },
    match: false,
  },
  {
    name: "exists false on an object (leaf only)",
    pattern: { detail: { k: [{ exists: false }] } },
    detail: { k: { a: 1 } },
    match: true,
  },
  {
    name: "exists true on a non-empty array",
    pattern: { detail: { k: [{ exists: true }] } },
    detail: { k: [1] },
    match: true,
  },
  {
    name: "exists true on an empty array",
    pattern: { detail: { k: [{ exists: true }] } },
    detail: { k: [] },
    match: false,
  },
  {
    name: "exists false on an empty array",
    pattern: { detail: { k: [{ exists: false }] } },
    detail: { k: [] },
    match: true,
  },
  {
    name: "exists true, nested leaf",
    pattern: { detail: { a: { b: [{ exists: true }] } } },
    detail: { a: { b: 0 } },
    match: true,
  },
  {
    name: "exists false with another condition",
    pattern: { detail: { a: [{ exists: false }], b: ["x"] } },
    detail: { b: "x" },
    match: true,
  },
  {
    name: "exists or value",
    pattern: { detail: { a: ["x", { exists: false }] } },
    detail: { a: "y" },
    match: false,
  },

  // --- cidr ---
  {
    name: "cidr IPv4 inside",
    pattern: { detail: { ip: [{ cidr: "10.0.0.0/24" }] } },
    detail: { ip: "10.0.0.255" },
    match: true,
  },
  {
    name: "cidr IPv4 outside",
    pattern: { detail: { ip: [{ cidr: "10.0.0.0/24" }] } },
    detail: { ip: "10.0.1.0" },
    match: false,
  },
  {
    name: "cidr /32",
    pattern: { detail: { ip: [{ cidr: "192.168.1.7/32" }] } },
    detail: { ip: "192.168.1.7" },
    match: true,
  },
  {
    name: "cidr /0 matches every IPv4",
    pattern: { detail: { ip: [{ cidr: "0.0.0.0/0" }] } },
    detail: { ip: "8.8.8.8" },
    match: true,
  },
  {
    name: "cidr IPv6 inside",
    pattern: { detail: { ip: [{ cidr: "2001:db8::/32" }] } },
    detail: { ip: "2001:db8:1234::1" },
    match: true,
  },
  {
    name: "cidr IPv6 outside",
    pattern: { detail: { ip: [{ cidr: "2001:db8::/32" }] } },
    detail: { ip: "2001:db9::1" },
    match: false,
  },
  {
    name: "cidr IPv6 full notation",
    pattern: { detail: { ip: [{ cidr: "2001:db8::/64" }] } },
    detail: { ip: "2001:0db8:0000:0000:abcd:0000:0000:0001" },
    match: true,
  },
  {
    name: "cidr family mismatch",
    pattern: { detail: { ip: [{ cidr: "10.0.0.0/8" }] } },
    detail: { ip: "::1" },
    match: false,
  },
  {
    name: "cidr value is not an IP",
    pattern: { detail: { ip: [{ cidr: "10.0.0.0/8" }] } },
    detail: { ip: "hello" },
    match: false,
  },
  {
    name: "cidr value is a number",
    pattern: { detail: { ip: [{ cidr: "10.0.0.0/8" }] } },
    detail: { ip: 10 },
    match: false,
  },

  // --- $or ---
  {
    name: "$or first branch",
    pattern: {
      detail: { $or: [{ c: [{ numeric: [">", 0, "<=", 5] }] }, { d: [{ numeric: ["<", 10] }] }] },
    },
    detail: { c: 3 },
    match: true,
  },
  {
    name: "$or second branch",
    pattern: {
      detail: { $or: [{ c: [{ numeric: [">", 0, "<=", 5] }] }, { d: [{ numeric: ["<", 10] }] }] },
    },
    detail: { c: 50, d: 1 },
    match: true,
  },
  {
    name: "$or no branch",
    pattern: { detail: { $or: [{ c: [1] }, { d: [2] }] } },
    detail: { c: 2, d: 1 },
    match: false,
  },
  {
    name: "$or at top level with AND",
    pattern: { source: ["s"], $or: [{ "detail-type": ["a"] }, { detail: { x: ["y"] } }] },
    event: { source: "s", "detail-type": "b", detail: { x: "y" } },
    match: true,
  },
  {
    name: "$or does not lift the AND",
    pattern: { source: ["s"], $or: [{ "detail-type": ["a"] }, { detail: { x: ["y"] } }] },
    event: { source: "other", "detail-type": "a" },
    match: false,
  },
  {
    name: "nested $or",
    pattern: { detail: { $or: [{ a: [1] }, { $or: [{ b: [2] }, { c: [3] }] }] } },
    detail: { c: 3 },
    match: true,
  },
  {
    name: "nested $or no match",
    pattern: { detail: { $or: [{ a: [1] }, { $or: [{ b: [2] }, { c: [3] }] }] } },
    detail: { c: 4 },
    match: false,
  },
  {
    name: "$or with exists",
    pattern: { detail: { $or: [{ a: [{ exists: false }] }, { b: ["x"] }] } },
    detail: { a: 1, b: "x" },
    match: true,
  },
  {
    name: "$or with anything-but",
    pattern: { detail: { $or: [{ a: [{ "anything-but": "x" }] }, { b: ["y"] }] } },
    detail: { a: "x", b: "z" },
    match: false,
  },
  {
    name: "disjoint $or siblings each fork",
    pattern: {
      $or: [{ source: ["a"] }, { source: ["b"] }],
      detail: { $or: [{ x: [1] }, { y: [1] }] },
    },
    event: { source: "b", detail: { y: 1 } },
    match: true,
  },
];
