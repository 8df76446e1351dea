/**
 * The local cloud's X-Ray API (docs/LOCAL.md "X-Ray"): a real SDK v3 XRayClient finds a traced
 * publish by its eventId annotation (GetTraceSummaries) and reads its segments (BatchGetTraces);
 * `buzzville trace <eventId>` reads the same API at AWS_ENDPOINT_URL, the code it runs on AWS.
 * Unsupported filters, too many ids and ill-typed inputs are AWS-shaped errors, and the cloud
 * keeps serving.
 */
import { PutEventsCommand, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { CreateQueueCommand, GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import {
  BatchGetTracesCommand,
  GetTraceSummariesCommand,
  type TraceSummary,
  XRayClient,
} from "@aws-sdk/client-xray";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main as traceCommand } from "../../../bin/ops/trace.ts";
import { type LocalCloud, startLocalCloud } from "../../../local/cloud.ts";
import { SAMPLE_ALL } from "../../../local/xray/sampler.ts";
import { clientsFor, waitFor } from "./support.ts";

let cloud: LocalCloud;
let xray: XRayClient;
const credentials = { accessKeyId: "test", secretAccessKey: "test" };

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, tracing: { sampling: SAMPLE_ALL } });
  xray = new XRayClient({ endpoint: cloud.endpoint, region: cloud.region, credentials });
  const { sqs, events } = clientsFor(cloud.endpoint);
  const { QueueUrl = "" } = await sqs.send(new CreateQueueCommand({ QueueName: "xray-intake" }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
  );
  await events.send(
    new PutRuleCommand({ Name: "xray-rule", EventPattern: '{"source":["xray.test"]}' }),
  );
  await events.send(
    new PutTargetsCommand({
      Rule: "xray-rule",
      Targets: [{ Id: "intake", Arn: Attributes?.QueueArn ?? "" }],
    }),
  );
});
afterAll(async () => {
  xray?.destroy();
  await cloud?.stop();
});

const lastHour = () => ({ StartTime: new Date(Date.now() - 3_600_000), EndTime: new Date() });

async function publish(eventId: string): Promise<void> {
  const out = await clientsFor(cloud.endpoint).events.send(
    new PutEventsCommand({
      Entries: [
        {
          Source: "xray.test",
          DetailType: "Probe",
          Detail: JSON.stringify({ meta: { eventId, correlationId: `corr-${eventId}` } }),
        },
      ],
    }),
  );
  expect(out.FailedEntryCount).toBe(0);
}

/** The trace annotated with the event id, once the bus and the rule recorded it. */
function traceOf(eventId: string): Promise<TraceSummary> {
  return waitFor(`the trace of ${eventId} with its rule hop`, async () => {
    const { TraceSummaries = [] } = await xray.send(
      new GetTraceSummariesCommand({
        ...lastHour(),
        FilterExpression: `annotation.eventId = "${eventId}"`,
      }),
    );
    const [found] = TraceSummaries;
    const segments = found?.Id ? (cloud.tracing?.store.get(found.Id) ?? []) : [];
    return segments.some((s) => s.origin === "AWS::Events::Rule") ? found : undefined;
  });
}

describe("X-Ray's read API over the local trace store", () => {
  it("GetTraceSummaries finds a publish by its eventId, BatchGetTraces returns its segments", async () => {
    await publish("ev-xray-1");
    await publish("ev-xray-other");
    const summary = await traceOf("ev-xray-1");
    expect(summary).toMatchObject({ Id: expect.stringMatching(/^1-/), HasFault: false });
    expect(summary.StartTime).toBeInstanceOf(Date);
    expect(summary.Annotations?.eventId).toContainEqual({
      AnnotationValue: { StringValue: "ev-xray-1" },
    });
    // Another event's trace does not match; the correlation id (an OR term) does.
    const byCorrelation = await xray.send(
      new GetTraceSummariesCommand({
        ...lastHour(),
        FilterExpression: 'annotation.correlationId = "corr-ev-xray-1" OR id("1-0-0")',
      }),
    );
    expect(byCorrelation.TraceSummaries?.map((t) => t.Id)).toEqual([summary.Id]);
    // Any annotation key, not only the indexed ones: scanned for.
    const byType = await xray.send(
      new GetTraceSummariesCommand({
        ...lastHour(),
        FilterExpression: 'annotation.detailType = "Probe"',
      }),
    );
    expect(byType.TraceSummaries?.map((t) => t.Id)).toContain(summary.Id);
    const { Traces = [], UnprocessedTraceIds } = await xray.send(
      new BatchGetTracesCommand({
        TraceIds: [summary.Id ?? "", "1-00000000-000000000000000000000000"],
      }),
    );
    expect(UnprocessedTraceIds).toEqual(["1-00000000-000000000000000000000000"]);
    expect(Traces).toHaveLength(1);
    const docs = (Traces[0]?.Segments ?? []).map((s) => JSON.parse(s.Document ?? "{}"));
    expect(docs.map((d) => d.origin)).toEqual(
      expect.arrayContaining(["AWS::Events", "AWS::Events::Rule"]),
    );
    expect(docs.every((d) => d.trace_id === summary.Id)).toBe(true);
    expect(cloud.gateway.requests.snapshot().client.xray).toMatchObject({
      GetTraceSummaries: expect.any(Number),
      BatchGetTraces: 1,
    });
  });

  it("buzzville trace <eventId> prints the waterfall read through X-Ray at AWS_ENDPOINT_URL", async () => {
    await publish("ev-xray-cli");
    const summary = await traceOf("ev-xray-cli");
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      stdout: { write: (t: string) => out.push(t) },
      stderr: { write: (t: string) => err.push(t) },
      env: { AWS_ENDPOINT_URL: cloud.endpoint },
    };
    expect(await traceCommand(["ev-xray-cli"], io)).toBe(0);
    expect(err).toEqual([]);
    const text = out.join("");
    expect(text).toMatch(new RegExp(`^trace ${summary.Id} `));
    expect(text).toContain("xray-rule");
    expect(await traceCommand(["ev-xray-none"], io)).toBe(1);
    expect(err.join("")).toContain(`no trace of ev-xray-none in X-Ray at ${cloud.endpoint}`);
  });
});

/** A raw X-Ray request (SigV4's scope names the service; the local cloud does not check signatures). */
async function raw(path: string, body: string) {
  const res = await fetch(new URL(path, cloud.endpoint), {
    method: "POST",
    headers: {
      authorization:
        "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/xray/aws4_request, SignedHeaders=host, Signature=0",
      "content-type": "application/json",
    },
    body,
  });
  return { status: res.status, type: res.headers.get("x-amzn-errortype"), body: await res.text() };
}

describe("hostile input to the X-Ray API", () => {
  it("answers unsupported filters, too many ids and bad windows with InvalidRequestException", async () => {
    const refused = async (command: GetTraceSummariesCommand | BatchGetTracesCommand) => {
      // biome-ignore lint/suspicious/noExplicitAny: the two commands' send overloads differ
      const error = await xray.send(command as any).then(
        () => undefined,
        (e: unknown) => e as { name: string; message: string },
      );
      expect(error?.name).toBe("InvalidRequestException");
      return error?.message ?? "";
    };
    expect(
      await refused(
        new GetTraceSummariesCommand({ ...lastHour(), FilterExpression: "responsetime > 5" }),
      ),
    ).toContain('annotation.KEY = "value" and id("trace-id")');
    expect(
      await refused(
        new GetTraceSummariesCommand({
          StartTime: new Date(Date.now() - 25 * 3_600_000),
          EndTime: new Date(),
        }),
      ),
    ).toContain("at most 24 hours");
    const six = ["1", "2", "3", "4", "5", "6"].map((n) => `1-00000000-${n.padStart(24, "0")}`);
    expect(await refused(new BatchGetTracesCommand({ TraceIds: six }))).toContain(
      "1 to 5 trace ids, got 6 ids",
    );
  });

  it("names ill-typed inputs, and keeps serving", async () => {
    const cases: [string, string, string][] = [
      ["/TraceSummaries", '{"StartTime":"yesterday","EndTime":1}', "StartTime is required"],
      ["/TraceSummaries", '{"StartTime":1,"EndTime":2,"Sampling":"yes"}', "Sampling must be"],
      ["/TraceSummaries", '{"StartTime":1,"EndTime":2,"NextToken":"x"}', "NextToken is not"],
      ["/TraceSummaries", '{"StartTime":1,"EndTime":2,"FilterExpression":7}', "FilterExpression"],
      ["/Traces", '{"TraceIds":[1]}', "TraceIds[0] must be a trace id"],
      ["/Traces", '{"TraceIds":"1-0-0"}', "TraceIds must be a list"],
      ["/Traces", "[1,2]", "must be a JSON object"],
      ["/Traces", "{not json", "not valid JSON"],
    ];
    for (const [path, body, message] of cases) {
      const answer = await raw(path, body);
      expect({ path, body, status: answer.status, type: answer.type }).toEqual({
        path,
        body,
        status: 400,
        type: "InvalidRequestException",
      });
      expect(answer.body).toContain(message);
    }
    const unknown = await raw("/ServiceGraph", "{}");
    expect(unknown).toMatchObject({ status: 400, type: "UnknownOperationException" });
    expect(unknown.body).toContain("GetTraceSummaries (POST /TraceSummaries)");
    expect(await raw("/Traces", `{"TraceIds":["${"x".repeat(70_000)}"]}`)).toMatchObject({
      status: 413,
    });
    const after = await xray.send(new GetTraceSummariesCommand(lastHour()));
    expect(after.TraceSummaries?.length).toBeGreaterThan(0);
  });
});
