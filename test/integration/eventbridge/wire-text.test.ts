/**
 * Behaviour that depends on the exact TEXT a client sends: number spellings in patterns and
 * events (TestEventPattern over the wire), a field overridden inside `$or`, and
 * InputPathsMap paths in bracket notation (PutTargets).
 */
import {
  PutRuleCommand,
  PutTargetsCommand,
  TestEventPatternCommand,
} from "@aws-sdk/client-eventbridge";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NUMBER_TEXT_CASES } from "../../unit/eventbridge/pattern-cases.ts";
import { type Harness, queueArn, startEventBridge } from "./helpers.ts";

let h: Harness;
beforeEach(async () => {
  h = await startEventBridge();
});
afterEach(async () => {
  await h.close();
});

const eventText = (source: string, detail: string) =>
  `{"id":"e1","account":"000000000000","source":"${source}","time":"2026-11-23T10:00:00Z","region":"us-east-1","detail-type":"T","resources":[],"detail":${detail}}`;

describe("TestEventPattern with numbers spelled differently", () => {
  it.each(NUMBER_TEXT_CASES)("$name → $match", async ({ pattern, detail, match }) => {
    const out = await h.client.send(
      new TestEventPatternCommand({ EventPattern: pattern, Event: eventText("s", detail) }),
    );
    expect(out.Result).toBe(match);
  });
});

describe("TestEventPattern with a field inside and outside $or", () => {
  const pattern = '{"source":["a"],"$or":[{"source":["b"]},{"detail":{"x":[1]}}]}';

  it.each([
    ["b", "{}", true],
    ["a", '{"x":1}', true],
    ["a", "{}", false],
    ["c", '{"x":1}', false],
  ])(
    "source %s, detail %s → %s (the $or branch replaces the outer value)",
    async (source, detail, match) => {
      const out = await h.client.send(
        new TestEventPatternCommand({ EventPattern: pattern, Event: eventText(source, detail) }),
      );
      expect(out.Result).toBe(match);
    },
  );
});

describe("PutTargets InputPathsMap paths", () => {
  it("rejects bracket notation and accepts dot notation with indices and wildcards", async () => {
    await h.client.send(
      new PutRuleCommand({ Name: "r", EventPattern: JSON.stringify({ source: ["s"] }) }),
    );
    const put = await h.client.send(
      new PutTargetsCommand({
        Rule: "r",
        Targets: [
          {
            Id: "bracket",
            Arn: queueArn("a"),
            InputTransformer: {
              InputPathsMap: { state: "$.detail['state']" },
              InputTemplate: "<state>",
            },
          },
          {
            Id: "dots",
            Arn: queueArn("b"),
            InputTransformer: {
              InputPathsMap: {
                state: "$.detail.state",
                first: "$.resources[0]",
                all: "$.detail.*",
              },
              InputTemplate: '{"s": <state>, "r": <first>, "a": <all>}',
            },
          },
          // InputPath (not InputPathsMap) may use bracket notation.
          { Id: "input-path", Arn: queueArn("c"), InputPath: "$.detail['state']" },
        ],
      }),
    );
    expect(put.FailedEntries).toEqual([
      {
        TargetId: "bracket",
        ErrorCode: "ValidationException",
        ErrorMessage:
          "Parameter InputPathsMap is not valid. Reason: $.detail['state'] (variable state) uses bracket notation; InputPathsMap paths must use JSON dot notation, e.g. $.detail.name, $.resources[0].",
      },
    ]);
  });
});
