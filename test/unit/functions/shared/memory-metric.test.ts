/** The kit emits the memory alarm's EMF metric (MemoryRssMb by {service}) after every batch. */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { ManualClock } from "../../../../functions/shared/clock.ts";
import { cityHandler, lazy } from "../../../../functions/shared/kit.ts";
import { MEMORY_METRIC } from "../../../../functions/shared/observability.ts";
import { sqsEvent, T0 } from "../fixtures.ts";

beforeAll(() => {
  vi.stubEnv("POWERTOOLS_LOG_LEVEL", "SILENT");
});
afterAll(() => {
  vi.unstubAllEnvs();
});

afterEach(() => {
  vi.restoreAllMocks();
});

type Emf = Record<string, unknown> & {
  _aws: {
    CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[];
  };
};

describe("memory metric", () => {
  it("publishes the resident set size, MB, by service, even for an empty (sweep) batch", async () => {
    const handler = cityHandler(
      "memory-test",
      lazy(() => ({ handleRecord: async () => "ok", clock: new ManualClock(T0) })),
    );
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: unknown) => {
      lines.push(String(chunk));
      return true;
    });
    await handler(sqsEvent([]));
    spy.mockRestore();
    const docs = lines
      .flatMap((l) => l.split("\n"))
      .filter((l) => l.includes('"_aws"'))
      .map((l) => JSON.parse(l) as Emf);
    const memory = docs.filter((d) =>
      d._aws.CloudWatchMetrics[0]?.Metrics.some((m) => m.Name === MEMORY_METRIC),
    );
    expect(memory).toHaveLength(1);
    const doc = memory[0];
    expect(doc?.service).toBe("memory-test");
    expect(doc?._aws.CloudWatchMetrics[0]?.Dimensions[0]).toEqual(["service"]);
    expect(doc?._aws.CloudWatchMetrics[0]?.Metrics[0]?.Unit).toBe("Megabytes");
    // a Node process holds tens of MB at least; the value is the process's own RSS
    expect(doc?.[MEMORY_METRIC]).toBeGreaterThan(10);
  });
});
