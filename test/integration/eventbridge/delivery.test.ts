import {
  CreateEventBusCommand,
  DisableRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  type Target,
} from "@aws-sdk/client-eventbridge";
import { QueueDoesNotExist } from "@aws-sdk/client-sqs";
import { afterEach, describe, expect, it } from "vitest";
import {
  busArn,
  type Harness,
  ImmediateScheduler,
  queueArn,
  RecordingDispatcher,
  startEventBridge,
  waitFor,
} from "./helpers.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const PATTERN = JSON.stringify({ source: ["buzzville.traffic"] });
const trafficEntry = (detail: Record<string, unknown>, bus?: string) => ({
  Source: "buzzville.traffic",
  DetailType: "TrafficLightChanged",
  Detail: JSON.stringify(detail),
  ...(bus ? { EventBusName: bus } : {}),
});

async function wire(harness: Harness, targets: Target[], bus = "default"): Promise<void> {
  await harness.client.send(
    new PutRuleCommand({ Name: "r", EventBusName: bus, EventPattern: PATTERN }),
  );
  const put = await harness.client.send(
    new PutTargetsCommand({ Rule: "r", EventBusName: bus, Targets: targets }),
  );
  expect(put.FailedEntryCount).toBe(0);
}

describe("targets and input", () => {
  it("renders InputTransformer, Input and InputPath per target", async () => {
    const dispatcher = new RecordingDispatcher();
    h = await startEventBridge({ targets: dispatcher });
    await wire(h, [
      {
        Id: "transformed",
        Arn: queueArn("transformed"),
        InputTransformer: {
          InputPathsMap: {
            light: "$.detail.intersectionId",
            state: "$.detail.newState",
            cycle: "$.detail.cycle",
          },
          InputTemplate:
            '{"light": <light>, "cycle": <cycle>, "text": "<light> is <state>", "rule": <aws.events.rule-name>}',
        },
      },
      { Id: "constant", Arn: queueArn("constant"), Input: '{"kind":"tick"}' },
      { Id: "path", Arn: queueArn("path"), InputPath: "$.detail" },
    ]);
    await h.client.send(
      new PutEventsCommand({
        Entries: [trafficEntry({ intersectionId: "i-12", newState: "RED", cycle: 7 })],
      }),
    );
    await waitFor(() => dispatcher.sqs.length === 3, { what: "three deliveries" });
    expect(JSON.parse(dispatcher.to(queueArn("transformed"))[0]?.body ?? "")).toEqual({
      light: "i-12",
      cycle: 7,
      text: "i-12 is RED",
      rule: "r",
    });
    expect(dispatcher.to(queueArn("constant"))[0]?.body).toBe('{"kind":"tick"}');
    expect(JSON.parse(dispatcher.to(queueArn("path"))[0]?.body ?? "")).toEqual({
      intersectionId: "i-12",
      newState: "RED",
      cycle: 7,
    });
  });

  it("sends FIFO parameters, publishes to SNS and invokes Lambda", async () => {
    const dispatcher = new RecordingDispatcher();
    h = await startEventBridge({ targets: dispatcher });
    const topic = "arn:aws:sns:us-east-1:000000000000:citizens-z3";
    const fn = "arn:aws:lambda:us-east-1:000000000000:function:traffic";
    await wire(h, [
      {
        Id: "fifo",
        Arn: queueArn("signals.fifo"),
        SqsParameters: { MessageGroupId: "intersections" },
      },
      { Id: "sns", Arn: topic },
      { Id: "fn", Arn: fn },
    ]);
    const result = await h.client.send(
      new PutEventsCommand({ Entries: [trafficEntry({ intersectionId: "i-1" })] }),
    );
    const eventId = result.Entries?.[0]?.EventId;
    await waitFor(
      () =>
        dispatcher.sqs.length === 1 &&
        dispatcher.sns.length === 1 &&
        dispatcher.lambda.length === 1,
      {
        what: "one delivery per target",
      },
    );
    expect(dispatcher.sqs[0]?.options).toEqual({
      messageGroupId: "intersections",
      messageDeduplicationId: eventId,
    });
    expect(JSON.parse(dispatcher.sns[0]?.message ?? "").id).toBe(eventId);
    expect(dispatcher.sns[0]?.topicArn).toBe(topic);
    expect(JSON.parse(dispatcher.lambda[0]?.payload ?? "").id).toBe(eventId);
  });

  it("puts the event on another bus when the target is a bus", async () => {
    const dispatcher = new RecordingDispatcher();
    h = await startEventBridge({ targets: dispatcher });
    await h.client.send(new CreateEventBusCommand({ Name: "agency" }));
    await wire(h, [{ Id: "q", Arn: queueArn("agency-inbox") }], "agency");
    await h.client.send(new PutRuleCommand({ Name: "forward", EventPattern: PATTERN }));
    await h.client.send(
      new PutTargetsCommand({ Rule: "forward", Targets: [{ Id: "bus", Arn: busArn("agency") }] }),
    );
    const result = await h.client.send(new PutEventsCommand({ Entries: [trafficEntry({ n: 1 })] }));
    const [delivery] = await waitFor(() => dispatcher.sqs.length === 1 && dispatcher.sqs, {
      what: "forwarded delivery",
    });
    expect(JSON.parse(delivery?.body ?? "").id).toBe(result.Entries?.[0]?.EventId);
    expect(delivery?.queueArn).toBe(queueArn("agency-inbox"));
  });

  it("does not deliver for disabled rules or non-matching events", async () => {
    const dispatcher = new RecordingDispatcher();
    h = await startEventBridge({ targets: dispatcher });
    await wire(h, [{ Id: "q", Arn: queueArn("q") }]);
    await h.client.send(
      new PutRuleCommand({
        Name: "other",
        EventPattern: JSON.stringify({ source: ["buzzville.gas"] }),
      }),
    );
    await h.client.send(
      new PutTargetsCommand({ Rule: "other", Targets: [{ Id: "gas", Arn: queueArn("gas") }] }),
    );
    await h.client.send(new DisableRuleCommand({ Name: "r" }));
    await h.client.send(
      new PutEventsCommand({
        Entries: [trafficEntry({ n: 1 }), { ...trafficEntry({ n: 2 }), Source: "buzzville.gas" }],
      }),
    );
    await h.service.idle();
    expect(dispatcher.sqs.map((d) => d.queueArn)).toEqual([queueArn("gas")]);
  });
});

describe("retries and dead-letter queues", () => {
  it("retries with exponential backoff and jitter, then delivers", async () => {
    const target = queueArn("flaky");
    const dispatcher = new RecordingDispatcher({ [target]: 3 });
    const scheduler = new ImmediateScheduler();
    h = await startEventBridge({
      targets: dispatcher,
      scheduler,
      random: () => 0.5,
      retryBaseDelayMs: 1000,
    });
    await wire(h, [{ Id: "q", Arn: target, RetryPolicy: { MaximumRetryAttempts: 5 } }]);
    await h.client.send(new PutEventsCommand({ Entries: [trafficEntry({ n: 1 })] }));
    await waitFor(() => dispatcher.to(target).length === 1, { what: "delivery after retries" });
    expect(dispatcher.attempts(target)).toBe(3);
    expect(scheduler.delays).toEqual([750, 1500, 3000]);
    const delivered = h.observations.find((o) => o.type === "delivered");
    expect(delivered).toMatchObject({
      type: "delivered",
      attempts: 4,
      targetId: "q",
      ruleName: "r",
    });
  });

  it("sends the event to the DLQ with AWS's attributes once retries are exhausted", async () => {
    const target = queueArn("down");
    const dlq = queueArn("rule-dlq");
    const dispatcher = new RecordingDispatcher({ [target]: 100 });
    h = await startEventBridge({ targets: dispatcher, scheduler: new ImmediateScheduler() });
    await wire(h, [
      {
        Id: "q",
        Arn: target,
        RetryPolicy: { MaximumRetryAttempts: 2 },
        DeadLetterConfig: { Arn: dlq },
      },
    ]);
    const result = await h.client.send(new PutEventsCommand({ Entries: [trafficEntry({ n: 1 })] }));
    const [dead] = await waitFor(() => dispatcher.to(dlq).length === 1 && dispatcher.to(dlq), {
      what: "DLQ message",
    });
    expect(dispatcher.attempts(target)).toBe(3);
    expect(JSON.parse(dead?.body ?? "").id).toBe(result.Entries?.[0]?.EventId);
    const attrs = dead?.options.messageAttributes ?? {};
    expect(attrs.RULE_ARN?.StringValue).toBe("arn:aws:events:us-east-1:000000000000:rule/r");
    expect(attrs.TARGET_ARN?.StringValue).toBe(target);
    expect(attrs.ERROR_CODE?.StringValue).toBe("ServiceUnavailable");
    expect(attrs.ERROR_MESSAGE?.StringValue).toBe(`Injected failure 3 of 100 for ${target}`);
    expect(attrs.EXHAUSTED_RETRY_CONDITION?.StringValue).toBe("MaximumRetryAttemptsExhausted");
    expect(attrs.RETRY_ATTEMPTS?.StringValue).toBe("2");
    expect(h.observations.map((o) => o.type)).toEqual(
      expect.arrayContaining(["accepted", "matched", "retrying", "failed", "dead-lettered"]),
    );
  });

  it("gives up when the event is older than MaximumEventAgeInSeconds", async () => {
    const target = queueArn("slow");
    const dlq = queueArn("dlq");
    const dispatcher = new RecordingDispatcher({ [target]: 100 });
    let now = Date.UTC(2026, 10, 23, 12);
    const scheduler = new ImmediateScheduler();
    const clock = { now: () => now };
    const advancing = {
      setTimeout: (cb: () => void, ms: number) =>
        scheduler.setTimeout(() => {
          now += ms;
          cb();
        }, ms),
      clearTimeout: (handle: unknown) => scheduler.clearTimeout(handle),
    };
    h = await startEventBridge({
      targets: dispatcher,
      scheduler: advancing,
      clock,
      random: () => 1,
      retryBaseDelayMs: 20_000,
    });
    await wire(h, [
      {
        Id: "q",
        Arn: target,
        RetryPolicy: { MaximumRetryAttempts: 100, MaximumEventAgeInSeconds: 60 },
        DeadLetterConfig: { Arn: dlq },
      },
    ]);
    await h.client.send(new PutEventsCommand({ Entries: [trafficEntry({ n: 1 })] }));
    const [dead] = await waitFor(() => dispatcher.to(dlq).length === 1 && dispatcher.to(dlq), {
      what: "DLQ message",
    });
    expect(dead?.options.messageAttributes?.EXHAUSTED_RETRY_CONDITION?.StringValue).toBe(
      "MaximumEventAgeExhausted",
    );
    // Attempts at t=0s, 20s and 60s; the next one (t=140s) would exceed the 60 s age limit.
    expect(dispatcher.attempts(target)).toBe(3);
  });

  it("drops the event without a DLQ and reports the failure", async () => {
    const target = queueArn("down");
    const dispatcher = new RecordingDispatcher({ [target]: 100 });
    h = await startEventBridge({ targets: dispatcher, scheduler: new ImmediateScheduler() });
    await wire(h, [{ Id: "q", Arn: target, RetryPolicy: { MaximumRetryAttempts: 0 } }]);
    await h.client.send(new PutEventsCommand({ Entries: [trafficEntry({ n: 1 })] }));
    const failed = await waitFor(() => h?.observations.find((o) => o.type === "failed"), {
      what: "failure",
    });
    expect(failed).toMatchObject({
      attempts: 1,
      exhaustedCondition: "MaximumRetryAttemptsExhausted",
      targetArn: target,
    });
    expect(dispatcher.sqs).toEqual([]);
  });
});

describe("permanent (non-retriable) delivery errors", () => {
  const missingQueue = (arn: string) =>
    new QueueDoesNotExist({
      message: `The specified queue does not exist: ${arn}`,
      $metadata: { httpStatusCode: 400 },
    });

  it("sends the event straight to the DLQ when the target queue does not exist", async () => {
    const target = queueArn("gone");
    const dlq = queueArn("rule-dlq");
    const dispatcher = new RecordingDispatcher({ [target]: 100 }, { [target]: missingQueue });
    const scheduler = new ImmediateScheduler();
    h = await startEventBridge({ targets: dispatcher, scheduler });
    await wire(h, [{ Id: "q", Arn: target, DeadLetterConfig: { Arn: dlq } }]);
    const result = await h.client.send(new PutEventsCommand({ Entries: [trafficEntry({ n: 1 })] }));
    const [dead] = await waitFor(() => dispatcher.to(dlq).length === 1 && dispatcher.to(dlq), {
      what: "DLQ message",
    });
    expect(dispatcher.attempts(target)).toBe(1);
    expect(scheduler.delays).toEqual([]);
    expect(JSON.parse(dead?.body ?? "").id).toBe(result.Entries?.[0]?.EventId);
    const attrs = dead?.options.messageAttributes ?? {};
    expect(attrs.ERROR_CODE?.StringValue).toBe("QueueDoesNotExist");
    expect(attrs.ERROR_MESSAGE?.StringValue).toBe(`The specified queue does not exist: ${target}`);
    expect(attrs.RETRY_ATTEMPTS?.StringValue).toBe("0");
    expect(attrs.EXHAUSTED_RETRY_CONDITION).toBeUndefined();
    expect(h.observations.some((o) => o.type === "retrying")).toBe(false);
    expect(h.observations.find((o) => o.type === "failed")).toMatchObject({
      attempts: 1,
      retryable: false,
      targetArn: target,
    });
  });

  it("honours a dispatcher's retryable: false, also on a wrapped cause", async () => {
    const denied = queueArn("denied");
    const wrapped = queueArn("wrapped");
    const dlq = queueArn("dlq");
    const dispatcher = new RecordingDispatcher(
      { [denied]: 100, [wrapped]: 100 },
      {
        [denied]: (arn) => Object.assign(new Error(`no access to ${arn}`), { retryable: false }),
        [wrapped]: (arn) =>
          new Error(`delivery to ${arn} failed`, {
            cause: Object.assign(new Error("denied"), { name: "AccessDenied" }),
          }),
      },
    );
    h = await startEventBridge({ targets: dispatcher, scheduler: new ImmediateScheduler() });
    await wire(h, [
      { Id: "d", Arn: denied, DeadLetterConfig: { Arn: dlq } },
      { Id: "w", Arn: wrapped, DeadLetterConfig: { Arn: dlq } },
    ]);
    await h.client.send(new PutEventsCommand({ Entries: [trafficEntry({ n: 1 })] }));
    const dead = await waitFor(() => dispatcher.to(dlq).length === 2 && dispatcher.to(dlq), {
      what: "two DLQ messages",
    });
    expect(dispatcher.attempts(denied)).toBe(1);
    expect(dispatcher.attempts(wrapped)).toBe(1);
    const codes = Object.fromEntries(
      dead.map((d) => [
        d.options.messageAttributes?.TARGET_ARN?.StringValue,
        d.options.messageAttributes?.ERROR_CODE?.StringValue,
      ]),
    );
    expect(codes).toEqual({ [denied]: "SDK_CLIENT_ERROR", [wrapped]: "AccessDenied" });
  });

  it("still retries a retriable error before giving up", async () => {
    const target = queueArn("busy");
    const dispatcher = new RecordingDispatcher(
      { [target]: 2 },
      { [target]: () => Object.assign(new Error("throttled"), { name: "ThrottlingException" }) },
    );
    h = await startEventBridge({ targets: dispatcher, scheduler: new ImmediateScheduler() });
    await wire(h, [{ Id: "q", Arn: target }]);
    await h.client.send(new PutEventsCommand({ Entries: [trafficEntry({ n: 1 })] }));
    await waitFor(() => dispatcher.to(target).length === 1, { what: "delivery after retries" });
    expect(dispatcher.attempts(target)).toBe(2);
  });
});
