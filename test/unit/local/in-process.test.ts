/**
 * The in-process SQS/SNS request handler's abort handling: one caller signal is reused for a
 * poller's lifetime, so no request may leave its `abort` listener behind.
 */
import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import {
  type Inject,
  inProcessRequestHandler,
  raceAbort,
} from "../../../local/gateway/in-process.ts";

/** In-memory adapter for fauxqs' `inject`: answers every request at once. */
function fakeInject(): { inject: Inject; calls: () => number } {
  let calls = 0;
  const inject: Inject = async () => {
    calls++;
    return {
      statusCode: 200,
      headers: { "content-type": "application/x-amz-json-1.0" },
      rawPayload: Buffer.from("{}"),
    };
  };
  return { inject, calls: () => calls };
}

type Handle = (
  request: { method: string; path: string; headers: Record<string, string>; body?: unknown },
  options?: { abortSignal?: AbortSignal },
) => Promise<{ response: { statusCode: number } }>;

describe("in-process request handler: abort listeners", () => {
  it("leaves no abort listener on a reused signal after many answered requests", async () => {
    const fake = fakeInject();
    // why: the SDK's handler type is generic over smithy classes; the test calls it by shape.
    const handler = inProcessRequestHandler(fake.inject, "localhost:1") as unknown as {
      handle: Handle;
    };
    const controller = new AbortController();
    const n = 50;
    for (let i = 0; i < n; i++) {
      const { response } = await handler.handle(
        { method: "POST", path: "/", headers: {}, body: "{}" },
        { abortSignal: controller.signal },
      );
      expect(response.statusCode).toBe(200);
    }
    expect(fake.calls()).toBe(n);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("still rejects with an AbortError when the signal aborts first, and removes its listener", async () => {
    const controller = new AbortController();
    const never = new Promise<string>(() => {});
    const raced = raceAbort(never, controller.signal);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);
    controller.abort();
    await expect(raced).rejects.toMatchObject({ name: "AbortError" });
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("removes its listener when the answer fails", async () => {
    const controller = new AbortController();
    await expect(raceAbort(Promise.reject(new Error("boom")), controller.signal)).rejects.toThrow(
      "boom",
    );
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });
});
