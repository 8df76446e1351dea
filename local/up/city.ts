/**
 * The one composition root of a local city: every whole city in this repository (`buzzville up`,
 * `buzzville local --functions`, `npm run bench`, the integration harnesses) is booted here, in
 * the same phases, so what a test or the bench measures is what a user runs (docs/LOCAL.md):
 *
 * 1. `bootCloud`: the local cloud (gateway, embedded SQS/SNS and DynamoDB, EventBridge, Pipes);
 * 2. `deployCity`: the topology deployed through the gateway with real SDK clients, the local
 *    API mounted when asked;
 * 3. `runFunctions`: the functions started on their queues (the pollers reach the embedded
 *    queues directly) and attached as the EventBridge Lambda targets;
 * 4. warm-up: every function bundled and its environments started before any traffic;
 * 5. the operators' console beside the cloud, when asked.
 *
 * Traffic, the status line, the drain and the accounting are `buzzville up`'s (local/up/run.ts).
 */
import { type Topology, topology } from "../../infra/topology.ts";
import { mountLocalApi } from "../api/serve.ts";
import { type LocalCloud, type LocalCloudOptions, startLocalCloud } from "../cloud.ts";
import {
  type ConsoleFeed,
  type ConsoleOptions,
  consoleFeed,
  defaultConsolePort,
  type RunningConsole,
} from "../console/index.ts";
import { deployTopology } from "../deploy.ts";
import { type FunctionsOptions, type RunningFunctions, startFunctions } from "../lambda/runtime.ts";
import type { ResourceMap } from "../resource-map.ts";
import { eventStoreSubscription } from "./inspect.ts";

/** How the functions run: everything `startFunctions` takes but what the city wires itself. */
export type CityFunctionsOptions = Omit<FunctionsOptions, "resources" | "sqs" | "queues">;

/** A function that failed to load at warm-up (its messages go to its DLQ). */
export interface LoadFailure {
  readonly name: string;
  readonly error: string;
}

export interface LocalCityOptions {
  readonly host?: string;
  /** @default 0 (any free port) */
  readonly port?: number;
  /** Keep the cloud's state on disk (`--data-dir`). @default in memory */
  readonly dataDir?: string;
  /** Resource name prefix. @default the deployment's (buzzville-local) */
  readonly prefix?: string;
  /** What to deploy. @default the city's topology (infra/topology.ts) */
  readonly topology?: Topology;
  /** Background failures of the cloud, the local API and the console, by where they happened. */
  readonly onError?: (where: string, error: unknown) => void;
  /** Serve the local API (`/api/...`, local/api) on the gateway. @default false */
  readonly api?: boolean;
  readonly functions?: CityFunctionsOptions;
  /**
   * The warm-up phase; `buzzville up` reports it (local/up/warm.ts).
   * @default `functions.warm()`, silently
   */
  readonly warmUp?: (functions: RunningFunctions) => Promise<readonly LoadFailure[] | undefined>;
  /** The operators' console (local/console). @default none */
  readonly console?: ConsoleOptions | true;
}

export interface DeployedCity {
  readonly cloud: LocalCloud;
  readonly resources: ResourceMap;
}

export interface RunningCity extends DeployedCity {
  readonly functions: RunningFunctions;
  /** Functions that failed to load (their messages go to their DLQs). */
  readonly failedToLoad: readonly LoadFailure[];
  /** The operators' console, when asked for. */
  readonly console?: RunningConsole;
  /** Stops the console, the functions and the cloud, in that order. */
  stop(): Promise<void>;
}

/**
 * Boots a whole local city (the phases above); on a failure, what already runs is stopped.
 *
 * @example
 * const city = await startLocalCity({ prefix: "demo" });
 * try {
 *   // publish to city.resources.bus.name at city.cloud.endpoint with any AWS SDK client
 * } finally {
 *   await city.stop();
 * }
 */
export async function startLocalCity(options: LocalCityOptions = {}): Promise<RunningCity> {
  const cloud = await bootCloud(options);
  let functions: RunningFunctions | undefined;
  try {
    const resources = await deployCity(cloud, options);
    const feed = options.console ? consoleFeed(eventStoreSubscription(resources)) : undefined;
    const running = runFunctions({ cloud, resources }, options.functions, feed);
    functions = running;
    const failedToLoad = (await (options.warmUp ?? warmSilently)(running)) ?? [];
    const console = feed && (await startConsole(feed, { cloud, resources }, running, options));
    return {
      cloud,
      resources,
      functions: running,
      failedToLoad,
      ...(console ? { console } : {}),
      stop: async () => {
        await console?.stop();
        await running.stop();
        await cloud.stop();
      },
    };
  } catch (error) {
    await functions?.stop();
    await cloud.stop();
    throw error;
  }
}

/** Phase 1: the local cloud. */
export function bootCloud(options: LocalCityOptions): Promise<LocalCloud> {
  const cloudOptions: LocalCloudOptions = {
    ...(options.host ? { host: options.host } : {}),
    port: options.port ?? 0,
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
  };
  return startLocalCloud(cloudOptions);
}

/** Phase 2: the topology deployed (through the gateway), and the local API when asked. */
export async function deployCity(
  cloud: LocalCloud,
  options: Pick<LocalCityOptions, "prefix" | "topology" | "api" | "onError">,
): Promise<ResourceMap> {
  const resources = await deployTopology({
    endpoint: cloud.endpoint,
    region: cloud.region,
    topology: options.topology ?? topology,
    ...(options.prefix ? { prefix: options.prefix } : {}),
  });
  if (options.api) mountLocalApi(cloud.gateway, resources, (e) => options.onError?.("api", e));
  return resources;
}

/** Phase 3: the functions on their queues, reachable as EventBridge Lambda targets. */
function runFunctions(
  { cloud, resources }: DeployedCity,
  options: CityFunctionsOptions | undefined,
  feed: ConsoleFeed | undefined,
): RunningFunctions {
  const onDelivered = options?.onDelivered;
  const functions = startFunctions({
    ...options,
    resources,
    sqs: cloud.sqs,
    // The pollers reach the embedded queues directly (local/queues/direct.ts).
    queues: cloud.queues,
    // Environments send their segments to the cloud's X-Ray daemon (local/xray/).
    ...(cloud.tracing ? { tracing: cloud.tracing } : {}),
    // DynamoDB straight to its own thread, off the gateway's (local/backends/dynalite-thread.ts).
    dynamodbEndpoint: cloud.gateway.dynamodbEndpoint,
    ...(feed
      ? {
          onDelivered: (sub, record, now) => {
            onDelivered?.(sub, record, now);
            feed.delivered(sub, record, now);
          },
        }
      : {}),
  });
  cloud.attachLambda(functions.invoke);
  return functions;
}

/** Phase 4 when nobody reports it. */
const warmSilently = (functions: RunningFunctions) => functions.warm();

/** Phase 5: the operators' console, fed by the deliveries since phase 3. */
function startConsole(
  feed: ConsoleFeed,
  { cloud, resources }: DeployedCity,
  functions: RunningFunctions,
  options: LocalCityOptions,
): Promise<RunningConsole> {
  const chosen = options.console && options.console !== true ? options.console : {};
  return feed.start({
    cloud,
    resources,
    functions,
    // Beside the port asked for, not the one bound: with port 0 the cloud's port + 1 is some
    // other process' ephemeral port as often as not (EADDRINUSE), so the console takes a free one.
    options: { ...chosen, port: chosen.port ?? defaultConsolePort(options.port ?? 0) },
    onError: (e) => options.onError?.("console", e),
  });
}
