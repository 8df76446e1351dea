/**
 * `buzzville dlq list|redrive` against the local cloud: messages dead-lettered by SQS's own
 * redrive (maxReceiveCount receives), listed with their reason and source, and moved back to
 * their source queue exactly once.
 */
import { ReceiveMessageCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../../bin/ops/dlq.ts";
import { cityEvent, eventBridgeJson } from "../../unit/functions/fixtures.ts";
import {
  capture,
  depth,
  drain,
  type OpsHarness,
  PREFIX,
  queueUrl,
  startOpsCloud,
  waitFor,
} from "./support.ts";

let h: OpsHarness;
beforeAll(async () => {
  h = await startOpsCloud();
});
afterAll(async () => {
  await h?.stop();
});

/** Receives without deleting until SQS moves the messages to the DLQ (after maxReceiveCount). */
async function deadLetter(sourceUrl: string, dlqUrl: string, count: number): Promise<void> {
  await waitFor(
    `${count} message(s) in ${dlqUrl}`,
    async () => {
      await h.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: sourceUrl,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 0,
          WaitTimeSeconds: 0,
        }),
      );
      return (await depth(h, dlqUrl)) >= count;
    },
    { intervalMs: 5 },
  );
}

describe("buzzville dlq", () => {
  const valid = cityEvent("WeatherAlertCancelled", { alertId: "wx-dlq-1" });
  const malformed = JSON.stringify({ "detail-type": "WeatherAlertIssued", detail: { oops: 1 } });

  it("lists dead-lettered messages with reason, source queue, receive count and failure times", async () => {
    const source = queueUrl(h, "NotificationBulkQueue");
    const dlq = queueUrl(h, "NotificationBulkDlq");
    for (const body of [malformed, eventBridgeJson(valid)]) {
      await h.sqs.send(new SendMessageCommand({ QueueUrl: source, MessageBody: body }));
    }
    await deadLetter(source, dlq, 2);

    const listed = await capture(main, [
      "list",
      "--queue",
      "NotificationBulkDlq",
      "--json",
      ...h.target,
    ]);
    expect(listed.err).toBe("");
    expect(listed.code).toBe(0);
    const rows = JSON.parse(listed.out) as Record<string, unknown>[];
    expect(rows).toHaveLength(2);
    const bad = rows.find((r) => r.eventType === undefined);
    const good = rows.find((r) => r.eventType === "WeatherAlertCancelled");
    expect(bad).toMatchObject({
      dlq: "NotificationBulkDlq",
      queueName: `${PREFIX}-NotificationBulkDlq`,
      sourceQueue: `${PREFIX}-NotificationBulkQueue`,
      reason: "validation",
    });
    expect(String(bad?.detail)).not.toBe("");
    expect(good).toMatchObject({ eventId: valid.detail.meta.eventId });
    for (const r of rows) {
      // At least maxReceiveCount (3); fauxqs also counts the receive that moved it.
      expect(r.receiveCount).toBeGreaterThanOrEqual(3);
      expect(Number.isNaN(Date.parse(String(r.firstFailureAt)))).toBe(false);
    }
    // Listing leaves the messages where they are.
    expect(await depth(h, dlq)).toBe(2);

    const all = await capture(main, ["list", ...h.target]);
    expect(all.code).toBe(0);
    expect(all.out).toContain(
      `NotificationBulkDlq (${PREFIX}-NotificationBulkDlq): 2 message(s); redrives to NotificationBulkQueue`,
    );
    expect(all.out).toContain("2 message(s) in 1 DLQ(s);");
    expect(all.out).toContain("reason=validation");
  });

  it("names the known DLQs when asked for an unknown one, and rejects unknown flags", async () => {
    const unknown = await capture(main, ["list", "--queue", "NoSuchDlq", ...h.target]);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('unknown queue "NoSuchDlq"; known DLQs: ');
    expect(unknown.err).toContain("NotificationBulkDlq");
    expect(unknown.err).toContain("EventStoreDlq");

    const flag = await capture(main, ["redrive", "--queue", "NotificationBulkDlq", "--force"]);
    expect(flag.code).toBe(2);
    expect(flag.err).toContain("Unknown option '--force'");
    expect(flag.err).toContain("Allowed flags: --endpoint");

    const missing = await capture(main, ["redrive", ...h.target]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("--queue NAME is required");

    const help = await capture(main, ["redrive", "--help"]);
    expect(help.code).toBe(0);
    expect(help.out).toContain("Usage: buzzville dlq <list|redrive>");
  });

  it("a dry run changes nothing; redrive moves every message back once, --max at a time", async () => {
    const source = queueUrl(h, "NotificationBulkQueue");
    const dlq = queueUrl(h, "NotificationBulkDlq");
    expect(await depth(h, dlq)).toBe(2);

    const dry = await capture(main, [
      "redrive",
      "--queue",
      "notificationbulkdlq",
      "--dry-run",
      ...h.target,
    ]);
    expect(dry.code).toBe(0);
    expect(dry.out).toContain("dry run: would move 2 message(s)");
    expect(await depth(h, dlq)).toBe(2);
    expect(await depth(h, source)).toBe(0);

    const first = await capture(main, [
      "redrive",
      "--queue",
      "NotificationBulkDlq",
      "--max",
      "1",
      ...h.target,
    ]);
    expect(first.err).toBe("");
    expect(first.code).toBe(0);
    expect(first.out).toContain(
      "done: 1 message(s) moved from NotificationBulkDlq to NotificationBulkQueue",
    );
    expect(await depth(h, dlq)).toBe(1);
    expect(await depth(h, source)).toBe(1);

    const rest = await capture(main, ["redrive", "--queue", "NotificationBulkDlq", ...h.target]);
    expect(rest.code).toBe(0);
    expect(rest.out).toContain("NotificationBulkDlq now holds 0");
    expect(await depth(h, dlq)).toBe(0);

    const bodies = await drain(h, source);
    expect(bodies.sort()).toEqual([malformed, eventBridgeJson(valid)].sort());

    const again = await capture(main, ["redrive", "--queue", "NotificationBulkDlq", ...h.target]);
    expect(again.out).toContain("done: 0 message(s) moved");
    expect(await depth(h, source)).toBe(0);
  });

  it("redrives a rule's target DLQ to the queue the rule targets", async () => {
    const targetDlq = queueUrl(h, "AnalyticsTargetDlq");
    const body = eventBridgeJson(cityEvent("WeatherAlertIssued", { alertId: "wx-dlq-2" }));
    await h.sqs.send(new SendMessageCommand({ QueueUrl: targetDlq, MessageBody: body }));
    const out = await capture(main, ["redrive", "--queue", "AnalyticsTargetDlq", ...h.target]);
    expect(out.code).toBe(0);
    expect(out.out).toContain("1 message(s) moved from AnalyticsTargetDlq to AnalyticsQueue");
    expect(await drain(h, queueUrl(h, "AnalyticsQueue"))).toEqual([body]);
    expect(await depth(h, targetDlq)).toBe(0);
  });

  it("keeps a FIFO message's group when redriving the event-store DLQ", async () => {
    const fifo = queueUrl(h, "EventStoreQueue");
    const dlq = queueUrl(h, "EventStoreDlq");
    const body = eventBridgeJson(cityEvent("WeatherAlertIssued", { alertId: "wx-dlq-3" }));
    await h.sqs.send(
      new SendMessageCommand({
        QueueUrl: fifo,
        MessageBody: body,
        MessageGroupId: "alert#wx-dlq-3",
        MessageDeduplicationId: "d-1",
      }),
    );
    await deadLetter(fifo, dlq, 1);
    const out = await capture(main, ["redrive", "--queue", "EventStoreDlq", ...h.target]);
    expect(out.code).toBe(0);
    expect(out.out).toContain("1 message(s) moved from EventStoreDlq to EventStoreQueue");
    const back = await h.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: fifo,
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ["MessageGroupId"],
      }),
    );
    expect(back.Messages?.map((m) => [m.Body, m.Attributes?.MessageGroupId])).toEqual([
      [body, "alert#wx-dlq-3"],
    ]);
  });
});
