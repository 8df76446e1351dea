/**
 * The DynamoDB thread: dynalite in a worker thread of its own, so its request validation, item
 * encoding and LevelDB work never run on the gateway's thread (docs/LOCAL.md "DynamoDB").
 * The gateway posts each DynamoDB request (method, URL, headers, body bytes) over the thread's
 * message port; this thread hands it to dynalite's own request listener and posts the answer
 * back. dynalite also listens on an ephemeral loopback port (its close path, which flushes and
 * closes LevelDB, only runs on a listening server): the local cloud's own functions send their
 * DynamoDB requests there, straight to this thread, so they never cost the gateway's thread
 * anything; each is counted by action and the counts are posted to the gateway's counter.
 */
import { EventEmitter } from "node:events";
import type { IncomingHttpHeaders, Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { parentPort, workerData } from "node:worker_threads";
import type { DynaliteOptions } from "dynalite";

export interface DynamoThreadInit {
  /** Resolved path of the `dynalite` package (this bundle does not include it: native LevelDB). */
  readonly dynalite: string;
  readonly options: DynaliteOptions;
}

export type ToDynamoThread =
  | {
      readonly type: "request";
      readonly id: number;
      readonly method: string;
      readonly url: string;
      readonly headers: IncomingHttpHeaders;
      readonly body: Uint8Array;
    }
  | { readonly type: "stop" };

export type FromDynamoThread =
  | { readonly type: "ready"; readonly port: number }
  | {
      readonly type: "response";
      readonly id: number;
      readonly status: number;
      readonly headers: Readonly<Record<string, string | number>>;
      readonly body: string;
    }
  | { readonly type: "stopped"; readonly error?: string }
  /** Requests served on the thread's own port since the last report, by action. */
  | { readonly type: "counts"; readonly counts: readonly (readonly [string, number])[] };

type RequestListener = (req: EventEmitter, res: CapturedResponse) => void;

/** What dynalite's listener uses of a ServerResponse; the answer is posted on `end`. */
class CapturedResponse {
  statusCode = 200;
  /** dynalite keeps the request's JSON content type here for its answer. */
  contentType = "application/x-amz-json-1.0";
  private readonly headers: Record<string, string | number> = {};

  constructor(
    private readonly id: number,
    private readonly post: (message: FromDynamoThread) => void,
  ) {}

  setHeader(name: string, value: string | number): void {
    this.headers[name.toLowerCase()] = value;
  }

  end(body?: string): void {
    this.post({
      type: "response",
      id: this.id,
      status: this.statusCode,
      headers: this.headers,
      body: body ?? "",
    });
  }
}

function serve(
  listener: RequestListener,
  message: Extract<ToDynamoThread, { type: "request" }>,
  post: (message: FromDynamoThread) => void,
): void {
  const req = Object.assign(new EventEmitter(), {
    method: message.method,
    url: message.url,
    headers: message.headers,
  });
  const res = new CapturedResponse(message.id, post);
  try {
    listener(req, res);
    const body = message.body;
    if (body.byteLength > 0)
      req.emit("data", Buffer.from(body.buffer, body.byteOffset, body.byteLength));
    req.emit("end");
  } catch (error) {
    // A fault dynalite throws while serving (not an answer it chose): this request fails, the thread serves on.
    res.statusCode = 500;
    res.setHeader("content-type", "application/x-amz-json-1.0");
    res.end(
      JSON.stringify({
        __type: "com.amazonaws.dynamodb.v20120810#InternalServerError",
        message: `dynalite failed to serve this request: ${String(error)}`,
      }),
    );
  }
}

/** A request's action, from its `X-Amz-Target` (`DynamoDB_20120810.<Action>`); "" without one. */
function actionOf(headers: IncomingHttpHeaders): string {
  const target = headers["x-amz-target"];
  return typeof target === "string" ? target.slice(target.indexOf(".") + 1) : "";
}

/**
 * Counts each request served on the thread's own port by its action, reported once per turn of
 * the event loop.
 */
function countDirectRequests(server: Server, post: (message: FromDynamoThread) => void): void {
  const counts = new Map<string, number>();
  const report = () => {
    post({ type: "counts", counts: [...counts] });
    counts.clear();
  };
  server.prependListener("request", (req: { headers: IncomingHttpHeaders }) => {
    const action = actionOf(req.headers);
    if (counts.size === 0) setImmediate(report);
    counts.set(action || "unknown", (counts.get(action || "unknown") ?? 0) + 1);
  });
}

type Request = Extract<ToDynamoThread, { type: "request" }>;

/**
 * CreateTable answers once its table is ACTIVE. dynalite answers CREATING and makes the table
 * ACTIVE a timer and a LevelDB write later (createTableMs 0); a write in between was refused
 * with ResourceNotFoundException, which clients writing right after creating (the local deploy,
 * tests) met on a loaded machine. Every client of the gateway gets this, so none waits itself.
 * The answer still says CREATING, as AWS's does; a DescribeTable after it says ACTIVE.
 */
function serveCreateTable(
  listener: RequestListener,
  message: Request,
  post: (message: FromDynamoThread) => void,
): void {
  serve(listener, message, (answer) => {
    if (answer.type !== "response" || answer.status !== 200) return post(answer);
    const name = (JSON.parse(answer.body) as { TableDescription?: { TableName?: string } })
      .TableDescription?.TableName;
    if (name === undefined) return post(answer);
    const { "content-length": _length, ...headers } = message.headers;
    const describe: Request = {
      ...message,
      headers: { ...headers, "x-amz-target": "DynamoDB_20120810.DescribeTable" },
      body: new TextEncoder().encode(JSON.stringify({ TableName: name })),
    };
    const poll = (attempt: number) =>
      serve(listener, describe, (status) => {
        const table =
          status.type === "response" && status.status === 200
            ? (JSON.parse(status.body) as { Table?: { TableStatus?: string } }).Table
            : undefined;
        // At most ~2 s: then the answer goes anyway, as dynalite's own would have.
        if (table?.TableStatus === "ACTIVE" || attempt >= 400) post(answer);
        else setTimeout(() => poll(attempt + 1), 5);
      });
    poll(0);
  });
}

function main(): void {
  const port = parentPort;
  if (!port) throw new Error("dynalite-thread.ts must run in a worker thread");
  const post = (message: FromDynamoThread) => port.postMessage(message);
  const init = workerData as DynamoThreadInit;
  const dynalite = createRequire(import.meta.url)(init.dynalite) as (o: DynaliteOptions) => Server;
  const server = dynalite(init.options);
  const listener = server.listeners("request")[0] as RequestListener;
  countDirectRequests(server, post);
  port.on("message", (message: ToDynamoThread) => {
    if (message.type === "request") {
      if (actionOf(message.headers) === "CreateTable")
        return serveCreateTable(listener, message, post);
      return serve(listener, message, post);
    }
    server.closeAllConnections();
    server.close((error) => {
      post(error ? { type: "stopped", error: String(error) } : { type: "stopped" });
      port.close();
    });
  });
  server.listen(0, "127.0.0.1", () =>
    post({ type: "ready", port: (server.address() as AddressInfo).port }),
  );
}

main();
