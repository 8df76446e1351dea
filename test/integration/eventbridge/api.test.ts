import {
  CreateEventBusCommand,
  DeleteEventBusCommand,
  DeleteRuleCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  ListEventBusesCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  TestEventPatternCommand,
} from "@aws-sdk/client-eventbridge";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { busArn, type Harness, queueArn, startEventBridge } from "./helpers.ts";

let h: Harness;
beforeEach(async () => {
  h = await startEventBridge();
});
afterEach(async () => {
  await h.close();
});

async function rejection(
  promise: Promise<unknown>,
): Promise<{ name: string; message: string; status?: number }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error("expected the call to fail");
}

describe("event buses", () => {
  it("has the default bus and creates, lists, describes and deletes custom buses", async () => {
    const created = await h.client.send(
      new CreateEventBusCommand({ Name: "city", Description: "Buzz Ville" }),
    );
    expect(created.EventBusArn).toBe(busArn("city"));
    const described = await h.client.send(new DescribeEventBusCommand({ Name: "city" }));
    expect(described).toMatchObject({
      Name: "city",
      Arn: busArn("city"),
      Description: "Buzz Ville",
    });
    expect(described.CreationTime).toBeInstanceOf(Date);
    const byArn = await h.client.send(new DescribeEventBusCommand({ Name: busArn("city") }));
    expect(byArn.Name).toBe("city");
    const listed = await h.client.send(new ListEventBusesCommand({}));
    expect(listed.EventBuses?.map((b) => b.Name)).toEqual(["city", "default"]);
    const prefixed = await h.client.send(new ListEventBusesCommand({ NamePrefix: "ci" }));
    expect(prefixed.EventBuses?.map((b) => b.Name)).toEqual(["city"]);
    await h.client.send(new DeleteEventBusCommand({ Name: "city" }));
    const gone = await rejection(h.client.send(new DescribeEventBusCommand({ Name: "city" })));
    expect(gone).toEqual({
      name: "ResourceNotFoundException",
      message: "Event bus city does not exist.",
      status: 400,
    });
  });

  it("answers AWS errors for duplicates, the default bus and bad names", async () => {
    await h.client.send(new CreateEventBusCommand({ Name: "city" }));
    expect(
      await rejection(h.client.send(new CreateEventBusCommand({ Name: "city" }))),
    ).toMatchObject({
      name: "ResourceAlreadyExistsException",
      message: "Event bus city already exists.",
    });
    expect(
      await rejection(h.client.send(new DeleteEventBusCommand({ Name: "default" }))),
    ).toMatchObject({
      name: "ValidationException",
      message: "Cannot delete event bus default.",
    });
    expect(
      await rejection(h.client.send(new CreateEventBusCommand({ Name: "bad name!" }))),
    ).toMatchObject({
      name: "ValidationException",
      message:
        "1 validation error detected: Value 'bad name!' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [/\\.\\-_A-Za-z0-9]+",
    });
  });
});

describe("rules", () => {
  const pattern = JSON.stringify({ source: ["buzzville.camera"] });

  it("puts, describes, lists, disables, enables and deletes rules", async () => {
    await h.client.send(new CreateEventBusCommand({ Name: "city" }));
    const put = await h.client.send(
      new PutRuleCommand({
        Name: "cams",
        EventBusName: "city",
        EventPattern: pattern,
        Description: "cameras",
      }),
    );
    expect(put.RuleArn).toBe("arn:aws:events:us-east-1:000000000000:rule/city/cams");
    await h.client.send(
      new PutRuleCommand({ Name: "cams-2", EventBusName: "city", EventPattern: pattern }),
    );
    await h.client.send(
      new PutRuleCommand({ Name: "other", EventBusName: "city", EventPattern: pattern }),
    );
    const described = await h.client.send(
      new DescribeRuleCommand({ Name: "cams", EventBusName: "city" }),
    );
    expect(described).toMatchObject({
      Name: "cams",
      EventPattern: pattern,
      State: "ENABLED",
      Description: "cameras",
      EventBusName: "city",
    });
    const listed = await h.client.send(
      new ListRulesCommand({ EventBusName: "city", NamePrefix: "cams" }),
    );
    expect(listed.Rules?.map((r) => r.Name)).toEqual(["cams", "cams-2"]);
    await h.client.send(new DisableRuleCommand({ Name: "cams", EventBusName: "city" }));
    expect(
      (await h.client.send(new DescribeRuleCommand({ Name: "cams", EventBusName: "city" }))).State,
    ).toBe("DISABLED");
    await h.client.send(new EnableRuleCommand({ Name: "cams", EventBusName: "city" }));
    expect(
      (await h.client.send(new DescribeRuleCommand({ Name: "cams", EventBusName: "city" }))).State,
    ).toBe("ENABLED");
    await h.client.send(new DeleteRuleCommand({ Name: "cams", EventBusName: "city" }));
    expect(
      await rejection(
        h.client.send(new DescribeRuleCommand({ Name: "cams", EventBusName: "city" })),
      ),
    ).toMatchObject({
      name: "ResourceNotFoundException",
      message: "Rule cams does not exist on EventBus city.",
    });
  });

  it("rejects an invalid pattern with InvalidEventPatternException and AWS's reason", async () => {
    const error = await rejection(
      h.client.send(
        new PutRuleCommand({
          Name: "r",
          EventPattern: JSON.stringify({ detail: { n: [{ numeric: [">", 0, ">", 0] }] } }),
        }),
      ),
    );
    expect(error).toEqual({
      name: "InvalidEventPatternException",
      message: "Event pattern is not valid. Reason: Bad numeric range operator: >",
      status: 400,
    });
  });

  it("needs a pattern or a schedule, and an existing bus", async () => {
    expect(await rejection(h.client.send(new PutRuleCommand({ Name: "r" })))).toMatchObject({
      name: "ValidationException",
      message: "Parameter(s) EventPattern or ScheduleExpression must be specified.",
    });
    expect(
      await rejection(
        h.client.send(
          new PutRuleCommand({ Name: "r", EventBusName: "nope", EventPattern: pattern }),
        ),
      ),
    ).toMatchObject({
      name: "ResourceNotFoundException",
      message: "Event bus nope does not exist.",
    });
  });
});

describe("targets", () => {
  const pattern = JSON.stringify({ source: ["buzzville.camera"] });

  it("adds, lists and removes targets; a rule with targets cannot be deleted", async () => {
    await h.client.send(new PutRuleCommand({ Name: "r", EventPattern: pattern }));
    const put = await h.client.send(
      new PutTargetsCommand({
        Rule: "r",
        Targets: [
          { Id: "q", Arn: queueArn("media"), RetryPolicy: { MaximumRetryAttempts: 2 } },
          { Id: "fifo", Arn: queueArn("signals.fifo"), SqsParameters: { MessageGroupId: "g" } },
        ],
      }),
    );
    expect(put).toMatchObject({ FailedEntryCount: 0, FailedEntries: [] });
    const listed = await h.client.send(new ListTargetsByRuleCommand({ Rule: "r" }));
    expect(listed.Targets).toEqual([
      { Id: "q", Arn: queueArn("media"), RetryPolicy: { MaximumRetryAttempts: 2 } },
      { Id: "fifo", Arn: queueArn("signals.fifo"), SqsParameters: { MessageGroupId: "g" } },
    ]);
    expect(await rejection(h.client.send(new DeleteRuleCommand({ Name: "r" })))).toMatchObject({
      name: "ValidationException",
      message: "Rule can't be deleted since it has targets.",
    });
    const removed = await h.client.send(
      new RemoveTargetsCommand({ Rule: "r", Ids: ["q", "fifo"] }),
    );
    expect(removed.FailedEntryCount).toBe(0);
    await h.client.send(new DeleteRuleCommand({ Name: "r" }));
    expect((await h.client.send(new ListRulesCommand({}))).Rules).toEqual([]);
  });

  it("reports bad targets in FailedEntries and keeps the good ones", async () => {
    await h.client.send(new PutRuleCommand({ Name: "r", EventPattern: pattern }));
    const put = await h.client.send(
      new PutTargetsCommand({
        Rule: "r",
        Targets: [
          { Id: "ok", Arn: queueArn("media") },
          { Id: "fifo-no-group", Arn: queueArn("signals.fifo") },
          { Id: "two-inputs", Arn: queueArn("a"), Input: "{}", InputPath: "$.detail" },
          { Id: "bad-arn", Arn: "not-an-arn" },
          {
            Id: "reserved-var",
            Arn: queueArn("b"),
            InputTransformer: {
              InputPathsMap: { "aws.events.rule-name": "$.source" },
              InputTemplate: "<x>",
            },
          },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(4);
    expect(put.FailedEntries).toEqual([
      {
        TargetId: "fifo-no-group",
        ErrorCode: "ValidationException",
        ErrorMessage:
          "Parameter(s) SqsParameters must be specified because the Arn is a FIFO queue.",
      },
      {
        TargetId: "two-inputs",
        ErrorCode: "ValidationException",
        ErrorMessage: "Only one of Input, InputPath, or InputTransformer must be provided.",
      },
      {
        TargetId: "bad-arn",
        ErrorCode: "ValidationException",
        ErrorMessage:
          "Parameter not-an-arn is not valid. Reason: Provided Arn is not in correct format.",
      },
      {
        TargetId: "reserved-var",
        ErrorCode: "ValidationException",
        ErrorMessage:
          "Parameter InputPathsMap is not valid. Reason: aws.events.rule-name is a reserved variable name.",
      },
    ]);
    const listed = await h.client.send(new ListTargetsByRuleCommand({ Rule: "r" }));
    expect(listed.Targets?.map((t) => t.Id)).toEqual(["ok"]);
  });

  it("rejects out-of-range retry policies and unknown rules", async () => {
    await h.client.send(new PutRuleCommand({ Name: "r", EventPattern: pattern }));
    expect(
      await rejection(
        h.client.send(
          new PutTargetsCommand({
            Rule: "r",
            Targets: [{ Id: "q", Arn: queueArn("a"), RetryPolicy: { MaximumRetryAttempts: 186 } }],
          }),
        ),
      ),
    ).toMatchObject({
      name: "ValidationException",
      message:
        "1 validation error detected: Value '186' at 'targets.1.member.retryPolicy.maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 185",
    });
    expect(
      await rejection(
        h.client.send(
          new PutTargetsCommand({ Rule: "nope", Targets: [{ Id: "q", Arn: queueArn("a") }] }),
        ),
      ),
    ).toMatchObject({
      name: "ResourceNotFoundException",
      message: "Rule nope does not exist on EventBus default.",
    });
  });
});

describe("TestEventPattern", () => {
  const event = {
    id: "e1",
    account: "000000000000",
    source: "buzzville.gas",
    time: "2026-11-23T10:00:00Z",
    region: "us-east-1",
    "detail-type": "GasLeakDetected",
    resources: [],
    detail: { ppm: 420, zone: "z3" },
  };

  it("answers Result true and false", async () => {
    const yes = await h.client.send(
      new TestEventPatternCommand({
        EventPattern: JSON.stringify({
          source: ["buzzville.gas"],
          detail: { ppm: [{ numeric: [">", 400] }] },
        }),
        Event: JSON.stringify(event),
      }),
    );
    expect(yes.Result).toBe(true);
    const no = await h.client.send(
      new TestEventPatternCommand({
        EventPattern: JSON.stringify({ detail: { zone: [{ "anything-but": "z3" }] } }),
        Event: JSON.stringify(event),
      }),
    );
    expect(no.Result).toBe(false);
  });

  it("rejects an event without the required envelope fields", async () => {
    const { time: _time, ...noTime } = event;
    expect(
      await rejection(
        h.client.send(
          new TestEventPatternCommand({
            EventPattern: JSON.stringify({ source: ["x"] }),
            Event: JSON.stringify(noTime),
          }),
        ),
      ),
    ).toEqual({
      name: "ValidationException",
      message: "Parameter Event is not valid.",
      status: 400,
    });
  });

  it("rejects an invalid pattern", async () => {
    expect(
      await rejection(
        h.client.send(
          new TestEventPatternCommand({
            EventPattern: JSON.stringify({ source: "x" }),
            Event: JSON.stringify(event),
          }),
        ),
      ),
    ).toMatchObject({
      name: "InvalidEventPatternException",
      message: 'Event pattern is not valid. Reason: "source" must be an object or an array',
    });
  });
});

describe("protocol", () => {
  it("answers an unknown action with an AWS-shaped UnknownOperationException", async () => {
    const response = await fetch(h.endpoint, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "AWSEvents.ListPartnerEventSources",
      },
      body: "{}",
    });
    expect(response.status).toBe(400);
    expect(response.headers.get("x-amzn-errortype")).toBe("UnknownOperationException");
    expect(response.headers.get("content-type")).toBe("application/x-amz-json-1.1");
    const body = (await response.json()) as { __type: string; message: string };
    expect(body.__type).toBe("UnknownOperationException");
    expect(body.message).toContain("ListPartnerEventSources");
  });

  it("rejects a body that is not JSON with a SerializationException", async () => {
    const response = await h.service.handle({ target: "AWSEvents.ListRules", body: "{nope" });
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).__type).toBe("SerializationException");
  });
});
