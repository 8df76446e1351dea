/**
 * Critical subscriptions of a shared function get their own environments (like reserved
 * concurrency on AWS): with the Notification function's bulk environments all busy, a critical
 * alert is still handled at once. The deployed topology, real queues, the tracker fixture as
 * the Notification handler.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { topology } from "../../../infra/topology.ts";
import { type LocalCloud, startLocalCloud } from "../../../local/cloud.ts";
import { deployTopology } from "../../../local/deploy.ts";
import { type RunningFunctions, startFunctions } from "../../../local/lambda/runtime.ts";
import type { ResourceMap } from "../../../local/resource-map.ts";
import { clientsFor, waitFor } from "./support.ts";

describe("reserved environments for critical subscriptions", () => {
  let cloud: LocalCloud;
  let sqs: SQSClient;
  let resources: ResourceMap;
  let dir: string;
  let functions: RunningFunctions | undefined;

  beforeAll(async () => {
    cloud = await startLocalCloud({ port: 0 });
    sqs = clientsFor(cloud.endpoint).sqs;
    resources = await deployTopology({ endpoint: cloud.endpoint, region: cloud.region, topology });
    dir = mkdtempSync(join(tmpdir(), "buzzville-reserved-"));
  });
  afterAll(async () => {
    if (dir && !existsSync(join(dir, "release"))) writeFileSync(join(dir, "release"), "");
    await functions?.stop();
    await cloud?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("handles a critical alert while every bulk environment of the same function is busy", async () => {
    const track = join(dir, "track.jsonl");
    writeFileSync(track, "");
    const delivered: Record<string, number> = {};
    functions = startFunctions({
      resources,
      sqs,
      maxInstancesPerFunction: 2,
      entries: { Notification: "test/integration/local/fixtures/tracker.ts" },
      extraEnv: { TRACK_FILE: track, HOLD_UNTIL_FILE: join(dir, "release") },
      onDelivered: (sub) => {
        delivered[sub] = (delivered[sub] ?? 0) + 1;
      },
    });
    const mapping = (id: string) => functions?.mappings.find((m) => m.id === id);
    const shared = functions.hosts.get("NotificationFunction");
    const reserved = functions.hosts.get("NotificationFunction/NotificationCritical");
    expect(reserved).toBeDefined();
    expect(mapping("NotificationBulk")?.host).toBe(shared);
    expect(mapping("NotificationCritical")?.host).toBe(reserved);

    const queueUrl = (sub: string) =>
      Object.values(resources.queues).find((q) => q.subscriptionId === sub && q.role === "consumer")
        ?.url ?? "";
    // Two full bulk batches (batch size 10): both bulk environments hold until released.
    for (const batch of [0, 1]) {
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl("NotificationBulk"),
          Entries: Array.from({ length: 10 }, (_, i) => ({
            Id: `m${i}`,
            MessageBody: `hold-${batch}-${i}`,
          })),
        }),
      );
    }
    const open = () => {
      const lines = readFileSync(track, "utf8").trim().split("\n").filter(Boolean);
      const parsed = lines.map((l) => JSON.parse(l) as { ev: string; bodies: string[] });
      return parsed;
    };
    await waitFor(
      "both bulk environments busy",
      () => open().filter((l) => l.ev === "start").length === 2,
    );
    await sqs.send(
      new SendMessageCommand({ QueueUrl: queueUrl("NotificationCritical"), MessageBody: "urgent" }),
    );
    await waitFor("the critical alert handled", () => delivered.NotificationCritical === 1);
    // ... while the bulk batches were still held (none had ended).
    const log = open();
    expect(log.filter((l) => l.ev === "end").map((l) => l.bodies)).toEqual([["urgent"]]);
    expect(delivered.NotificationBulk ?? 0).toBe(0);
    // The shared pool ran only the two held bulk batches, none timed out to free an environment.
    expect(shared?.stats).toMatchObject({ invocations: 2, timeouts: 0 });
    expect(reserved?.stats.invocations).toBe(1);

    writeFileSync(join(dir, "release"), "");
    await waitFor("the bulk batches handled", () => delivered.NotificationBulk === 20);
  }, 90_000);
});
