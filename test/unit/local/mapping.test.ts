import type { SQSRecord } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { failedIds } from "../../../local/lambda/mapping.ts";
import { DeliveryLedger, percentile } from "../../../local/up/accounting.ts";
import { formatStatus, shortLabel } from "../../../local/up/status.ts";

describe("partial batch responses (ReportBatchItemFailures rules)", () => {
  const ids = ["a", "b", "c"];
  it("fails only the reported items", () => {
    expect(
      failedIds({ kind: "ok", result: { batchItemFailures: [{ itemIdentifier: "b" }] } }, ids),
    ).toEqual(new Set(["b"]));
  });
  it("treats no response, null or an empty list as full success", () => {
    expect(failedIds({ kind: "ok", result: null }, ids).size).toBe(0);
    expect(failedIds({ kind: "ok", result: { batchItemFailures: [] } }, ids).size).toBe(0);
    expect(failedIds({ kind: "ok", result: {} }, ids).size).toBe(0);
  });
  it("fails the whole batch for an unknown, empty or missing identifier, or a non-list", () => {
    for (const result of [
      { batchItemFailures: [{ itemIdentifier: "zzz" }] },
      { batchItemFailures: [{ itemIdentifier: "" }] },
      { batchItemFailures: [{}] },
      { batchItemFailures: "b" },
    ]) {
      expect(failedIds({ kind: "ok", result }, ids)).toEqual(new Set(ids));
    }
  });
  it("fails the whole batch on an error, a timeout or a crash", () => {
    for (const outcome of [
      { kind: "error", error: "x" },
      { kind: "timeout" },
      { kind: "crash", error: "exit 3" },
    ] as const) {
      expect(failedIds(outcome, ids)).toEqual(new Set(ids));
    }
  });
});

describe("run accounting", () => {
  const record = (body: unknown, group?: string): SQSRecord =>
    ({
      body: JSON.stringify(body),
      attributes: group ? { MessageGroupId: group } : {},
    }) as unknown as SQSRecord;

  it("computes nearest-rank percentiles", () => {
    expect(percentile([], 50)).toBe(0);
    expect(percentile([10, 20, 30, 40], 50)).toBe(20);
    expect(percentile([10, 20, 30, 40], 99)).toBe(40);
  });

  it("counts deliveries, latency from occurredAt, and order violations per group and producer", () => {
    const ledger = new DeliveryLedger(new Set(["TrafficSignals"]));
    const at = Date.parse("2026-11-23T15:00:00.000Z");
    const ev = (seq: number, producer = "p1") => ({
      detail: {
        meta: { occurredAt: "2026-11-23T15:00:00.000Z", producerId: producer, sequence: seq },
      },
    });
    ledger.record("TrafficSignals", record(ev(1), "i-1"), at + 100);
    ledger.record("TrafficSignals", record(ev(3), "i-1"), at + 200);
    ledger.record("TrafficSignals", record(ev(2), "i-1"), at + 300);
    ledger.record("TrafficSignals", record(ev(1, "p2"), "i-1"), at + 300);
    ledger.record("Analytics", record(ev(1)), at + 400);
    expect(ledger.delivered).toEqual({ TrafficSignals: 4, Analytics: 1 });
    expect(ledger.orderViolations).toBe(1);
    expect(ledger.latency()).toEqual({ p50: 300, p99: 400 });
  });

  it("formats a one-line status with short consumer labels", () => {
    expect(shortLabel("EmergencyCritical")).toBe("EmCr");
    expect(
      formatStatus({
        elapsedSeconds: 3,
        published: 12,
        delivered: { EventStore: 10 },
        inQueues: 2,
        inDlqs: 0,
        latency: { p50: 12.4, p99: 80 },
      }),
    ).toBe("t+3s | published 12 | delivered [EvSt 10] | queued 2 | DLQ 0 | e2e p50 12ms p99 80ms");
  });
});
