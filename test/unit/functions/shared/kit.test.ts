import type { Context } from "aws-lambda";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { ManualClock } from "../../../../functions/shared/clock.ts";
import { cityHandler, lazy } from "../../../../functions/shared/kit.ts";
import { cityEvent, eventBridgeJson, sqsEvent, sqsRecord, T0 } from "../fixtures.ts";

/** EMF documents written to stdout (observed with a spy; nothing is replaced). */
function captureEmf() {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: unknown) => {
    lines.push(String(chunk));
    return true;
  });
  return {
    spy,
    docs: () =>
      lines
        .flatMap((l) => l.split("\n"))
        .filter((l) => l.includes('"_aws"'))
        .map(
          (l) =>
            JSON.parse(l) as Record<string, unknown> & {
              _aws: {
                CloudWatchMetrics: {
                  Namespace: string;
                  Dimensions: string[][];
                  Metrics: { Name: string }[];
                }[];
              };
            },
        ),
  };
}

beforeAll(() => {
  vi.stubEnv("POWERTOOLS_LOG_LEVEL", "SILENT");
});
afterAll(() => {
  vi.unstubAllEnvs();
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("cityHandler (the handler kit)", () => {
  it("answers a partial batch response and emits the metrics contract", async () => {
    const clock = new ManualClock(T0 + 60_000);
    const handler = cityHandler(
      "kit-test",
      lazy(() => ({ handleRecord: async () => "ok", clock })),
    );
    const good = [1, 2].map(() => sqsRecord(eventBridgeJson(cityEvent("TrafficLightChanged"))));
    const bad = sqsRecord("{}");
    const emf = captureEmf();
    const out = await handler(sqsEvent([good[0] as never, bad, good[1] as never]), {
      getRemainingTimeInMillis: () => 10_000,
      functionName: "kit-test",
      awsRequestId: "req-1",
    } as Context);
    emf.spy.mockRestore();
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: bad.messageId }]);
    const docs = emf.docs();
    const metric = (name: string) =>
      docs.find((d) => d._aws.CloudWatchMetrics[0]?.Metrics.some((m) => m.Name === name));
    const handled = metric("EventsHandled");
    expect(handled).toMatchObject({
      EventsHandled: 2,
      EventType: "TrafficLightChanged",
      service: "kit-test",
    });
    expect(handled?._aws.CloudWatchMetrics[0]?.Namespace).toBe("BuzzVille");
    expect(metric("EventFailures")).toMatchObject({ EventFailures: 1, Reason: "validation" });
    const latencyDocs = docs.filter((d) =>
      d._aws.CloudWatchMetrics[0]?.Metrics.some((m) => m.Name === "EndToEndLatency"),
    );
    const sample = cityEvent("TrafficLightChanged").detail.meta.occurredAt; // the fixture's time
    const latency = clock.now() - Date.parse(sample);
    const byService = latencyDocs.filter((d) => d.Priority === undefined);
    expect(byService).toHaveLength(1); // one document per batch, all values in it
    expect([byService[0]?.EndToEndLatency].flat()).toEqual([latency, latency]);
    expect(byService[0]?._aws.CloudWatchMetrics[0]?.Dimensions[0]).toEqual(["service"]);
    // The same latencies again under {service, Priority}, for the per-priority alarms.
    const byPriority = latencyDocs.filter((d) => d.Priority !== undefined);
    expect(byPriority).toHaveLength(1); // one document per priority per batch
    expect([byPriority[0]?.EndToEndLatency].flat()).toEqual([latency, latency]);
    for (const d of byPriority) {
      expect(d._aws.CloudWatchMetrics[0]?.Dimensions[0]).toEqual(
        expect.arrayContaining(["service", "Priority"]),
      );
      expect(d.Priority).toBe(cityEvent("TrafficLightChanged").detail.meta.priority);
    }
  });

  it("rethrows when the runtime cannot be built, so the whole batch is retried", async () => {
    const handler = cityHandler(
      "kit-test",
      lazy(() => {
        throw new Error("EVENTS_TABLE_NAME: must be a non-empty resource name");
      }),
    );
    const emf = captureEmf();
    await expect(handler(sqsEvent([sqsRecord("{}")]))).rejects.toThrow(/EVENTS_TABLE_NAME/);
    emf.spy.mockRestore();
  });
});
