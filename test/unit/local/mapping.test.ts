import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import type { SQSRecord } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { failedIds } from "../../../local/lambda/mapping.ts";
import { AcceptedEvents, DeliveryLedger, percentile } from "../../../local/up/accounting.ts";
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

  it("counts deliveries, latency from occurredAt, and arrivals out of sequence per ordered consumer", () => {
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
    ledger.record("Analytics", record(ev(0)), at + 400);
    expect(ledger.delivered).toEqual({ TrafficSignals: 4, Analytics: 2 });
    // Only the ordered consumer is checked; the late 2 counts once.
    expect(ledger.arrivalsOutOfSequence).toEqual({ TrafficSignals: 1 });
    expect(ledger.latency()).toEqual({ p50: 300, p99: 400 });
    expect(ledger.latency("TrafficSignals")).toEqual({ p50: 200, p99: 300 });
    expect(ledger.latencyExact).toBe(true);
  });

  it("bounds the remembered streams, dropping the least recently seen", () => {
    const ledger = new DeliveryLedger(new Set(["TrafficSignals"]), { maxStreams: 2 });
    const ev = (seq: number) => ({
      detail: { meta: { occurredAt: "2026-11-23T15:00:00.000Z", producerId: "p", sequence: seq } },
    });
    for (let i = 0; i < 10; i++) ledger.record("TrafficSignals", record(ev(5), `g${i}`), 0);
    expect(ledger.trackedStreams).toBe(2);
    // g9 is remembered: a lower sequence there is counted; g0 was forgotten: not counted.
    ledger.record("TrafficSignals", record(ev(1), "g9"), 0);
    ledger.record("TrafficSignals", record(ev(1), "g0"), 0);
    expect(ledger.arrivalsOutOfSequence.TrafficSignals).toBe(1);
  });

  it("keeps latency exact up to its bound, then a histogram (within 2%) and a moving live window", () => {
    const ledger = new DeliveryLedger(new Set(), {
      maxExactPerConsumer: 100,
      maxExactOverall: 100,
      liveWindow: 10,
    });
    const at = Date.parse("2026-11-23T15:00:00.000Z");
    const ev = { detail: { meta: { occurredAt: "2026-11-23T15:00:00.000Z" } } };
    for (let i = 1; i <= 1000; i++) ledger.record("Analytics", record(ev), at + i * 10);
    expect(ledger.latencyExact).toBe(false);
    const { p50, p99 } = ledger.latency();
    expect(Math.abs(p50 - 5000) / 5000).toBeLessThan(0.02);
    expect(Math.abs(p99 - 9900) / 9900).toBeLessThan(0.02);
    // The live window holds the last 10 deliveries only (9910..10000 ms).
    expect(ledger.liveLatency()).toEqual({ p50: 9950, p99: 10000 });
    for (let i = 1; i <= 10; i++) ledger.record("Analytics", record(ev), at + 1);
    expect(ledger.liveLatency()).toEqual({ p50: 1, p99: 1 });
  });

  it("bounds the accepted ids it tracks and counts the rest", async () => {
    const accepted = new AcceptedEvents(2);
    const entry = (id: string) => ({ Detail: JSON.stringify({ meta: { eventId: id } }) });
    const client = accepted.wrap({
      send: async (command) =>
        ({
          Entries: (command.input.Entries ?? []).map((_, i) => ({ EventId: `e${i}` })),
        }) as never,
    });
    await client.send(
      new PutEventsCommand({ Entries: [entry("a"), entry("b"), entry("a"), entry("c")] }),
    );
    expect(accepted.accepted).toBe(3);
    expect([...accepted.ids]).toEqual(["a", "b"]);
    expect(accepted.untracked).toBe(1);
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
