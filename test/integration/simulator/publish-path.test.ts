/**
 * The simulator's publishing path over the real AWS wire protocol: the real EventBridge SDK v3
 * client talks JSON 1.1 to an in-test PutEvents endpoint (node:http on port 0), which accepts or
 * refuses entries the way EventBridge does (MalformedDetail for a Detail that is not JSON).
 * Checks what arrives: valid catalog events, per-producer sequences, chaos deliveries.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCityEvent } from "../../../events/validate.ts";
import { main } from "../../../simulator/cli.ts";
import { VirtualClock } from "../../../simulator/clock.ts";
import { runScenario } from "../../../simulator/run.ts";

interface WireEntry {
  readonly Source?: string;
  readonly DetailType?: string;
  readonly Detail?: string;
  readonly EventBusName?: string;
  readonly Time?: number;
}

const received: WireEntry[] = [];
/** The clock of the run being served, if any, and its time when each entry arrived. */
let servedClock: { now(): number } | undefined;
const receivedAt: number[] = [];
const targets: string[] = [];
let server: Server;
let endpoint: string;

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const target = String(req.headers["x-amz-target"] ?? "");
    targets.push(target);
    const input = JSON.parse(await body(req)) as { Entries?: WireEntry[] };
    if (target !== "AWSEvents.PutEvents") {
      res.writeHead(400, { "content-type": "application/x-amz-json-1.1" });
      res.end(JSON.stringify({ __type: "UnknownOperationException", message: target }));
      return;
    }
    let failed = 0;
    const entries = (input.Entries ?? []).map((e, i) => {
      try {
        JSON.parse(e.Detail ?? "");
      } catch {
        failed += 1;
        return { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." };
      }
      received.push(e);
      receivedAt.push(servedClock?.now() ?? Number.NaN);
      return { EventId: `evt-${received.length}-${i}` };
    });
    res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
    res.end(JSON.stringify({ FailedEntryCount: failed, Entries: entries }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const client = () =>
  new EventBridgeClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });

describe("simulator → PutEvents over the wire", () => {
  it("delivers a crisis as valid catalog events, numbered per producer", async () => {
    received.length = 0;
    const summary = await runScenario({
      scenario: "crisis",
      rate: 5,
      durationSeconds: 20,
      seed: 9,
      busName: "buzzville-test",
      client: client(),
      clock: new VirtualClock(Date.UTC(2026, 5, 1, 18)),
    });
    expect(summary.failures).toBe(0);
    expect(received).toHaveLength(summary.sent);
    const lastSeq = new Map<string, number>();
    for (const e of received) {
      expect(e.EventBusName).toBe("buzzville-test");
      const event = parseCityEvent({
        source: e.Source,
        "detail-type": e.DetailType,
        detail: JSON.parse(e.Detail ?? ""),
      });
      const { producerId, sequence } = event.detail.meta;
      expect(sequence).toBe((lastSeq.get(producerId) ?? 0) + 1);
      lastSeq.set(producerId, sequence);
    }
    expect(new Set(received.map((e) => e.DetailType))).toEqual(
      new Set(Object.keys(summary.sentByType)),
    );
    expect(summary.sentByType.PublicEventStarted).toBe(1);
    expect(summary.sentByType.AccidentDetected).toBe(1);
  });

  it("delivers chaos: the bus refuses the non-JSON entry, duplicates and reorders arrive", async () => {
    received.length = 0;
    const summary = await runScenario({
      scenario: "chaos",
      rate: 5,
      durationSeconds: 20,
      seed: 4,
      busName: "buzzville-test",
      client: client(),
      clock: new VirtualClock(Date.UTC(2026, 5, 1, 9)),
      chaos: { duplicates: 4, outOfOrder: 3, malformed: 5 },
    });
    expect(summary).toMatchObject({
      failures: 0,
      duplicatesSent: 4,
      outOfOrderSent: 6,
      malformedSent: 5,
      malformedRejectedByBus: 1,
    });
    const valid = received.filter((e) => {
      try {
        parseCityEvent({
          source: e.Source,
          "detail-type": e.DetailType,
          detail: JSON.parse(e.Detail ?? ""),
        });
        return true;
      } catch {
        return false;
      }
    });
    expect(received.length - valid.length).toBe(4); // malformed entries the bus accepted
    const details = valid.map((e) => e.Detail);
    expect(details.length - new Set(details).size).toBe(4); // duplicates, byte for byte
  });

  it("paces on the clock it is given: each entry sent at the end of its batch window, sleeps spanning the run", async () => {
    received.length = 0;
    const callsBefore = targets.length;
    const start = Date.UTC(2026, 5, 1, 7);
    const sleeps: number[] = [];
    const clock = new (class extends VirtualClock {
      override async sleep(ms: number): Promise<void> {
        sleeps.push(ms);
        await super.sleep(ms);
      }
    })(start);
    receivedAt.length = 0;
    servedClock = clock;
    const progress: number[] = [];
    try {
      const summary = await runScenario({
        scenario: "normal-day",
        rate: 10,
        durationSeconds: 2,
        seed: 1,
        busName: "paced",
        client: client(),
        clock,
        progressIntervalMs: 500,
        onProgress: (p) => progress.push(p.sent),
      });
      expect(summary.failures).toBe(0);
      expect(summary.sent).toBe(received.length);
      expect(summary.sent).toBeGreaterThanOrEqual(15);
      // the run waited on the clock, a step per 200 ms batch window, exactly for its duration
      expect(sleeps.length).toBe(10);
      expect(sleeps.every((ms) => ms > 0)).toBe(true);
      expect(sleeps.reduce((a, b) => a + b, 0)).toBe(2000);
      expect(clock.now()).toBe(start + 2000);
      expect(summary.elapsedMs).toBe(2000);
      // no entry left before its time (occurredAt = start + atMs), each at the end of its
      // 200 ms window, none after the run; the window's entries in batched calls
      const due = received.map((e) =>
        Date.parse(
          (JSON.parse(e.Detail ?? "{}") as { meta: { occurredAt: string } }).meta.occurredAt,
        ),
      );
      expect(receivedAt).toEqual(
        due.map((t) => Math.max(t, start + Math.ceil((t - start) / 200) * 200)),
      );
      expect(targets.length - callsBefore).toBeLessThan(received.length);
      expect(progress.length).toBeGreaterThanOrEqual(4);
      expect(progress.at(-1)).toBe(summary.sent);
    } finally {
      servedClock = undefined;
    }
  });

  it("runs from the CLI with --endpoint and --bus", async () => {
    received.length = 0;
    const out: string[] = [];
    const code = await main(
      [
        "--scenario",
        "fire",
        "--rate",
        "4",
        "--duration",
        "10",
        "--endpoint",
        endpoint,
        "--bus",
        "cli-bus",
      ],
      {
        stdout: { write: (t: string) => out.push(t) },
        stderr: { write: (t: string) => out.push(t) },
        env: { AWS_REGION: "us-east-1" },
        clock: new VirtualClock(Date.UTC(2026, 5, 1, 12)),
        signal: new AbortController().signal,
      },
    );
    expect(code).toBe(0);
    expect(received.length).toBeGreaterThan(30);
    expect(received.every((e) => e.EventBusName === "cli-bus")).toBe(true);
    expect(received.filter((e) => e.DetailType === "FireAlarmRaised")).toHaveLength(1);
    expect(out.join("")).toMatch(/Scenario fire \(seed 42\) finished/);
    expect(new Set(targets)).toEqual(new Set(["AWSEvents.PutEvents"]));
  });
});
