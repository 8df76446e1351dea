/**
 * A FIFO message without a group id never locks its queue (docs/LOCAL.md, "Hostile input"). AWS
 * never holds one: SendMessage refuses it, a FIFO queue's dead-letter queue must be FIFO and a
 * standard one's standard, and a FIFO queue only subscribes to a FIFO topic. fauxqs let two of
 * those through (a standard queue redriving into a FIFO DLQ, a standard topic delivering to a
 * FIFO queue); it locks such a message's group on receive under a default key but released it,
 * on delete or on ChangeMessageVisibility 0, under none: the queue's other group-less messages
 * were never received again, and a released one went to the standard list, lost to receives.
 * The gateway refuses the mismatched redrive policy as AWS does (local/gateway/sqs-validate.ts),
 * and the backend gives such a message fauxqs' default group (local/backends/fauxqs.ts).
 */
import { CreateTopicCommand, PublishCommand, SubscribeCommand } from "@aws-sdk/client-sns";
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalCloud, startLocalCloud } from "../../../local/cloud.ts";
import { raw, sqsQueryRequest } from "./hardening-support.ts";
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

const queue = (name: string, attributes: Record<string, string> = {}) =>
  createQueue(clients.sqs, name, attributes);

const fifo = { FifoQueue: "true", ContentBasedDeduplication: "true" };
const redrive = (arn: string) => JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: 1 });

const receive = (url: string, max?: number) => receiveOnce(clients.sqs, url, max);

/** A FIFO queue fed group-less messages by a standard SNS topic (raw delivery). */
async function fedByStandardTopic(name: string, bodies: readonly string[]): Promise<string> {
  const q = await queue(`${name}.fifo`, fifo);
  const topic = await clients.sns.send(new CreateTopicCommand({ Name: name }));
  await clients.sns.send(
    new SubscribeCommand({
      TopicArn: topic.TopicArn,
      Protocol: "sqs",
      Endpoint: q.arn,
      Attributes: { RawMessageDelivery: "true" },
    }),
  );
  for (const Message of bodies)
    await clients.sns.send(new PublishCommand({ TopicArn: topic.TopicArn, Message }));
  return q.url;
}

describe("FIFO messages without a group id", () => {
  it("refuses a standard queue's redrive policy naming a FIFO DLQ, and the reverse", async () => {
    const fifoDlq = await queue("nogroup-dlq.fifo", fifo);
    const standardDlq = await queue("nogroup-dlq");
    const standard = await queue("nogroup-source");
    await expect(
      clients.sqs.send(
        new SetQueueAttributesCommand({
          QueueUrl: standard.url,
          Attributes: { RedrivePolicy: redrive(fifoDlq.arn) },
        }),
      ),
    ).rejects.toMatchObject({
      name: "InvalidParameterValue",
      message: expect.stringMatching(/RedrivePolicy.*standard queue.*standard/),
    });
    await expect(
      clients.sqs.send(
        new CreateQueueCommand({
          QueueName: "nogroup-source.fifo",
          Attributes: { ...fifo, RedrivePolicy: redrive(standardDlq.arn) },
        }),
      ),
    ).rejects.toMatchObject({
      name: "InvalidParameterValue",
      message: expect.stringMatching(/RedrivePolicy.*FIFO queue.*FIFO/),
    });
    // The query protocol (the AWS CLI's) is checked alike.
    const query = await raw(
      cloud.endpoint,
      sqsQueryRequest(
        `Action=SetQueueAttributes&QueueUrl=${encodeURIComponent(standard.url)}&Attribute.1.Name=RedrivePolicy&Attribute.1.Value=${encodeURIComponent(redrive(fifoDlq.arn))}`,
      ),
    );
    expect(query.status).toBe(400);
    expect(query.body).toContain("<Code>InvalidParameterValue</Code>");
    expect(query.body).toContain("must also be a standard queue");
    // Matching types are accepted.
    await clients.sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: standard.url,
        Attributes: { RedrivePolicy: redrive(standardDlq.arn) },
      }),
    );
  });

  it("SendMessage without a group id is refused, over the wire and through the direct queue port", async () => {
    const q = await queue("nogroup-send.fifo", fifo);
    await expect(
      clients.sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: "x" })),
    ).rejects.toMatchObject({ name: expect.stringMatching(/MissingParameter$/) });
    await expect(cloud.queues.sendMessage(q.arn, { body: "x" })).rejects.toMatchObject({
      code: "MissingParameter",
    });
    expect(await receive(q.url)).toEqual([]);
  });

  it("a deleted one unlocks the rest: every message is received, one after the other", async () => {
    const url = await fedByStandardTopic("nogroup-delete", ["m1", "m2", "m3"]);
    const got: string[] = [];
    for (let i = 0; i < 3; i++) {
      const [m, ...more] = await receive(url, 1);
      expect(more).toEqual([]);
      if (!m) break;
      got.push(m.body);
      expect(await receive(url)).toEqual([]); // one group: held while one is in flight
      await clients.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.handle }));
    }
    expect(got).toEqual(["m1", "m2", "m3"]);
  });

  it("a released one (visibility 0) is received again, first, and keeps its group's order", async () => {
    const url = await fedByStandardTopic("nogroup-release", ["r1", "r2"]);
    const [first] = await receive(url, 1);
    expect(first?.body).toBe("r1");
    await clients.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: first?.handle,
        VisibilityTimeout: 0,
      }),
    );
    const again = await receive(url, 1);
    expect(again.map((m) => m.body)).toEqual(["r1"]);
    await clients.sqs.send(
      new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: again[0]?.handle }),
    );
    expect((await receive(url)).map((m) => m.body)).toEqual(["r2"]);
  });

  it("never holds up a grouped message of the same queue", async () => {
    const url = await fedByStandardTopic("nogroup-mixed", ["x1"]);
    await clients.sqs.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: "g1", MessageGroupId: "g" }),
    );
    const both = await receive(url);
    expect(both.map((m) => m.body).sort()).toEqual(["g1", "x1"]);
  });
});
