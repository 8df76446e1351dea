/**
 * Long polls of the direct queue port (local/queues/direct.ts) wait without polling: a receiver
 * on an empty queue looks once, then sleeps until fauxqs wakes it (a message enqueued) or until
 * the earliest visibility timeout ends. Counted by a spy on fauxqs' ReceiveMessage action, which
 * the port calls once per look; queues are created and fed by a real SDK client served by the
 * same embedded fauxqs.
 */
import { getEventListeners } from "node:events";
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type QueueBackend, startQueueBackend } from "../../../local/backends/fauxqs.ts";
import { directQueuePort } from "../../../local/queues/direct.ts";
import type { QueuePort } from "../../../local/queues/port.ts";
import { inProcessSqs, waitFor } from "./support.ts";

describe("direct queue port: long polls wake, they do not poll", () => {
  let backend: QueueBackend;
  let sqs: SQSClient;
  let port: QueuePort;
  let looks = 0;
  let counter = 0;

  beforeAll(async () => {
    backend = await startQueueBackend({ region: "us-east-1" });
    sqs = inProcessSqs(backend);
    const { actions } = backend.sqs;
    // A spy, not a mock: every look goes on to fauxqs unchanged.
    port = directQueuePort({
      ...backend.sqs,
      actions: {
        ...actions,
        receiveMessage: (body, store) => {
          looks++;
          return actions.receiveMessage(body, store);
        },
      },
    });
  });
  afterAll(async () => {
    sqs?.destroy();
    await backend?.stop();
  });

  async function queue(attributes: Record<string, string> = {}) {
    const name = `wake-${++counter}`;
    const { QueueUrl = "" } = await sqs.send(
      new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
    );
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
    );
    const waiters = () => backend.sqs.store.getQueueByName(name)?.pollWaiters.length ?? 0;
    return { url: QueueUrl, arn: Attributes?.QueueArn ?? "", waiters };
  }

  it("an empty queue is looked at once; a sent message wakes the receiver", async () => {
    const q = await queue();
    looks = 0;
    const polled = port.receiveMessage(q.arn, { maxMessages: 10, waitSeconds: 20 });
    await waitFor("the receiver waiting", () => q.waiters() === 1);
    expect(looks).toBe(1);
    await sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: "hello" }));
    const messages = await polled;
    expect(messages.map((m) => m.body)).toEqual(["hello"]);
    expect(looks).toBe(2);
    expect(q.waiters()).toBe(0);
  });

  it("a message in flight wakes the receiver when its visibility timeout ends", async () => {
    const q = await queue({ VisibilityTimeout: "1" });
    await sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: "back" }));
    const [first] = await port.receiveMessage(q.arn, { maxMessages: 1, waitSeconds: 0 });
    looks = 0;
    const [again] = await port.receiveMessage(q.arn, { maxMessages: 1, waitSeconds: 20 });
    expect(again).toMatchObject({ messageId: first?.messageId, body: "back" });
    expect(again?.attributes.ApproximateReceiveCount).toBe("2");
    // One look finding nothing, one when the timer for the visibility deadline fired.
    expect(looks).toBe(2);
  });

  it("a visibility timeout moved earlier re-arms the waiting receiver at the new deadline", async () => {
    const q = await queue({ VisibilityTimeout: "600" });
    await sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: "backoff" }));
    const [first] = await port.receiveMessage(q.arn, { maxMessages: 1, waitSeconds: 0 });
    looks = 0;
    const polled = port.receiveMessage(q.arn, { maxMessages: 1, waitSeconds: 20 });
    await waitFor("the receiver waiting", () => q.waiters() === 1);
    // A handler's retry backoff: visible again in 1 s instead of 600 s.
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: q.url,
        ReceiptHandle: first?.receiptHandle,
        VisibilityTimeout: 1,
      }),
    );
    const [again] = await polled;
    expect(again).toMatchObject({ messageId: first?.messageId, body: "backoff" });
    // The first look, one when the change woke it (nothing visible yet), one at the new deadline.
    expect(looks).toBe(3);
  });

  it("a stopped long poll leaves no waiter on the queue and no listener on the signal", async () => {
    const q = await queue();
    const controller = new AbortController();
    for (let i = 0; i < 20; i++) {
      const polled = port.receiveMessage(q.arn, {
        maxMessages: 1,
        waitSeconds: 20,
        signal: controller.signal,
      });
      await waitFor("the receiver waiting", () => q.waiters() === 1);
      await sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: `m${i}` }));
      const [m] = await polled;
      expect(m?.body).toBe(`m${i}`);
      await port.deleteMessageBatch(q.arn, [{ id: "0", receiptHandle: m?.receiptHandle ?? "" }]);
    }
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
    const last = port.receiveMessage(q.arn, {
      maxMessages: 1,
      waitSeconds: 20,
      signal: controller.signal,
    });
    await waitFor("the receiver waiting", () => q.waiters() === 1);
    controller.abort();
    expect(await last).toEqual([]);
    expect(q.waiters()).toBe(0);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });
});
