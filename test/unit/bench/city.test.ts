/**
 * The city bench's pure parts: the ramp's saturation criterion, requests per event, and the
 * report writer's block in docs/BENCHMARKS.md. Nothing here is timed.
 */
import { describe, expect, it } from "vitest";
import type { CityBenchResult } from "../../../bench/city/index.ts";
import { requestsPerEvent } from "../../../bench/city/meter.ts";
import {
  CITY_END,
  CITY_START,
  formatRequests,
  renderCitySection,
  withCitySection,
} from "../../../bench/city/report.ts";
import { judgeStep, sustainedRate } from "../../../bench/city/saturation.ts";
import type { MachineFacts } from "../../../bench/machine.ts";

const at = (s: number, accepted: number, stored: number) => ({ atMs: s * 1000, accepted, stored });

describe("judgeStep", () => {
  it("calls a step sustained when the publisher kept up and the backlog held", () => {
    const v = judgeStep(100, at(0, 600, 560), at(10, 1600, 1540));
    expect(v.publishedPerSecond).toBe(100);
    expect(v.storedPerSecond).toBe(98);
    expect(v.backlogGrowth).toBe(20);
    expect(v).toMatchObject({ sustained: true, stopClimbing: false, reason: "" });
  });

  it("is not sustained when the backlog grows past a tenth of the published events", () => {
    const v = judgeStep(100, at(0, 0, 0), at(10, 1000, 850));
    expect(v.backlogGrowth).toBe(150);
    expect(v.sustained).toBe(false);
    expect(v.stopClimbing).toBe(false);
    expect(v.reason).toContain("backlog grew by 150 events (15 % of the 1000 published)");
  });

  it("stops climbing when the backlog grows past a quarter, or the publisher falls far behind", () => {
    expect(judgeStep(100, at(0, 0, 0), at(10, 1000, 700)).stopClimbing).toBe(true);
    const slow = judgeStep(100, at(0, 0, 0), at(10, 600, 600));
    expect(slow.sustained).toBe(false);
    expect(slow.stopClimbing).toBe(true);
    expect(slow.reason).toContain("under 90 % of the offered 100/s");
  });

  it("rejects an empty window", () => {
    expect(() => judgeStep(100, at(5, 0, 0), at(5, 10, 10))).toThrow(RangeError);
  });

  it("takes the best stored rate of the sustained steps, 0 when none", () => {
    const ok = judgeStep(100, at(0, 0, 0), at(10, 1000, 990));
    const better = judgeStep(200, at(0, 0, 0), at(10, 2000, 1950));
    const saturated = judgeStep(400, at(0, 0, 0), at(10, 4000, 2500));
    expect(sustainedRate([ok, better, saturated])).toBe(195);
    expect(sustainedRate([saturated])).toBe(0);
  });
});

describe("requestsPerEvent", () => {
  it("adds both origins per service and action and divides by the events", () => {
    const r = requestsPerEvent(
      {
        client: { events: { PutEvents: 10 }, sqs: { ReceiveMessage: 40 } },
        cloud: { sqs: { ReceiveMessage: 60, SendMessage: 100 } },
      },
      100,
    );
    expect(r.byService).toEqual({
      events: { PutEvents: 0.1 },
      sqs: { ReceiveMessage: 1, SendMessage: 1 },
    });
    expect(r.total).toBe(2.1);
    expect(requestsPerEvent({ client: { sqs: { X: 5 } }, cloud: {} }, 0).total).toBe(0);
  });
  it("counts one origin alone when asked (the cloud's own work, replayed apart by the ceiling)", () => {
    const r = requestsPerEvent(
      {
        client: { events: { PutEvents: 10 }, sqs: { ReceiveMessage: 40 } },
        cloud: { sqs: { ReceiveMessage: 60, SendMessage: 100 } },
      },
      100,
      "cloud",
    );
    expect(r.byService).toEqual({ sqs: { ReceiveMessage: 0.6, SendMessage: 1 } });
    expect(r.total).toBe(1.6);
  });
});

const machine: MachineFacts = {
  cpuModel: "Test CPU",
  cores: 2,
  cpuQuota: "none",
  memoryBytes: 8 * 1024 ** 3,
  freeMemoryBytes: 4 * 1024 ** 3,
  node: "v24.0.0",
  os: "Linux test",
  loadStart: 0.1,
  loadEnd: 0.2,
};

function result(): CityBenchResult {
  const step = {
    ...judgeStep(100, at(0, 0, 0), at(10, 1000, 990)),
    offeredPerSecond: 100,
    windowSeconds: 10,
    cpuMsPerEvent: 3.5,
    requestsPerEvent: { total: 2.1, byService: { sqs: { ReceiveMessage: 1.5, SendMessage: 0.6 } } },
    cloudRequestsPerEvent: { total: 1.5, byService: { sqs: { ReceiveMessage: 1.5 } } },
    latencyMs: { EventStore: { p50: 40, p99: 120 } },
    rssMB: 300,
  };
  const p = { p50: 10, p99: 20 };
  return {
    date: "2026-12-03T10:00:00.000Z",
    mode: "full",
    machine,
    sustainedEventsPerSecond: 99,
    atOfferedPerSecond: 100,
    cpuMsPerEvent: 3.5,
    requestsPerEvent: step.requestsPerEvent,
    burst: { events: 5000, stored: 5000, drainSeconds: 42.5, startBacklog: 0 },
    isolationRatio: 1.5,
    isolation: {
      startBacklog: 0,
      startQueued: 0,
      baseRate: 20,
      criticalRate: 2,
      floodRate: 200,
      idleCriticalMs: p,
      floodCriticalMs: { p50: 12, p99: 30 },
      isolationRatio: 1.5,
    },
    rssMB: 300,
    ceilingRatio: 0.25,
    ceiling: {
      eventsPerSecond: 396,
      events: 3960,
      seconds: 10,
      replayedPerEvent: 2.1,
      notReplayed: {},
      failedRequests: {},
    },
    steps: [step],
    problems: [],
  };
}

describe("the city report", () => {
  it("renders the headline figures, the ramp table and the requests by service", () => {
    const text = renderCitySection(result());
    expect(text.startsWith(CITY_START)).toBe(true);
    expect(text.endsWith(CITY_END)).toBe(true);
    expect(text).toContain("**99 events/s**");
    expect(text).toContain("ceilingRatio 0.25");
    expect(text).toContain("5000 stored, drained in 42.5 s");
    expect(text).toContain("isolationRatio 1.5");
    expect(text).toContain("| 100 | 100 | 99 | 10 | yes | 3.50 | 2.10 | 300 | 40 / 120 |");
    expect(formatRequests(result().requestsPerEvent)).toBe(
      "sqs 2.10 (ReceiveMessage 1.50, SendMessage 0.60)",
    );
  });

  it("says when the burst or the isolation phase began with earlier events not stored", () => {
    const r = result();
    const text = renderCitySection({
      ...r,
      burst: { ...r.burst, stored: 4000, drainSeconds: null, startBacklog: 120 },
      isolation: { ...r.isolation, startBacklog: 7 },
    });
    expect(text).toContain(
      "4000 stored, not drained within the bound (began with 120 earlier events not stored: not comparable)",
    );
    expect(text).toContain("(began with 7 earlier events not stored: not comparable)");
    expect(renderCitySection(r)).not.toContain("not comparable");
    const queued = renderCitySection({ ...r, isolation: { ...r.isolation, startQueued: 12 } });
    expect(queued).toContain("(began with 12 messages still queued: not comparable)");
  });

  it("replaces its own block and keeps the hand-written text around it", () => {
    const doc = `# Benchmarks\n\nintro\n\n${CITY_START}\nold\n${CITY_END}\n\ntail\n`;
    const next = withCitySection(doc, `${CITY_START}\nnew\n${CITY_END}`);
    expect(next).toBe(`# Benchmarks\n\nintro\n\n${CITY_START}\nnew\n${CITY_END}\n\ntail\n`);
  });

  it("inserts its block before the micro-benchmarks' generated section the first time", () => {
    const doc = "# B\n\n<!-- bench:generated:start -->\nx\n<!-- bench:generated:end -->\n";
    const next = withCitySection(doc, `${CITY_START}\nnew\n${CITY_END}`);
    expect(next.indexOf(CITY_START)).toBeLessThan(next.indexOf("<!-- bench:generated:start -->"));
    expect(next).toContain("x\n<!-- bench:generated:end -->");
  });
});
