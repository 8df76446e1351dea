/** Pattern match cases: prefix, suffix, equals-ignore-case and wildcard (from the AWS docs). */
import type { MatchCase } from "./pattern-cases.ts";

export const STRING_CASES: MatchCase[] = [
  // --- prefix ---
  {
    name: "prefix matches",
    pattern: { detail: { r: [{ prefix: "us-" }] } },
    detail: { r: "us-east-1" },
    match: true,
  },
  {
    name: "prefix does not match",
    pattern: { detail: { r: [{ prefix: "us-" }] } },
    detail: { r: "eu-west-1" },
    match: false,
  },
  {
    name: "prefix is case sensitive",
    pattern: { detail: { r: [{ prefix: "US-" }] } },
    detail: { r: "us-east-1" },
    match: false,
  },
  {
    name: "prefix equal to the whole value",
    pattern: { detail: { r: [{ prefix: "us" }] } },
    detail: { r: "us" },
    match: true,
  },
  {
    name: "prefix never matches numbers",
    pattern: { detail: { r: [{ prefix: "1" }] } },
    detail: { r: 123 },
    match: false,
  },
  {
    name: "empty prefix matches any string",
    pattern: { detail: { r: [{ prefix: "" }] } },
    detail: { r: "x" },
    match: true,
  },
  {
    name: "prefix on array element",
    pattern: { detail: { r: [{ prefix: "b" }] } },
    detail: { r: ["a", "bc"] },
    match: true,
  },
  {
    name: "prefix equals-ignore-case",
    pattern: { detail: { s: [{ prefix: { "equals-ignore-case": "EventB" } }] } },
    detail: { s: "eventbridge" },
    match: true,
  },
  {
    name: "prefix equals-ignore-case no match",
    pattern: { detail: { s: [{ prefix: { "equals-ignore-case": "sqs" } }] } },
    detail: { s: "eventbridge" },
    match: false,
  },

  // --- suffix ---
  {
    name: "suffix matches",
    pattern: { detail: { f: [{ suffix: ".png" }] } },
    detail: { f: "image.png" },
    match: true,
  },
  {
    name: "suffix does not match",
    pattern: { detail: { f: [{ suffix: ".png" }] } },
    detail: { f: "image.jpg" },
    match: false,
  },
  {
    name: "suffix is case sensitive",
    pattern: { detail: { f: [{ suffix: ".PNG" }] } },
    detail: { f: "image.png" },
    match: false,
  },
  {
    name: "suffix never matches numbers",
    pattern: { detail: { f: [{ suffix: "3" }] } },
    detail: { f: 123 },
    match: false,
  },
  {
    name: "suffix equals-ignore-case",
    pattern: { detail: { f: [{ suffix: { "equals-ignore-case": ".PNG" } }] } },
    detail: { f: "a.png" },
    match: true,
  },
  {
    name: "suffix equals-ignore-case no match",
    pattern: { detail: { f: [{ suffix: { "equals-ignore-case": ".gif" } }] } },
    detail: { f: "a.png" },
    match: false,
  },

  // --- equals-ignore-case ---
  {
    name: "equals-ignore-case matches",
    pattern: {
      "detail-type": [{ "equals-ignore-case": "ec2 instance state-change notification" }],
    },
    event: { "detail-type": "EC2 Instance State-change Notification" },
    match: true,
  },
  {
    name: "equals-ignore-case differs",
    pattern: { detail: { s: [{ "equals-ignore-case": "abc" }] } },
    detail: { s: "abd" },
    match: false,
  },
  {
    name: "equals-ignore-case is not a prefix",
    pattern: { detail: { s: [{ "equals-ignore-case": "ab" }] } },
    detail: { s: "abc" },
    match: false,
  },
  {
    name: "equals-ignore-case ignores numbers",
    pattern: { detail: { s: [{ "equals-ignore-case": "1" }] } },
    detail: { s: 1 },
    match: false,
  },
  {
    name: "equals-ignore-case empty",
    pattern: { detail: { s: [{ "equals-ignore-case": "" }] } },
    detail: { s: "" },
    match: true,
  },

  // --- wildcard ---
  {
    name: "wildcard in the middle",
    pattern: { detail: { p: [{ wildcard: "dir/*.png" }] } },
    detail: { p: "dir/a.png" },
    match: true,
  },
  {
    name: "wildcard matches zero chars",
    pattern: { detail: { p: [{ wildcard: "dir/*.png" }] } },
    detail: { p: "dir/.png" },
    match: true,
  },
  {
    name: "wildcard spans slashes",
    pattern: { detail: { p: [{ wildcard: "dir/*.png" }] } },
    detail: { p: "dir/sub/a.png" },
    match: true,
  },
  {
    name: "wildcard no match",
    pattern: { detail: { p: [{ wildcard: "dir/*.png" }] } },
    detail: { p: "dir/a.jpg" },
    match: false,
  },
  {
    name: "wildcard is anchored",
    pattern: { detail: { p: [{ wildcard: "a*b" }] } },
    detail: { p: "xab" },
    match: false,
  },
  {
    name: "wildcard several stars",
    pattern: { detail: { p: [{ wildcard: "*/lib/*" }] } },
    detail: { p: "usr/lib/x" },
    match: true,
  },
  {
    name: "wildcard alone matches anything",
    pattern: { detail: { p: [{ wildcard: "*" }] } },
    detail: { p: "" },
    match: true,
  },
  {
    name: "escaped star is literal",
    pattern: { detail: { p: [{ wildcard: "a\\*b" }] } },
    detail: { p: "a*b" },
    match: true,
  },
  {
    name: "escaped star is not a wildcard",
    pattern: { detail: { p: [{ wildcard: "a\\*b" }] } },
    detail: { p: "axb" },
    match: false,
  },
  {
    name: "escaped backslash",
    pattern: { detail: { p: [{ wildcard: "a\\\\*" }] } },
    detail: { p: "a\\zz" },
    match: true,
  },
  {
    name: "wildcard never matches numbers",
    pattern: { detail: { p: [{ wildcard: "1*" }] } },
    detail: { p: 12 },
    match: false,
  },
  {
    name: "wildcard regex chars are literal",
    pattern: { detail: { p: [{ wildcard: "a.c*" }] } },
    detail: { p: "abcd" },
    match: false,
  },
  {
    name: "wildcard arn (docs)",
    pattern: { detail: { arn: [{ wildcard: "arn:aws:events:us-east-1:*:event-bus/*" }] } },
    detail: { arn: "arn:aws:events:us-east-1:123:event-bus/city" },
    match: true,
  },
];
