/**
 * A local Lambda function: a pool of execution environments (worker threads, each with the
 * function's OWN environment variables and memory limit) running the function's bundle — the
 * same esbuild bundle the CDK app deploys (local/bundles.ts), built or taken from the cache once.
 * One invocation per environment at a time; an environment that times out or crashes is
 * terminated and a fresh one is created for the next invocation (a cold start). `warm()` starts
 * `minInstances` environments ahead of traffic (docs/LOCAL.md "How the functions run").
 */
import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { BundleCache, threadBundle } from "../bundles.ts";
import { type HopTracing, invocationSpans } from "../xray/hops.ts";
import type { FromWorker, ToWorker, WorkerInit } from "./protocol.ts";

export class LambdaRunnerError extends Error {
  override readonly name: string = "LambdaRunnerError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export type InvokeOutcome =
  | { readonly kind: "ok"; readonly result: unknown }
  | { readonly kind: "error"; readonly error: string }
  | { readonly kind: "timeout" }
  | { readonly kind: "crash"; readonly error: string };

export interface FunctionHostOptions {
  /** Function name, e.g. `buzzville-local-EventStore`. */
  readonly name: string;
  /** Handler source entry (absolute, or relative to `rootDir`), bundled as the CDK app bundles it. */
  readonly entry: string;
  readonly exportName?: string;
  readonly rootDir?: string;
  readonly timeoutMs: number;
  readonly memoryMb: number;
  /** The function's environment (nothing of the host process leaks in except PATH/HOME/TZ). */
  readonly env: Readonly<Record<string, string>>;
  /** Execution environments kept at most. @default 2 */
  readonly maxInstances?: number;
  /**
   * Environments `warm()` starts ahead of traffic (like provisioned concurrency), at most
   * `maxInstances`. @default 1
   */
  readonly minInstances?: number;
  /**
   * Where the bundle is built or found (share one per run: each entry is bundled once).
   * @default a cache of its own on `rootDir`
   */
  readonly bundles?: BundleCache;
  readonly region: string;
  /** Each line the function writes to stderr, and to stdout when `logStdout`. */
  readonly onLog?: (line: string) => void;
  /**
   * Split stdout into lines for `onLog` too. Off, stdout (EMF metric lines, info logs) is drained
   * unread — it must be read, or it would buffer — and only stderr (warnings, errors) is parsed.
   * @default true
   */
  readonly logStdout?: boolean;
  /**
   * Lambda's segments of each invocation (AWS::Lambda, AWS::Lambda::Function) in its trace, and
   * the `_X_AMZN_TRACE_ID` the function runs with (local/xray/hops.ts). @default none
   */
  readonly tracing?: HopTracing;
}

export interface InvokeOptions {
  /** The trace the invocation continues (an SQS record's AWSTraceHeader); a new one without. */
  readonly traceHeader?: string | undefined;
  /** The other records' trace headers: their traces link to this invocation. */
  readonly links?: readonly string[];
}

interface Instance {
  readonly worker: Worker;
  readonly ready: Promise<void>;
  busy: boolean;
  pending?: { id: number; settle: (outcome: InvokeOutcome) => void };
}

/** What an environment starts from: the runtime's worker and the function's handler bundles. */
interface EnvironmentFiles {
  readonly worker: string;
  readonly handlerUrl: string;
}

const WORKER_SOURCE = new URL("./worker.ts", import.meta.url);

export class FunctionHost {
  readonly arn: string;
  private readonly instances = new Set<Instance>();
  private readonly waiters: (() => void)[] = [];
  private nextId = 1;
  private closed = false;
  private files?: Promise<EnvironmentFiles>;
  readonly stats = {
    invocations: 0,
    errors: 0,
    timeouts: 0,
    crashes: 0,
    coldStarts: 0,
    /** Sum of the cold starts' durations (environment created -> handler module loaded), ms. */
    coldStartMs: 0,
    /** Sum of the CPU time the environments spent loading the handler module, ms (Node >= 23.9). */
    coldStartCpuMs: 0,
    /** Sum of invocation durations (handler time, cold start included), ms. */
    busyMs: 0,
  };

  constructor(private readonly options: FunctionHostOptions) {
    this.arn = `arn:aws:lambda:${options.region}:000000000000:function:${options.name}`;
  }

  get name(): string {
    return this.options.name;
  }

  /** The bundles this function's environments start from (built or found once). */
  private environmentFiles(): Promise<EnvironmentFiles> {
    if (!this.files) {
      const o = this.options;
      const bundles = o.bundles ?? new BundleCache(o.rootDir ? { rootDir: o.rootDir } : {});
      this.files = Promise.all([threadBundle(WORKER_SOURCE), bundles.bundle(o.entry)]).then(
        ([worker, handler]) => ({
          worker: worker.file,
          handlerUrl: pathToFileURL(handler.file).href,
        }),
        (cause: unknown) => {
          const reason = cause instanceof Error ? cause.message : String(cause);
          throw new LambdaRunnerError(`${o.name} could not be bundled: ${reason}`, { cause });
        },
      );
      this.files.catch(() => {});
    }
    return this.files;
  }

  private spawn(files: EnvironmentFiles): Instance {
    const o = this.options;
    const init: WorkerInit = {
      handlerUrl: files.handlerUrl,
      exportName: o.exportName ?? "handler",
    };
    const worker = new Worker(files.worker, {
      workerData: init,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        TZ: "UTC",
        ...o.env,
      },
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: Math.max(o.memoryMb, 256) },
    });
    if (o.logStdout === false) worker.stdout.resume();
    for (const stream of o.logStdout === false ? [worker.stderr] : [worker.stdout, worker.stderr]) {
      const lines = createInterface({ input: stream });
      lines.on("line", (line) => o.onLog?.(line));
    }
    this.stats.coldStarts++;
    const spawned = Date.now();
    let markReady: () => void = () => {};
    let failInit: (error: Error) => void = () => {};
    const ready = new Promise<void>((res, rej) => {
      markReady = res;
      failInit = rej;
    });
    ready.catch(() => {});
    const instance: Instance = { worker, ready, busy: true };
    worker.on("message", (message: FromWorker) => {
      if (message.type === "ready") {
        this.stats.coldStartMs += Date.now() - spawned;
        this.stats.coldStartCpuMs += message.initCpuMs ?? 0;
        return markReady();
      }
      if (message.type === "init-error") {
        failInit(new LambdaRunnerError(`${o.name} failed to initialise: ${message.error}`));
        return;
      }
      const pending = instance.pending;
      if (!pending || pending.id !== message.id) return;
      instance.pending = undefined;
      pending.settle(
        message.type === "result"
          ? { kind: "ok", result: message.result }
          : { kind: "error", error: message.error },
      );
    });
    const onGone = (error: unknown) => {
      this.instances.delete(instance);
      failInit(new LambdaRunnerError(`${o.name}'s environment exited: ${String(error)}`));
      const pending = instance.pending;
      instance.pending = undefined;
      pending?.settle({ kind: "crash", error: String(error) });
      this.wake();
    };
    worker.on("error", onGone);
    worker.on("exit", (code) => onGone(`exit code ${code}`));
    this.instances.add(instance);
    return instance;
  }

  private wake(): void {
    this.waiters.shift()?.();
  }

  /** An idle environment (reserved for the caller), creating one if below the limit. */
  private async acquire(): Promise<Instance> {
    const files = await this.environmentFiles();
    for (;;) {
      if (this.closed) throw new LambdaRunnerError(`${this.options.name} is shut down`);
      for (const instance of this.instances) {
        if (!instance.busy) {
          instance.busy = true;
          return instance;
        }
      }
      if (this.instances.size < this.maxInstances) return this.spawn(files);
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  private release(instance: Instance): void {
    instance.busy = false;
    this.wake();
  }

  private get maxInstances(): number {
    return this.options.maxInstances ?? 2;
  }

  /**
   * Starts `minInstances` execution environments ahead of traffic (like provisioned concurrency)
   * and waits until their handler module is loaded; rejects with the bundling or init error when
   * the function fails to build or load.
   */
  async warm(): Promise<void> {
    const files = await this.environmentFiles();
    const target = Math.min(this.options.minInstances ?? 1, this.maxInstances);
    const fresh: Instance[] = [];
    while (this.instances.size < target && !this.closed) fresh.push(this.spawn(files));
    const loaded = await Promise.allSettled(fresh.map((instance) => instance.ready));
    let failure: unknown;
    for (const [i, instance] of fresh.entries()) {
      const outcome = loaded[i];
      if (outcome?.status === "fulfilled") {
        this.release(instance);
        continue;
      }
      failure ??= outcome?.reason;
      this.instances.delete(instance);
      await instance.worker.terminate();
    }
    if (failure !== undefined) throw failure;
  }

  /** Invokes the function once, like Lambda's synchronous invoke; never throws for handler faults. */
  async invoke(event: unknown, options: InvokeOptions = {}): Promise<InvokeOutcome> {
    const tracing = this.options.tracing;
    if (!tracing) return this.run(event, undefined);
    const spans = invocationSpans(tracing, this.options.name, options.traceHeader, options.links);
    const outcome = await this.run(event, spans.functionHeader);
    spans.end(
      outcome.kind === "timeout"
        ? { timedOut: true }
        : outcome.kind === "ok"
          ? undefined
          : { error: outcome.error },
    );
    return outcome;
  }

  private async run(event: unknown, traceHeader: string | undefined): Promise<InvokeOutcome> {
    try {
      await this.environmentFiles();
    } catch (error) {
      this.stats.invocations++;
      this.stats.crashes++;
      return { kind: "crash", error: String(error) };
    }
    const instance = await this.acquire();
    this.stats.invocations++;
    try {
      await instance.ready;
    } catch (error) {
      this.stats.crashes++;
      await instance.worker.terminate();
      return { kind: "crash", error: String(error) };
    }
    const o = this.options;
    const id = this.nextId++;
    const awsRequestId = randomUUID();
    const deadline = Date.now() + o.timeoutMs;
    const began = Date.now();
    const outcome = await new Promise<InvokeOutcome>((settle) => {
      const timer = setTimeout(() => {
        instance.pending = undefined;
        settle({ kind: "timeout" });
      }, o.timeoutMs);
      instance.pending = {
        id,
        settle: (value) => {
          clearTimeout(timer);
          settle(value);
        },
      };
      const message: ToWorker = {
        type: "invoke",
        id,
        event,
        ...(traceHeader ? { traceHeader } : {}),
        context: {
          functionName: o.name,
          functionVersion: "$LATEST",
          invokedFunctionArn: this.arn,
          memoryLimitInMB: String(o.memoryMb),
          awsRequestId,
          logGroupName: `/aws/lambda/${o.name}`,
          logStreamName: `local/${instance.worker.threadId}`,
          deadline,
        },
      };
      instance.worker.postMessage(message);
    });
    this.stats.busyMs += Date.now() - began;
    if (outcome.kind === "timeout" || outcome.kind === "crash") {
      if (outcome.kind === "timeout") {
        this.stats.timeouts++;
        o.onLog?.(
          `Task timed out after ${(o.timeoutMs / 1000).toFixed(2)} seconds (${awsRequestId})`,
        );
      } else this.stats.crashes++;
      this.instances.delete(instance);
      await instance.worker.terminate();
      this.wake();
      return outcome;
    }
    if (outcome.kind === "error") this.stats.errors++;
    this.release(instance);
    return outcome;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w();
    await Promise.all([...this.instances].map((i) => i.worker.terminate()));
    this.instances.clear();
  }
}
