/**
 * `buzzville local`: the local cloud on one port, the topology deployed (unless told not to),
 * optionally with the functions running (bundled and warmed before the endpoint is announced);
 * serves until aborted (Ctrl-C). The cloud, the deployment and the city are booted by the
 * composition root (local/up/city.ts).
 */
import type { LocalCloud } from "../cloud.ts";
import type { ConsoleOptions } from "../console/index.ts";
import type { ResourceMap } from "../resource-map.ts";
import { bootCloud, deployCity, type LocalCityOptions, startLocalCity } from "./city.ts";
import { warmFunctions } from "./warm.ts";

export interface LocalOptions {
  readonly host?: string;
  /** @default 4566 */
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
  const { stop } = await serve(options);
  try {
    options.out("Ctrl-C stops.\n");
    await new Promise<void>((resolve) => {
      if (options.signal.aborted) resolve();
      options.signal.addEventListener("abort", () => resolve());
    });
  } finally {
    await stop();
  }
}

/** Boots what the options ask for (a bare cloud, a deployed one, or a city), announcing each. */
async function serve(options: LocalOptions): Promise<{ stop: () => Promise<void> }> {
  const boot: LocalCityOptions = {
    ...(options.host ? { host: options.host } : {}),
    port: options.port ?? 4566,
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    onError: (where, error) => options.err(`[${where}] ${String(error)}\n`),
    api: true,
  };
  if (options.deploy !== false && options.functions) {
    const city = await startLocalCity({
      ...boot,
      functions: { onLog: (fn, line) => options.err(`[${fn}] ${line}\n`) },
      warmUp: async (functions) => {
        // Prints the warm-up and each function that failed to load.
        await warmFunctions(functions, options.out, options.err);
        return undefined;
      },
      ...(options.console !== false ? { console: options.console ?? true } : {}),
    });
    announceCloud(city.cloud, options);
    announceDeployment(city.resources, options);
    if (city.console) options.out(`Operators' console: ${city.console.url}\n`);
    options.out(
      `Functions running: ${Object.values(city.resources.functions)
        .map((f) => f.name)
        .join(", ")}\n`,
    );
    announceEnvironment(city.cloud, options);
    return city;
  }
  const cloud = await bootCloud(boot);
  try {
    announceCloud(cloud, options);
    if (options.deploy !== false) announceDeployment(await deployCity(cloud, boot), options);
  } catch (error) {
    await cloud.stop();
    throw error;
  }
  announceEnvironment(cloud, options);
  return cloud;
}

function announceCloud(cloud: LocalCloud, options: LocalOptions): void {
  options.out(
    `Buzz Ville local cloud: ${cloud.endpoint} (region ${cloud.region}${options.dataDir ? `, data in ${options.dataDir}` : ", in memory"})\n`,
  );
}

function announceDeployment(resources: ResourceMap, options: LocalOptions): void {
  options.out(
    `Deployed: bus ${resources.bus.name}; ${Object.keys(resources.queues).length} queues, ${Object.keys(resources.rules).length} rules, ${Object.keys(resources.pipes).length} pipes, ${Object.keys(resources.tables).length} tables, ${Object.keys(resources.topics).length} topics\n`,
  );
}

function announceEnvironment(cloud: LocalCloud, options: LocalOptions): void {
  options.out(
    `export AWS_ENDPOINT_URL=${cloud.endpoint} AWS_REGION=${cloud.region} AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local\n`,
  );
}
