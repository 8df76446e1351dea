import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Gateway, startGateway } from "../../../local/gateway/server.ts";
import { FunctionHost } from "../../../local/lambda/host.ts";
import { EventSourceMapping } from "../../../local/lambda/mapping.ts";
import { clientsFor, waitFor } from "./support.ts";

interface Observation {
  functionName: string;
  awsRequestId: string;
  remainingMs: number;
  marker: string | null;
  hostOnly: string | null;
  region: string | null;
  records: {
    body: string;
    messageId: string;
    receiveCount: string;
    groupId: string | null;
    eventSourceARN: string;
  }[];
}

const FIXTURE = "test/integration/local/fixtures/recorder.ts";

describe("local Lambda runner (SQS event source mapping semantics)", () => {
  let gateway: Gateway;
  let sqs: SQSClient;
  let observeUrl: string;
  const running: { stop(): Promise<void> }[] = [];
  let counter = 0;

  beforeAll(async () => {
    process.env.BUZZVILLE_HOST_ONLY = "leak";
    gateway = await startGateway({ port: 0 });
    sqs = clientsFor(gateway.url).sqs;
  });
  afterEach(async () => {
    for (const r of running.splice(0).reverse()) await r.stop();
  });
  afterAll(async () => {
    delete process.env.BUZZVILLE_HOST_ONLY;
    await gateway?.stop();
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

  /** A source queue with a DLQ after 3 receives, a function and its mapping, started. */
  async function setup(opts: {
    fifo?: boolean;
    batchSize?: number;
    windowSeconds?: number;
    timeoutMs?: number;
    maxConcurrency?: number;
  }) {
    const n = ++counter;
    const suffix = opts.fifo ? ".fifo" : "";
    const observe = await queue(`observe-${n}`);
    observeUrl = observe.url;
    const dlq = await queue(`dlq-${n}${suffix}`);
    const source = await queue(`source-${n}${suffix}`, {
      VisibilityTimeout: "1",
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 3 }),
      ...(opts.fifo ? { FifoQueue: "true", ContentBasedDeduplication: "true" } : {}),
    });
    const fn = new FunctionHost({
      name: `recorder-${n}`,
      entry: FIXTURE,
      timeoutMs: opts.timeoutMs ?? 5000,
      memoryMb: 256,
      region: "us-east-1",
      maxInstances: 2,
      env: {
        AWS_ENDPOINT_URL: gateway.url,
        AWS_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: "local",
        AWS_SECRET_ACCESS_KEY: "local",
        OBSERVE_QUEUE_URL: observe.url,
        MARKER: `fn-${n}`,
      },
    });
    const mapping = new EventSourceMapping({
      id: `mapping-${n}`,
      queueArn: source.arn,
      region: "us-east-1",
      queues: gateway.queues,
      fn,
      batchSize: opts.batchSize ?? 10,
      maxBatchingWindowSeconds: opts.windowSeconds ?? 0,
      maxConcurrency: opts.maxConcurrency ?? 1,
    });
    running.push({ stop: () => fn.close() }, mapping);
    return { source, dlq, fn, mapping };
  }

  const seen: Observation[] = [];
  async function observations(count: number): Promise<Observation[]> {
    return waitFor(`${count} invocations observed`, async () => {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: observeUrl, MaxNumberOfMessages: 10 }),
      );
      for (const m of Messages) seen.push(JSON.parse(m.Body ?? "{}"));
      return seen.length >= count ? seen.splice(0) : undefined;
    });
  }

  async function dlqBodies(url: string, count: number): Promise<string[]> {
    const bodies: string[] = [];
    return waitFor(`${count} messages in the DLQ`, async () => {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }),
      );
      bodies.push(...Messages.map((m) => m.Body ?? ""));
      return bodies.length >= count ? bodies.sort() : undefined;
    });
  }

  it("delivers a batch in the SQS event shape with a Lambda context and the function's own env", async () => {
    const { source, mapping } = await setup({ batchSize: 10 });
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: source.url,
        Entries: ["a", "b", "c"].map((b) => ({ Id: b, MessageBody: b })),
      }),
    );
    mapping.start();
    const [first] = await observations(1);
    expect(first?.records.map((r) => r.body).sort()).toEqual(["a", "b", "c"]);
    expect(first?.records[0]).toMatchObject({ receiveCount: "1", eventSourceARN: source.arn });
    expect(first?.functionName).toMatch(/^recorder-\d+$/);
    expect(first?.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(first?.remainingMs).toBeGreaterThan(0);
    expect(first?.remainingMs).toBeLessThanOrEqual(5000);
    expect(first?.marker).toMatch(/^fn-\d+$/);
    expect(first?.region).toBe("us-east-1");
    expect(first?.hostOnly).toBeNull();
    await waitFor("the batch deleted", () => mapping.stats.delivered === 3);
  });

  it("returns only the batchItemFailures, which reach the DLQ after 3 receives", async () => {
    const { source, dlq, mapping } = await setup({ batchSize: 10 });
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: source.url,
        Entries: ["ok-1", "fail-2", "ok-3"].map((b) => ({ Id: b, MessageBody: b })),
      }),
    );
    mapping.start();
    expect(await dlqBodies(dlq.url, 1)).toEqual(["fail-2"]);
    const all = await observations(3);
    const receives = all.flatMap((o) => o.records).filter((r) => r.body === "fail-2");
    expect(receives.map((r) => r.receiveCount)).toEqual(["1", "2", "3"]);
    const oks = all.flatMap((o) => o.records).filter((r) => r.body.startsWith("ok"));
    expect(oks).toHaveLength(2);
    expect(mapping.stats.delivered).toBe(2);
  });

  it("a throwing handler loses nothing: the whole batch returns and reaches the DLQ", async () => {
    const { source, dlq, mapping } = await setup({ batchSize: 10 });
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: source.url,
        Entries: ["throw", "innocent"].map((b) => ({ Id: b, MessageBody: b })),
      }),
    );
    mapping.start();
    expect(await dlqBodies(dlq.url, 2)).toEqual(["innocent", "throw"]);
    expect(mapping.stats.delivered).toBe(0);
    expect(mapping.stats.failedInvocations).toBeGreaterThanOrEqual(3);
  });

  it("a timed-out invocation's message returns after the visibility timeout; the environment is replaced", async () => {
    // The timeout also bounds the next message's invocation (an SQS send): 300 ms timed it out
    // too on a loaded machine, so "after" reached the DLQ instead of being delivered.
    const { source, dlq, fn, mapping } = await setup({ batchSize: 1, timeoutMs: 2000 });
    await sqs.send(new SendMessageCommand({ QueueUrl: source.url, MessageBody: "hang" }));
    mapping.start();
    expect(await dlqBodies(dlq.url, 1)).toEqual(["hang"]);
    expect(fn.stats.timeouts).toBe(3);
    await sqs.send(new SendMessageCommand({ QueueUrl: source.url, MessageBody: "after" }));
    await waitFor(
      "a fresh environment handles the next message",
      () => mapping.stats.delivered === 1,
    );
    expect(fn.stats.coldStarts).toBeGreaterThanOrEqual(4);
  });

  it("a crashing environment loses nothing and is recreated", async () => {
    const { source, dlq, fn, mapping } = await setup({ batchSize: 1 });
    await sqs.send(new SendMessageCommand({ QueueUrl: source.url, MessageBody: "crash" }));
    mapping.start();
    expect(await dlqBodies(dlq.url, 1)).toEqual(["crash"]);
    expect(fn.stats.crashes).toBe(3);
    await sqs.send(new SendMessageCommand({ QueueUrl: source.url, MessageBody: "after" }));
    await waitFor(
      "a fresh environment handles the next message",
      () => mapping.stats.delivered === 1,
    );
  });

  // Group exclusivity (no two concurrent batches of a group) is checked in
  // lambda-runner-concurrency.test.ts with invocation start/end records.
  it("FIFO: keeps each group's order across batches, each message handled once", async () => {
    const { source, fn, mapping } = await setup({ fifo: true, batchSize: 10, maxConcurrency: 2 });
    // A cold start longer than the 1 s visibility timeout would redeliver the first batch.
    await fn.warm();
    const entries = [1, 2, 3, 4].flatMap((i) =>
      ["g1", "g2", "g3"].map((g) => ({
        Id: `${g}-${i}`,
        MessageBody: `${g}:${i}`,
        MessageGroupId: g,
      })),
    );
    await sqs.send(
      new SendMessageBatchCommand({ QueueUrl: source.url, Entries: entries.slice(0, 10) }),
    );
    await sqs.send(
      new SendMessageBatchCommand({ QueueUrl: source.url, Entries: entries.slice(10) }),
    );
    mapping.start();
    await waitFor("all 12 handled", () => mapping.stats.delivered === 12);
    const all = await observations(1).then(async (first) => {
      const rest: Observation[] = [...first];
      while (rest.flatMap((o) => o.records).length < 12) rest.push(...(await observations(1)));
      return rest;
    });
    const records = all.flatMap((o) => o.records);
    for (const g of ["g1", "g2", "g3"]) {
      expect(records.filter((r) => r.groupId === g).map((r) => r.body)).toEqual(
        [1, 2, 3, 4].map((i) => `${g}:${i}`),
      );
    }
    // Each message was handled once (no redelivery after a lost delete or visibility expiry).
    expect(records.map((r) => r.receiveCount)).toEqual(records.map(() => "1"));
  });
});
