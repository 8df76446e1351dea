/**
 * `buzzville dlq list` never loses or blocks a dead letter (docs/RELIABILITY.md, "Hostile
 * input"): on a FIFO DLQ whose messages share a group, and on a standard one, listing leaves
 * every message in the DLQ, receivable at once (each group in its order) and redrivable, however
 * many times it runs. The CLI goes through the SDK adapter it uses on AWS (functions/dlq).
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
  return queuePair(name, true);
}

async function queuePair(name: string, fifo: boolean): Promise<{ source: string; dlq: string }> {
  const suffix = fifo ? ".fifo" : "";
  const dlq = await h.sqs.send(
    new CreateQueueCommand({
      QueueName: `${name}-dlq${suffix}`,
      Attributes: fifo ? { FifoQueue: "true" } : {},
    }),
  );
  const arn = await h.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ["QueueArn"] }),
  );
  const source = await h.sqs.send(
    new CreateQueueCommand({
      QueueName: `${name}${suffix}`,
      Attributes: {
        ...(fifo ? { FifoQueue: "true", ContentBasedDeduplication: "true" } : {}),
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
      // One group of three: a receive hands the whole group over, in order (docs/OPERATIONS.md).
      expect(rows.map((r) => r.eventId)).toEqual(events.map((e) => e.detail.meta.eventId));
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

/** Event ids of EventBridge-shaped bodies, in the order given. */
const idsOf = (bodies: readonly string[]) =>
  bodies.map(
    (b) => (JSON.parse(b) as { detail: { meta: { eventId: string } } }).detail.meta.eventId,
  );

/** Two groups of several dead letters each (g1: 3, g2: 2), sent in group order. */
async function twoGroups(source: string, fifo: boolean) {
  const groups = { g1: ["a", "b", "c"], g2: ["d", "e"] } as const;
  const sent: Record<string, string[]> = { g1: [], g2: [] };
  for (const [group, alerts] of Object.entries(groups)) {
    for (const alertId of alerts) {
      const e = cityEvent("WeatherAlertCancelled", { alertId });
      sent[group]?.push(e.detail.meta.eventId);
      await h.sqs.send(
        new SendMessageCommand({
          QueueUrl: source,
          MessageBody: eventBridgeJson(e),
          ...(fifo ? { MessageGroupId: group } : {}),
        }),
      );
    }
  }
  return sent as { g1: string[]; g2: string[] };
}

/** `ids` holds every id of `group`, in the group's order. */
const inGroupOrder = (ids: readonly string[], group: readonly string[]) =>
  ids.filter((id) => group.includes(id));

describe.each([
  { kind: "FIFO", fifo: true },
  { kind: "standard", fifo: false },
])("buzzville dlq list on a $kind DLQ, two groups of several messages", ({ kind, fifo }) => {
  const listTwice = async (source: string, dlq: string) => {
    const args = ["list", "--queue-url", dlq, "--source-url", source, "--json", ...h.target];
    for (let run = 0; run < 2; run++) {
      const listed = await capture(main, args);
      expect(listed.err).toBe("");
      expect(listed.code).toBe(0);
      // A FIFO DLQ hands out each group's oldest message while it is listed; a standard one all.
      expect((JSON.parse(listed.out) as unknown[]).length).toBeGreaterThanOrEqual(fifo ? 2 : 5);
      expect(await depth(h, dlq)).toBe(5);
      expect(await visible(dlq)).toBe(5);
    }
  };

  it("leaves every message receivable at once, each group in its order", async () => {
    const { source, dlq } = await queuePair(`ops-recv-${kind.toLowerCase()}`, fifo);
    const sent = await twoGroups(source, fifo);
    await deadLetter(source, dlq, 5);
    await listTwice(source, dlq);
    const received = idsOf(await drain(h, dlq));
    expect([...received].sort()).toEqual([...sent.g1, ...sent.g2].sort());
    if (fifo) {
      expect(inGroupOrder(received, sent.g1)).toEqual(sent.g1);
      expect(inGroupOrder(received, sent.g2)).toEqual(sent.g2);
    }
  });

  it("leaves every message redrivable to its source", async () => {
    const { source, dlq } = await queuePair(`ops-redrive-${kind.toLowerCase()}`, fifo);
    const sent = await twoGroups(source, fifo);
    await deadLetter(source, dlq, 5);
    await listTwice(source, dlq);
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
    const back = idsOf(await drain(h, source));
    expect([...back].sort()).toEqual([...sent.g1, ...sent.g2].sort());
    if (fifo) {
      expect(inGroupOrder(back, sent.g1)).toEqual(sent.g1);
      expect(inGroupOrder(back, sent.g2)).toEqual(sent.g2);
    }
  });
});
