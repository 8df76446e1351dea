import { describe, expect, it } from "vitest";
import {
  type RenderContext,
  renderTemplate,
  targetInput,
} from "../../../local/eventbridge/delivery/input.ts";
import { evaluateJsonPath, parseJsonPath } from "../../../local/eventbridge/delivery/jsonpath.ts";
import type { EventEnvelope } from "../../../local/eventbridge/types.ts";

const event: EventEnvelope = {
  version: "0",
  id: "7bf73129-1428-4cd3-a780-95db273d1602",
  "detail-type": "EC2 Instance State-change Notification",
  source: "aws.ec2",
  account: "123456789012",
  time: "2015-11-11T21:29:54Z",
  region: "us-east-1",
  resources: ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
  detail: {
    "instance-id": "i-0123456789",
    state: "RUNNING",
    count: 3,
    tags: ["a", "b"],
    quote: 'say "hi"',
    where: { zone: "z3", lane: 2 },
  },
};
const ctx: RenderContext = {
  event,
  ruleArn: "arn:aws:events:us-east-1:123456789012:rule/r1",
  ruleName: "r1",
  ingestedAt: Date.UTC(2015, 10, 11, 21, 29, 55),
};
const paths = {
  instance: "$.detail.instance-id",
  state: "$.detail.state",
  count: "$.detail.count",
  tags: "$.detail.tags",
  quote: "$.detail.quote",
  where: "$.detail.where",
  missing: "$.detail.nope",
};

describe("InputTransformer rendering", () => {
  it("quotes string values placed outside quotes in a JSON template", () => {
    const out = renderTemplate('{"instance": <instance>, "state": [9, <state>, true]}', paths, ctx);
    expect(JSON.parse(out)).toEqual({ instance: "i-0123456789", state: [9, "RUNNING", true] });
  });

  it("inserts numbers and arrays as JSON", () => {
    const out = renderTemplate('{"count": <count>, "tags": <tags>}', paths, ctx);
    expect(JSON.parse(out)).toEqual({ count: 3, tags: ["a", "b"] });
  });

  it("inserts values unescaped inside a JSON string (AWS doesn't escape them)", () => {
    const out = renderTemplate(
      '{"msg": "<instance> is in state \\"<state>\\" (<quote>)"}',
      paths,
      ctx,
    );
    // The template's own \" stay; the value's quotes go in raw, so the result is not JSON.
    expect(out).toBe('{"msg": "i-0123456789 is in state \\"RUNNING\\" (say "hi")"}');
    expect(() => JSON.parse(out)).toThrow(SyntaxError);
  });

  it("strips the internal quotes of an object or array referenced inside a string", () => {
    expect(renderTemplate('"Detail is <where>, tags <tags>"', paths, ctx)).toBe(
      '"Detail is {zone:z3,lane:2}, tags [a,b]"',
    );
  });

  it("inserts an object as JSON when it is a field value", () => {
    const out = renderTemplate('{"where": <where>}', paths, ctx);
    expect(JSON.parse(out)).toEqual({ where: { zone: "z3", lane: 2 } });
  });

  it("renders a plain-text template raw", () => {
    expect(renderTemplate("<instance> is in state <state>", paths, ctx)).toBe(
      "i-0123456789 is in state RUNNING",
    );
  });

  it.each([
    // The rows of the guide's "Input transform examples" table (same event and paths).
    ['"instance <instance> is in <state>"', '"instance i-0123456789 is in RUNNING"'],
    ['"instance \\"<instance>\\" is in <state>"', '"instance \\"i-0123456789\\" is in RUNNING"'],
    [
      '{"instance" : <instance>, "state": "<state>", "instanceStatus": "instance \\"<instance>\\" is in <state>"}',
      '{"instance" : "i-0123456789", "state": "RUNNING", "instanceStatus": "instance \\"i-0123456789\\" is in RUNNING"}',
    ],
    [
      '{"instance" : <instance>, "state": [ 9, <state>, true ]}',
      '{"instance" : "i-0123456789", "state": [ 9, "RUNNING", true ]}',
    ],
    ['"<aws.events.rule-name> triggered"', '"r1 triggered"'],
  ])("renders the AWS guide example %s", (template, expected) => {
    expect(renderTemplate(template, paths, ctx)).toBe(expected);
  });

  it("leaves out a variable whose path matches nothing, even where that breaks the JSON", () => {
    // "that variable isn't created and won't appear in the output"
    expect(renderTemplate('{"a": <missing>, "b": "x<missing>y"}', paths, ctx)).toBe(
      '{"a": , "b": "xy"}',
    );
    expect(renderTemplate("before <missing> after", paths, ctx)).toBe("before  after");
  });

  it("quotes and escapes a string placed outside quotes (AWS escaping undocumented)", () => {
    expect(JSON.parse(renderTemplate('{"q": <quote>}', paths, ctx))).toEqual({ q: 'say "hi"' });
  });

  it("provides the predefined variables", () => {
    const out = renderTemplate(
      '{"rule": <aws.events.rule-name>, "arn": <aws.events.rule-arn>, "at": <aws.events.event.ingestion-time>, "event": <aws.events.event>, "full": <aws.events.event.json>}',
      {},
      ctx,
    );
    const parsed = JSON.parse(out);
    expect(parsed.rule).toBe("r1");
    expect(parsed.arn).toBe(ctx.ruleArn);
    expect(parsed.at).toBe("2015-11-11T21:29:55.000Z");
    expect(parsed.event.id).toBe(event.id);
    expect(parsed.event.detail).toBeUndefined();
    expect(parsed.full).toEqual(event);
  });

  it("leaves unknown placeholders untouched", () => {
    expect(renderTemplate("<nope> stays", {}, ctx)).toBe("<nope> stays");
  });
});

describe("Input and InputPath", () => {
  it("sends the whole event by default", () => {
    expect(JSON.parse(targetInput({ Id: "t", Arn: "a" }, ctx))).toEqual(event);
  });

  it("sends the constant Input verbatim", () => {
    expect(targetInput({ Id: "t", Arn: "a", Input: '{"fixed":true}' }, ctx)).toBe('{"fixed":true}');
  });

  it("sends the JSON of the value at InputPath", () => {
    expect(JSON.parse(targetInput({ Id: "t", Arn: "a", InputPath: "$.detail" }, ctx))).toEqual(
      event.detail,
    );
    expect(targetInput({ Id: "t", Arn: "a", InputPath: "$.detail.state" }, ctx)).toBe('"RUNNING"');
  });
});

describe("JSONPath subset", () => {
  it.each([
    ["$", event],
    ["$.detail.count", 3],
    ["$.resources[0]", event.resources[0]],
    ["$.detail.tags[1]", "b"],
    ["$.detail['instance-id']", "i-0123456789"],
    ["$.detail.tags[*]", ["a", "b"]],
    ["$.detail.nothing", undefined],
  ])("%s", (path, expected) => {
    const steps = parseJsonPath(path);
    expect(steps).toBeDefined();
    expect(evaluateJsonPath(steps ?? [], event)).toEqual(expected);
  });

  it.each(["detail", "$..detail", "$.detail[", "$[?(@.a)]"])("rejects %s", (path) => {
    expect(parseJsonPath(path)).toBeUndefined();
  });
});
