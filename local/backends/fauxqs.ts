/**
 * SQS and SNS for the local cloud: the `fauxqs` package, embedded as a library. Its Fastify app
 * listens on an ephemeral loopback port behind the gateway. The stores are built here (not by
 * `startFauxqs`) so that the queue URL host is the request's Host header — the gateway's own
 * host:port — and so the app never listens on 0.0.0.0. With a data directory the state (queues,
 * messages in every state, topics, subscriptions) is persisted in SQLite by fauxqs itself.
 */
import { existsSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { buildApp } from "fauxqs";
import { LOCAL_ACCOUNT } from "../account.ts";
import type { Inject } from "../gateway/in-process.ts";
import { LocalBackendError } from "./errors.ts";
import { receiveWholeGroups } from "./fauxqs-fifo.ts";

/** A message as fauxqs keeps it (the fields the local cloud reads). */
export interface FauxMessage {
  readonly messageId: string;
  delayUntil?: number | undefined;
  messageGroupId?: string | undefined;
}

/** A long-poll waiter of a fauxqs queue: `notifyWaiters()` clears `timer` and calls `resolve`. */
export interface FauxWaiter {
  resolve(): void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** The parts of fauxqs' internal queue (`SqsQueue`) that the local cloud relies on. */
export interface FauxQueue {
  name: string;
  url: string;
  readonly arn: string;
  persistence?: unknown;
  readonly inflightMessages: Map<string, { readonly visibilityDeadline: number }>;
  readonly delayedMessages: readonly FauxMessage[];
  readonly fifoDelayed: Map<string, readonly FauxMessage[]>;
  pollWaiters: FauxWaiter[];
  changeVisibility(receiptHandle: string, timeoutSeconds: number): void;
  isFifo(): boolean;
  enqueue(message: FauxMessage): void;
}

export interface FauxSqsStore {
  host: string;
  region?: string;
  persistence?: unknown;
  queues: Map<string, FauxQueue>;
  allQueues(): Iterable<FauxQueue>;
  getQueueByArn(arn: string): FauxQueue | undefined;
  getQueueByName(name: string): FauxQueue | undefined;
  createQueue(...args: never[]): FauxQueue;
}

/** A JSON-protocol request body, as fauxqs' actions take it. */
type FauxRequest = Record<string, unknown>;

export interface FauxBatchOutput {
  Successful: { Id: string; MessageId?: string; SequenceNumber?: string }[];
  Failed: { Id: string; Code: string; Message: string; SenderFault: boolean }[];
}

export interface FauxReceived {
  MessageId: string;
  ReceiptHandle: string;
  MD5OfBody: string;
  Body: string;
  Attributes?: Record<string, string>;
  MessageAttributes?: Record<
    string,
    { DataType: string; StringValue?: string; BinaryValue?: string }
  >;
}

/** fauxqs' SQS actions (one file each in its dist/sqs/actions), called with a store. */
export interface FauxSqsActions {
  sendMessage(
    body: FauxRequest,
    store: FauxSqsStore,
  ): { MessageId: string; SequenceNumber?: string };
  sendMessageBatch(body: FauxRequest, store: FauxSqsStore): FauxBatchOutput;
  receiveMessage(body: FauxRequest, store: FauxSqsStore): Promise<{ Messages?: FauxReceived[] }>;
  deleteMessageBatch(body: FauxRequest, store: FauxSqsStore): FauxBatchOutput;
  changeMessageVisibility(body: FauxRequest, store: FauxSqsStore): object;
}

/** fauxqs' SQS error: `code` is the JSON-protocol error code (e.g. QueueDoesNotExist). */
export interface FauxSqsError extends Error {
  readonly code: string;
  readonly senderFault: boolean;
}

/** The embedded SQS, for the local cloud's own plumbing (local/queues/direct.ts). */
export interface FauxSqs {
  readonly store: FauxSqsStore;
  readonly actions: FauxSqsActions;
  isSqsError(error: unknown): error is FauxSqsError;
}

interface FauxPersistence {
  /** fauxqs' SQLite database (node:sqlite). */
  readonly db: { exec(sql: string): void };
  loadSqsAndSns(sqs: unknown, sns: unknown): void;
  close(): void;
}

interface FauxInternals {
  SqsStore: new () => FauxSqsStore;
  SnsStore: new () => { region?: string; persistence?: unknown };
  S3Store: new () => object;
  PersistenceManager: new (dataDir: string) => FauxPersistence;
  SqsError: new (...args: never[]) => FauxSqsError;
  actions: FauxSqsActions;
}

export interface QueueBackend {
  /** Loopback port fauxqs also listens on (not used by the gateway). */
  readonly port: number;
  /** Serves one SQS/SNS/STS request in process through fauxqs' Fastify router (no HTTP hop). */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Serves a request built in process (Fastify `inject`): the local cloud's own SDK clients. */
  readonly inject: Inject;
  /** The embedded SQS' store and actions (the local cloud's direct queue port). */
  readonly sqs: FauxSqs;
  /** Points every queue's URL at the given base (e.g. `http://127.0.0.1:4566`). */
  rebaseQueueUrls(baseUrl: string): void;
  stop(): Promise<void>;
}

export interface QueueBackendOptions {
  readonly region: string;
  /** Parent data directory; fauxqs' SQLite file goes in `<dataDir>/sqs-sns`. In memory when omitted. */
  readonly dataDir?: string;
}

/** The key fauxqs locks a group-less FIFO message's group under (`DEFAULT_FIFO_GROUP_ID`). */
const DEFAULT_FIFO_GROUP = "__default";

/**
 * Gives a FIFO message without a group id fauxqs' default group as it is enqueued. fauxqs locks
 * such a message's group on receive under the default key but releases it (delete, visibility 0)
 * under none, which locked its queue's group-less messages for ever. AWS never holds one, and the
 * gateway refuses what would make one (sqs-validate.ts), but fauxqs still makes one when a
 * standard SNS topic delivers to a FIFO queue. test/integration/local/hardening-fifo.test.ts.
 */
function groupEveryFifoMessage(queue: FauxQueue): void {
  if (!queue.isFifo()) return;
  const enqueue = queue.enqueue.bind(queue);
  queue.enqueue = (message) => {
    message.messageGroupId ??= DEFAULT_FIFO_GROUP;
    enqueue(message);
  };
}

/** Applies `patch` to every queue of the store: those loaded now and each one created later. */
function forEveryQueue(store: FauxSqsStore, patch: (queue: FauxQueue) => void): void {
  for (const queue of store.allQueues()) patch(queue);
  const create = store.createQueue.bind(store);
  store.createQueue = (...args) => {
    const queue = create(...args);
    patch(queue);
    return queue;
  };
}

function fauxqsDist(): string {
  const require = createRequire(import.meta.url);
  for (const dir of require.resolve.paths("fauxqs") ?? []) {
    const dist = join(dir, "fauxqs", "dist");
    if (existsSync(join(dist, "app.js"))) return dist;
  }
  throw new LocalBackendError(
    "Cannot find the fauxqs package (node_modules/fauxqs/dist): run `npm ci` in the checkout",
  );
}

async function loadInternals(): Promise<FauxInternals> {
  const dist = fauxqsDist();
  const load = async (file: string) => import(pathToFileURL(join(dist, file)).href);
  // One file per action, exporting a function of that name (fauxqs 2.x); checked, so that a
  // fauxqs upgrade that moves one fails at start, naming it, not at the first delivery.
  const action = async (name: string): Promise<unknown> => {
    const fn = (await load(`sqs/actions/${name}.js`))[name];
    if (typeof fn === "function") return fn;
    throw new LocalBackendError(
      `fauxqs has no SQS action ${name} in dist/sqs/actions/${name}.js: the local cloud needs fauxqs 2.x (package.json)`,
    );
  };
  const [sqs, sns, s3, persistence, errors] = await Promise.all([
    load("sqs/sqsStore.js"),
    load("sns/snsStore.js"),
    load("s3/s3Store.js"),
    load("persistence.js"),
    load("common/errors.js"),
  ]);
  const names = [
    "sendMessage",
    "sendMessageBatch",
    "receiveMessage",
    "deleteMessageBatch",
    "changeMessageVisibility",
  ] as const;
  const loaded = await Promise.all(names.map(action));
  return {
    SqsStore: sqs.SqsStore,
    SnsStore: sns.SnsStore,
    S3Store: s3.S3Store,
    PersistenceManager: persistence.PersistenceManager,
    SqsError: errors.SqsError,
    // why: the functions were checked above; their signatures are fauxqs' (typed in FauxSqsActions).
    actions: Object.fromEntries(names.map((n, i) => [n, loaded[i]])) as unknown as FauxSqsActions,
  };
}

export async function startQueueBackend(options: QueueBackendOptions): Promise<QueueBackend> {
  const internals = await loadInternals();
  const sqsStore = new internals.SqsStore();
  const snsStore = new internals.SnsStore();
  const s3Store = new internals.S3Store();
  // An empty host makes fauxqs build queue URLs from the request's Host header (the gateway).
  sqsStore.host = "";
  sqsStore.region = options.region;
  snsStore.region = options.region;

  let persistence: FauxPersistence | undefined;
  if (options.dataDir) {
    persistence = new internals.PersistenceManager(join(options.dataDir, "sqs-sns"));
    // WAL without an fsync per statement (each message is 2-3 statements): a killed process
    // loses nothing, an operating-system crash may lose the last writes, as the bus's delivery
    // journal (docs/RELIABILITY.md, "Durable acceptance").
    persistence.db.exec("PRAGMA synchronous = NORMAL");
    // Load before wiring persistence into the stores, as startFauxqs does.
    persistence.loadSqsAndSns(sqsStore, snsStore);
    sqsStore.persistence = persistence;
    snsStore.persistence = persistence;
    for (const queue of sqsStore.allQueues()) queue.persistence = persistence;
  }
  forEveryQueue(sqsStore, (queue) => {
    groupEveryFifoMessage(queue);
    receiveWholeGroups(queue);
  });

  const app = buildApp({
    logger: false,
    defaultRegion: options.region,
    // why: the stores are fauxqs' own classes, loaded from its dist; buildApp's declared type
    // names them by path, which the package does not export.
    stores: { sqsStore, snsStore, s3Store } as unknown as NonNullable<
      Parameters<typeof buildApp>[0]
    >["stores"],
  });
  if (persistence) {
    const p = persistence;
    app.addHook("onClose", async () => p.close());
  }
  try {
    await app.listen({ port: 0, host: "127.0.0.1" });
  } catch (cause) {
    throw new LocalBackendError("fauxqs could not listen on 127.0.0.1", { cause });
  }
  const port = (app.server.address() as AddressInfo).port;

  return {
    port,
    handle: (req, res) => {
      app.routing(req, res);
    },
    inject: async (request) => {
      const res = await app.inject({
        method: request.method as "POST",
        url: request.url,
        headers: request.headers,
        ...(request.payload !== undefined ? { payload: request.payload } : {}),
      });
      return {
        statusCode: res.statusCode,
        statusMessage: res.statusMessage,
        headers: res.headers,
        rawPayload: res.rawPayload,
      };
    },
    sqs: {
      store: sqsStore,
      actions: internals.actions,
      isSqsError: (error): error is FauxSqsError => error instanceof internals.SqsError,
    },
    rebaseQueueUrls(baseUrl) {
      const queues = [...sqsStore.allQueues()];
      sqsStore.queues.clear();
      for (const queue of queues) {
        queue.url = `${baseUrl}/${LOCAL_ACCOUNT}/${queue.name}`;
        sqsStore.queues.set(queue.url, queue);
      }
    },
    stop: async () => {
      await app.close();
    },
  };
}
