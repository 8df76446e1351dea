/** Invalid patterns and event-ruler's reason texts. */
import type { InvalidCase } from "./pattern-cases.ts";

export const INVALID_CASES: InvalidCase[] = [
  { name: "not an object", pattern: ["a"], reason: "Filter is not an object" },
  {
    name: "string value without array",
    pattern: { string: "my-value" },
    reason: '"string" must be an object or an array',
  },
  {
    name: "number value without array",
    pattern: { int: 42 },
    reason: '"int" must be an object or an array',
  },
  { name: "empty array", pattern: { resources: [] }, reason: "Empty arrays are not allowed" },
  { name: "empty object", pattern: { detail: {} }, reason: "Empty objects are not allowed" },
  {
    name: "nested array value",
    pattern: { a: [["x"]] },
    reason: "Match value must be String, number, true, false, or null",
  },
  {
    name: "unknown operator",
    pattern: { a: [{ contains: "x" }] },
    reason: "Unrecognized match type contains",
  },
  {
    name: "operator is case sensitive",
    pattern: { my_key: [{ EXISTS: true }] },
    reason: "Unrecognized match type EXISTS",
  },
  {
    name: "NUMERIC in caps",
    pattern: { detail: { equal: [{ NUMERIC: ["=", 5] }] } },
    reason: "Unrecognized match type NUMERIC",
  },
  {
    name: "empty match expression",
    pattern: { a: [{}] },
    reason: "Match expression name not found",
  },
  {
    name: "two operators in one expression",
    pattern: { a: [{ prefix: "a", suffix: "b" }] },
    reason: "Only one key allowed in match expression",
  },
  {
    name: "prefix not a string",
    pattern: { a: [{ prefix: 1 }] },
    reason: "prefix match pattern must be a string",
  },
  {
    name: "suffix not a string",
    pattern: { a: [{ suffix: ["x"] }] },
    reason: "suffix match pattern must be a string",
  },
  {
    name: "equals-ignore-case list",
    pattern: { "detail-type": [{ "equals-ignore-case": ["x"] }] },
    reason: "equals-ignore-case match pattern must be a string",
  },
  {
    name: "equals-ignore-case object",
    pattern: { "detail-type": [{ "equals-ignore-case": { prefix: "ec2" } }] },
    reason: "equals-ignore-case match pattern must be a string",
  },
  {
    name: "wildcard not a string",
    pattern: { a: [{ wildcard: 5 }] },
    reason: "wildcard match pattern must be a string",
  },
  {
    name: "consecutive wildcards",
    pattern: { key: [{ wildcard: "abc**def" }] },
    reason: "Consecutive wildcard characters at pos 4",
  },
  {
    name: "consecutive wildcards in an arn",
    pattern: { EventBusArn: [{ wildcard: "arn:aws:events:us-east-1:**:event-bus/*" }] },
    reason: "Consecutive wildcard characters at pos 26",
  },
  {
    name: "invalid escape in wildcard",
    pattern: { key: [{ wildcard: "a*c\\def" }] },
    reason: "Invalid escape character at pos 4",
  },
  {
    name: "exists not boolean",
    pattern: { a: [{ exists: "true" }] },
    reason: "exists match pattern must be either true or false.",
  },
  {
    name: "numeric not array",
    pattern: { a: [{ numeric: ">" }] },
    reason: "Value of numeric must be an array.",
  },
  {
    name: "numeric empty",
    pattern: { a: [{ numeric: [] }] },
    reason: "Invalid member in numeric match: ]",
  },
  {
    name: "numeric operator not a string",
    pattern: { a: [{ numeric: [5] }] },
    reason: "Invalid member in numeric match: 5",
  },
  {
    name: "numeric unknown operator",
    pattern: { a: [{ numeric: ["!=", 5] }] },
    reason: "Unrecognized numeric range operator: !=",
  },
  {
    name: "numeric = needs number",
    pattern: { a: [{ numeric: ["=", "5"] }] },
    reason: "Value of equals must be numeric",
  },
  {
    name: "numeric < missing value",
    pattern: { detail: { c: [{ numeric: [">", 0, "<"] }] } },
    reason: "Value of < must be numeric",
  },
  {
    name: "numeric two lower bounds",
    pattern: { detail: { c: [{ numeric: [">", 0, ">", 0] }] } },
    reason: "Bad numeric range operator: >",
  },
  {
    name: "numeric second operator not string",
    pattern: { a: [{ numeric: [">", 0, 5] }] },
    reason: "Bad value in numeric range: 5",
  },
  {
    name: "numeric < with extra terms",
    pattern: { a: [{ numeric: ["<", 5, ">", 1] }] },
    reason: "Too many elements in numeric expression",
  },
  {
    name: "numeric = with extra terms",
    pattern: { a: [{ numeric: ["=", 5, "<", 9] }] },
    reason: "Too many elements in numeric expression",
  },
  {
    name: "numeric range with extra terms",
    pattern: { a: [{ numeric: [">", 0, "<", 5, "<", 6] }] },
    reason: "Too many terms in numeric range expression",
  },
  {
    name: "numeric bottom above top",
    pattern: { a: [{ numeric: [">", 10, "<", 5] }] },
    reason: "Bottom must be less than top",
  },
  {
    name: "numeric value beyond limit",
    pattern: { a: [{ numeric: [">", 6e9] }] },
    reason: "Value must be between -5.0E9 and 5.0E9, inclusive",
  },
  {
    name: "anything-but null",
    pattern: { a: [{ "anything-but": null }] },
    reason: "Value of anything-but must be an array or single string/number value.",
  },
  {
    name: "anything-but boolean",
    pattern: { a: [{ "anything-but": true }] },
    reason: "Value of anything-but must be an array or single string/number value.",
  },
  {
    name: "anything-but list with null",
    pattern: { a: [{ "anything-but": ["a", null] }] },
    reason: "Inside anything but list, start|null|boolean is not supported.",
  },
  {
    name: "anything-but mixed list",
    pattern: { a: [{ "anything-but": ["a", 1] }] },
    reason:
      "Inside anything but list, either all values are number or string, mixed type is not supported",
  },
  {
    name: "anything-but empty list",
    pattern: { a: [{ "anything-but": [] }] },
    reason:
      "Inside anything but list, either all values are number or string, mixed type is not supported",
  },
  {
    name: "anything-but unsupported operator",
    pattern: { a: [{ "anything-but": { numeric: [">", 1] } }] },
    reason: "Unsupported anything-but pattern: numeric",
  },
  {
    name: "anything-but empty prefix",
    pattern: { a: [{ "anything-but": { prefix: "" } }] },
    reason: "Null prefix/suffix not allowed",
  },
  {
    name: "anything-but prefix not string",
    pattern: { a: [{ "anything-but": { prefix: 1 } }] },
    reason: "prefix/suffix match pattern must be a string",
  },
  {
    name: "anything-but suffix empty",
    pattern: { a: [{ "anything-but": { suffix: "" } }] },
    reason: "Null prefix/suffix not allowed",
  },
  {
    name: "anything-but equals-ignore-case number",
    pattern: { detail: { state: [{ "anything-but": { "equals-ignore-case": 123 } }] } },
    reason:
      "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.",
  },
  {
    name: "anything-but equals-ignore-case number list",
    pattern: { detail: { state: [{ "anything-but": { "equals-ignore-case": [123, 456] } }] } },
    reason:
      "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.",
  },
  {
    name: "anything-but wildcard consecutive",
    pattern: { a: [{ "anything-but": { wildcard: "a**" } }] },
    reason: "Consecutive wildcard characters at pos 2",
  },
  {
    name: "cidr without slash",
    pattern: { a: [{ cidr: "10.0.0.0" }] },
    reason: "Malformed CIDR, one '/' required",
  },
  {
    name: "cidr mask not integer",
    pattern: { a: [{ cidr: "10.0.0.0/x" }] },
    reason: "Malformed CIDR, mask bits must be an integer",
  },
  {
    name: "cidr bad address",
    pattern: { a: [{ cidr: "10.0.0.300/24" }] },
    reason: "Nonstandard IP address: 10.0.0.300",
  },
  {
    name: "cidr bad IPv6",
    pattern: { a: [{ cidr: "2001:db8:::1/64" }] },
    reason: "Nonstandard IP address: 2001:db8:::1",
  },
  {
    name: "cidr not a string",
    pattern: { a: [{ cidr: 10 }] },
    reason: "prefix match pattern must be a string",
  },
  {
    name: "$or not an array",
    pattern: { $or: { a: ["x"] } },
    reason: "It must be an Array followed with $or.",
  },
  {
    name: "$or with one object",
    pattern: { $or: [{ a: ["x"] }] },
    reason: "There must have at least 2 Objects in $or relationship.",
  },
  {
    name: "$or with a non-object",
    pattern: { $or: [{ a: ["x"] }, "b"] },
    reason: "Only JSON object is allowed in array of $or relationship.",
  },
  {
    name: "reserved name inside $or",
    pattern: { $or: [{ a: ["x"] }, { numeric: [1] }] },
    reason: "numeric is Ruler reserved fieldName which cannot be used inside $or.",
  },
  {
    name: "prefix object without operator",
    pattern: { a: [{ prefix: {} }] },
    reason: "Prefix expression name not found",
  },
  {
    name: "prefix with another operator",
    pattern: { a: [{ prefix: { wildcard: "x" } }] },
    reason: "Unsupported prefix pattern: wildcard",
  },
  {
    name: "suffix with another operator",
    pattern: { a: [{ suffix: { prefix: "x" } }] },
    reason: "Unsupported suffix pattern: prefix",
  },
  {
    name: "prefix ignore-case not a string",
    pattern: { a: [{ prefix: { "equals-ignore-case": 1 } }] },
    reason: "equals-ignore-case match pattern must be a string",
  },
  {
    name: "anything-but prefix object value",
    pattern: { a: [{ "anything-but": { prefix: { x: 1 } } }] },
    reason: "Value of anything-but must be an array or single string/number value.",
  },
  {
    name: "anything-but wildcard number",
    pattern: { a: [{ "anything-but": { wildcard: 1 } }] },
    reason: "wildcard match pattern must be a string",
  },
  {
    name: "anything-but prefix list with empty",
    pattern: { a: [{ "anything-but": { prefix: ["a", ""] } }] },
    reason: "Null prefix/suffix not allowed",
  },
  {
    name: "anything-but object with two keys",
    pattern: { a: [{ "anything-but": { prefix: "a", suffix: "b" } }] },
    reason: "Too many elements in numeric expression",
  },
];
