/**
 * The operators' console of a local city (docs/OPERATIONS.md, "The console"), composed from the
 * parts a run already has: the deployment, the embedded SQS, the Lambda runner (its deliveries
 * and per-function stats) and the city API. `npm start` and `buzzville local --functions` start
 * it beside the local cloud.
 *
 * @example
 * const feed = consoleFeed(eventStoreSubscription);      // before the functions start
 * startFunctions({ ..., onDelivered: (s, r, t) => feed.delivered(s, r, t) });
 * const console = await feed.start({ cloud, resources, functions, port: 0 });
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { SQSRecord } from "aws-lambda";
import type { LocalCloud } from "../cloud.ts";
import type { RunningFunctions } from "../lambda/runtime.ts";
import type { ResourceMap } from "../resource-map.ts";
import { LOCAL_CREDENTIALS } from "../targets.ts";
import { queueDepth } from "../up/inspect.ts";
import { FlowAggregator } from "./aggregate.ts";
import { cityLayout, readCityState } from "./city.ts";
import { DeadLetters } from "./dead-letters.ts";
import { startLiveFeed } from "./live.ts";
import { type ConsoleServer, startConsoleServer } from "./server.ts";
import { consoleTraces, liveTraces } from "./traces.ts";
import { DispatchedUnits } from "./units.ts";

export interface ConsoleOptions {
  /** Interface; @default the local cloud's host */
  readonly host?: string;
  /** 0 picks a free port. @default the local cloud's port + 1 (0 when the cloud's is 0) */
  readonly port?: number;
  /** Called with the console's URL once it listens (tests). */
  readonly onReady?: (url: string) => void;
}

export interface RunningConsole {
  readonly url: string;
  readonly server: ConsoleServer;
  stop(): Promise<void>;
}

export { LIVE_PERIOD_MS } from "./live.ts";

export interface ConsoleFeed {
  /** The Lambda runner's `onDelivered`. */
  delivered(subscriptionId: string, record: SQSRecord, now: number): void;
  start(parts: {
    readonly cloud: LocalCloud;
    readonly resources: ResourceMap;
    readonly functions?: RunningFunctions;
    readonly options?: ConsoleOptions;
    readonly onError?: (error: unknown) => void;
  }): Promise<RunningConsole>;
}

/** The default console port beside a local cloud on `cloudPort`. */
export function defaultConsolePort(cloudPort: number): number {
  return cloudPort === 0 || cloudPort >= 65535 ? 0 : cloudPort + 1;
}

function functionStats(functions: RunningFunctions | undefined) {
  return Object.fromEntries(
    [...(functions?.hosts ?? [])].map(([id, h]) => [
      id,
      {
        invocations: h.stats.invocations,
        errors: h.stats.errors,
        timeouts: h.stats.timeouts,
        crashes: h.stats.crashes,
      },
    ]),
  );
}

export function consoleFeed(everyEventSubscription: string | undefined): ConsoleFeed {
  const flow = new FlowAggregator(everyEventSubscription);
  const units = new DispatchedUnits();
  return {
    delivered: (sub, record, now) => {
      flow.delivered(sub, record, now);
      if (sub === everyEventSubscription) units.delivered(record);
    },
    start: (parts) => startConsole(flow, units, parts),
  };
}

async function startConsole(
  flow: FlowAggregator,
  units: DispatchedUnits,
  parts: Parameters<ConsoleFeed["start"]>[0],
): Promise<RunningConsole> {
  const { cloud, resources, functions } = parts;
  const onError = parts.onError ?? (() => {});
  const ddb = new DynamoDBClient({
    endpoint: cloud.endpoint,
    region: cloud.region,
    credentials: LOCAL_CREDENTIALS,
  });
  const deadLetters = new DeadLetters(resources, cloud.sqs, DynamoDBDocumentClient.from(ddb));
  const layout = cityLayout();
  const apiBase = `${cloud.endpoint}/api/`;
  let redriving: Promise<unknown> = Promise.resolve();
  const server = await startConsoleServer({
    host: parts.options?.host ?? cloud.gateway.host,
    port: parts.options?.port ?? defaultConsolePort(cloud.gateway.port),
    onError,
    routes: {
      apiBase,
      layout: () => layout,
      deadLetters: () => deadLetters.list(),
      // One redrive at a time: the DLQ tool pages through a shared capped queue port.
      ...(cloud.tracing ? { traces: consoleTraces(cloud.tracing.store) } : {}),
      redrive: (id, max) => {
        const next = redriving.then(() => deadLetters.redrive(id, max));
        redriving = next.catch(() => undefined);
        return next;
      },
    },
  });
  const queues = Object.values(resources.queues);
  const live = startLiveFeed({
    server,
    flow,
    onError,
    hello: { layout, subscriptions: [...new Set(queues.map((q) => q.subscriptionId))] },
    functions: () => functionStats(functions),
    queues: () =>
      Promise.all(
        queues.map(async (q) => {
          const d = await queueDepth(cloud.sqs, q);
          return { logicalId: q.logicalId, role: q.role, subscriptionId: q.subscriptionId, ...d };
        }),
      ),
    city: (zonesOf) => readCityState(apiBase, layout, zonesOf),
    ...(cloud.tracing ? { traces: liveTraces(cloud.tracing) } : {}),
    units: () => units.current(),
  });
  parts.options?.onReady?.(server.url);
  return {
    url: server.url,
    server,
    stop: async () => {
      live.stop();
      await server.stop();
      await redriving;
      ddb.destroy();
    },
  };
}
