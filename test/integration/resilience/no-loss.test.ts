/**
 * Nothing lost across `kill -9` (docs/RELIABILITY.md, "What was tried"): the whole city runs as a
 * child process (`buzzville local --functions --data-dir`); half the events are published, the
 * process is killed with SIGKILL right after the last PutEvents answer (deliveries owed by the
 * bus, messages in queues and in flight in the functions' batches), restarted on the same
 * directory, and the other half published. Every accepted event ends in the event store exactly
 * once.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { afterAll, describe, expect, it } from "vitest";
import type { AnyCityEvent } from "../../../events/catalog.ts";
import { SHARED_IDS } from "../../../infra/resources.ts";
import { topology } from "../../../infra/topology.ts";
import { deployTopology } from "../../../local/deploy.ts";
import { LOCAL_CREDENTIALS } from "../../../local/targets.ts";
import { waitFor } from "../../support/wait.ts";
import { cityEvent, stampContext } from "../../unit/functions/fixtures.ts";

/** 2 x 200: what the whole pipeline handles in about a minute on the loaded 2-core machine. */
const HALF = 200;
const TYPES = [
  "TrafficDensityMeasured",
  "StreetLightsSwitched",
  "TrainArrived",
  "BusDeparted",
] as const;

async function startChildCity(dataDir: string): Promise<{ child: ChildProcess; endpoint: string }> {
  const child = spawn(
    process.execPath,
    [
      "bin/buzzville.mjs",
      "local",
      "--port",
      "0",
      "--functions",
      "--no-console",
      "--data-dir",
      dataDir,
    ],
    { cwd: process.cwd(), stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.resume();
  await waitFor(
    () => `the child city to run its functions (stdout: ${out})`,
    () => out.includes("Functions running"),
    {
      timeoutMs: 120_000,
    },
  );
  const endpoint = /local cloud: (http:\/\/\S+)/.exec(out)?.[1];
  if (!endpoint) throw new Error(`no endpoint in the child's output: ${out}`);
  return { child, endpoint };
}

/** How many times each event id is in the event store (commit items list theirs in `eventIds`). */
async function storedCounts(ddb: DynamoDBClient, table: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  let start: Record<string, never> | undefined;
  do {
    const page = await ddb.send(
      new ScanCommand({
        TableName: table,
        ProjectionExpression: "eventIds",
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      for (const v of item.eventIds?.L ?? []) if (v.S) counts.set(v.S, (counts.get(v.S) ?? 0) + 1);
      for (const v of item.eventIds?.SS ?? []) counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    start = page.LastEvaluatedKey as typeof start;
  } while (start);
  return counts;
}

async function publish(endpoint: string, list: readonly AnyCityEvent[]): Promise<string> {
  const config = { endpoint, region: "us-east-1", credentials: LOCAL_CREDENTIALS };
  const resources = await deployTopology({ ...config, topology });
  const events = new EventBridgeClient(config);
  try {
    for (let i = 0; i < list.length; i += 10) {
      const out = await events.send(
        new PutEventsCommand({
          Entries: list.slice(i, i + 10).map((e) => ({
            EventBusName: resources.bus.name,
            Source: e.source,
            DetailType: e.detailType,
            Detail: JSON.stringify(e.detail),
          })),
        }),
      );
      expect(out.FailedEntryCount ?? 0).toBe(0);
    }
  } finally {
    events.destroy();
  }
  return resources.tables[SHARED_IDS.eventsTable]?.name ?? "";
}

describe("nothing lost across kill -9", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "buzzville-noloss-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("stores every accepted event exactly once when the city is killed mid-stream and restarted", async () => {
    const ctx = stampContext("noloss-sensors");
    const all = Array.from({ length: 2 * HALF }, (_, i) =>
      cityEvent(TYPES[i % TYPES.length] ?? "TrainArrived", {}, { ctx }),
    );
    const first = await startChildCity(dataDir);
    const exited = new Promise((resolve) => first.child.on("exit", resolve));
    try {
      await publish(first.endpoint, all.slice(0, HALF));
    } finally {
      first.child.kill("SIGKILL");
      await exited;
    }

    const second = await startChildCity(dataDir);
    const ddb = new DynamoDBClient({
      endpoint: second.endpoint,
      region: "us-east-1",
      credentials: LOCAL_CREDENTIALS,
    });
    try {
      const table = await publish(second.endpoint, all.slice(HALF));
      const ids = all.map((e) => e.detail.meta.eventId);
      let counts = new Map<string, number>();
      await waitFor(
        () =>
          `every accepted event stored (${ids.filter((id) => counts.has(id)).length}/${ids.length})`,
        async () => {
          counts = await storedCounts(ddb, table);
          return ids.every((id) => counts.has(id));
        },
        { timeoutMs: 240_000, intervalMs: 1000 },
      );
      expect(ids.filter((id) => counts.get(id) !== 1)).toEqual([]);
    } finally {
      ddb.destroy();
      second.child.kill("SIGTERM");
      await new Promise((resolve) => second.child.on("exit", resolve));
    }
  }, 480_000);
});
