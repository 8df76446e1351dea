/**
 * Fuzzing the local cloud's endpoint (docs/LOCAL.md, "Hostile input"): property-based hostile
 * requests — malformed, oversized, deeply nested, wrong-typed, prototype-polluting — at every
 * action of every service (EventBridge, Pipes, SQS query and JSON, SNS, DynamoDB, X-Ray). For each case:
 * an AWS-shaped answer (error or success, never a dropped connection), then a valid request of
 * the same service succeeds, and no global prototype changed. After the run, messages and
 * events accepted before and during it are neither lost nor duplicated and memory stayed
 * bounded. RUNS_PER_SERVICE × 7 services cases per run (700 by default), a few seconds.
 */
import { ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { ListTopicsCommand } from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ListQueuesCommand,
  SendMessageCommand,
} from "@aws-sdk/client-sqs";
import { GetTraceSummariesCommand, XRayClient } from "@aws-sdk/client-xray";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalCloud, startLocalCloud } from "../../../local/cloud.ts";
import { ACTIONS } from "../../../local/eventbridge/actions/index.ts";
import { type RawAnswer, type RawRequest, raw, signedFor } from "./hardening-support.ts";
import { clientsFor } from "./support.ts";

const RUNS_PER_SERVICE = 100;
/** RSS may grow this much over the run (a 100 MB body used to add ~280 MB, never released). */
const RSS_BUDGET_BYTES = 256 * 1024 * 1024;

let cloud: LocalCloud;
let clients: ReturnType<typeof clientsFor>;
let xray: XRayClient;
let canaryUrl = "";
let validPuts = 0;
let acceptedValid = 0;
const CANARY_MESSAGES = 5;
/** RSS once the cloud is up and has served each service: the fuzz's growth is measured from here. */
let rssBefore = 0;

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0 });
  clients = clientsFor(cloud.endpoint);
  xray = new XRayClient({
    endpoint: cloud.endpoint,
    region: cloud.region,
    credentials: { accessKeyId: "l", secretAccessKey: "l" },
  });
  cloud.eventBridge.onEvent((o) => {
    if (o.type === "accepted" && o.event.source === "fuzz.valid") acceptedValid++;
  });
  const { QueueUrl = "" } = await clients.sqs.send(
    new CreateQueueCommand({ QueueName: "fuzz-canary" }),
  );
  canaryUrl = QueueUrl;
  for (let i = 0; i < CANARY_MESSAGES; i++) {
    await clients.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: `canary-${i}` }));
  }
  rssBefore = process.memoryUsage().rss;
});
afterAll(async () => {
  xray?.destroy();
  await cloud?.stop();
});

// ---- hostile values ----------------------------------------------------------------------

const hostileKey = fc.constantFrom("__proto__", "constructor", "prototype", "toString", "");
const deep = fc.integer({ min: 1, max: 3000 }).map((n) => `${"[".repeat(n)}${"]".repeat(n)}`);
const json = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.dictionary(hostileKey, fc.jsonValue({ maxDepth: 2 })),
  fc.constantFrom(1e308, -0, "\ud800", "", null, true, [], {}),
);
const body = fc.oneof(
  json.map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 200 }),
  deep,
  fc.constantFrom("{", "null", "[]", '{"a":1e400}', "\u0000", '{"__proto__":{"x":1}}'),
  fc.integer({ min: 1, max: 4 }).map((mb) => `{"x":"${"y".repeat(mb * 1024 * 1024)}"}`),
);
/** An object whose fields are a real action's, with hostile values. */
const inputOf = (fields: readonly string[]) =>
  fc.dictionary(fc.constantFrom(...fields, "__proto__"), json).map((o) => JSON.stringify(o));

// ---- hostile requests per service ---------------------------------------------------------

const jsonTarget = (contentType: string, target: string, b: string): RawRequest => ({
  headers: { ...signedFor("x", contentType), "x-amz-target": target },
  body: b,
});

const EVENT_FIELDS = [
  "Name",
  "EventBusName",
  "EventPattern",
  "Entries",
  "Targets",
  "Rule",
  "Ids",
  "Event",
  "Limit",
  "NextToken",
  "State",
];
const eventsCase = fc
  .tuple(fc.constantFrom(...ACTIONS.keys(), "Nope"), fc.oneof(body, inputOf(EVENT_FIELDS)))
  .map(([action, b]) => jsonTarget("application/x-amz-json-1.1", `AWSEvents.${action}`, b));

const pipesCase = fc
  .tuple(
    fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH"),
    fc.oneof(
      fc.string({ maxLength: 30 }).map(encodeURIComponent),
      fc.constantFrom("p", "%E0%A4%A", "..", "p/stop", "p/start"),
    ),
    fc.oneof(
      body,
      inputOf([
        "Source",
        "Target",
        "DesiredState",
        "SourceParameters",
        "TargetParameters",
        "RoleArn",
      ]),
    ),
  )
  .map(([method, name, b]) => ({
    method,
    path: `/v1/pipes/${name}`,
    headers: { "content-type": "application/json" },
    body: b,
  }));

const xrayCase = fc
  .tuple(
    fc.constantFrom("/TraceSummaries", "/Traces", "/ServiceGraph", "/"),
    fc.oneof(
      body,
      inputOf(["StartTime", "EndTime", "FilterExpression", "NextToken", "Sampling", "TraceIds"]),
      fc
        .string({ maxLength: 300 })
        .map((f) => JSON.stringify({ StartTime: 0, EndTime: 60, FilterExpression: f })),
    ),
  )
  .map(([path, b]) => ({
    method: "POST",
    path,
    headers: signedFor("xray", "application/json"),
    body: b,
  }));

const SQS_ACTIONS = [
  "CreateQueue",
  "ListQueues",
  "SendMessage",
  "ReceiveMessage",
  "DeleteMessage",
  "GetQueueAttributes",
  "SetQueueAttributes",
  "ChangeMessageVisibility",
  "SendMessageBatch",
  "PurgeQueue",
  "GetQueueUrl",
];
const formParam = fc.tuple(
  fc.oneof(
    fc.constantFrom(
      "QueueName",
      "QueueUrl",
      "MaxNumberOfMessages",
      "Attribute.1.Name",
      "Attribute.1.Value",
      "MessageBody",
      "VisibilityTimeout",
      "SendMessageBatchRequestEntry.1.Id",
    ),
    fc
      .array(fc.oneof(hostileKey, fc.constantFrom("1", "Name", "Value", "a")), {
        minLength: 1,
        maxLength: 12,
      })
      .map((p) => p.join(".")),
  ),
  fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.constantFrom("abc", "-1", "1e9", "../../etc/passwd", "http://x/000000000000/nope"),
  ),
);
const sqsQueryCase = fc
  .tuple(fc.constantFrom(...SQS_ACTIONS), fc.array(formParam, { maxLength: 6 }))
  .map(([action, params]) => ({
    headers: signedFor("sqs", "application/x-www-form-urlencoded"),
    body: new URLSearchParams([["Action", action], ...params]).toString(),
  }));

const sqsJsonCase = fc
  .tuple(
    fc.constantFrom(...SQS_ACTIONS),
    fc.oneof(
      body,
      inputOf([
        "QueueName",
        "QueueUrl",
        "MaxNumberOfMessages",
        "Attributes",
        "MessageBody",
        "Entries",
        "ReceiptHandle",
      ]),
    ),
  )
  .map(([action, b]) => jsonTarget("application/x-amz-json-1.0", `AmazonSQS.${action}`, b));

const snsCase = fc
  .tuple(
    fc.constantFrom(
      "CreateTopic",
      "Publish",
      "Subscribe",
      "ListTopics",
      "DeleteTopic",
      "SetSubscriptionAttributes",
    ),
    fc.array(formParam, { maxLength: 6 }),
  )
  .map(([action, params]) => ({
    headers: signedFor("sns", "application/x-www-form-urlencoded"),
    body: new URLSearchParams([["Action", action], ...params]).toString(),
  }));

const DYNAMO_ACTIONS = [
  "CreateTable",
  "PutItem",
  "GetItem",
  "Query",
  "Scan",
  "UpdateItem",
  "DeleteItem",
  "BatchWriteItem",
  "DescribeTable",
  "ListTables",
  "TransactWriteItems",
];
const dynamoCase = fc
  .tuple(
    fc.constantFrom(...DYNAMO_ACTIONS),
    fc.oneof(
      body,
      inputOf([
        "TableName",
        "Item",
        "Key",
        "KeySchema",
        "AttributeDefinitions",
        "RequestItems",
        "ExpressionAttributeValues",
      ]),
    ),
  )
  .map(([action, b]) => jsonTarget("application/x-amz-json-1.0", `DynamoDB_20120810.${action}`, b));

// ---- checks ---------------------------------------------------------------------------------

/** An AWS-shaped answer: success, or an error in the protocol's own error format. */
function awsShaped(answer: RawAnswer): boolean {
  if (answer.status < 300) return true;
  const type = answer.headers["x-amzn-errortype"];
  if (typeof type === "string" && type !== "") return true;
  if (answer.body.includes("<Error>") && answer.body.includes("<Code>")) return true;
  try {
    const parsed = JSON.parse(answer.body) as Record<string, unknown>;
    return typeof parsed.__type === "string" || typeof parsed.message === "string";
  } catch {
    return false;
  }
}

const PROTOTYPES = [Object.prototype, Array.prototype, Function.prototype, String.prototype];
const snapshot = () => PROTOTYPES.map((p) => Object.getOwnPropertyNames(p).sort().join(","));
const before = snapshot();

const VALID: Record<string, () => Promise<unknown>> = {
  events: async () => {
    validPuts++;
    const out = await clients.events.send(
      new PutEventsCommand({ Entries: [{ Source: "fuzz.valid", DetailType: "t", Detail: "{}" }] }),
    );
    if (out.FailedEntryCount !== 0) throw new Error("valid PutEvents failed");
  },
  pipes: () => raw(cloud.endpoint, { method: "GET", path: "/v1/pipes" }),
  sqs: () => clients.sqs.send(new ListQueuesCommand({})),
  sns: () => clients.sns.send(new ListTopicsCommand({})),
  dynamodb: () => clients.dynamodb.send(new ListTablesCommand({})),
  xray: () =>
    xray.send(
      new GetTraceSummariesCommand({
        StartTime: new Date(Date.now() - 60_000),
        EndTime: new Date(),
      }),
    ),
};

async function check(service: string, request: RawRequest): Promise<void> {
  const answer = await raw(cloud.endpoint, request);
  if (!awsShaped(answer)) {
    throw new Error(`not AWS-shaped: ${answer.status} ${answer.body.slice(0, 200)}`);
  }
  expect(answer.status).toBeLessThan(500);
  await VALID[service]?.();
  expect(snapshot()).toEqual(before);
}

describe("fuzzing every service of the endpoint", () => {
  it.each([
    ["events", eventsCase],
    ["pipes", pipesCase],
    ["sqs", sqsQueryCase],
    ["sqs", sqsJsonCase],
    ["sns", snsCase],
    ["dynamodb", dynamoCase],
    ["xray", xrayCase],
  ] as const)(
    "%s: every hostile request gets an AWS-shaped answer and the service keeps serving",
    async (service, arbitrary) => {
      await fc.assert(
        fc.asyncProperty(arbitrary as fc.Arbitrary<RawRequest>, (request) =>
          check(service, request),
        ),
        { numRuns: RUNS_PER_SERVICE },
      );
    },
  );

  it("lost or duplicated nothing accepted, and memory stayed bounded", async () => {
    const out = await clients.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: canaryUrl,
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
      }),
    );
    expect(Number(out.Attributes?.ApproximateNumberOfMessages)).toBe(CANARY_MESSAGES);
    expect(acceptedValid).toBe(validPuts);
    expect(validPuts).toBeGreaterThan(0);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(RSS_BUDGET_BYTES);
  });
});
