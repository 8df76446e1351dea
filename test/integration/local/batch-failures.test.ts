/**
 * Per-entry failures of SQS batch calls (DESIGN §6: a batch call's `Failed` is never ignored):
 * the Lambda runner's DeleteMessageBatch and the pipe runner's SendMessageBatch /
 * DeleteMessageBatch retry the failed entries, report what still fails, and lose nothing.
 * fauxqs never fails a single entry, so the fault is injected in the client
 * (support.ts `injectBatchEntryFailures`); everything else is the real local cloud.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Gateway, startGateway } from "../../../local/gateway/server.ts";
import { FunctionHost } from "../../../local/lambda/host.ts";
import { EventSourceMapping } from "../../../local/lambda/mapping.ts";
import { PipeRunner } from "../../../local/pipes/runner.ts";
import { sdkQueuePort } from "../../../local/queues/sdk.ts";
import { clientsFor, injectBatchEntryFailures, waitFor } from "./support.ts";

describe("failed entries of SQS batch calls are retried and reported, never ignored", () => {
  let gateway: Gateway;
  let sqs: SQSClient;
  let dir: string;
  let counter = 0;
  const running: { stop(): Promise<void> }[] = [];

  beforeAll(async () => {
    gateway = await startGateway({ port: 0 });
    sqs = clientsFor(gateway.url).sqs;
    dir = mkdtempSync(join(tmpdir(), "buzzville-batch-"));
  });
  afterEach(async () => {
    for (const r of running.splice(0).reverse()) await r.stop();
  });
  afterAll(async () => {
    await gateway?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function queue(name: string) {
    const { QueueUrl = "" } = await sqs.send(
      new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: "30" } }),
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

  async function send(url: string, bodies: string[]) {
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: bodies.map((b, i) => ({ Id: String(i), MessageBody: b })),
      }),
    );
  }

  /** A mapping reading `source` through a client that fails DeleteMessageBatch entries. */
  async function mappingWithFaults(times: number) {
    const n = ++counter;
    const source = await queue(`faulty-src-${n}`);
    const faulty = clientsFor(gateway.url).sqs;
    const faults = injectBatchEntryFailures(faulty, "DeleteMessageBatchCommand", { times });
    const track = join(dir, `track-${n}.jsonl`);
    writeFileSync(track, "");
    const fn = new FunctionHost({
      name: `faulty-${n}`,
      entry: "test/integration/local/fixtures/tracker.ts",
      timeoutMs: 5000,
      memoryMb: 256,
      region: "us-east-1",
      maxInstances: 1,
      env: { TRACK_FILE: track },
    });
    const warnings: string[] = [];
    const mapping = new EventSourceMapping({
      id: `faulty-${n}`,
      queueArn: source.arn,
      region: "us-east-1",
      queues: sdkQueuePort(faulty),
      fn,
      batchSize: 10,
      maxBatchingWindowSeconds: 0,
      maxConcurrency: 1,
      onWarning: (_id, message) => warnings.push(message),
    });
    running.push({ stop: () => fn.close() }, mapping, { stop: async () => faulty.destroy() });
    return { source, mapping, faults, warnings };
  }

  it("Lambda runner: a handled record whose delete failed is deleted on retry and counted once", async () => {
    const { source, mapping, faults, warnings } = await mappingWithFaults(1);
    await send(source.url, ["a", "b", "c"]);
    mapping.start();
    await waitFor("3 records delivered", () => mapping.stats.delivered === 3);
    expect(faults.injected).toBe(1);
    expect(mapping.stats.undeleted).toBe(0);
    expect(warnings.join("\n")).toMatch(
      /failed for 1 handled record\(s\).*InternalError.*retrying/,
    );
    // Nothing left behind (without the retry the record would still be in flight).
    expect(await depth(source.url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it("Lambda runner: a delete that keeps failing is reported and its record stays in the queue", async () => {
    const { source, mapping, faults, warnings } = await mappingWithFaults(3);
    await send(source.url, ["a", "b", "c"]);
    mapping.start();
    await waitFor("the undeleted record reported", () => mapping.stats.undeleted === 1);
    expect(faults.injected).toBe(3);
    expect(mapping.stats.delivered).toBe(2);
    expect(warnings.at(-1)).toMatch(/still failed .* after 3 attempts .*received again/);
    // It comes back after the visibility timeout (at-least-once), not lost.
    expect(await depth(source.url)).toEqual({ visible: 0, inFlight: 1 });
  });

  /** A pipe source -> target (standard queues) through a client with injected faults. */
  async function pipeWithFaults(command: string, times: number, poison?: string) {
    const n = ++counter;
    const source = await queue(`pipe-faulty-src-${n}`);
    const target = await queue(`pipe-faulty-dst-${n}`);
    const faulty = clientsFor(gateway.url).sqs;
    const faults = injectBatchEntryFailures(faulty, command, {
      times,
      ...(poison
        ? { pick: (e) => ((e as { MessageBody?: string }).MessageBody ?? "").includes(poison) }
        : {}),
    });
    const errors: string[] = [];
    const runner = new PipeRunner({
      pipe: {
        Name: `faulty-pipe-${n}`,
        Arn: `arn:aws:pipes:us-east-1:000000000000:pipe/faulty-pipe-${n}`,
        Source: source.arn,
        Target: target.arn,
        DesiredState: "RUNNING",
        CreationTime: 0,
        LastModifiedTime: 0,
      },
      queues: sdkQueuePort(faulty),
      region: "us-east-1",
      onError: (_pipe, error) => errors.push(String(error)),
    });
    running.push(runner, { stop: async () => faulty.destroy() });
    return { source, target, runner, faults, errors };
  }

  async function bodiesIn(url: string, count: number): Promise<string[]> {
    const bodies: string[] = [];
    return waitFor(`${count} messages in ${url}`, async () => {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }),
      );
      bodies.push(...Messages.map((m) => (JSON.parse(m.Body ?? "{}") as { body: string }).body));
      return bodies.length >= count ? bodies.sort() : undefined;
    });
  }

  it("pipe: a target entry that failed once is sent again; nothing is reported", async () => {
    const { source, target, runner, faults, errors } = await pipeWithFaults(
      "SendMessageBatchCommand",
      1,
    );
    await send(source.url, ["a", "b", "c"]);
    runner.start();
    expect(await bodiesIn(target.url, 3)).toEqual(["a", "b", "c"]);
    await waitFor("3 moved", () => runner.stats.moved === 3);
    expect(faults.injected).toBe(1);
    expect(errors).toEqual([]);
    expect(runner.stats.sendFailures).toBe(0);
  });

  it("pipe: a target entry that keeps failing is reported and stays in the source", async () => {
    const { source, target, runner, errors } = await pipeWithFaults(
      "SendMessageBatchCommand",
      3,
      "poison",
    );
    await send(source.url, ["a", "poison", "c"]);
    runner.start();
    // The failure is reported before the sent messages are deleted from the source: wait for both.
    await waitFor(
      "the failure reported, the rest moved",
      () => errors.length === 1 && runner.stats.moved === 2,
    );
    expect(errors[0]).toMatch(
      /PipeRunnerError: SendMessageBatch .* failed for 1 of 3 entries after 3 attempts .*InternalError.*stay in the source queue/,
    );
    expect(runner.stats).toMatchObject({ moved: 2, sendFailures: 1 });
    expect(await bodiesIn(target.url, 2)).toEqual(["a", "c"]);
    expect(await depth(source.url)).toEqual({ visible: 0, inFlight: 1 });
  });

  it("pipe: a source delete that keeps failing is reported (the message was delivered)", async () => {
    const { source, target, runner, errors } = await pipeWithFaults("DeleteMessageBatchCommand", 3);
    await send(source.url, ["a", "b"]);
    runner.start();
    await waitFor("the failure reported", () => errors.length === 1);
    expect(errors[0]).toMatch(/DeleteMessageBatch .* failed for 1 of 2 entries after 3 attempts/);
    expect(runner.stats).toMatchObject({ moved: 1, deleteFailures: 1, sendFailures: 0 });
    expect(await bodiesIn(target.url, 2)).toEqual(["a", "b"]);
    expect(await depth(source.url)).toEqual({ visible: 0, inFlight: 1 });
  });
});
