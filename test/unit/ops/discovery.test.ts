import { describe, expect, it } from "vitest";
import {
  type DlqRef,
  LOCAL_PREFIX,
  namedAfter,
  pickDlq,
  pickRules,
  prefixFrom,
} from "../../../bin/ops/discovery.ts";
import { DiscoveryError } from "../../../bin/ops/errors.ts";

describe("namedAfter", () => {
  it("matches the local names and CloudFormation-generated names of a logical id", () => {
    expect(
      namedAfter("buzzville-local-NotificationBulkDlq", "buzzville-local", "NotificationBulkDlq"),
    ).toBe(true);
    expect(
      namedAfter("buzzville-local-EventStoreDlq.fifo", "buzzville-local", "EventStoreDlq"),
    ).toBe(true);
    expect(
      namedAfter("BuzzVille-dev-EventStoreDlq-1A2b3C4d5E6f.fifo", "BuzzVille-dev", "EventStoreDlq"),
    ).toBe(true);
    expect(namedAfter("BuzzVille-dev-EventsTable-XYZ123", "BuzzVille-dev", "EventsTable")).toBe(
      true,
    );
  });

  it("does not confuse ids that share a stem or another prefix", () => {
    expect(
      namedAfter("buzzville-local-EventStoreIntakeDlq", "buzzville-local", "EventStoreDlq"),
    ).toBe(false);
    expect(
      namedAfter("buzzville-local-EventStoreDlq-x-y", "buzzville-local", "EventStoreDlq"),
    ).toBe(false);
    expect(namedAfter("other-NotificationBulkDlq", "buzzville-local", "NotificationBulkDlq")).toBe(
      false,
    );
  });
});

describe("prefixFrom", () => {
  it("defaults to the local deployment's prefix; --stack or --prefix, not both", () => {
    expect(prefixFrom({})).toBe(LOCAL_PREFIX);
    expect(prefixFrom({ stack: "BuzzVille-dev" })).toBe("BuzzVille-dev");
    expect(prefixFrom({ prefix: "ops-it" })).toBe("ops-it");
    expect(() => prefixFrom({ stack: "a", prefix: "b" })).toThrow(
      "--stack and --prefix both name the resources; give one (got --stack a --prefix b)",
    );
  });
});

describe("pickDlq and pickRules", () => {
  const dlqs: DlqRef[] = [
    { logicalId: "MediaDlq", role: "dlq", name: "p-MediaDlq", url: "http://q/p-MediaDlq" },
    { logicalId: "EventStoreDlq", role: "dlq", name: "p-EventStoreDlq.fifo", url: "http://q/x" },
  ];

  it("finds a DLQ by logical id or physical name, case-insensitively", () => {
    expect(pickDlq(dlqs, "mediadlq").name).toBe("p-MediaDlq");
    expect(pickDlq(dlqs, "p-EventStoreDlq.fifo").logicalId).toBe("EventStoreDlq");
  });

  it("lists the known DLQs for an unknown one", () => {
    expect(() => pickDlq(dlqs, "Nope")).toThrow(
      new DiscoveryError('unknown queue "Nope"; known DLQs: MediaDlq, EventStoreDlq (or "all")'),
    );
  });

  it("finds rules by logical id, subscription id, name or ARN", () => {
    const rules = [
      { logicalId: "AnalyticsRule", name: "p-AnalyticsRule", arn: "arn:r/a" },
      { name: "agency-rule", arn: "arn:r/b" },
    ];
    expect(pickRules(rules, ["Analytics", "agency-rule", "arn:r/a"]).map((r) => r.arn)).toEqual([
      "arn:r/a",
      "arn:r/b",
      "arn:r/a",
    ]);
    expect(() => pickRules(rules, ["Media"])).toThrow(
      'unknown rule "Media"; rules on the bus: AnalyticsRule, agency-rule',
    );
  });
});
