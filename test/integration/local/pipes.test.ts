import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalCloud, startLocalCloud } from "../../../local/cloud.ts";
import { PipesClient } from "../../../local/pipes/client.ts";
import { clientsFor, waitFor } from "./support.ts";

describe("local EventBridge Pipes: SQS -> SQS FIFO with a dynamic MessageGroupId", () => {
  let cloud: LocalCloud;
  let sqs: SQSClient;
  let pipes: PipesClient;

  beforeAll(async () => {
    cloud = await startLocalCloud({ port: 0 });
    sqs = clientsFor(cloud.endpoint).sqs;
    pipes = new PipesClient(cloud.endpoint, cloud.region);
  });
  afterAll(async () => {
    await cloud?.stop();
  });

  async function queue(name: string, attributes: Record<string, string> = {}) {
    const { QueueUrl = "" } = await sqs.send(
      new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
    );
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
    );
    return { url: QueueUrl, arn: Attributes?.QueueArn ?? "" };
  }

  const event = (intersectionId: string | undefined, eventId: string, seq: number) =>
    JSON.stringify({
      "detail-type": "TrafficLightChanged",
      source: "buzzville.traffic-light",
      detail: { seq, meta: { eventId, ...(intersectionId ? { intersectionId } : {}) } },
    });

  it("moves messages into FIFO groups keyed from the body, in order per group, and dead-letters a message without a group", async () => {
    const dlq = await queue("pipe-intake-dlq");
    const source = await queue("pipe-intake", {
      VisibilityTimeout: "1",
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 3 }),
    });
    const target = await queue("pipe-signals.fifo", { FifoQueue: "true" });
    const created = await pipes.putPipe("signals-pipe", {
      Source: source.arn,
      Target: target.arn,
      RoleArn: "arn:aws:iam::000000000000:role/pipe",
      SourceParameters: { SqsQueueParameters: { BatchSize: 10 } },
      TargetParameters: {
        InputTemplate: "<$.body>",
        SqsQueueParameters: {
          MessageGroupId: "$.body.detail.meta.intersectionId",
          MessageDeduplicationId: "$.body.detail.meta.eventId",
        },
      },
    });
    expect(created.Arn).toBe("arn:aws:pipes:us-east-1:000000000000:pipe/signals-pipe");

    // Sent one at a time so the standard intake queue hands them over in this order.
    for (let seq = 1; seq <= 4; seq++) {
      for (const i of ["i-1", "i-2"]) {
        await sqs.send(
          new SendMessageCommand({
            QueueUrl: source.url,
            MessageBody: event(i, `${i}-${seq}`, seq),
          }),
        );
      }
    }
    await sqs.send(
      new SendMessageCommand({ QueueUrl: source.url, MessageBody: event(undefined, "lost-1", 1) }),
    );
    // A duplicate eventId is deduplicated by the FIFO target.
    await sqs.send(
      new SendMessageCommand({ QueueUrl: source.url, MessageBody: event("i-1", "i-1-1", 1) }),
    );

    const received: {
      group: string;
      body: { detail: { seq: number; meta: { eventId: string } } };
    }[] = [];
    await waitFor("8 messages in the FIFO target", async () => {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: target.url,
          MaxNumberOfMessages: 10,
          MessageSystemAttributeNames: ["MessageGroupId"],
        }),
      );
      for (const m of Messages) {
        received.push({
          group: m.Attributes?.MessageGroupId ?? "",
          body: JSON.parse(m.Body ?? "{}"),
        });
        await sqs.send(
          new DeleteMessageCommand({ QueueUrl: target.url, ReceiptHandle: m.ReceiptHandle }),
        );
      }
      return received.length >= 8;
    });
    for (const i of ["i-1", "i-2"]) {
      expect(received.filter((r) => r.group === i).map((r) => r.body.detail.seq)).toEqual([
        1, 2, 3, 4,
      ]);
    }
    // The target holds the EventBridge event itself (InputTemplate <$.body>), not the SQS record.
    expect(received[0]?.body.detail.meta.eventId).toMatch(/^i-\d-\d$/);

    const dead = await waitFor("the group-less message in the source DLQ", async () => {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.url }));
      return Messages[0];
    });
    expect(JSON.parse(dead.Body ?? "{}").detail.meta.eventId).toBe("lost-1");
    const [described] = cloud.pipes.list();
    expect(described?.moved).toBe(9);
    expect(described?.rejected).toBe(3);
  });

  it("describes, lists and rejects pipes like the Pipes API", async () => {
    const source = await queue("pipe-api-src");
    const target = await queue("pipe-api-dst.fifo", { FifoQueue: "true" });
    await pipes.putPipe("api-pipe", {
      Source: source.arn,
      Target: target.arn,
      RoleArn: "arn:aws:iam::000000000000:role/pipe",
      DesiredState: "STOPPED",
    });
    const described = await pipes.describePipe("api-pipe");
    expect(described).toMatchObject({
      Name: "api-pipe",
      Source: source.arn,
      CurrentState: "STOPPED",
    });
    const { Pipes } = await pipes.listPipes();
    expect(Pipes.map((p) => p.Name)).toContain("api-pipe");
    await expect(pipes.describePipe("nope")).rejects.toMatchObject({ code: "NotFoundException" });
    await expect(
      pipes.putPipe("bad-pipe", {
        Source: "arn:aws:kinesis:us-east-1:0:stream/x",
        Target: target.arn,
        RoleArn: "r",
      }),
    ).rejects.toThrow(/Source "arn:aws:kinesis.*SQS queue ARNs/);
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: source.url,
        Entries: [{ Id: "1", MessageBody: "{}" }],
      }),
    );
  });
});
