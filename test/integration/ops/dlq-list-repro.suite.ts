/**
 * The repro of `buzzville dlq list` losing dead letters (docs/RELIABILITY.md, "Hostile input"),
 * as an operator met it: the consumers running on the local cloud, bodies that are not
 * EventBridge events sent with one group id to the event store's FIFO queue, dead-lettered by the
 * event-store function; `buzzville dlq list` then run twice. Every dead letter stays in the DLQ,
 * visible, and is received at once in its group's order afterwards; the group's valid event
 * behind them was stored (never blocked). Run by test/integration/functions/local-cloud.test.ts on
 * its consumer cloud, before anything else there dead-letters.
 */
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
} from "@aws-sdk/client-sqs";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { main } from "../../../bin/ops/dlq.ts";
import { waitFor } from "../../support/wait.ts";
import { cityEvent, eventBridgeJson, stampContext } from "../../unit/functions/fixtures.ts";
import type { ConsumerCloud } from "../functions/consumer-cloud.ts";
import { capture } from "./support.ts";

let c: ConsumerCloud;

async function counts(url: string): Promise<{ visible: number; inFlight: number }> {
  const out = await c.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return {
    visible: Number(out.Attributes?.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}

/** The repro on the consumer cloud `cloud()` returns (booted by the running file). */
export const describeDlqListRepro = (cloud: () => ConsumerCloud) =>
  describe("buzzville dlq list on the event store's FIFO DLQ (the issue's repro)", () => {
    beforeAll(() => {
      c = cloud();
    });

    it("lists non-EventBridge dead letters of one group without losing or blocking any", async () => {
      const dlq = c.resources.queues.EventStoreDlq;
      if (!dlq) throw new Error("EventStoreDlq was not deployed");
      const group = "stream-repro";
      const bodies = ["not an event", '{"hello":"world"}', "[1,2,3]"];
      for (const [i, body] of bodies.entries()) {
        await c.sendToFifo("EventStoreQueue", body, group, `repro-${i}`);
      }
      const valid = cityEvent("TrainArrived", {}, { ctx: stampContext("repro-train") });
      await c.sendToFifo("EventStoreQueue", eventBridgeJson(valid), group, "repro-valid");
      await waitFor(
        "three dead letters in EventStoreDlq",
        async () => (await counts(dlq.url)).visible === bodies.length,
        { timeoutMs: 45_000, intervalMs: 100 },
      );

      const args = ["list", "--queue", "EventStoreDlq", "--json", "--endpoint", c.cloud.endpoint];
      for (let run = 0; run < 2; run++) {
        const listed = await capture(main, [...args, "--prefix", c.prefix]);
        expect(listed.err).toBe("");
        expect(listed.code).toBe(0);
        const rows = JSON.parse(listed.out) as { reason: string; dlq: string }[];
        expect(rows.length).toBeGreaterThanOrEqual(1);
        for (const row of rows) expect(row).toMatchObject({ reason: "validation" });
        expect(await counts(dlq.url)).toEqual({ visible: bodies.length, inFlight: 0 });
      }

      // The text listing says how many the DLQ holds, though a FIFO DLQ hands out one per group.
      const text = await capture(main, [
        "list",
        "--queue",
        "EventStoreDlq",
        "--endpoint",
        c.cloud.endpoint,
        "--prefix",
        c.prefix,
      ]);
      expect(text.code).toBe(0);
      expect(text.out).toMatch(/EventStoreDlq \(\S+\): 3 message\(s\)/);
      expect(text.out).toContain("3 message(s) in 1 DLQ(s)");
      expect(await counts(dlq.url)).toEqual({ visible: bodies.length, inFlight: 0 });

      // Receivable at once, one after the other in the group's order (FIFO: one in flight).
      const received: string[] = [];
      for (let i = 0; i < bodies.length; i++) {
        const out = await c.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: dlq.url, MaxNumberOfMessages: 1 }),
        );
        const m = out.Messages?.[0];
        if (!m) break;
        received.push(m.Body ?? "");
        await c.sqs.send(
          new DeleteMessageCommand({
            QueueUrl: dlq.url,
            ReceiptHandle: m.ReceiptHandle,
          }),
        );
      }
      expect(received).toEqual(bodies);
      // The group's valid event behind the dead letters was stored.
      const stored = await waitFor(
        "the group's valid event stored",
        async () =>
          c.docs
            .send(
              new ScanCommand({
                TableName: c.eventsTable,
                ConsistentRead: true,
              }),
            )
            .then((out) =>
              (out.Items ?? []).some((item) =>
                ((item.eventIds ?? []) as string[]).includes(valid.detail.meta.eventId),
              ),
            ),
        { timeoutMs: 30_000, intervalMs: 250 },
      );
      expect(stored).toBe(true);
    }, 120_000);
  });
