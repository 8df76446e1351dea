/**
 * DynamoDB for the local cloud: the `dynalite` package, in a worker thread of its own (the
 * DynamoDB thread, local/backends/dynalite-thread.ts) behind the gateway's one port. The gateway
 * hands each DynamoDB request to `handle`, which posts its bytes over the thread's message port
 * and writes the answer back: the gateway's thread only copies bytes. In memory by default; with
 * a data directory the LevelDB store lives on disk, and `stop()` flushes and closes it. If the
 * thread dies, every request waiting on it and every later one gets a 500 naming the failure.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { threadBundle } from "../bundles.ts";
import { writeAwsError } from "../gateway/errors.ts";
import { YOUNG_GENERATION_MB } from "../lambda/environment.ts";
import type { RequestCounter } from "../request-counts.ts";
import type { DynamoThreadInit, FromDynamoThread, ToDynamoThread } from "./dynalite-thread.ts";
import { LocalBackendError } from "./errors.ts";

export interface DynamoBackend {
  /**
   * Loopback port dynalite also listens on, in its thread: the local cloud's own functions use
   * it (`endpoint`), so their DynamoDB requests never pass through the gateway's thread.
   */
  readonly port: number;
  /** `http://127.0.0.1:<port>`: the value for the functions' AWS_ENDPOINT_URL_DYNAMODB. */
  readonly endpoint: string;
  /** Serves one DynamoDB request through the DynamoDB thread (no second HTTP hop). */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** The DynamoDB thread (tests inject a crash by terminating it). */
  readonly thread: Worker;
  /** Flushes and closes the store, then ends the thread. */
  stop(): Promise<void>;
}

export interface DynamoBackendOptions {
  /** Parent data directory; the LevelDB store goes in `<dataDir>/dynamodb`. In memory when omitted. */
  readonly dataDir?: string;
  /** Bound on the clean stop (dynalite's own shutdown bound is 30 s). @default 35000 */
  readonly stopTimeoutMs?: number;
  /** Counts the requests served on the thread's own port (origin `client`, service `dynamodb`). */
  readonly requests?: RequestCounter;
}

const THREAD_SOURCE = new URL("./dynalite-thread.ts", import.meta.url);

export async function startDynamoBackend(
  options: DynamoBackendOptions = {},
): Promise<DynamoBackend> {
  const init: DynamoThreadInit = {
    dynalite: createRequire(import.meta.url).resolve("dynalite"),
    options: {
      ...(options.dataDir ? { path: join(options.dataDir, "dynamodb") } : {}),
      createTableMs: 0,
      deleteTableMs: 0,
      updateTableMs: 0,
    },
  };
  const thread = new Worker((await threadBundle(THREAD_SOURCE)).file, {
    workerData: init,
    resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
  });
  const link = new ThreadLink(thread, options.requests);
  const port = await link.ready;
  return {
    port,
    endpoint: `http://127.0.0.1:${port}`,
    thread,
    handle: (req, res) => link.handle(req, res),
    stop: () => link.stop(options.stopTimeoutMs ?? 35_000),
  };
}

/** The gateway's end of the DynamoDB thread: requests out, answers back, failure surfaced. */
class ThreadLink {
  readonly ready: Promise<number>;
  private readonly pending = new Map<number, ServerResponse>();
  private nextId = 1;
  private failure?: LocalBackendError;
  private stopping = false;
  /** The thread answered the stop: its exit is expected. */
  private done = false;
  private stopped?: (error?: string) => void;

  constructor(
    private readonly thread: Worker,
    requests: RequestCounter | undefined,
  ) {
    this.ready = new Promise<number>((resolve, reject) => {
      thread.on("message", (message: FromDynamoThread) => {
        if (message.type === "ready") resolve(message.port);
        else if (message.type === "response") this.answer(message);
        else if (message.type === "counts") {
          for (const [action, n] of message.counts)
            requests?.count("client", "dynamodb", action, n);
        } else {
          this.done = true;
          this.stopped?.(message.error);
        }
      });
      thread.on("error", (error) => this.fail(error, reject));
      thread.on("exit", (code) => this.fail(`exit code ${code}`, reject));
    });
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      if (this.failure) return this.refuse(res, this.failure);
      const id = this.nextId++;
      this.pending.set(id, res);
      const body = chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks);
      const message: ToDynamoThread = {
        type: "request",
        id,
        method: req.method ?? "POST",
        url: req.url ?? "/",
        headers: req.headers,
        body,
      };
      this.thread.postMessage(message);
    });
  }

  async stop(timeoutMs: number): Promise<void> {
    if (this.failure) return; // nothing left to flush
    this.stopping = true;
    const closed = new Promise<string | undefined>((resolve) => {
      this.stopped = resolve;
    });
    this.thread.postMessage({ type: "stop" } satisfies ToDynamoThread);
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeoutMs);
    });
    const outcome = await Promise.race([closed, bound]);
    clearTimeout(timer);
    await this.thread.terminate();
    if (outcome === "timeout") {
      throw new LocalBackendError(`dynalite did not stop within ${timeoutMs} ms`);
    }
    if (outcome) throw new LocalBackendError(`dynalite did not stop: ${outcome}`);
  }

  private answer(message: Extract<FromDynamoThread, { type: "response" }>): void {
    const res = this.pending.get(message.id);
    this.pending.delete(message.id);
    if (!res || res.destroyed) return;
    res.writeHead(message.status, message.headers);
    res.end(message.body);
  }

  private fail(reason: unknown, reject: (error: Error) => void): void {
    if (this.failure || this.done) return;
    const error = new LocalBackendError(
      `The DynamoDB thread (dynalite) ${this.stopping ? "died while stopping" : "stopped unexpectedly"}: ${String(reason)}. DynamoDB requests fail until the local cloud is restarted.`,
      { cause: reason },
    );
    this.failure = error;
    reject(error);
    this.stopped?.(error.message);
    for (const res of this.pending.values()) this.refuse(res, error);
    this.pending.clear();
  }

  private refuse(res: ServerResponse, error: LocalBackendError): void {
    if (res.destroyed || res.headersSent) return;
    writeAwsError(res, "json1.0", {
      status: 500,
      code: "InternalServerError",
      message: error.message,
    });
  }
}
