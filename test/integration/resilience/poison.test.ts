/**
 * Poison messages on the traffic FIFO queue (docs/RELIABILITY.md, "What was tried"): a record
 * whose downstream always times out (transient) is retried with backoff and reaches the DLQ after
 * 3 receives, with its reason; its group's later messages are applied once it has left. The
 * permanent case (DLQ at once, the group goes on) is in
 * test/integration/functions/dead-letters.suite.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LightState } from "../../../events/catalog/common.ts";
import { type FailureRecord, failureKey } from "../../../functions/shared/failure-log.ts";
import { waitFor } from "../../support/wait.ts";
import { cityEvent, eventBridgeJson, stampContext } from "../../unit/functions/fixtures.ts";
import { type ConsumerCloud, startConsumerCloud } from "../functions/consumer-cloud.ts";
import { POISONED_CONTROLLER } from "./fixtures/traffic-timing-out.ts";

describe("poison messages", () => {
  let c: ConsumerCloud;
  beforeAll(async () => {
    c = await startConsumerCloud("poison", {
      entries: { Traffic: "test/integration/resilience/fixtures/traffic-timing-out.ts" },
    });
  }, 120_000);
  afterAll(async () => {
    await c?.stop();
  });

  it("dead-letters a transient failure after 3 receives with its reason; its group then goes on", async () => {
    const location = { latitude: 47.3, longitude: 8.5, zone: "z2", intersectionId: "i-909" };
    const change = (controllerId: string, from: LightState, to: LightState) =>
      cityEvent(
        "TrafficLightChanged",
        { controllerId, location, oldState: from, newState: to },
        { ctx: stampContext(controllerId) },
      );
    const poisoned = change(
      POISONED_CONTROLLER,
      { vehicles: "green", pedestrians: "red" },
      { vehicles: "yellow", pedestrians: "red" },
    );
    const later = change(
      "tlc-910",
      { vehicles: "green", pedestrians: "red" },
      { vehicles: "yellow", pedestrians: "red" },
    );
    await c.sendToFifo("TrafficSignalsQueue", eventBridgeJson(poisoned), "i-909", "p-1");
    await c.sendToFifo("TrafficSignalsQueue", eventBridgeJson(later), "i-909", "p-2");

    const dlq = c.resources.queues.TrafficSignalsDlq;
    if (!dlq) throw new Error("TrafficSignalsDlq was not deployed");
    const tool = c.dlqTool();
    const entries = await waitFor(
      "the timing-out change in the traffic DLQ",
      async () => {
        const list = await tool.list(dlq.url);
        return list.length > 0 ? list : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ reason: "timeout", eventId: poisoned.detail.meta.eventId });
    expect(entries[0]?.detail).toMatch(/did not complete within 800 ms/);
    // The failure record: exactly 3 receives failed (the queue's maxReceiveCount), each logged
    // with its reason; then the redrive policy moved the message (never dead-lettered early).
    const record = await c.doc<FailureRecord>(failureKey(entries[0]?.messageId ?? "").pk, "record");
    expect(record).toMatchObject({ reason: "timeout", receiveCount: 3, failures: 3 });
    expect(Date.parse(record?.lastFailureAt ?? "")).toBeGreaterThan(
      Date.parse(record?.firstFailureAt ?? ""),
    );
    const state = await waitFor("the group's later change applied", async () => {
      const s = await c.doc<{ appliedChanges: number; lights: LightState }>(
        "intersection#i-909",
        "state",
      );
      return s && s.appliedChanges >= 1 ? s : undefined;
    });
    expect(state).toMatchObject({ appliedChanges: 1, lights: { vehicles: "yellow" } });
  }, 240_000);
});
