/**
 * The local cloud's own SQS clients (in-process handler) with one AbortSignal reused for a
 * poller's lifetime, as the Lambda runner's pollers and the pipes do: the answered requests
 * leave no `abort` listener on it, and an abort still ends a long poll.
 */
import { getEventListeners } from "node:events";
import {
  CreateQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Gateway, startGateway } from "../../../local/gateway/server.ts";

describe("in-process SQS requests on a reused abort signal", () => {
  let gateway: Gateway;
  let sqs: SQSClient;

  beforeAll(async () => {
    gateway = await startGateway({ port: 0 });
    sqs = new SQSClient({
      endpoint: gateway.url,
      region: gateway.region,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      requestHandler: gateway.queueRequestHandler(),
    });
  });
  afterAll(async () => {
    sqs?.destroy();
    await gateway?.stop();
  });

  it("leaves no abort listener behind after many polls on one signal", async () => {
    const { QueueUrl = "" } = await sqs.send(new CreateQueueCommand({ QueueName: "abort-reuse" }));
    const controller = new AbortController();
    const n = 30;
    let received = 0;
    for (let i = 0; i < n; i++) {
      if (i % 3 === 0) await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: `m${i}` }));
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0, MaxNumberOfMessages: 10 }),
        { abortSignal: controller.signal },
      );
      received += Messages.length;
    }
    expect(received).toBe(10);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("still ends a long poll when the signal aborts", async () => {
    const { QueueUrl = "" } = await sqs.send(new CreateQueueCommand({ QueueName: "abort-long" }));
    const controller = new AbortController();
    const poll = sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }), {
      abortSignal: controller.signal,
    });
    controller.abort();
    await expect(poll).rejects.toMatchObject({ name: "AbortError" });
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });
});
