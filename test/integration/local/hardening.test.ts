/**
 * The local cloud under hostile input (docs/LOCAL.md, "Hostile input"): each case was a crash,
 * a hang or a silent corruption; each now gets an AWS-shaped error and the cloud keeps serving.
 * Raw HTTP for what SDKs never send, real SDK v3 clients for what must keep working.
 */
import { ListTablesCommand } from "@aws-sdk/client-dynamodb";
import {
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  TestEventPatternCommand,
} from "@aws-sdk/client-eventbridge";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalCloud, startLocalCloud } from "../../../local/cloud.ts";
import type { EventEnvelope } from "../../../local/eventbridge/types.ts";
import { waitFor } from "../../support/wait.ts";
import { eventsRequest, raw, signedFor, sqsQueryRequest, streamed } from "./hardening-support.ts";
import { clientsFor } from "./support.ts";

let cloud: LocalCloud;
let clients: ReturnType<typeof clientsFor>;
const accepted: EventEnvelope[] = [];

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0 });
  clients = clientsFor(cloud.endpoint);
  cloud.eventBridge.onEvent((o) => {
    if (o.type === "accepted") accepted.push(o.event);
  });
});
afterAll(async () => {
  await cloud?.stop();
});

/** A valid request of every kind still succeeds. */
async function stillServing(): Promise<void> {
  await clients.dynamodb.send(new ListTablesCommand({}));
  await clients.sqs.send(new ListQueuesCommand({}));
  const out = await clients.events.send(
    new PutEventsCommand({ Entries: [{ Source: "s", DetailType: "t", Detail: "{}" }] }),
  );
  expect(out.FailedEntryCount).toBe(0);
}

const entry = (Detail: string) => ({ Source: "hardening", DetailType: "t", Detail });

describe("prototype pollution through request keys", () => {
  it.each([
    "Action=ListQueues&__proto__.x=1",
    "Action=ListQueues&constructor.prototype.x=1",
    "Action=ListQueues&__proto__.Time=2001-02-03T04:05:06Z",
    "Action=CreateQueue&QueueName=q1&Attribute.__proto__.Name=x",
  ])("refuses %s and changes no process-wide state", async (form) => {
    const answer = await raw(cloud.endpoint, sqsQueryRequest(form));
    expect(answer.status).toBe(400);
    expect(answer.body).toContain("<Code>InvalidParameterValue</Code>");
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(({} as Record<string, unknown>).Time).toBeUndefined();
    await stillServing();
    const time = accepted.at(-1)?.time ?? "";
    expect(time.startsWith("2001")).toBe(false);
  });

  it("keeps a JSON body's __proto__ key a plain key (PutEvents, Pipes)", async () => {
    const body = `{"__proto__":{"Time":"2001-02-03T04:05:06Z"},"Entries":[{"Source":"s","DetailType":"t","Detail":"{\\"__proto__\\":{\\"polluted\\":1}}"}]}`;
    const answer = await raw(cloud.endpoint, eventsRequest("PutEvents", body));
    expect(answer.status).toBe(200);
    expect(accepted.at(-1)?.time.startsWith("2001")).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const pipes = await raw(cloud.endpoint, {
      method: "POST",
      path: "/v1/pipes/p-proto",
      headers: { "content-type": "application/json" },
      body: '{"__proto__":{"DesiredState":"STOPPED"},"Source":5}',
    });
    expect(pipes.status).toBe(400);
    expect(pipes.headers["x-amzn-errortype"]).toBe("ValidationException");
  });

  it("describes a wrong-typed field without calling its own toString (found by the fuzz)", async () => {
    const pipes = await raw(cloud.endpoint, {
      method: "POST",
      path: "/v1/pipes/p-tostring",
      headers: { "content-type": "application/json" },
      body: '{"Source":{"toString":[]}}',
    });
    expect(pipes.status).toBe(400);
    expect(pipes.headers["x-amzn-errortype"]).toBe("ValidationException");
    expect(JSON.parse(pipes.body).message).toContain('Source {"toString":[]} is not supported');
    const state = await raw(cloud.endpoint, {
      method: "POST",
      path: "/v1/pipes/p-tostring",
      headers: { "content-type": "application/json" },
      body: '{"DesiredState":{"toString":null}}',
    });
    expect(state.status).toBe(400);
    expect(state.headers["x-amzn-errortype"]).toBe("ValidationException");
    // the same in EventBridge: an entry's field and an InputPathsMap path with their own toString
    const put = await raw(
      cloud.endpoint,
      eventsRequest(
        "PutEvents",
        '{"Entries":[{"Source":{"toString":null},"DetailType":"t","Detail":"{}"}]}',
      ),
    );
    expect(put.status).toBeLessThan(500);
    const targets = await raw(
      cloud.endpoint,
      eventsRequest(
        "PutTargets",
        '{"Rule":"r","Targets":[{"Id":"t","Arn":"arn:aws:sqs:us-east-1:000000000000:q","InputTransformer":{"InputPathsMap":{"a":{"toString":null}},"InputTemplate":"<a>"}}]}',
      ),
    );
    expect(targets.status).toBeLessThan(500);
    await stillServing();
  });
});

describe("wildcard patterns", () => {
  const event = JSON.stringify({
    id: "1",
    account: "000000000000",
    source: "s",
    time: "2026-01-01T00:00:00Z",
    region: "us-east-1",
    "detail-type": "t",
    detail: { x: "a".repeat(36) },
  });

  it("answers a backtracking-prone pattern at once (linear matching)", async () => {
    const out = await clients.events.send(
      new TestEventPatternCommand({
        EventPattern: JSON.stringify({
          detail: { x: [{ wildcard: "*a*a*a*a*a*a*a*a*a*a*a*a*b" }] },
        }),
        Event: event,
      }),
    );
    expect(out.Result).toBe(false);
  });

  it("delivers through a rule with that pattern without freezing the bus", async () => {
    const { QueueUrl = "" } = await clients.sqs.send(new CreateQueueCommand({ QueueName: "wild" }));
    const arn = await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
    );
    const EventPattern = JSON.stringify({
      source: ["wild"],
      detail: { x: [{ wildcard: "*a*a*a*a*a*a*a*a*a*a*a*a*b" }] },
    });
    await clients.events.send(new PutRuleCommand({ Name: "wild", EventPattern }));
    await clients.events.send(
      new PutTargetsCommand({
        Rule: "wild",
        Targets: [{ Id: "q", Arn: arn.Attributes?.QueueArn }],
      }),
    );
    const out = await clients.events.send(
      new PutEventsCommand({
        Entries: ["a".repeat(36), `${"a".repeat(35)}b`].map((x) => ({
          Source: "wild",
          DetailType: "t",
          Detail: JSON.stringify({ x }),
        })),
      }),
    );
    expect(out.FailedEntryCount).toBe(0);
    const got = await waitFor("the matching event delivered", async () => {
      const r = await clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      return r.Messages?.length ? r.Messages : undefined;
    });
    expect(
      got.map((m) => (JSON.parse(m.Body ?? "{}") as { detail: { x: string } }).detail.x),
    ).toEqual([`${"a".repeat(35)}b`]);
    await stillServing();
  });

  it.each([
    ["TestEventPattern", `*${"a".repeat(120)}`],
    ["PutRule", "*a".repeat(60)],
  ])("%s refuses a pattern above AWS's complexity limit", async (action, wildcard) => {
    const pattern = JSON.stringify({ detail: { x: [{ wildcard }] } });
    const command =
      action === "PutRule"
        ? new PutRuleCommand({ Name: "too-complex", EventPattern: pattern })
        : new TestEventPatternCommand({ EventPattern: pattern, Event: event });
    const error = await clients.events.send(command as PutRuleCommand).catch((e: Error) => e);
    expect(error).toMatchObject({
      name: "InvalidEventPatternException",
      message:
        "Event pattern is not valid. Reason: Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character",
    });
  });
});

describe("PutEvents: each entry stands alone", () => {
  it.each([
    ["nested 2,000 levels", `${'{"a":'.repeat(2000)}1${"}".repeat(2000)}`, "nests deeper"],
    ["a number beyond double range", '{"n":1e400}', "outside the range"],
    ["a lone surrogate", '{"s":"\\ud800"}', "lone UTF-16 surrogate"],
  ])(
    "fails only the entry with %s; the others are accepted exactly once",
    async (_what, bad, reason) => {
      const before = accepted.length;
      const out = await clients.events.send(
        new PutEventsCommand({
          Entries: [entry('{"n":1}'), entry(bad), entry('{"n":2}')],
        }),
      );
      expect(out.FailedEntryCount).toBe(1);
      expect(out.Entries?.[1]).toMatchObject({ ErrorCode: "MalformedDetail" });
      expect(out.Entries?.[1]?.ErrorMessage).toContain(reason);
      expect(out.Entries?.[0]?.EventId).toBeDefined();
      expect(out.Entries?.[2]?.EventId).toBeDefined();
      const mine = accepted.slice(before).map((e) => e.detail);
      expect(mine).toEqual([{ n: 1 }, { n: 2 }]);
    },
  );

  it("refuses a body that is not UTF-8 with a SerializationException", async () => {
    const body = Buffer.concat([
      Buffer.from('{"Entries":[{"Source":"s","DetailType":"t","Detail":"{\\"x\\":\\"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('\\"}"}]}'),
    ]);
    const answer = await raw(cloud.endpoint, { ...eventsRequest("PutEvents", ""), body });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ __type: "SerializationException" });
  });
});

describe("request size limits", () => {
  it("answers 413 to a declared oversized body before reading it", async () => {
    const answer = await raw(cloud.endpoint, {
      ...eventsRequest("PutEvents", ""),
      headers: { ...eventsRequest("PutEvents", "").headers, "content-length": "104857600" },
      body: "",
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ __type: "RequestEntityTooLargeException" });
    await stillServing();
  });

  it.each(["events", "pipes"])(
    "stops buffering a streamed %s body past the limit",
    async (service) => {
      const big = `{"Entries":[${JSON.stringify(entry(`{"x":"${"y".repeat(2 * 1024 * 1024)}"}`))}]}`;
      const request =
        service === "events"
          ? eventsRequest("PutEvents", big)
          : { path: "/v1/pipes/big", headers: { "content-type": "application/json" }, body: big };
      const answer = await raw(cloud.endpoint, request);
      expect(answer.status).toBe(413);
      expect(answer.body.length).toBeLessThan(1000);
      await stillServing();
    },
  );

  it("answers a streamed 100 MiB body (no content-length) with 413 once past the cap", async () => {
    const { headers } = eventsRequest("PutEvents", "");
    const answer = await streamed(cloud.endpoint, headers ?? {}, 100);
    expect(answer.status).toBe(413);
    expect(answer.sentMb).toBeLessThan(100);
    await stillServing();
  });

  it("needs a declared length for the services an embedded backend reads (DynamoDB)", async () => {
    const answer = await streamed(
      cloud.endpoint,
      {
        ...signedFor("dynamodb", "application/x-amz-json-1.0"),
        "x-amz-target": "DynamoDB_20120810.ListTables",
      },
      1,
    );
    expect(answer.status).toBe(411);
    await stillServing();
  });

  it("never echoes the entries of an 11-entry request", async () => {
    const detail = JSON.stringify({ x: "z".repeat(20_000) });
    const answer = await raw(
      cloud.endpoint,
      eventsRequest("PutEvents", { Entries: Array.from({ length: 11 }, () => entry(detail)) }),
    );
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ __type: "ValidationException" });
    expect(answer.body).not.toContain("zzzzzzzzzz");
    expect(answer.body.length).toBeLessThan(5000);
  });
});

describe("browser cross-origin requests and DNS rebinding", () => {
  async function runningPipe(name: string): Promise<void> {
    const arn = async (q: string) => {
      const { QueueUrl } = await clients.sqs.send(new CreateQueueCommand({ QueueName: q }));
      const out = await clients.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
      );
      return out.Attributes?.QueueArn ?? "";
    };
    const created = await raw(cloud.endpoint, {
      path: `/v1/pipes/${name}`,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ Source: await arn(`${name}-src`), Target: await arn(`${name}-dst`) }),
    });
    expect(created.status).toBe(200);
  }

  const state = async (name: string) =>
    JSON.parse((await raw(cloud.endpoint, { method: "GET", path: `/v1/pipes/${name}` })).body) as {
      DesiredState?: string;
    };

  it.each<Record<string, string>>([
    { origin: "http://evil.example" },
    { origin: "null" },
    { "sec-fetch-site": "cross-site" },
    { host: "evil.example" },
    { host: "rebind.attacker.example:4566" },
  ])("refuses %o on every path, and the pipe keeps running", async (headers) => {
    await runningPipe("guarded");
    for (const path of ["/v1/pipes/guarded/stop", "/", "/_buzzville/metrics"]) {
      const answer = await raw(cloud.endpoint, {
        path,
        headers: { "content-type": "text/plain", ...headers },
        body: "{}",
      });
      expect(answer.status).toBe(403);
      expect(answer.headers["x-amzn-errortype"] ?? answer.body).toContain("AccessDenied");
    }
    expect((await state("guarded")).DesiredState).toBe("RUNNING");
    await raw(cloud.endpoint, { method: "DELETE", path: "/v1/pipes/guarded" });
  });

  it("serves the endpoint's own origin, loopback names and clients without Origin", async () => {
    const { port } = new URL(cloud.endpoint);
    for (const headers of <Record<string, string>[]>[
      { origin: `http://127.0.0.1:${port}`, host: `127.0.0.1:${port}` },
      { host: `localhost:${port}` },
      { host: `[::1]:${port}` },
    ]) {
      const answer = await raw(cloud.endpoint, { method: "GET", path: "/health", headers });
      expect(answer.status).toBe(200);
    }
    await stillServing();
  });
});

describe("SQS input AWS rejects", () => {
  it.each(["../../etc/passwd", "a/b", "x".repeat(81), "bad.fifo.txt"])(
    "CreateQueue refuses the name %s (JSON and query protocols)",
    async (name) => {
      const error = await clients.sqs
        .send(new CreateQueueCommand({ QueueName: name }))
        .catch((e: Error) => e);
      expect(error).toMatchObject({ name: "InvalidParameterValue" });
      const query = await raw(
        cloud.endpoint,
        sqsQueryRequest(`Action=CreateQueue&QueueName=${encodeURIComponent(name)}`),
      );
      expect(query.status).toBe(400);
      expect(query.body).toContain("QueueName is invalid");
    },
  );

  it("refuses MaxNumberOfMessages=abc on both protocols", async () => {
    const { QueueUrl = "" } = await clients.sqs.send(new CreateQueueCommand({ QueueName: "hq" }));
    const query = await raw(
      cloud.endpoint,
      sqsQueryRequest(
        `Action=ReceiveMessage&QueueUrl=${encodeURIComponent(QueueUrl)}&MaxNumberOfMessages=abc`,
      ),
    );
    expect(query.status).toBe(400);
    expect(query.body).toContain("MaxNumberOfMessages");
    const json = await raw(cloud.endpoint, {
      headers: {
        ...signedFor("sqs", "application/x-amz-json-1.0"),
        "x-amz-target": "AmazonSQS.ReceiveMessage",
      },
      body: JSON.stringify({ QueueUrl, MaxNumberOfMessages: "abc" }),
    });
    expect(json.status).toBe(400);
    expect(JSON.parse(json.body)).toMatchObject({ __type: "InvalidParameterValue" });
  });
});
