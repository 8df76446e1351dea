/**
 * The cost model's arithmetic (bin/ops/cost-model.ts) with a fixed price table and a small
 * topology: every line is quantity × unit price, deterministic.
 */
import { describe, expect, it } from "vitest";
import {
  type Assumptions,
  dynamoUnitsOf,
  monthlyBill,
  type PriceTable,
  perEventTraffic,
  topologyDefaults,
} from "../../../bin/ops/cost-model.ts";
import { topology as cityTopology, type Topology } from "../../../infra/topology.ts";

const price = (usd: number) => ({ usd, per: "unit", source: "test" });
/** Round numbers so each line is easy to check by hand. */
const PRICES: PriceTable = {
  eventBridgeEvent: price(1e-6),
  pipesRequest: price(2e-6),
  sqsStandardRequest: price(1e-6),
  sqsFifoRequest: price(2e-6),
  lambdaRequest: price(1e-6),
  lambdaGbSecond: price(1e-5),
  dynamoWru: price(1e-6),
  dynamoRru: price(1e-7),
  snsPublish: price(1e-6),
  logsIngestGb: price(1),
  customMetric: price(0.5),
  alarm: price(0.1),
};

const ASSUME: Assumptions = {
  busEventsPerEvent: 1,
  lambdaMsPerInvocation: 1000,
  logBytesPerInvocation: 0,
  customMetrics: 2,
  alarms: 10,
  idlePollersPerQueue: 0,
  sqsFreeRequests: 0,
};

const fn = (id: string, memoryMb: number, uses: Topology["functions"][number]["uses"]) => ({
  id,
  service: "event-store" as const,
  entry: `functions/${id}.ts`,
  timeoutSeconds: 10,
  memoryMb,
  uses,
});

/** One ordered subscription (every event, batch 10) and one plain one (half the events, batch 100). */
const TOPOLOGY: Topology = {
  crisis: cityTopology.crisis,
  maxReceiveCount: 3,
  targetRetry: { maximumRetryAttempts: 8, maximumEventAgeSeconds: 3600 },
  visibilityTimeoutFactor: 6,
  functions: [
    fn("Store", 1024, ["eventsTable"]),
    fn("Count", 512, ["readModelsTable", "mediaTopic"]),
  ],
  subscriptions: [
    {
      id: "Store",
      description: "all",
      pattern: {},
      priority: "high",
      ordering: { groupIdPath: "$.detail.meta.streamId", dedupIdPath: "$.detail.meta.eventId" },
      functionId: "Store",
      batchSize: 10,
      maxBatchingWindowSeconds: 0,
      maxConcurrency: 10,
    },
    {
      id: "Count",
      description: "half",
      pattern: {},
      priority: "info",
      functionId: "Count",
      batchSize: 100,
      maxBatchingWindowSeconds: 5,
      maxConcurrency: 2,
    },
  ],
};
const FAN_OUT = { Store: 1, Count: 0.5 };

describe("perEventTraffic", () => {
  it("counts the rule delivery, the pipe and the pollers' batches per event", () => {
    const t = perEventTraffic(TOPOLOGY, FAN_OUT, ASSUME);
    // Store: SendMessage 1 + pipe receive/delete 0.2; Count: SendMessage 0.5 + receive/delete 0.1.
    expect(t.sqsStandard).toBeCloseTo(1.8, 10);
    // Store: the pipe's SendMessage 1 + Lambda's receive/delete 0.2.
    expect(t.sqsFifo).toBeCloseTo(1.2, 10);
    expect(t.pipes).toBe(1);
    // 1/10 + 0.5/100 invocations; GB-s: 0.1 × 1 s × 1 GB + 0.005 × 1 s × 0.5 GB.
    expect(t.lambdaInvocations).toBeCloseTo(0.105, 10);
    expect(t.lambdaGbSeconds).toBeCloseTo(0.1025, 10);
    expect(t.polledQueues).toBe(3);
  });
});

describe("monthlyBill", () => {
  it("prices every line as quantity × unit price over 730 hours", () => {
    const bill = monthlyBill({
      eventsPerDay: 24_000_000, // 730 M events a month
      topology: TOPOLOGY,
      fanOut: FAN_OUT,
      dynamo: { wru: 2, rru: 1 },
      snsPublishesPerEvent: 0.5,
      prices: PRICES,
      assumptions: ASSUME,
    });
    expect(bill.eventsPerMonth).toBe(730_000_000);
    const usd = Object.fromEntries(
      bill.lines.map((l) => [`${l.service}: ${l.item.split(" ")[0]}`, l.usd]),
    );
    expect(usd["EventBridge: custom"]).toBeCloseTo(730, 6);
    expect(usd["EventBridge Pipes: requests"]).toBeCloseTo(1460, 6);
    expect(usd["SQS: standard"]).toBeCloseTo(1314, 6);
    expect(usd["SQS: FIFO"]).toBeCloseTo(1752, 6);
    expect(usd["Lambda: invocations"]).toBeCloseTo(76.65, 6);
    expect(usd["Lambda: GB-seconds"]).toBeCloseTo(748.25, 6);
    expect(usd["DynamoDB: write"]).toBeCloseTo(1460, 6);
    expect(usd["DynamoDB: read"]).toBeCloseTo(73, 6);
    expect(usd["SNS: publishes"]).toBeCloseTo(365, 6);
    expect(usd["CloudWatch: custom"]).toBe(1);
    expect(usd["CloudWatch: alarms"]).toBeCloseTo(1, 10);
    expect(bill.totalUsd).toBeCloseTo(
      bill.lines.reduce((n, l) => n + l.usd, 0),
      10,
    );
    expect(bill.usdPerMillionEvents).toBeCloseTo((bill.totalUsd / 730_000_000) * 1e6, 10);
  });

  it("takes the SQS free tier and the idle long polls into account, and rejects a negative volume", () => {
    const idle = monthlyBill({
      eventsPerDay: 0,
      topology: TOPOLOGY,
      fanOut: FAN_OUT,
      dynamo: { wru: 0, rru: 0 },
      snsPublishesPerEvent: 0,
      prices: PRICES,
      assumptions: { ...ASSUME, idlePollersPerQueue: 5, sqsFreeRequests: 1_000_000 },
    });
    // 3 polled queues × 5 pollers × (730 h / 20 s) = 1,971,000 requests, less 1 M free.
    expect(idle.lines.find((l) => l.item.startsWith("standard"))?.quantity).toBe(971_000);
    expect(idle.usdPerMillionEvents).toBe(0);
    expect(() =>
      monthlyBill({
        eventsPerDay: -1,
        topology: TOPOLOGY,
        fanOut: FAN_OUT,
        dynamo: { wru: 0, rru: 0 },
        snsPublishesPerEvent: 0,
        prices: PRICES,
        assumptions: ASSUME,
      }),
    ).toThrow(/eventsPerDay must be a number >= 0/);
  });
});

describe("DynamoDB units", () => {
  it("turns measured actions per event into units, ignoring actions that cost none", () => {
    expect(
      dynamoUnitsOf({ PutItem: 1, TransactWriteItems: 0.5, GetItem: 2, DescribeTable: 3 }),
    ).toEqual({
      wru: 3,
      rru: 1,
    });
  });

  it("derives defaults from what each function uses", () => {
    expect(topologyDefaults(TOPOLOGY, FAN_OUT)).toEqual({
      // events table 2 × 1; read models 1 × 0.5 (and 1 RRU × 0.5); the topic 1 × 0.5.
      dynamo: { wru: 2.5, rru: 0.5 },
      snsPublishesPerEvent: 0.5,
    });
  });
});
