/**
 * One execution environment's thread: the runtime's worker bundle with the function's OWN
 * environment variables and memory limit, its stdout/stderr split into log lines
 * (docs/LOCAL.md "Functions (the Lambda runner)").
 */
import { createInterface } from "node:readline";
import { Worker, type WorkerOptions } from "node:worker_threads";
import type { WorkerInit } from "./protocol.ts";

export interface EnvironmentThreadOptions {
  readonly memoryMb: number;
  /** The function's environment (nothing of the host process leaks in except PATH/HOME/TZ). */
  readonly env: Readonly<Record<string, string>>;
  readonly onLog?: (line: string) => void;
  /** Split stdout into lines for `onLog` too (otherwise drained unread). @default true */
  readonly logStdout?: boolean;
}

/** Flags that load code into a thread before its main module, and take a value. */
const PRELOAD_FLAGS = new Set(["--require", "-r", "--import", "--loader", "--experimental-loader"]);

/**
 * The host's Node flags an environment keeps: all but module preloads and loaders (e.g. tsx's,
 * when the host runs TypeScript). An environment runs plain JavaScript bundles: a loader there
 * would only re-read the bundle at cold start (seconds of CPU generating source maps).
 */
export function environmentExecArgv(hostArgv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < hostArgv.length; i++) {
    const arg = hostArgv[i] ?? "";
    const name = arg.split("=", 1)[0] ?? arg;
    if (!PRELOAD_FLAGS.has(name)) kept.push(arg);
    else if (!arg.includes("=")) i++; // its value is the next argument
  }
  return kept;
}

/**
 * Each environment's young generation, MB. V8's default for these heap sizes (~48 MB per
 * isolate) let every busy environment hold about 95 MB of heap; at 8 MB they stayed near 40 MB
 * with no more CPU per event, and at 4 MB the city held about 25 MB less at 200 events/s with
 * the 400 events/s step still held (docs/BENCHMARKS.md "Memory profile"; 2 MB saved nothing
 * more). The DynamoDB thread takes the same.
 */
export const YOUNG_GENERATION_MB = 4;

/**
 * A worker thread on the given flags, less those Node refuses in a thread
 * (ERR_WORKER_INVALID_EXEC_ARGV: V8 and process-wide flags such as `--max-old-space-size`, which
 * apply to every thread anyway). A host started with one still starts its environments.
 */
export function workerWithHostFlags(file: string | URL, options: WorkerOptions): Worker {
  try {
    return new Worker(file, options);
  } catch (error) {
    const refused = refusedFlags(error);
    if (!refused || !options.execArgv) throw error;
    const kept = options.execArgv.filter((arg) => !refused.has(String(arg)));
    return new Worker(file, { ...options, execArgv: kept });
  }
}

/** The flags a refusal names ("… invalid execArgv flags: --a=1, --b"), or undefined. */
function refusedFlags(error: unknown): ReadonlySet<string> | undefined {
  if (!(error instanceof Error) || !("code" in error)) return undefined;
  if (error.code !== "ERR_WORKER_INVALID_EXEC_ARGV") return undefined;
  const listed = error.message.slice(error.message.indexOf(":") + 1).split(",");
  const flags = listed.map((flag) => flag.trim()).filter((flag) => flag.startsWith("-"));
  return flags.length > 0 ? new Set(flags) : undefined;
}

const EAGER_SOURCE_MAPS = "--enable-source-maps";

/**
 * The function's variables for its thread, less `--enable-source-maps` in NODE_OPTIONS (a worker
 * applies its `env`'s NODE_OPTIONS: the flag would parse the bundle's map at load), and the
 * NODE_OPTIONS to restore with stacks mapped lazily (WorkerInit.nodeOptions), if it asked for them.
 */
export function lazySourceMaps(env: Readonly<Record<string, string>>): {
  env: Record<string, string>;
  nodeOptions?: string;
} {
  const nodeOptions = env.NODE_OPTIONS;
  const flags = nodeOptions?.split(/\s+/).filter(Boolean) ?? [];
  if (nodeOptions === undefined || !flags.includes(EAGER_SOURCE_MAPS)) return { env: { ...env } };
  const { NODE_OPTIONS: _, ...rest } = env;
  const kept = flags.filter((flag) => flag !== EAGER_SOURCE_MAPS).join(" ");
  return { env: kept ? { ...rest, NODE_OPTIONS: kept } : rest, nodeOptions };
}

/** Starts an environment's thread on the runtime's worker bundle `workerFile`. */
export function startEnvironmentThread(
  workerFile: string,
  init: WorkerInit,
  o: EnvironmentThreadOptions,
): Worker {
  const { env, nodeOptions } = lazySourceMaps(o.env);
  const worker = workerWithHostFlags(workerFile, {
    workerData: nodeOptions === undefined ? init : { ...init, nodeOptions },
    execArgv: environmentExecArgv(process.execArgv),
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      TZ: "UTC",
      ...env,
    },
    stdout: true,
    stderr: true,
    resourceLimits: {
      maxOldGenerationSizeMb: Math.max(o.memoryMb, 256),
      maxYoungGenerationSizeMb: YOUNG_GENERATION_MB,
    },
  });
  if (o.logStdout === false) worker.stdout.resume();
  for (const stream of o.logStdout === false ? [worker.stderr] : [worker.stdout, worker.stderr]) {
    const lines = createInterface({ input: stream });
    lines.on("line", (line) => o.onLog?.(line));
  }
  return worker;
}
