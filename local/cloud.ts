/**
 * The local cloud: the gateway with its embedded SQS/SNS (fauxqs) and DynamoDB (dynalite), the
 * EventBridge service (local/eventbridge) delivering through the target dispatcher, Pipes, and
 * X-Ray's read API over the trace store when tracing is on (local/xray/api.ts).
 * The cloud's own queue work (SQS targets, pipes, the Lambda runner's pollers) goes through one
 * queue port that reaches the embedded queues directly (local/queues/direct.ts); see
 * docs/LOCAL.md "How the local cloud does its own queue work".
 */
import { join } from "node:path";
import { SQSClient } from "@aws-sdk/client-sqs";
import { LOCAL_ACCOUNT } from "./account.ts";
import { createEventBridgeService, type EventBridgeService } from "./eventbridge/index.ts";
import { type Gateway, type GatewayOptions, startGateway } from "./gateway/server.ts";
import { createPipesService, type PipesService } from "./pipes/api.ts";
import type { QueuePort } from "./queues/port.ts";
import { createEventTargets, type LambdaInvoker, LOCAL_CREDENTIALS } from "./targets.ts";
import { xrayApi } from "./xray/api.ts";
import {
  type LocalTracing,
  startTracing,
  type TracingOptions,
  tracingFromEnv,
} from "./xray/tracing.ts";

export interface LocalCloudOptions extends GatewayOptions {
  /** Reports background failures (pipe polling, target delivery). */
  readonly onError?: (where: string, error: unknown) => void;
  /**
   * How often archived events older than their archive's retention are dropped from memory
   * (the emulator itself prunes only when an archive is described or listed). @default 600000
   */
  readonly archivePruneIntervalMs?: number;
  /**
   * X-Ray tracing (docs/OPERATIONS.md "Traces"): false turns it off.
   * @default from BUZZVILLE_TRACING ("sampled", the default: X-Ray's default sampling rule;
   * "all": every trace; "off")
   */
  readonly tracing?: TracingOptions | false;
}

export interface LocalCloud {
  readonly gateway: Gateway;
  /** The AWS_ENDPOINT_URL of the local cloud. */
  readonly endpoint: string;
  readonly region: string;
  readonly pipes: PipesService;
  readonly eventBridge: EventBridgeService;
  /**
   * An SQS client served in process by the embedded SQS (no loopback HTTP), for inspection: its
   * requests are not counted in `gateway.requests`. Destroyed by stop().
   */
  readonly sqs: SQSClient;
  /**
   * The embedded queues reached directly (no SDK): for the cloud's own consumers, e.g.
   * `startFunctions({ queues: cloud.queues })`. Each call is counted as the SQS action it stands for.
   */
  readonly queues: QueuePort;
  /**
   * The trace store, the X-Ray daemon the functions send to, and the hops' spans; pass it to
   * `startFunctions({ tracing: cloud.tracing })`. Undefined when tracing is off.
   */
  readonly tracing: LocalTracing | undefined;
  /** Lets EventBridge Lambda targets reach the local Lambda runner. */
  attachLambda(invoke: LambdaInvoker): void;
  stop(): Promise<void>;
}

/** The tracing asked for (else BUZZVILLE_TRACING's), started; undefined when off. */
async function startCloudTracing(option: TracingOptions | false | undefined) {
  const chosen = option ?? tracingFromEnv();
  return chosen === false ? undefined : startTracing(chosen);
}

/**
 * Starts the local cloud (no topology: `deployTopology` or a whole city with `startLocalCity`,
 * local/up/city.ts). Any AWS SDK client pointed at `endpoint` talks to it.
 *
 * @example
 * const cloud = await startLocalCloud({ port: 0 }); // 0: any free port
 * const { endpoint, region } = cloud;
 * const sqs = new SQSClient({ endpoint, region, credentials: LOCAL_CREDENTIALS });
 * await sqs.send(new CreateQueueCommand({ QueueName: "demo" }));
 * await cloud.stop();
 */
export async function startLocalCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  const tracing = await startCloudTracing(options.tracing);
  const gateway = await startGateway(options);
  const endpoint = gateway.url;
  const region = gateway.region;
  let invokeLambda: LambdaInvoker | undefined;
  const targets = createEventTargets({
    endpoint,
    region,
    queues: gateway.queues,
    requestHandler: gateway.queueRequestHandler(),
    invokeLambda: async (arn, payload) => {
      if (!invokeLambda)
        throw new Error(`No local function runner is attached, so ${arn} cannot run`);
      await invokeLambda(arn, payload);
    },
  });

  const eventBridge = createEventBridgeService({
    region,
    accountId: LOCAL_ACCOUNT,
    targets,
    ...(tracing ? { tracing } : {}),
    // Deliveries still owed survive a restart on the same --data-dir (docs/RELIABILITY.md).
    ...(options.dataDir ? { dataDir: join(options.dataDir, "eventbridge") } : {}),
  });
  gateway.mountEvents({
    handle: async (request) => {
      const answer = await eventBridge.handle(request);
      return { status: answer.statusCode, body: answer.body, headers: answer.headers };
    },
  });

  // An SQS client for the cloud's callers (status, inspection): served in process by fauxqs, and
  // not counted as the city's requests (on AWS, CloudWatch serves these depth reads).
  const sqs = new SQSClient({
    endpoint,
    region,
    credentials: LOCAL_CREDENTIALS,
    requestHandler: gateway.queueRequestHandler({ counted: false }),
  });
  const pipes = createPipesService({
    region,
    queues: gateway.queues,
    onError: (pipe, error) => options.onError?.(`pipe ${pipe}`, error),
    ...(tracing ? { tracing } : {}),
  });
  gateway.mountPipes(pipes);
  if (tracing) gateway.mountXRay(xrayApi(tracing.store));

  // Archives keep their retention even when nobody describes them.
  const pruneArchives = setInterval(() => {
    try {
      eventBridge.pruneArchives();
    } catch (error) {
      options.onError?.("archive pruning", error);
    }
  }, options.archivePruneIntervalMs ?? 600_000);
  pruneArchives.unref();

  return {
    gateway,
    endpoint,
    region,
    pipes,
    eventBridge,
    sqs,
    queues: gateway.queues,
    tracing,
    attachLambda: (invoke) => {
      invokeLambda = invoke;
    },
    stop: async () => {
      clearInterval(pruneArchives);
      await pipes.stopAll();
      eventBridge.close();
      targets.destroy();
      sqs.destroy();
      await gateway.stop();
      await tracing?.stop();
    },
  };
}
