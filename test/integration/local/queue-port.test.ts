/**
 * The direct queue port (local/queues/direct.ts): the local cloud's own plumbing reaching the
 * embedded queues without the SDK keeps SQS semantics. Queues are created and observed with a
 * real SDK client over the gateway's wire protocol; the port is the gateway's `queues`.
 */
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Gateway, startGateway } from "../../../local/gateway/server.ts";
import { QueueActionError, type QueueMessage } from "../../../local/queues/port.ts";
import { clientsFor, waitFor } from "./support.ts";

describe("direct queue port: SQS semantics without the SDK", () => {
  let gateway: Gateway;
  let sqs: SQSClient;
  let counter = 0;

  beforeAll(async () => {
    gateway = await startGateway({ port: 0 });
    sqs = clientsFor(gateway.url).sqs;
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  async function queue(name: string, attributes: Record<string, string> = {}) {
    const n = ++counter;
    const fifo = name.endsWith(".fifo");
    const queueName = `${name.replace(/\.fifo$/, "")}-${n}${fifo ? ".fifo" : ""}`;
    const { QueueUrl = "" } = await sqs.send(
      new CreateQueueCommand({
        QueueName: queueName,
        Attributes: { ...(fifo ? { FifoQueue: "true" } : {}), ...attributes },
      }),
    );
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
    );
    return { url: QueueUrl, arn: Attributes?.QueueArn ?? "" };
  }

  async function depth(url: string) {
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
      }),
    );
    return {
      visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
    };
  }

  const receive = (arn: string, waitSeconds = 0, maxMessages = 10) =>
    gateway.queues.receiveMessage(arn, { maxMessages, waitSeconds });
  const bodies = (messages: readonly QueueMessage[]) => messages.map((m) => m.body).sort();

  it("FIFO: concurrent single receives never hold two messages of one group; a delete unlocks it", async () => {
    const q = await queue("port-groups.fifo");
    const sent = await gateway.queues.sendMessageBatch(
      q.arn,
      ["g1:1", "g1:2", "g2:1", "g2:2"].map((body, i) => ({
        id: String(i),
        body,
        messageGroupId: body.slice(0, 2),
        messageDeduplicationId: body,
      })),
    );
    expect(sent).toEqual({ successful: ["0", "1", "2", "3"], failed: [] });
    const [first, second] = await Promise.all([receive(q.arn, 0, 1), receive(q.arn, 0, 1)]);
    const held = [...(first ?? []), ...(second ?? [])];
    // One message per group in flight, the first of each group (a receive of up to 10 would
    // take a whole group: test/integration/local/fifo-receive.test.ts).
    expect(bodies(held)).toEqual(["g1:1", "g2:1"]);
    expect(await receive(q.arn)).toEqual([]);
    const g1 = held.find((m) => m.body === "g1:1");
    const result = await gateway.queues.deleteMessageBatch(q.arn, [
      { id: "a", receiptHandle: g1?.receiptHandle ?? "" },
    ]);
    expect(result).toEqual({ successful: ["a"], failed: [] });
    const next = await receive(q.arn);
    expect(bodies(next)).toEqual(["g1:2"]);
    expect(next[0]?.attributes).toMatchObject({
      MessageGroupId: "g1",
      MessageDeduplicationId: "g1:2",
      ApproximateReceiveCount: "1",
    });
  });

  it("FIFO: a deduplication id sent again within the window is accepted but not enqueued", async () => {
    const q = await queue("port-dedup.fifo");
    const entry = { body: "once", messageGroupId: "g", messageDeduplicationId: "evt-1" };
    const a = await gateway.queues.sendMessage(q.arn, entry);
    const b = await gateway.queues.sendMessage(q.arn, { ...entry, body: "again" });
    expect(b.messageId).toBe(a.messageId);
    const batch = await gateway.queues.sendMessageBatch(q.arn, [{ id: "x", ...entry }]);
    expect(batch.successful).toEqual(["x"]);
    expect(await depth(q.url)).toEqual({ visible: 1, inFlight: 0 });
    expect(bodies(await receive(q.arn))).toEqual(["once"]);
  });

  it("moves a message to the DLQ after maxReceiveCount receives", async () => {
    const dlq = await queue("port-dlq");
    const q = await queue("port-redrive", {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }),
    });
    await gateway.queues.sendMessage(q.arn, { body: "poison" });
    for (const count of ["1", "2"]) {
      const [m] = await receive(q.arn);
      expect(m?.attributes.ApproximateReceiveCount).toBe(count);
      // Visible again at once (ChangeMessageVisibility 0), as after a failed handling.
      await gateway.queues.changeMessageVisibility(q.arn, m?.receiptHandle ?? "", 0);
    }
    expect(await receive(q.arn)).toEqual([]);
    const [dead] = await receive(dlq.arn);
    expect(dead?.body).toBe("poison");
    expect(await depth(q.url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it("a long poll wakes when the visibility timeout expires and the message is received again", async () => {
    const q = await queue("port-visibility", { VisibilityTimeout: "1" });
    await gateway.queues.sendMessage(q.arn, {
      body: "again",
      messageAttributes: { kind: { DataType: "String", StringValue: "signal" } },
    });
    const [first] = await receive(q.arn);
    // Nothing is visible now: the long poll returns when the 1 s visibility timeout ends.
    const [second] = await receive(q.arn, 20);
    expect(second).toMatchObject({
      messageId: first?.messageId,
      body: "again",
      attributes: {
        ApproximateReceiveCount: "2",
        SentTimestamp: first?.attributes.SentTimestamp,
        ApproximateFirstReceiveTimestamp: first?.attributes.ApproximateFirstReceiveTimestamp,
      },
      messageAttributes: { kind: { DataType: "String", StringValue: "signal" } },
    });
    expect(second?.receiptHandle).not.toBe(first?.receiptHandle);
  });

  it("a delete with the receipt of an expired receive does not delete the message received again", async () => {
    const q = await queue("port-stale-delete", { VisibilityTimeout: "1" });
    await gateway.queues.sendMessage(q.arn, { body: "raced" });
    const [stale] = await receive(q.arn);
    const [fresh] = await receive(q.arn, 20);
    expect(fresh?.messageId).toBe(stale?.messageId);
    // The slow consumer's delete arrives after the message was received again.
    await gateway.queues.deleteMessageBatch(q.arn, [
      { id: "late", receiptHandle: stale?.receiptHandle ?? "" },
    ]);
    expect(await depth(q.url)).toEqual({ visible: 0, inFlight: 1 });
    await gateway.queues.deleteMessageBatch(q.arn, [
      { id: "current", receiptHandle: fresh?.receiptHandle ?? "" },
    ]);
    expect(await depth(q.url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it("stopping a long poll ends it at once with nothing received, and nothing is left waiting", async () => {
    const q = await queue("port-abort");
    const controller = new AbortController();
    const polled = gateway.queues.receiveMessage(q.arn, {
      maxMessages: 1,
      waitSeconds: 20,
      signal: controller.signal,
    });
    controller.abort();
    expect(await polled).toEqual([]);
    // A message sent afterwards is still there for the next receiver.
    await sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: "kept" }));
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: q.url }));
    expect(Messages.map((m) => m.Body)).toEqual(["kept"]);
  });

  it("answers errors with the SQS code: a missing queue, a malformed ARN, a FIFO send without group", async () => {
    const missing = await gateway.queues
      .sendMessage("arn:aws:sqs:us-east-1:000000000000:no-such-queue", { body: "x" })
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(QueueActionError);
    expect(missing).toMatchObject({ name: "QueueDoesNotExist" });
    const malformed = await gateway.queues
      .receiveMessage("arn:aws:sns:us-east-1:000000000000:topic", {
        maxMessages: 1,
        waitSeconds: 0,
      })
      .catch((e: unknown) => e);
    expect(malformed).toMatchObject({ code: "InvalidArn", retryable: false });
    expect(String(malformed)).toContain("is not an SQS queue ARN");
    const q = await queue("port-errors.fifo");
    const noGroup = await gateway.queues
      .sendMessage(q.arn, { body: "x", messageDeduplicationId: "d" })
      .catch((e: unknown) => e);
    expect(noGroup).toMatchObject({ code: "MissingParameter" });
    expect(String(noGroup)).toContain("MessageGroupId");
  });

  it("counts each call as the SQS action it stands for, origin cloud", async () => {
    const q = await queue("port-counts");
    const before = gateway.requests.snapshot().cloud.sqs ?? {};
    await gateway.queues.sendMessage(q.arn, { body: "a" });
    await gateway.queues.sendMessageBatch(q.arn, [{ id: "b", body: "b" }]);
    const got = await receive(q.arn);
    await gateway.queues.deleteMessageBatch(
      q.arn,
      got.map((m, i) => ({ id: String(i), receiptHandle: m.receiptHandle })),
    );
    const after = gateway.requests.snapshot().cloud.sqs ?? {};
    const delta = (action: string) => (after[action] ?? 0) - (before[action] ?? 0);
    expect(
      ["SendMessage", "SendMessageBatch", "ReceiveMessage", "DeleteMessageBatch"].map(delta),
    ).toEqual([1, 1, 1, 1]);
    await waitFor("the queue drained", async () => (await depth(q.url)).inFlight === 0);
  });
});
