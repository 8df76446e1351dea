import { describe, expect, it } from "vitest";
import { routeRequest, scopeRegion, scopeService } from "../../../local/gateway/route.ts";

const auth = (service: string) =>
  `AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-west-1/${service}/aws4_request, SignedHeaders=host, Signature=x`;

describe("gateway routing", () => {
  it("reads service and region from the SigV4 credential scope", () => {
    expect(scopeService(auth("sqs"))).toBe("sqs");
    expect(scopeRegion(auth("sqs"))).toBe("eu-west-1");
    expect(scopeService(undefined)).toBeUndefined();
  });

  it("routes JSON protocols by x-amz-target prefix", () => {
    expect(routeRequest({ "x-amz-target": "AWSEvents.PutEvents" }, "/")).toMatchObject({
      service: "events",
      action: "PutEvents",
      protocol: "json1.1",
    });
    expect(routeRequest({ "x-amz-target": "DynamoDB_20120810.Query" }, "/")).toMatchObject({
      service: "dynamodb",
      action: "Query",
    });
    expect(routeRequest({ "x-amz-target": "AmazonSQS.ReceiveMessage" }, "/").service).toBe("sqs");
  });

  it("routes query protocol by credential scope and Pipes by path", () => {
    const form = { "content-type": "application/x-www-form-urlencoded" };
    expect(routeRequest({ ...form, authorization: auth("sns") }, "/")).toMatchObject({
      service: "sns",
      protocol: "query",
    });
    expect(routeRequest({ ...form, authorization: auth("sqs") }, "/")).toMatchObject({
      service: "sqs",
      protocol: "query",
    });
    expect(routeRequest({}, "/v1/pipes/p1")).toMatchObject({
      service: "pipes",
      protocol: "rest-json",
    });
  });

  it("routes X-Ray by credential scope, its action by path (none for an unknown path)", () => {
    const json = { "content-type": "application/json", authorization: auth("xray") };
    expect(routeRequest(json, "/TraceSummaries")).toEqual({
      service: "xray",
      requested: "xray",
      action: "GetTraceSummaries",
      protocol: "rest-json",
    });
    expect(routeRequest(json, "/Traces").action).toBe("BatchGetTraces");
    expect(routeRequest(json, "/ServiceGraph")).toEqual({
      service: "xray",
      requested: "xray",
      protocol: "rest-json",
    });
  });

  it("names what is unknown instead of guessing", () => {
    expect(
      routeRequest(
        { "x-amz-target": "Kinesis_20131202.PutRecord", authorization: auth("kinesis") },
        "/",
      ),
    ).toMatchObject({ service: undefined, requested: "kinesis", action: "PutRecord" });
    expect(
      routeRequest(
        { "content-type": "application/x-www-form-urlencoded", authorization: auth("iam") },
        "/",
      ),
    ).toMatchObject({ service: undefined, requested: "iam", protocol: "query" });
  });
});
