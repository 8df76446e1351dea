/**
 * `buzzville local`: the local cloud on one port, the topology deployed (unless told not to),
 * optionally with the functions running (bundled and warmed before the endpoint is announced);
 * serves until aborted (Ctrl-C).
 */
import { topology } from "../../infra/topology.ts";
import { mountLocalApi } from "../api/serve.ts";
import { startLocalCloud } from "../cloud.ts";
import { type ConsoleOptions, consoleFeed, type RunningConsole } from "../console/index.ts";
import { deployTopology } from "../deploy.ts";
import { startFunctions } from "../lambda/runtime.ts";
import { eventStoreSubscription } from "./run.ts";
import { warmFunctions } from "./warm.ts";

export interface LocalOptions {
  readonly host?: string;
  readonly port?: number;
  readonly dataDir?: string;
  /** Deploy the topology. @default true */
  readonly deploy?: boolean;
  /** Also run the functions on their queues. @default false */
  readonly functions?: boolean;
  /** The operators' console with the functions (local/console); `false`: none. @default on */
  readonly console?: ConsoleOptions | false;
  readonly signal: AbortSignal;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

export async function runLocal(options: LocalOptions): Promise<void> {
  const cloud = await startLocalCloud({
    ...(options.host ? { host: options.host } : {}),
    port: options.port ?? 4566,
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    onError: (where, error) => options.err(`[${where}] ${String(error)}\n`),
  });
  // The pollers' requests are served in process by the embedded SQS.
  const sqs = cloud.sqs;
  let functions: ReturnType<typeof startFunctions> | undefined;
  let operatorsConsole: RunningConsole | undefined;
  try {
    options.out(
      `Buzz Ville local cloud: ${cloud.endpoint} (region ${cloud.region}${options.dataDir ? `, data in ${options.dataDir}` : ", in memory"})\n`,
    );
    if (options.deploy !== false) {
      const resources = await deployTopology({
        endpoint: cloud.endpoint,
        region: cloud.region,
        topology,
      });
      mountLocalApi(cloud.gateway, resources, (e) => options.err(`[api] ${String(e)}\n`));
      options.out(
        `Deployed: bus ${resources.bus.name}; ${Object.keys(resources.queues).length} queues, ${Object.keys(resources.rules).length} rules, ${Object.keys(resources.pipes).length} pipes, ${Object.keys(resources.tables).length} tables, ${Object.keys(resources.topics).length} topics\n`,
      );
      if (options.functions) {
        const feed = consoleFeed(eventStoreSubscription(resources));
        functions = startFunctions({
          resources,
          sqs,
          queues: cloud.queues,
          ...(cloud.tracing ? { tracing: cloud.tracing } : {}),
          onLog: (fn, line) => options.err(`[${fn}] ${line}\n`),
          onDelivered: (sub, record, now) => feed.delivered(sub, record, now),
        });
        cloud.attachLambda(functions.invoke);
        await warmFunctions(functions, options.out, options.err);
        if (options.console !== false) {
          operatorsConsole = await feed.start({
            cloud,
            resources,
            functions,
            ...(options.console ? { options: options.console } : {}),
            onError: (e) => options.err(`[console] ${String(e)}\n`),
          });
          options.out(`Operators' console: ${operatorsConsole.url}\n`);
        }
        options.out(
          `Functions running: ${Object.values(resources.functions)
            .map((f) => f.name)
            .join(", ")}\n`,
        );
      }
    }
    options.out(
      `export AWS_ENDPOINT_URL=${cloud.endpoint} AWS_REGION=${cloud.region} AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local\nCtrl-C stops.\n`,
    );
    await new Promise<void>((resolve) => {
      if (options.signal.aborted) resolve();
      options.signal.addEventListener("abort", () => resolve());
    });
  } finally {
    await operatorsConsole?.stop();
    await functions?.stop();
    await cloud.stop();
  }
}
