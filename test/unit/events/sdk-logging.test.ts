/** An SDK client without the logger middleware makes its calls, and logs (and filters) nothing. */
import { Readable } from "node:stream";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { describe, expect, it, vi } from "vitest";
import { withoutSdkLogging } from "../../../events/sdk-logging.ts";

/** A client answering every call with an empty ListTables result, and a logger that records. */
function client() {
  const info = vi.fn();
  const c = new DynamoDBClient({
    region: "us-east-1",
    credentials: { accessKeyId: "a", secretAccessKey: "b" },
    logger: { debug: () => undefined, info, warn: () => undefined, error: () => undefined },
    requestHandler: {
      handle: async () => ({
        response: {
          statusCode: 200,
          headers: { "content-type": "application/x-amz-json-1.0" },
          body: Readable.from([Buffer.from('{"TableNames":["t1"]}')]),
        },
      }),
    },
  });
  return { c, info };
}

describe("withoutSdkLogging", () => {
  it("the SDK's logger middleware runs on every call of a client as built", async () => {
    const { c, info } = client();
    await c.send(new ListTablesCommand({}));
    expect(info).toHaveBeenCalledTimes(1);
  });

  it("removes it: the call still answers, and nothing is logged or filtered for a log", async () => {
    const { c, info } = client();
    expect(withoutSdkLogging(c)).toBe(c);
    expect(c.middlewareStack.identify().some((m) => m.startsWith("loggerMiddleware"))).toBe(false);
    const out = await c.send(new ListTablesCommand({}));
    expect(out.TableNames).toEqual(["t1"]);
    expect(info).not.toHaveBeenCalled();
  });
});
