import { describe, expect, it } from "vitest";
import {
  arnResourceName,
  formatArn,
  InvalidArnError,
  parseArn,
  parseQueueArn,
  queueNameOf,
  tryParseArn,
} from "../../../events/arn.ts";

const MALFORMED = [
  "",
  "not-an-arn",
  "arn:aws:sqs",
  "arn:aws:sqs:us-east-1:000000000000:",
  "arn:gcp:sqs:us-east-1:000000000000:q",
  "arn:aws:SQS:us-east-1:000000000000:q",
  "arn:aws:sqs:us-east-1:12345:q",
  " arn:aws:sqs:us-east-1:000000000000:q",
  "arn:aws::us-east-1:000000000000:q",
];

describe("parseArn", () => {
  it("splits an ARN into partition, service, region, account and resource", () => {
    expect(parseArn("arn:aws:sqs:us-east-1:000000000000:orders.fifo")).toEqual({
      partition: "aws",
      service: "sqs",
      region: "us-east-1",
      account: "000000000000",
      resource: "orders.fifo",
    });
  });

  it("keeps a resource holding ':' and '/' whole, and allows an empty region and account", () => {
    expect(parseArn("arn:aws:lambda:eu-west-1:111122223333:function:ingest:live").resource).toBe(
      "function:ingest:live",
    );
    expect(parseArn("arn:aws:events:eu-west-1:111122223333:rule/city/alerts").resource).toBe(
      "rule/city/alerts",
    );
    expect(parseArn("arn:aws:iam::111122223333:role/pipe")).toMatchObject({
      region: "",
      account: "111122223333",
    });
    expect(parseArn("arn:aws:s3:::bucket/key")).toMatchObject({ region: "", account: "" });
  });

  it("accepts the other partitions", () => {
    expect(parseArn("arn:aws-cn:sns:cn-north-1:111122223333:topic").partition).toBe("aws-cn");
    expect(parseArn("arn:aws-us-gov:sqs:us-gov-west-1:111122223333:q").partition).toBe(
      "aws-us-gov",
    );
  });

  it("formats the parts back into the same ARN", () => {
    const arns = [
      "arn:aws:events:eu-west-1:111122223333:event-bus/city",
      "arn:aws:iam::111122223333:role/pipe",
      "arn:aws-cn:lambda:cn-north-1:111122223333:function:f",
    ];
    expect(arns.length).toBeGreaterThan(0);
    for (const arn of arns) expect(formatArn(parseArn(arn))).toBe(arn);
  });

  it("rejects a malformed value with an error naming it and the expected form", () => {
    expect(MALFORMED.length).toBeGreaterThan(0);
    for (const value of MALFORMED) {
      expect(tryParseArn(value), value).toBeUndefined();
      const error = (() => {
        try {
          parseArn(value);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error, value).toBeInstanceOf(InvalidArnError);
      expect(error).toMatchObject({ value, name: "InvalidArnError" });
      expect(String((error as Error).message)).toContain(JSON.stringify(value));
      expect((error as Error).message).toContain(
        "arn:<partition>:<service>:<region>:<12-digit account>:<resource>",
      );
    }
  });
});

describe("parseQueueArn", () => {
  it("gives the region, account and name of an SQS queue ARN", () => {
    expect(parseQueueArn("arn:aws:sqs:eu-west-1:111122223333:orders.fifo")).toEqual({
      region: "eu-west-1",
      account: "111122223333",
      name: "orders.fifo",
    });
  });

  it("rejects other services, a missing account and bad queue names, naming the SQS form", () => {
    const bad = [
      "arn:aws:sns:us-east-1:000000000000:topic",
      "arn:aws:sqs:us-east-1::q",
      "arn:aws:sqs:us-east-1:000000000000:a:b",
      "arn:aws:sqs:us-east-1:000000000000:has space",
      `arn:aws:sqs:us-east-1:000000000000:${"q".repeat(81)}`,
      "garbage",
    ];
    expect(bad.length).toBeGreaterThan(0);
    for (const value of bad) {
      expect(() => parseQueueArn(value), value).toThrow(InvalidArnError);
      expect(() => parseQueueArn(value)).toThrow(
        `${JSON.stringify(value)} is not an SQS queue ARN (expected arn:aws:sqs:<region>:<12-digit account>:<queue name>)`,
      );
    }
  });
});

describe("queueNameOf", () => {
  it("gives an SQS ARN's queue name and anything else unchanged", () => {
    expect(queueNameOf("arn:aws:sqs:us-east-1:000000000000:orders.fifo")).toBe("orders.fifo");
    expect(queueNameOf("orders")).toBe("orders");
    expect(queueNameOf("arn:aws:sns:us-east-1:000000000000:topic")).toBe(
      "arn:aws:sns:us-east-1:000000000000:topic",
    );
  });
});

describe("arnResourceName", () => {
  it("gives the name after the resource type, with '/' or ':'", () => {
    const bus = "arn:aws:events:eu-west-1:111122223333:event-bus/city";
    expect(arnResourceName(bus, "event-bus")).toBe("city");
    expect(arnResourceName("arn:aws:events:eu-west-1:111122223333:archive/a", "archive")).toBe("a");
    expect(arnResourceName("arn:aws:lambda:eu-west-1:111122223333:function:f", "function")).toBe(
      "f",
    );
  });

  it("is undefined for another type, an empty name or a value that is no ARN", () => {
    expect(arnResourceName("arn:aws:events:eu-west-1:111122223333:archive/a", "event-bus")).toBe(
      undefined,
    );
    expect(arnResourceName("arn:aws:events:eu-west-1:111122223333:event-bus/", "event-bus")).toBe(
      undefined,
    );
    expect(arnResourceName("arn:aws:events:eu-west-1:111122223333:event-busy/x", "event-bus")).toBe(
      undefined,
    );
    expect(arnResourceName("event-bus/city", "event-bus")).toBeUndefined();
  });
});
