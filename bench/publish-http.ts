/**
 * Benchmark 3: the project's publisher → the local EventBridge over HTTP (loopback) with the
 * real SDK v3 client, one rule → an in-process recording target. Batches of 10 drafts.
 */

import { performance } from "node:perf_hooks";
import {
  CreateEventBusCommand,
  type PutEventsCommand,
  type PutEventsCommandOutput,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { type AnyEventDraft, CityEventPublisher, type PutEventsPort } from "../events/index.ts";
import { topology } from "../infra/topology.ts";
import { localArn } from "../local/account.ts";
import { BenchCheckError } from "./errors.ts";
import { draftMix } from "./fixtures.ts";
import { type LoopbackBus, RecordingTargets, startLoopbackBus } from "./loopback-bus.ts";
import { summarize } from "./stats.ts";
import { measureAsync, rowFromSamples } from "./timing.ts";
import type { BenchContext, Benchmark, BenchRow } from "./types.ts";

const BATCH = 10;
const BUS = "bench-city";
const TARGET_ARN = localArn("sqs", "us-east-1", "bench-recording-target");
const RULE_ID = "EventStore";

/** The SDK client, timing each PutEvents call while `recording` is on. */
class TimedPutEvents implements PutEventsPort {
  recording = false;
  readonly samplesMs: number[] = [];
  constructor(private readonly inner: PutEventsPort) {}
  async send(command: PutEventsCommand): Promise<PutEventsCommandOutput> {
    const before = performance.now();
    const output = await this.inner.send(command);
    if (this.recording) this.samplesMs.push(performance.now() - before);
    return output;
  }
}

async function deployRule(bus: LoopbackBus): Promise<string> {
  const subscription = topology.subscriptions.find((s) => s.id === RULE_ID);
  if (!subscription) {
    throw new BenchCheckError(`publish-http: topology has no subscription ${RULE_ID}`);
  }
  await bus.client.send(new CreateEventBusCommand({ Name: BUS }));
  await bus.client.send(
    new PutRuleCommand({
      Name: "bench-all-city-events",
      EventBusName: BUS,
      EventPattern: JSON.stringify(subscription.pattern),
    }),
  );
  const targets = await bus.client.send(
    new PutTargetsCommand({
      Rule: "bench-all-city-events",
      EventBusName: BUS,
      Targets: [{ Id: "recorder", Arn: TARGET_ARN }],
    }),
  );
  if ((targets.FailedEntryCount ?? 0) > 0) {
    throw new BenchCheckError(
      `publish-http: PutTargets failed: ${JSON.stringify(targets.FailedEntries)}`,
    );
  }
  return RULE_ID;
}

async function runAt(
  ctx: BenchContext,
  concurrency: number,
  drafts: readonly AnyEventDraft[],
): Promise<{ rows: BenchRow[]; deliveryMs: number[] }> {
  const recorder = new RecordingTargets();
  const bus = await startLoopbackBus(recorder);
  try {
    await deployRule(bus);
    const timed = new TimedPutEvents(bus.client);
    const publishers = Array.from(
      { length: concurrency },
      (_, w) =>
        new CityEventPublisher({
          busName: BUS,
          producerId: `bench-producer-${w}`,
          client: timed,
          random: ctx.random,
          retry: { maxAttempts: 1 },
        }),
    );
    let published = 0;
    const batches = Math.floor(drafts.length / BATCH);
    const who = concurrency === 1 ? "1 producer" : `${concurrency} concurrent producers`;
    ctx.progress(`${who}, batches of ${BATCH}`);
    const warmupMs = ctx.budget(1_000, 200);
    const durationMs = ctx.budget(8_000, 1_000);
    const publishRow = await measureAsync(
      async (worker, i) => {
        const start = (i % batches) * BATCH;
        const publisher = publishers[worker] as CityEventPublisher;
        const events = await publisher.publish(drafts.slice(start, start + BATCH));
        published += events.length;
      },
      {
        label: `${who}: \`publish()\` of ${BATCH} (validate, stamp, 1 PutEvents call)`,
        warmupMs,
        durationMs,
        concurrency,
        onMeasureStart: () => {
          timed.recording = true;
        },
        itemsPerOp: BATCH,
        throughputUnit: "events/s",
        latencyOf: "per publish() call",
        random: ctx.random,
      },
    );
    timed.recording = false;
    await bus.service.idle();
    if (recorder.delivered !== published) {
      throw new BenchCheckError(
        `publish-http: ${published} events were accepted but ${recorder.delivered} reached the target`,
      );
    }
    const callRow = rowFromSamples(timed.samplesMs, {
      label: `${who}: the PutEvents call inside it (SDK → HTTP → emulator → answer)`,
      iterations: timed.samplesMs.length,
      throughput: publishRow.throughput,
      throughputUnit: "events/s",
      latencyOf: "per PutEvents call",
    });
    return { rows: [publishRow, callRow], deliveryMs: recorder.delaysMs };
  } finally {
    await bus.close();
  }
}

export const publishHttp: Benchmark = {
  name: "publish-http",
  title: "Publisher → local EventBridge over HTTP (real SDK client, loopback)",
  async run(ctx) {
    const drafts = draftMix(1_000, ctx.random);
    const single = await runAt(ctx, 1, drafts);
    const many = await runAt(ctx, 8, drafts);
    const delivery = (ms: number[]) => {
      const stats = summarize(ms);
      return `p50 ${stats.p50Ms} ms, p99 ${stats.p99Ms} ms over ${stats.samples} events (warm-up included)`;
    };
    return {
      status: "measured",
      name: this.name,
      title: this.title,
      method: [
        "- `CityEventPublisher.publish()` with batches of 10 drafts (weighted mix of the catalog examples), each batch = exactly one PutEvents request of 10 entries.",
        "- Real `@aws-sdk/client-eventbridge` client (maxAttempts 1) → node:http server on 127.0.0.1 → the emulator's `handle()` (`local/eventbridge`), in the same process. Bus `bench-city` with one rule (the topology's `EventStore` pattern, matching every city event) → one SQS-ARN target served by an in-process recording dispatcher (no queue, no AWS).",
        "- After each run the runner waits for `idle()` and checks that every accepted event reached the target (else the numbers are discarded).",
        "- Rows: `publish()` latency (what a producer waits for) and, from the same run, the PutEvents call alone (timed around `client.send`). Throughput counts events accepted, warm-up excluded.",
      ].join("\n"),
      rows: [...single.rows, ...many.rows],
      notes: [
        `Stamp → target delivery (delivery time − \`meta.occurredAt\`, ms resolution): 1 producer ${delivery(single.deliveryMs)}; 8 producers ${delivery(many.deliveryMs)}.`,
      ],
    };
  },
};
