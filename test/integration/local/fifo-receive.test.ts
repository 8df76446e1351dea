/**
 * A FIFO receive returns as many messages of one message group as it can, then messages of other
 * groups, each group in order, as SQS documents ("FIFO queue delivery logic"); a group with a
 * message in flight gives nothing more until every one of them is deleted (docs/LOCAL.md, "SQS").
 * Over the wire with the SDK, and through the direct queue port the local cloud's pollers use.
 */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalCloud, startLocalCloud } from "../../../local/cloud.ts";
import { clientsFor, createQueue, receiveOnce } from "./support.ts";

let cloud: LocalCloud;
let clients: ReturnType<typeof clientsFor>;

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0 });
  clients = clientsFor(cloud.endpoint);
});
afterAll(async () => {
  await cloud?.stop();
});

let queues = 0;
/** A FIFO queue holding the messages `<group><n>` in the order given. */
async function fifoQueue(bodies: readonly string[]): Promise<{ url: string; arn: string }> {
  const queue = await createQueue(clients.sqs, `whole-groups-${++queues}.fifo`, {
    FifoQueue: "true",
    ContentBasedDeduplication: "true",
  });
  for (let i = 0; i < bodies.length; i += 10) {
    const entries = bodies.slice(i, i + 10).map((body, j) => ({
      Id: String(j),
      MessageBody: body,
      MessageGroupId: body.replace(/\d+$/, ""),
    }));
    const out = await clients.sqs.send(
      new SendMessageBatchCommand({ QueueUrl: queue.url, Entries: entries }),
    );
    expect(out.Failed ?? []).toEqual([]);
  }
  return queue;
}

const receive = (url: string) => receiveOnce(clients.sqs, url);

async function remove(url: string, received: readonly { handle: string }[]) {
  const out = await clients.sqs.send(
    new DeleteMessageBatchCommand({
      QueueUrl: url,
      Entries: received.map((m, i) => ({ Id: String(i), ReceiptHandle: m.handle })),
    }),
  );
  expect(out.Failed ?? []).toEqual([]);
}

const bodies = (received: readonly { body: string }[]) => received.map((m) => m.body);

describe("FIFO receive: as many of one group as possible", () => {
  it("takes a group's messages together, in order, and none of a group in flight", async () => {
    const a = Array.from({ length: 12 }, (_, i) => `a${i + 1}`);
    const interleaved = ["a1", "b1", "a2", "b2", "a3", "b3", ...a.slice(3)];
    const { url } = await fifoQueue(interleaved);
    const first = await receive(url);
    expect(bodies(first)).toEqual(a.slice(0, 10));
    // Group a is in flight: the next receive has only b's, in order.
    const second = await receive(url);
    expect(bodies(second)).toEqual(["b1", "b2", "b3"]);
    // Nine of ten deleted: one of a's is still in flight, so a stays held.
    await remove(url, first.slice(0, 9));
    expect(await receive(url)).toEqual([]);
    await remove(url, first.slice(9));
    expect(bodies(await receive(url))).toEqual(["a11", "a12"]);
  });

  it("fills the rest of a receive from the next groups, each whole and in order", async () => {
    const { url } = await fifoQueue(["a1", "b1", "c1", "a2", "b2", "c2", "a3", "b3", "d1", "a4"]);
    expect(bodies(await receive(url))).toEqual([
      "a1",
      "a2",
      "a3",
      "a4",
      "b1",
      "b2",
      "b3",
      "c1",
      "c2",
      "d1",
    ]);
  });

  it("messages of a group that come back keep their order: expired, or released one by one", async () => {
    const { url } = await fifoQueue(["a1", "a2", "a3", "b1"]);
    // Visibility 0: the whole group is back at the next receive, in order.
    const expired = await clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 3, VisibilityTimeout: 0 }),
    );
    expect((expired.Messages ?? []).map((m) => m.Body)).toEqual(["a1", "a2", "a3"]);
    const held = await receive(url);
    // Which group comes first is SQS's choice; within a group, the order is kept.
    expect(bodies(held).filter((b) => b.startsWith("a"))).toEqual(["a1", "a2", "a3"]);
    expect(bodies(held).sort()).toEqual(["a1", "a2", "a3", "b1"]);
    // Released one at a time, first to last: still a1, a2, a3.
    for (const m of held.filter((m) => m.body.startsWith("a"))) {
      await clients.sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: m.handle,
          VisibilityTimeout: 0,
        }),
      );
    }
    expect(bodies(await receive(url))).toEqual(["a1", "a2", "a3"]);
  });

  it("a group whose messages a receive sends to the DLQ is not held afterwards", async () => {
    const dlq = await createQueue(clients.sqs, "whole-groups-dlq.fifo", { FifoQueue: "true" });
    const { url } = await createQueue(clients.sqs, "whole-groups-redriven.fifo", {
      FifoQueue: "true",
      ContentBasedDeduplication: "true",
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 1 }),
    });
    await clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: ["g1", "g2"].map((body, i) => ({
          Id: String(i),
          MessageBody: body,
          MessageGroupId: "g",
        })),
      }),
    );
    // First receive: both, visible again at once; the second moves both to the DLQ.
    await clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
    );
    expect(await receive(url)).toEqual([]);
    expect(bodies(await receive(dlq.url))).toEqual(["g1", "g2"]);
    await clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [{ Id: "0", MessageBody: "g3", MessageGroupId: "g" }],
      }),
    );
    expect(bodies(await receive(url))).toEqual(["g3"]);
  });

  it("the direct queue port (the pollers' way in) receives the same way", async () => {
    const { arn } = await fifoQueue(["x1", "y1", "x2", "y2", "x3"]);
    const got = await cloud.queues.receiveMessage(arn, { maxMessages: 3, waitSeconds: 0 });
    expect(got.map((m) => m.body)).toEqual(["x1", "x2", "x3"]);
  });
});
