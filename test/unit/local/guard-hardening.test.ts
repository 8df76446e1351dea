/** The gateway's front door (local/gateway/guard.ts): Host, Origin, Sec-Fetch-Site, declared size. */
import { describe, expect, it } from "vitest";
import { BODY_LIMITS, guardRequest } from "../../../local/gateway/guard.ts";
import { queryToJson } from "../../../local/gateway/sqs-query.ts";

const options = { host: "127.0.0.1" };

describe("guardRequest", () => {
  it.each([
    { host: "127.0.0.1:4566" },
    { host: "localhost:4566" },
    { host: "api.localhost" },
    { host: "[::1]:4566" },
    { host: "10.0.0.7:4566" },
    { host: "127.0.0.1:4566", origin: "http://127.0.0.1:4566" },
    {},
  ])("lets %o through", (headers) => {
    expect(guardRequest(headers, "events", options)).toBeUndefined();
  });

  it.each([
    { host: "evil.example" },
    { host: "127.0.0.1.nip.io:4566" },
    { host: "" },
    { host: "127.0.0.1:4566", origin: "http://evil.example" },
    { host: "127.0.0.1:4566", origin: "http://localhost:4566" },
    { host: "127.0.0.1:4566", "sec-fetch-site": "cross-site" },
  ])("refuses %o with AccessDeniedException", (headers) => {
    expect(guardRequest(headers, "pipes", options)).toMatchObject({
      status: 403,
      code: "AccessDeniedException",
    });
  });

  it("answers a declared body above the service's cap with 413", () => {
    const headers = { host: "127.0.0.1", "content-length": String(BODY_LIMITS.events + 1) };
    expect(guardRequest(headers, "events", options)).toMatchObject({ status: 413 });
    expect(guardRequest(headers, "dynamodb", options)).toBeUndefined();
  });
});

describe("SQS query translation builds no object from Object.prototype", () => {
  it("keeps numeric-looking and ordinary names as data in null-prototype objects", () => {
    const { input } = queryToJson(
      "Action=CreateQueue&QueueName=q&Attribute.1.Name=toString&Attribute.1.Value=x",
    );
    expect(Object.getPrototypeOf(input)).toBeNull();
    expect(input.Attributes).toEqual({ toString: "x" });
  });

  it.each([
    "__proto__.x=1",
    "constructor.prototype.x=1",
    "Attribute.1.__proto__=1",
    `${"a.".repeat(20)}b=1`,
  ])("refuses %s", (param) => {
    expect(() => queryToJson(`Action=ListQueues&${param}`)).toThrow(/is not valid for SQS/);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});
