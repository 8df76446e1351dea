/**
 * `buzzville dlq list` never loses or blocks a dead letter (docs/RELIABILITY.md, "Hostile
 * input"): on a FIFO DLQ whose messages share a group, listing leaves every message in the DLQ,
 * receivable at once and redrivable, however many times it runs.
 */
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../../bin/ops/dlq.ts";
import { cityEvent, eventBridgeJson } from "../../unit/functions/fixtures.ts";
import { capture, depth, drain, type OpsHarness, startOpsCloud, waitFor } from "./support.ts";

let h: OpsHarness;
beforeAll(async () => {
  h = await startOpsCloud();
});
afterAll(async () => {
  await h?.stop();
});

async function fifoPair(name: string): Promise<{ source: string; dlq: string }> {
  const dlq = await h.sqs.send(
    new CreateQueueCommand({ QueueName: `${name}-dlq.fifo`, Attributes: { FifoQueue: "true" } }),
  );
  const arn = await h.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ["QueueArn"] }),
  );
  const source = await h.sqs.send(
    new CreateQueueCommand({
      QueueName: `${name}.fifo`,
      Attributes: {
        FifoQueue: "true",
        ContentBasedDeduplication: "true",
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: arn.Attributes?.QueueArn,
          maxReceiveCount: 1,
        }),
      },
    }),
  );
  return { source: source.QueueUrl ?? "", dlq: dlq.QueueUrl ?? "" };
}

/** Receives without deleting until SQS has moved `count` messages to the DLQ. */
async function deadLetter(sourceUrl: string, dlqUrl: string, count: number): Promise<void> {
  await waitFor(
    `${count} message(s) in ${dlqUrl}`,
    async () => {
      await h.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: sourceUrl,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 0,
        }),
      );
      return (await depth(h, dlqUrl)) >= count;
    },
    { intervalMs: 5 },
  );
}

async function visible(url: string): Promise<number> {
  const out = await h.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ["ApproximateNumberOfMessages"],
    }),
  );
  return Number(out.Attributes?.ApproximateNumberOfMessages ?? 0);
}

describe("buzzville dlq list on a FIFO DLQ", () => {
  it("lists dead letters of one group without losing or blocking any, twice, then redrives them all", async () => {
    const { source, dlq } = await fifoPair("ops-fifo-list");
    const events = ["a", "b", "c"].map((id) => cityEvent("WeatherAlertCancelled", { alertId: id }));
    for (const e of events) {
      await h.sqs.send(
        new SendMessageCommand({
          QueueUrl: source,
          MessageBody: eventBridgeJson(e),
          MessageGroupId: "g",
        }),
      );
    }
    await deadLetter(source, dlq, 3);
    const args = ["list", "--queue-url", dlq, "--source-url", source, "--json", ...h.target];

    for (let run = 0; run < 2; run++) {
      const listed = await capture(main, args);
      expect(listed.err).toBe("");
      expect(listed.code).toBe(0);
      const rows = JSON.parse(listed.out) as { eventId?: string }[];
      expect(rows.length).toBeGreaterThanOrEqual(1);
      expect(events.map((e) => e.detail.meta.eventId)).toContain(rows[0]?.eventId);
      // Nothing lost, nothing left in flight: every message visible again right away.
      expect(await depth(h, dlq)).toBe(3);
      expect(await visible(dlq)).toBe(3);
    }

    const redriven = await capture(main, [
      "redrive",
      "--queue-url",
      dlq,
      "--source-url",
      source,
      ...h.target,
    ]);
    expect(redriven.err).toBe("");
    expect(redriven.code).toBe(0);
    expect(await depth(h, dlq)).toBe(0);
    const bodies = await drain(h, source);
    expect(
      bodies
        .map(
          (b) => (JSON.parse(b) as { detail: { meta: { eventId: string } } }).detail.meta.eventId,
        )
        .sort(),
    ).toEqual(events.map((e) => e.detail.meta.eventId).sort());
  });
});
