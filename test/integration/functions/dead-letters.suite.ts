/**
 * Dead letters on the local cloud (real wire protocols, real SDK v3 clients, the deployed handler
 * modules run by the local Lambda runner): a malformed event is dead-lettered at once with its
 * reason while its neighbours go on, and the DLQ tool lists and redrives it. Run by
 * local-cloud.test.ts on its consumer cloud.
 */
import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { beforeAll, describe, expect, it } from "vitest";
import type { LightState } from "../../../events/catalog/common.ts";
import { waitFor } from "../../support/wait.ts";
import { cityEvent, eventBridgeJson, stampContext } from "../../unit/functions/fixtures.ts";
import type { ConsumerCloud } from "./consumer-cloud.ts";

/** The dead-letter tests on the consumer cloud `cloud()` returns (booted by the running file). */
export const describeDeadLetters = (cloud: () => ConsumerCloud) =>
  describe("dead letters on the local cloud", () => {
    let c: ConsumerCloud;

    beforeAll(() => {
      c = cloud();
    });

    it("dead-letters a malformed event on the traffic FIFO at once; its group's valid events go on", async () => {
      const ctx = stampContext("tlc-i31");
      const location = { latitude: 47.3, longitude: 8.5, zone: "z2", intersectionId: "i-31" };
      const first = cityEvent(
        "TrafficLightChanged",
        {
          controllerId: "tlc-i31",
          location,
          oldState: { vehicles: "green", pedestrians: "red" },
          newState: { vehicles: "yellow", pedestrians: "red" },
        },
        { ctx },
      );
      const malformed = eventBridgeJson(
        cityEvent("TrafficLightChanged", { controllerId: "tlc-i31", location }),
      ).replace('"zone":"z2"', '"zone":"nowhere"');
      const second = cityEvent(
        "TrafficLightChanged",
        {
          controllerId: "tlc-i31",
          location,
          oldState: { vehicles: "yellow", pedestrians: "red" },
          newState: { vehicles: "red", pedestrians: "red" },
        },
        { ctx },
      );
      await c.sendToFifo("TrafficSignalsQueue", eventBridgeJson(first), "i-31", "i31-1");
      await c.sendToFifo("TrafficSignalsQueue", malformed, "i-31", "i31-bad");
      await c.sendToFifo("TrafficSignalsQueue", eventBridgeJson(second), "i-31", "i31-2");
      const dlq = c.resources.queues.TrafficSignalsDlq;
      if (!dlq) throw new Error("TrafficSignalsDlq was not deployed");
      const tool = c.dlqTool();
      const entries = await waitFor(
        "the malformed event in the traffic DLQ",
        async () => {
          const list = await tool.list(dlq.url);
          return list.length > 0 ? list : undefined;
        },
        { timeoutMs: 45_000, intervalMs: 250 },
      );
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ reason: "validation", receiveCount: 1 });
      expect(entries[0]?.detail).toMatch(/zone/);
      const state = await waitFor("both valid changes applied", async () => {
        const s = await c.doc<{ appliedChanges: number; lights: LightState }>(
          "intersection#i-31",
          "state",
        );
        return s && s.appliedChanges >= 2 ? s : undefined;
      });
      expect(state.lights).toEqual({ vehicles: "red", pedestrians: "red" });
      expect(await tool.list(dlq.url)).toHaveLength(1); // nothing else reached the DLQ
    });

    it("a malformed event reaches the DLQ with its reason, and the DLQ tool redrives it", async () => {
      const bad = cityEvent(
        "AccidentDetected",
        { location: { latitude: 47.3, longitude: 8.5, zone: "z8" } },
        { priority: "critical" },
      );
      const detail = { ...bad.detail, vehiclesInvolved: 0 };
      const out = await c.events.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: c.resources.bus.name,
              Source: bad.source,
              DetailType: bad.detailType,
              Detail: JSON.stringify(detail),
            },
          ],
        }),
      );
      expect(out.FailedEntryCount ?? 0).toBe(0);
      const dlq = c.resources.queues.EmergencyCriticalDlq;
      const source = c.resources.queues.EmergencyCriticalQueue;
      if (!dlq || !source) throw new Error("the emergency queues were not deployed");
      const tool = c.dlqTool();
      const [entry] = await waitFor(
        "the malformed event in the emergency DLQ",
        async () => {
          const entries = await tool.record(dlq.url);
          return entries.length > 0 ? entries : undefined;
        },
        { timeoutMs: 55_000, intervalMs: 500 },
      );
      expect(entry).toMatchObject({ reason: "validation", sourceQueue: source.name });
      expect(entry?.detail).toMatch(/vehiclesInvolved/);
      expect(entry?.receiveCount).toBe(1); // dead-lettered at once, not after the retries
      expect(await tool.redrive(dlq.url, source.url)).toEqual({ moved: 1, completed: 0 });
      // Still invalid: the redriven copy is dead-lettered again at once, and stays there.
      const [again] = await waitFor("the redriven copy back in the DLQ", async () => {
        const entries = await tool.list(dlq.url);
        return entries.length > 0 ? entries : undefined;
      });
      expect(again).toMatchObject({ reason: "validation" });
      expect(again?.messageId).not.toBe(entry?.messageId);
      // The copy names the DLQ message it was made from, so a redrive run leaves it for the next.
      const raw = await c.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: dlq.url,
          MaxNumberOfMessages: 1,
          MessageAttributeNames: ["All"],
          VisibilityTimeout: 0,
        }),
      );
      expect(raw.Messages?.[0]?.MessageAttributes?.redriveOf?.StringValue).toBe(entry?.messageId);
    });
  });
