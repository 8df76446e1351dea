/**
 * Durable acceptance (docs/RELIABILITY.md): an event PutEvents accepted survives `kill -9` of
 * the local cloud. The cloud runs as a child process on a `--data-dir`; its rule has a Lambda
 * target that nothing runs yet (every attempt fails and waits for a retry, owed in memory only
 * without the delivery journal) and an SQS target. Killed right after the last answer and
 * restarted on the same directory, it delivers every accepted event to both.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, describe, expect, it } from "vitest";
import { startLocalCloud } from "../../../local/cloud.ts";
import { LOCAL_CREDENTIALS } from "../../../local/targets.ts";
import { accountFor } from "../../../local/up/accounting.ts";
import { eventIdsInQueue } from "../../../local/up/inspect.ts";
import { exitCodeOf } from "../../../local/up/status.ts";
import { waitFor } from "../../support/wait.ts";

const EVENTS = 200;
const SINK = "arn:aws:lambda:us-east-1:000000000000:function:durable-sink";

/** `buzzville local` in a child process; resolves its endpoint once it serves. */
async function startChildCloud(
  dataDir: string,
): Promise<{ child: ChildProcess; endpoint: string }> {
  const child = spawn(
    process.execPath,
    ["bin/buzzville.mjs", "local", "--port", "0", "--no-deploy", "--data-dir", dataDir],
    { cwd: process.cwd(), stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.resume();
  const endpoint = await waitFor(
    () => `the child local cloud to print its endpoint (stdout: ${out})`,
    () => /local cloud: (http:\/\/\S+)/.exec(out)?.[1],
    { timeoutMs: 60_000, intervalMs: 50 },
  );
  return { child, endpoint };
}

const eventIdOf = (i: number) => `durable-${String(i).padStart(4, "0")}`;

describe("durable acceptance", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "buzzville-durable-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("delivers every event accepted before kill -9 once the cloud restarts on its --data-dir", async () => {
    const { child, endpoint } = await startChildCloud(dataDir);
    const exited = new Promise((resolve) => child.on("exit", resolve));
    const config = { endpoint, region: "us-east-1", credentials: LOCAL_CREDENTIALS };
    const events = new EventBridgeClient(config);
    const sqs = new SQSClient(config);
    try {
      const { QueueUrl = "" } = await sqs.send(new CreateQueueCommand({ QueueName: "durable" }));
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
      );
      await events.send(
        new PutRuleCommand({ Name: "durable", EventPattern: '{"source":["test.durable"]}' }),
      );
      await events.send(
        new PutTargetsCommand({
          Rule: "durable",
          Targets: [
            { Id: "sink", Arn: SINK },
            { Id: "queue", Arn: Attributes?.QueueArn },
          ],
        }),
      );
      for (let i = 0; i < EVENTS; i += 10) {
        const Entries = Array.from({ length: 10 }, (_, j) => ({
          Source: "test.durable",
          DetailType: "Durable",
          Detail: JSON.stringify({ meta: { eventId: eventIdOf(i + j) } }),
        }));
        const out = await events.send(new PutEventsCommand({ Entries }));
        expect(out.FailedEntryCount).toBe(0);
      }
    } finally {
      // Right after the last answer: no graceful stop, whatever is in memory is gone.
      child.kill("SIGKILL");
      await exited;
      events.destroy();
      sqs.destroy();
    }

    const cloud = await startLocalCloud({ port: 0, dataDir });
    try {
      const invoked = new Set<string>();
      cloud.attachLambda(async (arn, payload) => {
        expect(arn).toBe(SINK);
        invoked.add(
          (JSON.parse(payload) as { detail: { meta: { eventId: string } } }).detail.meta.eventId,
        );
      });
      const all = Array.from({ length: EVENTS }, (_, i) => eventIdOf(i));
      await waitFor(
        () => `every accepted event at the Lambda target (${invoked.size}/${EVENTS})`,
        () => invoked.size === EVENTS,
        { timeoutMs: 60_000 },
      );
      expect([...invoked].sort()).toEqual(all);
      const queued = await eventIdsInQueue(cloud.endpoint, {
        name: "durable",
      } as Parameters<typeof eventIdsInQueue>[1]);
      expect(new Set(queued)).toEqual(new Set(all));
      await waitFor("nothing owed any more", () => cloud.eventBridge.pending().total === 0);
    } finally {
      await cloud.stop();
    }
  }, 180_000);

  it("lists what the bus still owes, bounded, and counts it as undrained, not lost", async () => {
    const cloud = await startLocalCloud({ port: 0 });
    try {
      const put = (id: string) =>
        cloud.eventBridge.putEvents([
          {
            Source: "test.owed",
            DetailType: "Owed",
            Detail: JSON.stringify({ meta: { eventId: id } }),
          },
        ]);
      const events = new EventBridgeClient({
        endpoint: cloud.endpoint,
        region: cloud.region,
        credentials: LOCAL_CREDENTIALS,
      });
      await events.send(
        new PutRuleCommand({ Name: "owed", EventPattern: '{"source":["test.owed"]}' }),
      );
      // No function runner is attached: every attempt fails and waits for its retry.
      await events.send(
        new PutTargetsCommand({ Rule: "owed", Targets: [{ Id: "sink", Arn: SINK }] }),
      );
      events.destroy();
      const ids = ["owed-1", "owed-2", "owed-3"];
      const envelopeIds: string[] = [];
      for (const id of ids) envelopeIds.push((await put(id)).Entries[0]?.EventId ?? "");

      const owed = cloud.eventBridge.pending();
      expect(owed.total).toBe(3);
      expect(owed.deliveries.map((d) => d.targetArn)).toEqual([SINK, SINK, SINK]);
      expect(owed.deliveries.map((d) => d.eventId).sort()).toEqual([...envelopeIds].sort());
      expect(cloud.eventBridge.pending(2)).toEqual({
        total: 3,
        deliveries: owed.deliveries.slice(0, 2),
      });

      const verdict = accountFor([...envelopeIds, "never-seen"], {
        stored: new Set(),
        deadLettered: [],
        inTransit: owed.deliveries.map((d) => d.eventId),
      });
      expect(verdict).toEqual({ lost: 1, undrained: 3 });
      // A real loss fails the run (1); events only still in transit do not count as lost (2).
      expect(exitCodeOf(verdict)).toBe(1);
      expect(exitCodeOf({ lost: 0, undrained: 3 })).toBe(2);
      expect(exitCodeOf({ lost: 0, undrained: 0 })).toBe(0);
    } finally {
      await cloud.stop();
    }
  }, 60_000);
});
