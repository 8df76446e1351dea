/**
 * A local Lambda function: a pool of execution environments (worker threads, each with the
 * function's OWN environment variables and memory limit) running the function's bundle — the
 * same esbuild bundle the CDK app deploys (local/bundles.ts), built or taken from the cache once.
 * One invocation per environment at a time; an environment that times out or crashes is
 * terminated and a fresh one is created for the next invocation (a cold start). `warm()` starts
 * `minInstances` environments ahead of traffic (docs/LOCAL.md "Functions (the Lambda runner)").
 */
import { randomUUID } from "node:crypto";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Worker } from "node:worker_threads";
import { localArn } from "../account.ts";
import { BundleCache, threadBundle } from "../bundles.ts";
import { invocationSpans } from "../xray/hops.ts";
import { startEnvironmentThread } from "./environment.ts";
import {
  type FunctionHostOptions,
  type InvokeOptions,
  type InvokeOutcome,
  LambdaRunnerError,
  type Reservation,
} from "./host-contract.ts";
import type { FromWorker, ToWorker, WorkerInit } from "./protocol.ts";

export * from "./host-contract.ts";

interface Instance {
  readonly worker: Worker;
  readonly ready: Promise<void>;
  busy: boolean;
  /** Set while a poller holds this environment for the batch it is still collecting. */
  held?: AbortController;
  pending?: { id: number; settle: (outcome: InvokeOutcome) => void };
}

/** What an environment starts from: the runtime's worker and the function's handler bundles. */
interface EnvironmentFiles {
  readonly worker: string;
  readonly handlerUrl: string;
  /** Node's compile cache, beside the bundles it caches (see WorkerInit). */
  readonly compileCacheDir: string;
}

const WORKER_SOURCE = new URL("./worker.ts", import.meta.url);

/** Node's compile cache of the bundles, a directory inside the bundle cache's own. */
const COMPILE_CACHE_DIR = ".node-compile-cache";

export class FunctionHost {
  readonly arn: string;
  private readonly instances = new Set<Instance>();
  /** Waiting reservations (pollers), served after `urgent`. */
  private readonly waiters: (() => void)[] = [];
  /** Waiting invocations without a reservation: served first, they preempt held environments. */
  private readonly urgent: (() => void)[] = [];
  private readonly reservations = new WeakMap<Reservation, Instance>();
  private nextId = 1;
  private closed = false;
  private files?: Promise<EnvironmentFiles>;
  readonly stats = {
    invocations: 0,
    errors: 0,
    timeouts: 0,
    crashes: 0,
    coldStarts: 0,
    /** Cold starts that finished loading the handler module (the others are still loading or failed). */
    loaded: 0,
    /** Sum of the cold starts' durations (environment created -> handler module loaded), ms. */
    coldStartMs: 0,
    /** Sum of the CPU time the environments spent loading the handler module, ms (Node >= 23.9). */
    coldStartCpuMs: 0,
    /** Sum of invocation durations (handler time, cold start included), ms. */
    busyMs: 0,
  };

  constructor(private readonly options: FunctionHostOptions) {
    this.arn = localArn("lambda", options.region, `function:${options.name}`);
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
          compileCacheDir: join(dirname(dirname(handler.file)), COMPILE_CACHE_DIR),
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
      compileCacheDir: files.compileCacheDir,
    };
    const worker = startEnvironmentThread(files.worker, init, o);
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
        this.stats.loaded++;
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
    (this.urgent.shift() ?? this.waiters.shift())?.();
  }

  /**
   * An idle environment (reserved for the caller), creating one if below the limit. `urgent`
   * callers go first and ask a poller holding an environment to give it back. Rejects when
   * `signal` aborts first.
   */
  private async acquire(urgent: boolean, signal?: AbortSignal): Promise<Instance> {
    const files = await this.environmentFiles();
    for (;;) {
      if (this.closed) throw new LambdaRunnerError(`${this.options.name} is shut down`);
      if (signal?.aborted) throw new LambdaRunnerError("the wait for an environment was aborted");
      for (const instance of this.instances) {
        if (!instance.busy) {
          instance.busy = true;
          return instance;
        }
      }
      if (this.instances.size < this.maxInstances) return this.spawn(files);
      if (urgent) this.preemptOne();
      await this.turn(urgent ? this.urgent : this.waiters, signal);
    }
  }

  /** Asks one poller holding an environment (and not asked yet) to give it back. */
  private preemptOne(): void {
    for (const instance of this.instances) {
      if (instance.held && !instance.held.signal.aborted) {
        instance.held.abort();
        return;
      }
    }
  }

  /** Resolves at the next `wake()` for `queue`, or when `signal` aborts (leaving the queue). */
  private turn(queue: (() => void)[], signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const onAbort = () => {
        const at = queue.indexOf(wake);
        if (at >= 0) queue.splice(at, 1);
        resolve();
      };
      const wake = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      queue.push(wake);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  private release(instance: Instance): void {
    instance.busy = false;
    this.wake();
  }

  /**
   * Holds an environment for a poller's next batch (waiting until one is free); undefined when
   * `signal` aborts first. See {@link Reservation}.
   */
  async reserve(signal?: AbortSignal): Promise<Reservation | undefined> {
    let instance: Instance;
    try {
      instance = await this.acquire(false, signal);
    } catch (error) {
      if (signal?.aborted && !this.closed) return undefined;
      throw error;
    }
    // A new environment starts before the poller receives: its cold start must not eat into
    // the batch's visibility timeout. A failed start is reported by the invocation.
    await instance.ready.catch(() => undefined);
    const held = new AbortController();
    instance.held = held;
    const reservation: Reservation = { signal: held.signal };
    this.reservations.set(reservation, instance);
    return reservation;
  }

  /** Gives a reserved environment back unused. */
  cancel(reservation: Reservation): void {
    const instance = this.take(reservation);
    if (instance) this.release(instance);
  }

  /** The environment behind a reservation, if it is still alive; the reservation is spent. */
  private take(reservation: Reservation | undefined): Instance | undefined {
    if (!reservation) return undefined;
    const instance = this.reservations.get(reservation);
    this.reservations.delete(reservation);
    if (!instance) return undefined;
    instance.held = undefined;
    return this.instances.has(instance) ? instance : undefined;
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
    // Environments the pollers already started (a poller reserves one before it receives) are
    // loading too: warm means every environment there is has loaded its handler.
    const starting = [...this.instances];
    const loaded = await Promise.allSettled(starting.map((instance) => instance.ready));
    let failure: unknown;
    for (const [i, instance] of starting.entries()) {
      const outcome = loaded[i];
      if (outcome?.status === "rejected") failure ??= outcome.reason;
      if (!fresh.includes(instance)) continue; // its poller's reservation owns it
      if (outcome?.status === "fulfilled") {
        this.release(instance);
        continue;
      }
      this.instances.delete(instance);
      await instance.worker.terminate();
    }
    if (failure !== undefined) throw failure;
  }

  /**
   * Invokes the function once, like Lambda's synchronous invoke, in the reserved environment if
   * given (or any free one); never throws for handler faults.
   */
  async invoke(event: unknown, options: InvokeOptions = {}): Promise<InvokeOutcome> {
    const tracing = this.options.tracing;
    if (!tracing) return this.run(event, undefined, options.reservation);
    const spans = invocationSpans(tracing, this.options.name, options.traceHeader, options.links);
    const outcome = await this.run(event, spans.functionHeader, options.reservation);
    spans.end(
      outcome.kind === "timeout"
        ? { timedOut: true }
        : outcome.kind === "ok"
          ? undefined
          : { error: outcome.error },
    );
    return outcome;
  }

  private async run(
    event: unknown,
    traceHeader: string | undefined,
    reservation: Reservation | undefined,
  ): Promise<InvokeOutcome> {
    const reserved = this.take(reservation);
    try {
      await this.environmentFiles();
    } catch (error) {
      this.stats.invocations++;
      this.stats.crashes++;
      return { kind: "crash", error: String(error) };
    }
    const instance = reserved ?? (await this.acquire(true));
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
    for (const w of [...this.urgent.splice(0), ...this.waiters.splice(0)]) w();
    await Promise.all([...this.instances].map((i) => i.worker.terminate()));
    this.instances.clear();
  }
}
