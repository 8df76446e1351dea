import type { Context } from "aws-lambda";
import { describe, expect, it } from "vitest";
import {
  InMemoryIdempotencyStore,
  idempotentByEventId,
} from "../../../../functions/shared/idempotency.ts";
import { cityEvent } from "../fixtures.ts";

const context = { getRemainingTimeInMillis: () => 10_000 } as Context;

describe("idempotency by event id (Powertools, in-memory persistence)", () => {
  it("acts once for the same event delivered twice and returns the stored result", async () => {
    let calls = 0;
    const store = new InMemoryIdempotencyStore();
    const once = idempotentByEventId(async () => {
      calls += 1;
      return { sms: calls };
    }, store);
    once.registerLambdaContext(context);
    const e = cityEvent("WeatherAlertIssued");
    const first = await once.run(e, {});
    const second = await once.run(structuredClone(e), {});
    expect(calls).toBe(1);
    expect(second).toEqual(first);
    await once.run(cityEvent("WeatherAlertIssued"), {});
    expect(calls).toBe(2);
  });

  it("runs again after a failure (the failed attempt is not remembered)", async () => {
    let calls = 0;
    const once = idempotentByEventId(async () => {
      calls += 1;
      if (calls === 1) throw new Error("transient");
      return "done";
    }, new InMemoryIdempotencyStore());
    once.registerLambdaContext(context);
    const e = cityEvent("FireAlarmRaised");
    await expect(once.run(e, {})).rejects.toThrow("transient");
    await expect(once.run(e, {})).resolves.toBe("done");
    expect(calls).toBe(2);
  });
});
