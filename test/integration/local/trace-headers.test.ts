/**
 * The AWSTraceHeader of messages in the embedded queues (local/xray/message-headers.ts through
 * the direct queue port, local/queues/direct.ts): each receive of a traced message carries its
 * header, as SQS's does, and the header is dropped once the message is deleted, so what the
 * local cloud holds follows the messages in its queues, not every message it ever carried.
 */
import type { SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type QueueBackend, startQueueBackend } from "../../../local/backends/fauxqs.ts";
import { directQueuePort } from "../../../local/queues/direct.ts";
import type { QueuePort } from "../../../local/queues/port.ts";
import { MessageTraceHeaders } from "../../../local/xray/message-headers.ts";
import { createQueue, inProcessSqs } from "./support.ts";

const HEADER = "Root=1-6752a0c4-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1";

describe("trace headers of queued messages", () => {
  let backend: QueueBackend;
  let sqs: SQSClient;
  let port: QueuePort;
  const traces = new MessageTraceHeaders();

  beforeAll(async () => {
    backend = await startQueueBackend({ region: "us-east-1" });
    sqs = inProcessSqs(backend);
    port = directQueuePort(backend.sqs, undefined, traces);
  });
  afterAll(async () => {
    sqs?.destroy();
    await backend?.stop();
  });

  it("every receive carries the header until the message is deleted, then it is dropped", async () => {
    const { arn } = await createQueue(sqs, "traced");
    const receive = async () => port.receiveMessage(arn, { maxMessages: 10, waitSeconds: 0 });

    await port.sendMessage(arn, { body: "traced", traceHeader: HEADER });
    await port.sendMessage(arn, { body: "plain" });
    expect(traces.size).toBe(1);
    const first = await receive();
    const traced = first.find((m) => m.body === "traced");
    expect(traced?.attributes.AWSTraceHeader).toBe(HEADER);
    expect(first.find((m) => m.body === "plain")?.attributes.AWSTraceHeader).toBeUndefined();

    // Back in the queue (a failed handling): received again with a new receipt handle, and its header.
    await port.changeMessageVisibility(arn, traced?.receiptHandle ?? "", 0);
    const [again] = await receive();
    expect(again?.messageId).toBe(traced?.messageId);
    expect(again?.receiptHandle).not.toBe(traced?.receiptHandle);
    expect(again?.attributes.AWSTraceHeader).toBe(HEADER);

    // Another message's delete (a handle this message was never received with) keeps it.
    const other = first.find((m) => m.body === "plain");
    await port.deleteMessageBatch(arn, [{ id: "p", receiptHandle: other?.receiptHandle ?? "" }]);
    expect(traces.size).toBe(1);
    const deleted = await port.deleteMessageBatch(arn, [
      { id: "a", receiptHandle: again?.receiptHandle ?? "" },
    ]);
    expect(deleted.successful).toEqual(["a"]);
    expect(traces.size).toBe(0);
  });

  it("stays bounded: past its limit the oldest header is forgotten", () => {
    const small = new MessageTraceHeaders(2);
    for (const id of ["m1", "m2", "m3"]) small.remember(id, HEADER);
    expect(small.size).toBe(2);
    expect(small.attributes("m1", "r1", {})).toEqual({});
    expect(small.attributes("m3", "r3", {})).toEqual({ AWSTraceHeader: HEADER });
    small.deleted("r3");
    expect(small.size).toBe(1);
  });
});
