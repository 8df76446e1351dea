/**
 * A whole local city in this process, booted the way `buzzville up` boots it (local/up/run.ts):
 * the local cloud, the topology deployed, the functions started on their queues with the
 * cloud's in-process SQS client, EventBridge Lambda targets attached, every function warmed.
 * Used by `npm run bench` and the `buzzville load` tests; see docs/LOCAL.md.
 */
import { topology } from "../../infra/topology.ts";
import { type LocalCloud, startLocalCloud } from "../cloud.ts";
import { deployTopology } from "../deploy.ts";
import { type FunctionsOptions, type RunningFunctions, startFunctions } from "../lambda/runtime.ts";
import type { ResourceMap } from "../resource-map.ts";

export interface LocalCityOptions {
  readonly host?: string;
  /** @default 0 (any free port) */
  readonly port?: number;
  /** Resource name prefix. @default the deployment's (buzzville-local) */
  readonly prefix?: string;
  /** @default the runner's (one per two cores, local/lambda/runtime.ts) */
  readonly maxInstancesPerFunction?: number;
  readonly onError?: (where: string, error: unknown) => void;
  /** Passed to startFunctions (log lines, deliveries, failures). */
  readonly functions?: Pick<
    FunctionsOptions,
    "onLog" | "logStdout" | "logLevel" | "onDelivered" | "onInvokeFailure" | "onWarning"
  >;
}

export interface RunningCity {
  readonly cloud: LocalCloud;
  readonly resources: ResourceMap;
  readonly functions: RunningFunctions;
  /** Functions that failed to load (their messages go to their DLQs). */
  readonly failedToLoad: readonly { name: string; error: string }[];
  stop(): Promise<void>;
}

export async function startCity(options: LocalCityOptions = {}): Promise<RunningCity> {
  const cloud = await startLocalCloud({
    ...(options.host ? { host: options.host } : {}),
    port: options.port ?? 0,
    ...(options.onError ? { onError: options.onError } : {}),
  });
  let functions: RunningFunctions | undefined;
  try {
    const resources = await deployTopology({
      endpoint: cloud.endpoint,
      region: cloud.region,
      topology,
      ...(options.prefix ? { prefix: options.prefix } : {}),
    });
    functions = startFunctions({
      resources,
      sqs: cloud.sqs,
      queues: cloud.queues,
      dynamodbEndpoint: cloud.gateway.dynamodbEndpoint,
      ...(options.maxInstancesPerFunction
        ? { maxInstancesPerFunction: options.maxInstancesPerFunction }
        : {}),
      ...options.functions,
    });
    cloud.attachLambda(functions.invoke);
    const failedToLoad = await functions.warm();
    const running = functions;
    return {
      cloud,
      resources,
      functions: running,
      failedToLoad,
      stop: async () => {
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
