/**
 * Benchmark 4: the whole local cloud in this process (gateway, EventBridge, SQS, Pipes, Lambda
 * runner, DynamoDB), as `buzzville up` runs it. Latency of an event = its commit time in the
 * event store − its `meta.occurredAt`. Open-loop: batches of 10 at a fixed offered rate.
 */

import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { type AnyEventDraft, CityEventPublisher } from "../events/index.ts";
import { topology } from "../infra/topology.ts";
import { BenchCheckError } from "./errors.ts";
import { draftMix } from "./fixtures.ts";
import { formatDuration } from "./report.ts";
import { summarize } from "./stats.ts";
import { rowFromSamples } from "./timing.ts";
import type { BenchContext, Benchmark, BenchResult, BenchRow } from "./types.ts";

const BATCH = 10;
const credentials = { accessKeyId: "bench", secretAccessKey: "bench" };
const TITLE =
  "End to end through the local cloud (publish → rule → queue → pipe → function → DynamoDB)";
const METHOD = [
  "- The whole local cloud booted in-process as `buzzville up` does (`startLocalCloud` on 127.0.0.1 port 0, `deployTopology` of `infra/topology.ts`, `startFunctions` with the real handler modules in worker threads, 2 instances per function at most), no simulator traffic besides ours.",
  "- Load: `CityEventPublisher` with the real SDK client, batches of 10 device events (weighted mix of the catalog examples, device types only), sent open-loop at a fixed offered rate; every function of the topology receives its share (event store, analytics, traffic, notification, emergency, media), and their derived events travel too.",
  "- Latency of an event = `committedAt` of the event-store commit that holds it (DynamoDB, read back by Scan) − its `meta.occurredAt` (stamped when published); ms resolution. It covers PutEvents, rule matching, SQS intake queue, pipe to the FIFO queue (MessageGroupId = streamId), the Lambda runner's poll (long poll 1 s) and the event-store function's conditional put.",
  "- Throughput = our events stored ÷ (last commit − first publish) of the phase. A warm-up of 20 events (cold starts) is excluded in full mode.",
].join("\n");

/** When the event-store consumer's FIFO queue got an event and when its poller first received it. */
interface StoreStage {
  readonly sentToFifo: number;
  readonly firstReceived: number;
}

/** The subscription feeding the function that writes the events table. */
function storeSubscriptionId(): string | undefined {
  const writer = topology.functions.find((f) => f.uses.includes("eventsTable"));
  return topology.subscriptions.find((s) => s.functionId === writer?.id)?.id;
}

function eventIdOf(body: string): string | undefined {
  try {
    const id = (JSON.parse(body) as { detail?: { meta?: { eventId?: unknown } } }).detail?.meta
      ?.eventId;
    return typeof id === "string" ? id : undefined;
  } catch {
    return undefined;
  }
}

interface Phase {
  readonly rate: number;
  readonly seconds: number;
}

interface CommitItem {
  readonly kind?: string;
  readonly committedAt?: string;
  readonly events?: ReadonlyArray<{ readonly eventId?: string }>;
}

/** eventId → commit time (ms) of every event in the store. */
async function commitTimes(
  ddb: DynamoDBDocumentClient,
  table: string,
): Promise<Map<string, number>> {
  const times = new Map<string, number>();
  let start: Record<string, unknown> | undefined;
  do {
    const page = await ddb.send(
      new ScanCommand({
        TableName: table,
        ProjectionExpression: "kind, committedAt, events",
        ExclusiveStartKey: start,
      }),
    );
    for (const item of (page.Items ?? []) as CommitItem[]) {
      if (item.kind !== "commit" || !item.committedAt) continue;
      const at = Date.parse(item.committedAt);
      for (const e of item.events ?? []) if (e.eventId) times.set(e.eventId, at);
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return times;
}

function notMeasured(reason: string): BenchResult {
  return { status: "not-measured", name: "end-to-end", title: TITLE, method: METHOD, reason };
}

export const endToEnd: Benchmark = {
  name: "end-to-end",
  title: TITLE,
  async run(ctx) {
    let local: [
      typeof import("../local/cloud.ts"),
      typeof import("../local/deploy.ts"),
      typeof import("../local/lambda/runtime.ts"),
      typeof import("../infra/resources.ts"),
    ];
    try {
      local = await Promise.all([
        import("../local/cloud.ts"),
        import("../local/deploy.ts"),
        import("../local/lambda/runtime.ts"),
        import("../infra/resources.ts"),
      ]);
    } catch (error) {
      return notMeasured(`The local cloud could not be loaded: ${String(error)}`);
    }
    const [{ startLocalCloud }, { deployTopology }, { startFunctions }, { SHARED_IDS }] = local;
    const problems: string[] = [];
    const storeSub = storeSubscriptionId();
    const stages = new Map<string, StoreStage>();
    ctx.progress("booting the local cloud");
    // Until the functions are warm, a failure means the local cloud is not usable (not measured);
    // after that it is the benchmark's failure.
    let booted = false;
    let cloud: Awaited<ReturnType<typeof startLocalCloud>> | undefined;
    let functions: ReturnType<typeof startFunctions> | undefined;
    const clients: { destroy(): void }[] = [];
    try {
      cloud = await startLocalCloud({
        host: "127.0.0.1",
        port: 0,
        onError: (where, error) => problems.push(`[${where}] ${String(error)}`),
      });
      const config = { endpoint: cloud.endpoint, region: cloud.region, credentials };
      const sqs = new SQSClient(config);
      const events = new EventBridgeClient({ ...config, maxAttempts: 1 });
      const ddb = DynamoDBDocumentClient.from(new DynamoDBClient(config));
      clients.push(sqs, events, ddb);
      const resources = await deployTopology({
        endpoint: cloud.endpoint,
        region: cloud.region,
        topology,
        prefix: "bench",
      });
      const table = resources.tables[SHARED_IDS.eventsTable]?.name;
      if (!table) throw new BenchCheckError("end-to-end: the deployment has no events table");
      functions = startFunctions({
        resources,
        sqs,
        logLevel: "ERROR",
        onLog: (fn, line) => {
          // EMF metric lines are the functions' normal output; at log level ERROR, anything else
          // is an error or a warning worth reading.
          if (!line.startsWith('{"_aws"')) problems.push(`[${fn}] ${line}`);
        },
        onDelivered: (sub, record) => {
          if (sub !== storeSub) return;
          const id = eventIdOf(record.body);
          if (id === undefined || stages.has(id)) return;
          stages.set(id, {
            sentToFifo: Number(record.attributes.SentTimestamp),
            firstReceived: Number(record.attributes.ApproximateFirstReceiveTimestamp),
          });
        },
      });
      cloud.attachLambda(functions.invoke);
      const failed = await functions.warm();
      if (failed.length > 0) {
        return notMeasured(
          `Functions failed to load: ${failed.map((f) => `${f.name}: ${f.error}`).join("; ")}`,
        );
      }
      booted = true;
      const drafts = draftMix(1_000, ctx.random, { producerOnly: true });
      const run = (phase: Phase, label: string) =>
        runPhase(ctx, {
          phase,
          label,
          drafts,
          events,
          ddb,
          table,
          bus: resources.bus.name,
          stages,
        });
      if (!ctx.quick) {
        ctx.progress("warm-up: 20 events");
        await run({ rate: 20, seconds: 1 }, "warm-up");
      }
      const phases: Phase[] = ctx.quick
        ? [{ rate: 20, seconds: 2 }]
        : [
            { rate: 10, seconds: 10 },
            { rate: 50, seconds: 6 },
          ];
      const rows: BenchRow[] = [];
      const notes: string[] = [];
      for (const phase of phases) {
        const label = `offered ${phase.rate} events/s for ${phase.seconds} s (batches of ${BATCH})`;
        ctx.progress(label);
        const outcome = await run(phase, label);
        rows.push(outcome.row);
        notes.push(...outcome.notes);
      }
      if (problems.length > 0) {
        notes.push(
          `${problems.length} error or warning lines from the cloud or the functions during the run (first: ${problems[0]?.slice(0, 200)}).`,
        );
      }
      return { status: "measured", name: this.name, title: TITLE, method: METHOD, rows, notes };
    } catch (error) {
      if (booted) throw error;
      return notMeasured(`The local cloud did not boot, deploy and start: ${String(error)}`);
    } finally {
      await functions?.stop();
      for (const client of clients) client.destroy();
      await cloud?.stop();
    }
  },
};

interface PhaseInput {
  readonly phase: Phase;
  readonly label: string;
  readonly drafts: readonly AnyEventDraft[];
  readonly events: EventBridgeClient;
  readonly ddb: DynamoDBDocumentClient;
  readonly table: string;
  readonly bus: string;
  readonly stages: ReadonlyMap<string, StoreStage>;
}

async function runPhase(
  ctx: BenchContext,
  input: PhaseInput,
): Promise<{ row: BenchRow; notes: string[] }> {
  const { phase } = input;
  const publisher = new CityEventPublisher({
    busName: input.bus,
    producerId: `bench-e2e-${phase.rate}`,
    client: input.events,
    random: ctx.random,
  });
  const occurredAt = new Map<string, number>();
  let publishFailures = 0;
  const batches = Math.max(1, Math.round((phase.rate * phase.seconds) / BATCH));
  const intervalMs = (BATCH / phase.rate) * 1000;
  const firstPublish = Date.now();
  const start = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let b = 0; b < batches; b++) {
    const wait = start + b * intervalMs - performance.now();
    if (wait > 0) await sleep(wait);
    const from = (b * BATCH) % (input.drafts.length - BATCH);
    inFlight.push(
      publisher.publish(input.drafts.slice(from, from + BATCH)).then(
        (published) => {
          for (const e of published) {
            occurredAt.set(e.detail.meta.eventId, Date.parse(e.detail.meta.occurredAt));
          }
        },
        () => {
          publishFailures += BATCH;
        },
      ),
    );
  }
  await Promise.all(inFlight);
  const sendSeconds = (performance.now() - start) / 1000;
  const deadline = performance.now() + ctx.budget(45_000, 20_000);
  let stored = new Map<string, number>();
  for (;;) {
    stored = await commitTimes(input.ddb, input.table);
    const missing = [...occurredAt.keys()].filter((id) => !stored.has(id)).length;
    if (missing === 0 || performance.now() > deadline) break;
    await sleep(500);
  }
  const latencies: number[] = [];
  const toFifo: number[] = [];
  const inFifo: number[] = [];
  const inFunction: number[] = [];
  let lastCommit = firstPublish;
  for (const [id, at] of occurredAt) {
    const committed = stored.get(id);
    if (committed === undefined) continue;
    latencies.push(committed - at);
    lastCommit = Math.max(lastCommit, committed);
    const stage = input.stages.get(id);
    if (stage && Number.isFinite(stage.sentToFifo) && Number.isFinite(stage.firstReceived)) {
      toFifo.push(stage.sentToFifo - at);
      inFifo.push(stage.firstReceived - stage.sentToFifo);
      inFunction.push(committed - stage.firstReceived);
    }
  }
  if (latencies.length === 0) {
    throw new BenchCheckError(
      `end-to-end (${input.label}): none of ${occurredAt.size} accepted events reached the event store`,
    );
  }
  const notes: string[] = [];
  const missing = occurredAt.size - latencies.length;
  if (missing > 0 || publishFailures > 0) {
    notes.push(
      `${input.label}: ${missing} of ${occurredAt.size} accepted events were not in the store within the deadline; ${publishFailures} events failed to publish.`,
    );
  }
  if (toFifo.length > 0) {
    const span = (ms: number[]) => {
      const st = summarize(ms);
      return `${formatDuration(st.p50Ms)} / ${formatDuration(st.p99Ms)}`;
    };
    notes.push(
      `${input.label}, where the time goes (p50 / p99 over ${toFifo.length} events): publish → event-store FIFO queue (PutEvents, rule, intake queue, pipe) ${span(toFifo)}; waiting in the FIFO queue until the poller receives it ${span(inFifo)}; received → committed (batch in the event-store function) ${span(inFunction)}.`,
    );
  }
  if (sendSeconds > phase.seconds * 1.1) {
    notes.push(
      `${input.label}: publishing took ${sendSeconds.toFixed(1)} s instead of ${phase.seconds} s (the machine could not keep up with the offered rate).`,
    );
  }
  return {
    row: rowFromSamples(latencies, {
      label: input.label,
      iterations: latencies.length,
      throughput: latencies.length / ((lastCommit - firstPublish) / 1000),
      throughputUnit: "events/s stored",
      latencyOf: "per event (stored − occurredAt)",
    }),
    notes,
  };
}
