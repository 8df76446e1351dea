/** The run summary says what crisis mode shed (never silently), and nothing when it never ran. */
import { describe, expect, it } from "vitest";
import { formatSummary, type UpSummary } from "../../../local/up/status.ts";

const base: UpSummary = {
  published: 10,
  stored: 12,
  deliveredByConsumer: { EmergencyCritical: 2 },
  inFlight: 0,
  dlq: 0,
  lost: 0,
  undrained: 0,
  orderViolations: 0,
  arrivalsOutOfSequence: {},
  latencyMs: { p50: 5, p99: 40 },
  latencyMsByConsumer: {},
  latencyExact: true,
  unchecked: 0,
  dlqByQueue: {},
  functions: {},
  failedPublishes: 0,
  durationSeconds: 30,
  drained: true,
  trafficSource: "simulator",
  scenario: "crisis",
  endpoint: "http://127.0.0.1:0",
};

describe("run summary: crisis", () => {
  it("reports the transitions, the shed subscriptions and seconds, and the held-back readings", () => {
    const text = formatSummary({
      ...base,
      crisis: {
        transitions: 2,
        shedSeconds: 14,
        shedSubscriptions: ["Media", "Analytics"],
        heldBack: 93,
      },
    });
    expect(text).toContain(
      "crisis: 2 transition(s); shed Media, Analytics for 14 s (replay the archive to them to catch up); producers held back 93 info reading(s)",
    );
  });

  it("says nothing about crisis when the city never entered one", () => {
    const quiet = { transitions: 0, shedSeconds: 0, shedSubscriptions: ["Media"], heldBack: 0 };
    expect(formatSummary({ ...base, crisis: quiet })).not.toContain("crisis:");
    expect(formatSummary(base)).not.toContain("crisis:");
  });
});
