/**
 * The EventBridge target dispatcher of the local cloud, whose SQS/SNS requests are served in
 * process by the embedded fauxqs: same FIFO group/deduplication ids and message attributes as
 * over HTTP, and errors the EventBridge engine classifies (permanent ones go to the DLQ at once).
 */
import { CreateQueueCommand, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isRetriable } from "../../../local/eventbridge/index.ts";
import { type Gateway, startGateway } from "../../../local/gateway/server.ts";
import { createEventTargets, TargetDeliveryError } from "../../../local/targets.ts";
import { clientsFor } from "./support.ts";

describe("EventBridge targets served in process", () => {
  let gateway: Gateway;
  let sqs: SQSClient;
  let targets: ReturnType<typeof createEventTargets>;

  beforeAll(async () => {
    gateway = await startGateway({ port: 0 });
    sqs = clientsFor(gateway.url).sqs;
    targets = createEventTargets({
      endpoint: gateway.url,
      region: gateway.region,
      invokeLambda: async () => {},
      queues: gateway.queues,
      requestHandler: gateway.queueRequestHandler(),
    });
  });
  afterAll(async () => {
    targets?.destroy();
    await gateway?.stop();
  });

  it("sends to a FIFO queue with its group and deduplication ids and message attributes", async () => {
    const { QueueUrl = "" } = await sqs.send(
      new CreateQueueCommand({ QueueName: "in-process.fifo", Attributes: { FifoQueue: "true" } }),
    );
    const arn = "arn:aws:sqs:us-east-1:000000000000:in-process.fifo";
    const send = (body: string) =>
      targets.sendToSqs(arn, body, {
        messageGroupId: "i-7",
        messageDeduplicationId: "evt-1",
        messageAttributes: { kind: { DataType: "String", StringValue: "signal" } },
      });
    const first = await send("one");
    expect(first).toMatchObject({ messageId: expect.stringMatching(/\S+/) });
    await send("one again, same dedup id");
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl,
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ["MessageGroupId", "MessageDeduplicationId"],
        MessageAttributeNames: ["All"],
      }),
    );
    expect(Messages).toHaveLength(1);
    expect(Messages[0]).toMatchObject({
      Body: "one",
      Attributes: { MessageGroupId: "i-7", MessageDeduplicationId: "evt-1" },
      MessageAttributes: { kind: { DataType: "String", StringValue: "signal" } },
    });
  });

  it("rejects a missing queue with the SDK's QueueDoesNotExist, which is permanent", async () => {
    const error = await targets
      .sendToSqs("arn:aws:sqs:us-east-1:000000000000:no-such-queue", "x", {})
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toMatchObject({ name: "QueueDoesNotExist" });
    expect(isRetriable(error)).toBe(false);
  });

  it("rejects a malformed ARN as a permanent TargetDeliveryError", async () => {
    const error = await targets.sendToSqs("arn:aws:sns:us-east-1:0:topic", "x", {}).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TargetDeliveryError);
    expect(String(error)).toContain("is not an SQS queue ARN");
    expect(isRetriable(error)).toBe(false);
  });
});
