/**
 * Traces in the local cloud (docs/OPERATIONS.md "Traces"): the publisher's trace header goes
 * through PutEvents, the rule's delivery, the intake queue (AWSTraceHeader), the pipe and the
 * FIFO queue, each hop a span under the previous one; an unsampled header (Sampled=0) goes
 * through and records nothing; an event published without one starts a trace. A function runs
 * with the invocation's `_X_AMZN_TRACE_ID` and its Powertools Tracer sends its subsegments over
 * UDP to the cloud's daemon, under Lambda's AWS::Lambda::Function segment; a timeout is marked.
 */
import { PutEventsCommand, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalCloud, startLocalCloud } from "../../../local/cloud.ts";
import { FunctionHost } from "../../../local/lambda/host.ts";
import { PipesClient } from "../../../local/pipes/client.ts";
import type { QueueMessage } from "../../../local/queues/port.ts";
import { newSegmentId, newTraceId, parseTraceHeader } from "../../../local/xray/header.ts";
import { SAMPLE_ALL } from "../../../local/xray/sampler.ts";
import type { LocalTracing } from "../../../local/xray/tracing.ts";
import { clientsFor, waitFor } from "./support.ts";

let cloud: LocalCloud;
let tracing: LocalTracing;
let sqs: SQSClient;
let fifoArn = "";

async function queue(name: string, attributes: Record<string, string> = {}) {
  const { QueueUrl = "" } = await sqs.send(
    new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
  );
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
  );
  return Attributes?.QueueArn ?? "";
}

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, tracing: { sampling: SAMPLE_ALL } });
  if (!cloud.tracing) throw new Error("the cloud started without tracing");
  tracing = cloud.tracing;
  const clients = clientsFor(cloud.endpoint);
  sqs = clients.sqs;
  const intake = await queue("traced-intake");
  fifoArn = await queue("traced-signals.fifo", { FifoQueue: "true" });
  await new PipesClient(cloud.endpoint, cloud.region).putPipe("traced-pipe", {
    Source: intake,
    Target: fifoArn,
    RoleArn: "arn:aws:iam::000000000000:role/pipe",
    TargetParameters: {
      InputTemplate: "<$.body>",
      SqsQueueParameters: {
        MessageGroupId: "g",
        MessageDeduplicationId: "$.body.detail.meta.eventId",
      },
    },
  });
  await clients.events.send(
    new PutRuleCommand({ Name: "traced-rule", EventPattern: '{"source":["traced.test"]}' }),
  );
  await clients.events.send(
    new PutTargetsCommand({ Rule: "traced-rule", Targets: [{ Id: "intake", Arn: intake }] }),
  );
});
afterAll(async () => {
  await cloud?.stop();
});

async function publish(eventId: string, traceHeader?: string): Promise<QueueMessage> {
  const out = await clientsFor(cloud.endpoint).events.send(
    new PutEventsCommand({
      Entries: [
        {
          Source: "traced.test",
          DetailType: "Probe",
          Detail: JSON.stringify({ meta: { eventId, correlationId: `corr-${eventId}` } }),
          ...(traceHeader ? { TraceHeader: traceHeader } : {}),
        },
      ],
    }),
  );
  expect(out.FailedEntryCount).toBe(0);
  const message = await waitFor(`${eventId} in the FIFO queue`, async () => {
    const [received] = await cloud.queues.receiveMessage(fifoArn, {
      maxMessages: 1,
      waitSeconds: 1,
    });
    return received;
  });
  // Deleted: the next message of its FIFO group is handed out only then.
  await cloud.queues.deleteMessageBatch(fifoArn, [
    { id: "0", receiptHandle: message.receiptHandle },
  ]);
  expect(JSON.parse(message.body).detail.meta.eventId).toBe(eventId);
  return message;
}

describe("trace headers through the bus, the queue and the pipe", () => {
  it("each hop is a span under the previous one, and the header carries the last", async () => {
    const root = newTraceId();
    const parent = newSegmentId();
    const message = await publish("ev-traced-1", `Root=${root};Parent=${parent};Sampled=1`);
    const header = parseTraceHeader(message.attributes.AWSTraceHeader);
    expect(header).toMatchObject({ root, sampled: true });
    const segments = tracing.store.get(root) ?? [];
    // Followed from the publisher's segment, each hop the only child of the previous one.
    const chain: string[] = [];
    let at = parent;
    for (;;) {
      const children = segments.filter((s) => s.parent_id === at);
      expect(children.length).toBeLessThanOrEqual(1);
      const [next] = children;
      if (!next) break;
      chain.push(next.origin ?? "");
      at = next.id;
    }
    expect(chain).toEqual([
      "AWS::Events",
      "AWS::Events::Rule",
      "AWS::SQS::Queue",
      "AWS::Pipes::Pipe",
    ]);
    expect(segments).toHaveLength(4);
    expect(header?.parent).toBe(at);
    expect(segments.find((s) => s.origin === "AWS::Events")?.annotations).toMatchObject({
      eventId: "ev-traced-1",
      correlationId: "corr-ev-traced-1",
    });
    expect(tracing.store.search("ev-traced-1").map((t) => t.traceId)).toEqual([root]);
  });

  it("an unsampled trace goes through and records nothing", async () => {
    const root = newTraceId();
    const message = await publish("ev-traced-2", `Root=${root};Parent=${newSegmentId()};Sampled=0`);
    expect(parseTraceHeader(message.attributes.AWSTraceHeader)).toMatchObject({
      root,
      sampled: false,
    });
    expect(tracing.store.get(root)).toBeUndefined();
  });

  it("an event published without a header starts a trace at the bus", async () => {
    const message = await publish("ev-traced-3");
    const header = parseTraceHeader(message.attributes.AWSTraceHeader);
    expect(header?.sampled).toBe(true);
    const first = tracing.store.get(header?.root ?? "")?.find((s) => s.origin === "AWS::Events");
    expect(first).toMatchObject({ origin: "AWS::Events", annotations: { eventId: "ev-traced-3" } });
    expect(first?.parent_id).toBeUndefined();
  });
});

describe("a traced function", () => {
  const host = (fixture = "traced.ts", onLog?: (line: string) => void) =>
    new FunctionHost({
      name: "traced-probe",
      entry: new URL(`./fixtures/${fixture}`, import.meta.url).pathname,
      ...(onLog ? { onLog } : {}),
      timeoutMs: 3_000,
      memoryMb: 256,
      env: { ...tracing.functionEnv },
      region: "us-east-1",
      maxInstances: 1,
      tracing,
    });

  it("runs under Lambda's function segment and its subsegments reach the daemon", async () => {
    const fn = host();
    try {
      const root = newTraceId();
      const parent = newSegmentId();
      const outcome = await fn.invoke(
        { eventId: "ev-fn-1" },
        { traceHeader: `Root=${root};Parent=${parent};Sampled=1` },
      );
      expect(outcome.kind).toBe("ok");
      const result = (outcome as { result: { traceHeader: string; tracing: boolean } }).result;
      expect(result.tracing).toBe(true);
      const ran = parseTraceHeader(result.traceHeader);
      expect(ran?.root).toBe(root);
      const segments = await waitFor("the function's subsegment", () => {
        const all = tracing.store.get(root) ?? [];
        return all.some((s) => s.name === "probe work") && all;
      });
      const service = segments.find((s) => s.origin === "AWS::Lambda");
      const functionSegment = segments.find((s) => s.origin === "AWS::Lambda::Function");
      const work = segments.find((s) => s.name === "probe work");
      expect(service?.parent_id).toBe(parent);
      expect(functionSegment?.parent_id).toBe(service?.id);
      expect(ran?.parent).toBe(functionSegment?.id);
      expect(work?.parent_id).toBe(functionSegment?.id);
      expect(work?.annotations?.eventId).toBe("ev-fn-1");
    } finally {
      await fn.close();
    }
  }, 60_000);

  it("an unsampled invocation runs with Root, Parent and Sampled=0, as on Lambda, and records nothing", async () => {
    const lines: string[] = [];
    const fn = host("traced.ts", (line) => lines.push(line));
    try {
      const root = newTraceId();
      // A header without Parent (what an unsampled hop passes on): Lambda still gives its own.
      const outcome = await fn.invoke(
        { eventId: "ev-fn-3" },
        { traceHeader: `Root=${root};Sampled=0` },
      );
      expect(outcome.kind).toBe("ok");
      const result = (outcome as { result: { traceHeader: string } }).result;
      const ran = parseTraceHeader(result.traceHeader);
      expect(ran).toMatchObject({ root, sampled: false });
      expect(ran?.parent).toMatch(/^[0-9a-f]{16}$/);
      expect(tracing.store.get(root)).toBeUndefined();
      // The X-Ray SDK logged "_X_AMZN_TRACE_ID is missing required information" without a Parent.
      expect(lines.filter((l) => /missing required|cannot annotate/i.test(l))).toEqual([]);
    } finally {
      await fn.close();
    }
  }, 60_000);

  it("the handler kit annotates its own `## handler` subsegment, not Lambda's segment", async () => {
    const lines: string[] = [];
    const fn = host("kit-traced.ts", (line) => lines.push(line));
    try {
      const root = newTraceId();
      const outcome = await fn.invoke(
        { Records: [] },
        { traceHeader: `Root=${root};Parent=${newSegmentId()};Sampled=1` },
      );
      expect(outcome.kind).toBe("ok");
      const handler = await waitFor("the kit's handler subsegment", () =>
        (tracing.store.get(root) ?? []).find((s) => s.name === "## handler"),
      );
      expect(handler.annotations).toMatchObject({
        ColdStart: expect.any(Boolean),
        Service: "kit-probe",
      });
      const fnSegment = tracing.store.get(root)?.find((s) => s.origin === "AWS::Lambda::Function");
      expect(handler.parent_id).toBe(fnSegment?.id);
      expect(lines.filter((l) => /cannot annotate/i.test(l))).toEqual([]);
    } finally {
      await fn.close();
    }
  }, 60_000);

  it("a timeout is marked on Lambda's segments", async () => {
    const fn = host();
    try {
      const root = newTraceId();
      const outcome = await fn.invoke(
        { eventId: "ev-fn-2", sleepMs: 10_000 },
        { traceHeader: `Root=${root};Parent=${newSegmentId()};Sampled=1` },
      );
      expect(outcome.kind).toBe("timeout");
      const segments = tracing.store.get(root) ?? [];
      const lambda = segments.filter((s) => s.origin?.startsWith("AWS::Lambda"));
      expect(lambda).toHaveLength(2);
      for (const s of lambda)
        expect(s).toMatchObject({ fault: true, annotations: { timedOut: true } });
    } finally {
      await fn.close();
    }
  }, 60_000);
});
