/** EventBridge rule -> local Lambda function target, through the runner's asynchronous invoke. */
import {
  CreateEventBusCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { CreateQueueCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalCloud, startLocalCloud } from "../../../local/cloud.ts";
import { FunctionHost } from "../../../local/lambda/host.ts";
import { clientsFor, waitFor } from "./support.ts";

describe("EventBridge Lambda targets on the local cloud", () => {
  let cloud: LocalCloud;
  let fn: FunctionHost;

  beforeAll(async () => {
    cloud = await startLocalCloud({ port: 0 });
  });
  afterAll(async () => {
    await fn?.close();
    await cloud?.stop();
  });

  it("invokes the local function with the matched event", async () => {
    const { sqs, events } = clientsFor(cloud.endpoint);
    const { QueueUrl = "" } = await sqs.send(new CreateQueueCommand({ QueueName: "lt-observe" }));
    fn = new FunctionHost({
      name: "lt-forwarder",
      entry: "test/integration/local/fixtures/forwarder.ts",
      timeoutMs: 5000,
      memoryMb: 256,
      region: cloud.region,
      env: {
        AWS_ENDPOINT_URL: cloud.endpoint,
        AWS_REGION: cloud.region,
        AWS_ACCESS_KEY_ID: "local",
        AWS_SECRET_ACCESS_KEY: "local",
        OBSERVE_QUEUE_URL: QueueUrl,
      },
    });
    cloud.attachLambda(async (arn, payload) => {
      if (arn !== fn.arn) throw new Error(`unknown function ${arn}`);
      const outcome = await fn.invoke(JSON.parse(payload));
      if (outcome.kind !== "ok") throw new Error(`invocation ${outcome.kind}`);
    });
    await events.send(new CreateEventBusCommand({ Name: "lt-bus" }));
    await events.send(
      new PutRuleCommand({
        Name: "lt-rule",
        EventBusName: "lt-bus",
        EventPattern: JSON.stringify({ source: ["buzzville.transit"] }),
      }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: "lt-rule",
        EventBusName: "lt-bus",
        Targets: [{ Id: "fn", Arn: fn.arn }],
      }),
    );
    const put = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: "lt-bus",
            Source: "buzzville.transit",
            DetailType: "BusDeparted",
            Detail: '{"line":"12"}',
          },
        ],
      }),
    );
    const message = await waitFor("the function's report", async () => {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
      return Messages[0];
    });
    const report = JSON.parse(message.Body ?? "{}");
    expect(report.functionName).toBe("lt-forwarder");
    expect(report.event).toMatchObject({
      id: put.Entries?.[0]?.EventId,
      "detail-type": "BusDeparted",
      detail: { line: "12" },
    });
  });
});
