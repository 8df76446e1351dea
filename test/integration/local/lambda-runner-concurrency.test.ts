/**
 * The Lambda runner's batching window, maximum concurrency and FIFO group exclusivity, observed
 * through a handler that appends start/end lines to a shared file (fixtures/tracker.ts): the
 * file's line order is the real order of invocation starts and ends, so overlaps are counted
 * without any timing assertion. Where concurrency must be reached, invocations hold until it is
 * (until the test releases them, or until min(HOLD_CONCURRENT, maxConcurrency) were open, capped
 * at 30 s, far above any cold start), so a slow second environment delays the test instead of
 * failing it; the upper bound (never more than the maximum) is asserted apart from reaching it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Gateway, startGateway } from "../../../local/gateway/server.ts";
import { FunctionHost } from "../../../local/lambda/host.ts";
import { EventSourceMapping } from "../../../local/lambda/mapping.ts";
import type { QueuePort } from "../../../local/queues/port.ts";
import { clientsFor, waitFor } from "./support.ts";

interface TrackLine {
  ev: "start" | "end";
  id: string;
  bodies: string[];
  groups: (string | null)[];
  receiveCounts: string[];
}

const FIXTURE = "test/integration/local/fixtures/tracker.ts";

/** The most invocations open at once, over the whole log. */
function maxOverlap(lines: readonly TrackLine[]): number {
  let open = 0;
  let max = 0;
  for (const l of lines) {
    open += l.ev === "start" ? 1 : -1;
    max = Math.max(max, open);
  }
  return max;
}

/** Pairs of invocations that were open at the same time and held a common group. */
function sharedGroupOverlaps(lines: readonly TrackLine[]): string[] {
  const open = new Map<string, TrackLine>();
  const clashes: string[] = [];
  for (const l of lines) {
    if (l.ev === "end") {
      open.delete(l.id);
      continue;
    }
    for (const other of open.values()) {
      const shared = l.groups.filter((g) => g !== null && other.groups.includes(g));
      if (shared.length > 0) clashes.push(`${other.bodies} || ${l.bodies} (groups ${shared})`);
    }
    open.set(l.id, l);
  }
  return clashes;
}

describe("local Lambda runner: batching window, maximum concurrency, FIFO groups", () => {
  let gateway: Gateway;
  let sqs: SQSClient;
  let dir: string;
  const running: { stop(): Promise<void> }[] = [];
  let counter = 0;
  /** WaitTimeSeconds of every ReceiveMessage the pollers make (through `queues`). */
  const waits: unknown[] = [];
  /** Receives that ended with their signal aborted (a poll given up), by the spy below. */
  let abortedPolls = 0;
  let queues: QueuePort;

  beforeAll(async () => {
    gateway = await startGateway({ port: 0 });
    sqs = clientsFor(gateway.url).sqs;
    // A spy, not a mock: the call goes on unchanged.
    queues = {
      ...gateway.queues,
      receiveMessage: (queueArn, options) => {
        waits.push(options.waitSeconds);
        return gateway.queues.receiveMessage(queueArn, options).then((messages) => {
          if (options.signal?.aborted) abortedPolls++;
          return messages;
        });
      },
    };
    dir = mkdtempSync(join(tmpdir(), "buzzville-tracker-"));
  });
  afterEach(async () => {
    for (const r of running.splice(0).reverse()) await r.stop();
  });
  afterAll(async () => {
    await gateway?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function queue(name: string, attributes: Record<string, string> = {}) {
    const { QueueUrl = "" } = await sqs.send(
      new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
    );
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
    );
    return { url: QueueUrl, arn: Attributes?.QueueArn ?? "" };
  }

  async function setup(opts: {
    fifo?: boolean;
    batchSize: number;
    windowSeconds?: number;
    maxConcurrency: number;
    maxInstances: number;
    /** Invocations hold until this many were open at once (at most maxConcurrency). */
    holdConcurrent?: number;
    /** Batches with a body starting with `hold` wait until this file exists. */
    releaseFile?: string;
    /** Above the longest hold (30 s cap), so nothing returns while held. @default 60 */
    visibilitySeconds?: number;
    /** The pollers' long-poll wait. @default 1 */
    waitSeconds?: number;
  }) {
    const n = ++counter;
    const suffix = opts.fifo ? ".fifo" : "";
    const track = join(dir, `track-${n}.jsonl`);
    writeFileSync(track, "");
    const dlq = await queue(`c-dlq-${n}${suffix}`);
    const source = await queue(`c-source-${n}${suffix}`, {
      VisibilityTimeout: String(opts.visibilitySeconds ?? 60),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 3 }),
      ...(opts.fifo ? { FifoQueue: "true", ContentBasedDeduplication: "true" } : {}),
    });
    const fn = new FunctionHost({
      name: `tracker-${n}`,
      entry: FIXTURE,
      timeoutMs: 40_000,
      memoryMb: 256,
      region: "us-east-1",
      maxInstances: opts.maxInstances,
      env: {
        TRACK_FILE: track,
        // More than maxConcurrency can never be open: holding for it would only wait out the cap.
        HOLD_CONCURRENT: String(Math.min(opts.holdConcurrent ?? 0, opts.maxConcurrency)),
        // Generous: only a runner that never reaches the concurrency waits this long.
        HOLD_MAX_MS: "30000",
        ...(opts.releaseFile ? { HOLD_UNTIL_FILE: opts.releaseFile } : {}),
      },
    });
    const mapping = new EventSourceMapping({
      id: `c-mapping-${n}`,
      queueArn: source.arn,
      region: "us-east-1",
      queues,
      fn,
      batchSize: opts.batchSize,
      maxBatchingWindowSeconds: opts.windowSeconds ?? 0,
      waitTimeSeconds: opts.waitSeconds ?? 1,
      maxConcurrency: opts.maxConcurrency,
    });
    running.push({ stop: () => fn.close() }, mapping);
    await fn.warm();
    const lines = (): TrackLine[] =>
      readFileSync(track, "utf8")
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as TrackLine);
    return { source, dlq, fn, mapping, lines };
  }

  const inFlight = async (url: string) => {
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ["ApproximateNumberOfMessagesNotVisible"],
      }),
    );
    return Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0);
  };

  it("collects messages that arrive one by one within the batching window into one batch", async () => {
    const { source, mapping, lines } = await setup({
      batchSize: 3,
      windowSeconds: 20,
      maxConcurrency: 1,
      maxInstances: 1,
    });
    waits.length = 0;
    mapping.start();
    await sqs.send(new SendMessageCommand({ QueueUrl: source.url, MessageBody: "a" }));
    // The poller holds "a" (in flight) and waits for more within its window.
    await waitFor("the first message received", async () => (await inFlight(source.url)) === 1);
    await sqs.send(new SendMessageCommand({ QueueUrl: source.url, MessageBody: "b" }));
    await waitFor("the second message received", async () => (await inFlight(source.url)) === 2);
    await sqs.send(new SendMessageCommand({ QueueUrl: source.url, MessageBody: "c" }));
    await waitFor("the batch handled", () => mapping.stats.delivered === 3);
    const starts = lines().filter((l) => l.ev === "start");
    // A full batch (batchSize 3) closes the window early: one invocation with all three.
    expect(starts.map((l) => l.bodies)).toEqual([["a", "b", "c"]]);
    expect(mapping.stats.batches).toBe(1);
    // Within the window the pollers long-poll for what is left of it, in whole seconds 0..20 as
    // real SQS requires (fauxqs would also take fractions).
    const windowWaits = waits.filter((w) => w !== 1); // 1 s: the empty-queue poll
    expect(windowWaits.length, "long polls within the window").toBeGreaterThan(0);
    for (const w of waits) {
      expect(Number.isInteger(w) && (w as number) >= 0 && (w as number) <= 20, String(w)).toBe(
        true,
      );
    }
  });

  it("runs at most maxConcurrency invocations at once, even with more environments", async () => {
    const release = join(dir, "release-max-concurrency");
    const { source, mapping, lines } = await setup({
      batchSize: 1,
      maxConcurrency: 2,
      maxInstances: 4,
      // Every invocation holds until the test releases it, however slowly environments start.
      releaseFile: release,
    });
    const bodies = ["m1", "m2", "m3", "m4", "m5", "m6"].map((b) => `hold-${b}`);
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: source.url,
        Entries: bodies.map((b, i) => ({ Id: `m${i}`, MessageBody: b })),
      }),
    );
    mapping.start();
    try {
      // Reached: two open at once (no limit on the second cold start but this generous one).
      await waitFor("2 invocations open at once", () => maxOverlap(lines()) >= 2, {
        timeoutMs: 60_000,
      });
      // Both are held, so the pollers are busy: a runner taking more batches than maxConcurrency
      // would have received more than 2 messages by now (receiving needs no environment).
      expect(await inFlight(source.url), "messages in flight while 2 are held").toBe(2);
    } finally {
      // Released even on failure, so the held environments end and the test cleans up at once.
      writeFileSync(release, "");
    }
    await waitFor("all 6 handled", () => mapping.stats.delivered === 6, { timeoutMs: 90_000 });
    const log = lines();
    expect(
      log
        .filter((l) => l.ev === "start")
        .flatMap((l) => l.bodies)
        .sort(),
    ).toEqual([...bodies].sort());
    // Upper bound over the whole run: never more than maxConcurrency, with 4 environments.
    expect(maxOverlap(log), "most invocations open at once").toBeLessThanOrEqual(2);
  }, 120_000);

  it("receives only when an environment is free: more pollers than environments hold no batch un-invoked", async () => {
    const release = join(dir, "release-free-environment");
    const { source, mapping, lines } = await setup({
      batchSize: 1,
      maxConcurrency: 3,
      maxInstances: 1,
      releaseFile: release,
    });
    const bodies = ["hold-1", "hold-2", "hold-3"];
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: source.url,
        Entries: bodies.map((b, i) => ({ Id: `m${i}`, MessageBody: b })),
      }),
    );
    mapping.start();
    try {
      await waitFor("1 invocation open", () => maxOverlap(lines()) >= 1, { timeoutMs: 60_000 });
      // Three pollers, one environment, held: pollers that received without an environment
      // would hold all three messages in flight, their visibility timeouts running.
      expect(await inFlight(source.url), "messages in flight while 1 is held").toBe(1);
    } finally {
      writeFileSync(release, "");
    }
    await waitFor("all 3 handled", () => mapping.stats.delivered === 3, { timeoutMs: 60_000 });
    expect(maxOverlap(lines()), "most invocations open at once").toBe(1);
  }, 90_000);

  it("an invocation outside the mapping (a sweep) takes the environment a long-polling poller holds", async () => {
    const { fn, mapping } = await setup({
      batchSize: 1,
      maxConcurrency: 1,
      maxInstances: 1,
      waitSeconds: 20,
    });
    waits.length = 0;
    abortedPolls = 0;
    mapping.start();
    // The only environment is held by the poller, long-polling the empty queue.
    await waitFor("the poller long-polling", () => waits.length >= 1);
    const outcome = await fn.invoke({ Records: [] });
    expect(outcome.kind).toBe("ok");
    // It got the environment because the poller gave up its poll, not because the poll ended.
    expect(abortedPolls, "long polls given up for the sweep").toBe(1);
  }, 60_000);

  it("FIFO: never runs two batches of the same group at once, while groups run side by side", async () => {
    const { source, mapping, lines } = await setup({
      fifo: true,
      batchSize: 1,
      maxConcurrency: 2,
      maxInstances: 2,
      holdConcurrent: 2,
    });
    const entries = [1, 2, 3].flatMap((i) =>
      ["g1", "g2", "g3"].map((g) => ({
        Id: `${g}-${i}`,
        MessageBody: `${g}:${i}`,
        MessageGroupId: g,
      })),
    );
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: source.url, Entries: entries }));
    mapping.start();
    await waitFor("all 9 handled", () => mapping.stats.delivered === 9, { timeoutMs: 90_000 });
    const log = lines();
    expect(sharedGroupOverlaps(log)).toEqual([]);
    // Upper bound: never more than maxConcurrency.
    expect(maxOverlap(log), "most invocations open at once").toBeLessThanOrEqual(2);
    // Different groups did overlap: the group check above could have failed.
    expect(maxOverlap(log), "most invocations open at once").toBeGreaterThanOrEqual(2);
    const starts = log.filter((l) => l.ev === "start");
    for (const g of ["g1", "g2", "g3"]) {
      expect(starts.flatMap((l) => l.bodies).filter((b) => b.startsWith(g))).toEqual(
        [1, 2, 3].map((i) => `${g}:${i}`),
      );
    }
  }, 120_000);

  it("FIFO: a failing message blocks the rest of its group until it reaches the DLQ; other groups continue", async () => {
    const { source, dlq, mapping, lines } = await setup({
      fifo: true,
      batchSize: 1,
      maxConcurrency: 2,
      maxInstances: 2,
      visibilitySeconds: 1,
    });
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: source.url,
        Entries: [
          { Id: "f", MessageBody: "fail-g1", MessageGroupId: "g1" },
          { Id: "a2", MessageBody: "g1:after", MessageGroupId: "g1" },
          ...[1, 2, 3].map((i) => ({ Id: `b${i}`, MessageBody: `g2:${i}`, MessageGroupId: "g2" })),
        ],
      }),
    );
    mapping.start();
    await waitFor("the rest of g1 handled", () => mapping.stats.delivered === 4, {
      timeoutMs: 60_000,
    });
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: dlq.url, MaxNumberOfMessages: 10 }),
    );
    expect(Messages.map((m) => m.Body)).toEqual(["fail-g1"]);
    const order = lines()
      .filter((l) => l.ev === "start")
      .map((l) => `${l.bodies[0]}#${l.receiveCounts[0]}`);
    const at = (entry: string) => order.indexOf(entry);
    // g1's next message only after the failing one's three receives.
    expect(order.filter((e) => e.startsWith("fail-g1"))).toEqual([
      "fail-g1#1",
      "fail-g1#2",
      "fail-g1#3",
    ]);
    expect(at("g1:after#1")).toBeGreaterThan(at("fail-g1#3"));
    // g2 did not wait for g1: all of it ran before g1's failing message was received again.
    for (const i of [1, 2, 3]) expect(at(`g2:${i}#1`)).toBeLessThan(at("fail-g1#2"));
  }, 90_000);
});
