/**
 * The local cloud's single endpoint: one node:http server that speaks the AWS wire protocols of
 * the services the stack uses. SQS and SNS go to embedded fauxqs (its Fastify router), in process,
 * DynamoDB to dynalite in a thread of its own (local/backends/dynalite.ts) — both on this server's
 * own requests — EventBridge, Pipes and X-Ray (local/xray/api.ts) to services mounted here.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { SQSClientConfig } from "@aws-sdk/client-sqs";
import { type LocalApi, serveApi } from "../api/serve.ts";
import { type DynamoBackend, startDynamoBackend } from "../backends/dynalite.ts";
import { type QueueBackend, startQueueBackend } from "../backends/fauxqs.ts";
import { directQueuePort } from "../queues/direct.ts";
import type { QueuePort } from "../queues/port.ts";
import { RequestCounter } from "../request-counts.ts";
import { errorShapeOf, GatewayError, writeAwsError } from "./errors.ts";
import { bodyLimitOf, guardRequest } from "./guard.ts";
import { inProcessRequestHandler } from "./in-process.ts";
import type { JsonTargetService, RestJsonService } from "./ports.ts";
import { readBody, send } from "./proxy.ts";
import { type Route, routeRequest, SUPPORTED_SERVICES } from "./route.ts";
import { jsonToQueryXml, queryErrorCode, queryToJson } from "./sqs-query.ts";
import { serveCheckedSqsJson } from "./sqs-validate.ts";

/** dynalite's operations; anything else (e.g. TransactWriteItems) gets a clear error here. */
const DYNAMODB_ACTIONS = new Set([
  "BatchGetItem",
  "BatchWriteItem",
  "CreateTable",
  "DeleteItem",
  "DeleteTable",
  "DescribeTable",
  "DescribeTimeToLive",
  "GetItem",
  "ListTables",
  "PutItem",
  "Query",
  "Scan",
  "TagResource",
  "UntagResource",
  "ListTagsOfResource",
  "UpdateItem",
  "UpdateTable",
]);

export interface GatewayOptions {
  /** Interface to listen on. @default "127.0.0.1" */
  readonly host?: string;
  /** Port to listen on; 0 picks a free one. @default 4566 */
  readonly port?: number;
  /** Region used when a request does not name one. @default "us-east-1" */
  readonly region?: string;
  /** Persist DynamoDB, SQS and SNS state under this directory. In memory when omitted. */
  readonly dataDir?: string;
}

export interface Gateway {
  /** e.g. `http://127.0.0.1:4566` — the value for AWS_ENDPOINT_URL. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly region: string;
  /** Mounts the EventBridge service (`x-amz-target: AWSEvents.*`). */
  mountEvents(service: JsonTargetService): void;
  /** Mounts the Pipes service (REST, `/v1/pipes`). */
  mountPipes(service: RestJsonService): void;
  /** Mounts the X-Ray API (REST, SigV4 scope `xray`): the local cloud's trace store. */
  mountXRay(service: RestJsonService): void;
  /** Mounts the city API on `/api/` (local/api/serve.ts); closed by stop(). */
  mountApi(api: LocalApi): void;
  /**
   * A `requestHandler` for the local cloud's OWN SQS/SNS clients: their requests go straight to
   * the embedded fauxqs, in process (same wire format and errors as over HTTP).
   */
  queueRequestHandler(options?: {
    /**
     * Count the requests as the cloud's own AWS requests. Off for inspection (the status line,
     * the crisis monitor's depth reads), which CloudWatch serves on AWS, not SQS. @default true
     */
    readonly counted?: boolean;
  }): NonNullable<SQSClientConfig["requestHandler"]>;
  /** The embedded queues reached directly, for the local cloud's own plumbing (local/queues/direct.ts). */
  readonly queues: QueuePort;
  /** AWS-protocol requests served, by origin, service and action (`GET /_buzzville/metrics`). */
  readonly requests: RequestCounter;
  /**
   * DynamoDB served straight by its own thread (counted in `requests` too): for the local
   * cloud's own functions (AWS_ENDPOINT_URL_DYNAMODB), off the gateway's thread.
   */
  readonly dynamodbEndpoint: string;
  stop(): Promise<void>;
}

/** What a request is served with: the backends, the mounted services, the counters. */
interface Serving {
  readonly host: string;
  readonly region: string;
  readonly queues: QueueBackend;
  readonly dynamo: DynamoBackend;
  readonly requests: RequestCounter;
  /** Mounted after start (local/cloud.ts). */
  events?: JsonTargetService;
  pipes?: RestJsonService;
  xray?: RestJsonService;
  api?: LocalApi;
  /** Known once the server listens. */
  port: number;
}

export async function startGateway(options: GatewayOptions = {}): Promise<Gateway> {
  const host = options.host ?? "127.0.0.1";
  const region = options.region ?? "us-east-1";
  const dataDir = options.dataDir;
  const requests = new RequestCounter();
  const [queues, dynamo] = await Promise.all([
    startQueueBackend({ region, ...(dataDir ? { dataDir } : {}) }),
    startDynamoBackend({ ...(dataDir ? { dataDir } : {}), requests }),
  ]);
  const serving: Serving = { host, region, queues, dynamo, requests, port: 0 };
  const server = createServer((req, res) => {
    handle(serving, req, res).catch((error: unknown) => answerFailure(req, res, error));
  });
  serving.port = await listen(server, host, options.port ?? 4566).catch(async (error: unknown) => {
    // Nothing outlives a failed start (the backends would keep the process alive).
    await Promise.allSettled([queues.stop(), dynamo.stop()]);
    throw error;
  });
  return gatewayOf(server, serving);
}

/** The gateway's interface over a listening server. */
function gatewayOf(server: Server, serving: Serving): Gateway {
  const { host, port, queues, requests } = serving;
  const urlHost = host.includes(":") ? `[${host}]` : host === "0.0.0.0" ? "127.0.0.1" : host;
  const url = `http://${urlHost}:${port}`;
  queues.rebaseQueueUrls(url);
  return {
    url,
    host,
    port,
    region: serving.region,
    mountEvents: (service) => {
      serving.events = service;
    },
    mountPipes: (service) => {
      serving.pipes = service;
    },
    mountXRay: (service) => {
      serving.xray = service;
    },
    mountApi: (mounted) => {
      serving.api = mounted;
    },
    queueRequestHandler: (handlerOptions) =>
      inProcessRequestHandler(
        queues.inject,
        `${urlHost}:${port}`,
        handlerOptions?.counted === false ? undefined : requests,
      ),
    queues: directQueuePort(queues.sqs, requests),
    requests,
    dynamodbEndpoint: serving.dynamo.endpoint,
    stop: () => {
      serving.api?.close();
      return stopAll(server, queues, serving.dynamo);
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once("error", (cause) =>
      reject(
        new GatewayError(
          `The local cloud cannot listen on ${host}:${port} (is another local cloud or LocalStack running? pick another --port)`,
          { cause },
        ),
      ),
    );
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

/** A request that failed: an AWS-shaped error in its protocol, or the connection dropped. */
function answerFailure(req: IncomingMessage, res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy(error instanceof Error ? error : undefined);
    return;
  }
  const path = pathOf(req);
  const shape = errorShapeOf(error, req.method ?? "GET", path);
  writeAwsError(res, routeRequest(req.headers, path).protocol, shape);
}

const pathOf = (req: IncomingMessage): string => (req.url ?? "/").split("?")[0] ?? "/";

async function handle(s: Serving, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = pathOf(req);
  const route = routeRequest(req.headers, path);
  const refused = guardRequest(req.headers, route.service, { host: s.host });
  if (refused) return writeAwsError(res, route.protocol, refused);
  if (req.method === "GET" && (await serveOwn(s, path, res))) return;
  if (path.startsWith("/api/")) return serveApi(s.api, req, res);
  countRequest(s.requests, route, req.method);
  switch (route.service) {
    // In process: the backends' own request handlers get this very request (no second hop).
    case "sns":
    case "sts":
      return s.queues.handle(req, res);
    case "sqs":
      if (route.protocol === "query") return sqsQuery(s, req, res);
      return serveCheckedSqsJson(req, res, s.queues.inject, route.action ?? "");
    case "dynamodb":
      if (route.action && !DYNAMODB_ACTIONS.has(route.action)) return unsupported(res, route);
      return s.dynamo.handle(req, res);
    case "events":
      return serveJson(s.events, route, req, res);
    case "pipes":
    case "xray":
      return serveRest(s[route.service], route.service, req, res);
    default:
      return unsupported(res, route);
  }
}

/**
 * The gateway's own GET routes: health, the non-destructive inspection of a queue (ready, in
 * flight, delayed) for the summary, the request counts. Resolves false for any other path.
 */
async function serveOwn(s: Serving, path: string, res: ServerResponse): Promise<boolean> {
  if (path === "/health" || path === "/_buzzville/health") {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ status: "ok", services: SUPPORTED_SERVICES, region: s.region }));
    return true;
  }
  if (path.startsWith("/_buzzville/queues/")) {
    const name = path.slice("/_buzzville/queues/".length);
    const answer = await send(s.queues.port, {
      method: "GET",
      path: `/_fauxqs/queues/${name}`,
      headers: {},
      body: "",
    });
    res.statusCode = answer.status;
    res.setHeader("content-type", "application/json");
    res.end(answer.body);
    return true;
  }
  if (path === "/_buzzville/metrics") {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ requests: s.requests.snapshot() }));
    return true;
  }
  return false;
}

/** SQS's query protocol is counted once its Action is parsed (sqsQuery); SNS's is not parsed. */
function countRequest(requests: RequestCounter, route: Route, method: string | undefined): void {
  if (!route.service || (route.service === "sqs" && route.protocol === "query")) return;
  const action =
    route.action ??
    (route.service === "pipes" ? `${method} /v1/pipes` : `${route.protocol} request`);
  requests.count("client", route.service, action);
}

function unsupported(res: ServerResponse, route: Route): void {
  const what = route.action
    ? `action "${route.action}" of service "${route.requested}"`
    : `service "${route.requested}"`;
  const dynamo = route.service === "dynamodb" ? " (dynalite has no transactions)" : "";
  const xray = route.requested === "xray" ? " while tracing is off (BUZZVILLE_TRACING=off)" : "";
  writeAwsError(res, route.protocol, {
    status: 400,
    code: route.protocol === "query" ? "InvalidAction" : "UnknownOperationException",
    message: `The Buzz Ville local cloud does not support ${what}${dynamo}${xray}. Supported services: ${SUPPORTED_SERVICES.join(", ")}.`,
  });
}

async function serveJson(
  service: JsonTargetService | undefined,
  route: Route,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const body = await readBody(req, bodyLimitOf("events"));
  if (!service) return unsupported(res, route);
  const target = req.headers["x-amz-target"];
  const answer = await service.handle({ target: typeof target === "string" ? target : "", body });
  res.statusCode = answer.status;
  res.setHeader("content-type", "application/x-amz-json-1.1");
  for (const [k, v] of Object.entries(answer.headers ?? {})) res.setHeader(k, v);
  res.end(answer.body);
}

async function serveRest(
  service: RestJsonService | undefined,
  id: "pipes" | "xray",
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const body = await readBody(req, bodyLimitOf(id));
  const url = new URL(req.url ?? "/", "http://local");
  if (!service)
    return unsupported(res, { service: undefined, requested: id, protocol: "rest-json" });
  const answer = await service.handle({
    method: req.method ?? "GET",
    path: url.pathname,
    query: url.searchParams,
    body,
  });
  res.statusCode = answer.status;
  res.setHeader("content-type", "application/json");
  for (const [k, v] of Object.entries(answer.headers ?? {})) res.setHeader(k, v);
  res.end(answer.body);
}

/** SQS's query (XML) protocol, served by fauxqs's JSON protocol. */
async function sqsQuery(s: Serving, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { action, input } = queryToJson(await readBody(req, bodyLimitOf("sqs")));
  s.requests.count("client", "sqs", action);
  const headers: Record<string, string> = {
    "content-type": "application/x-amz-json-1.0",
    "x-amz-target": `AmazonSQS.${action}`,
    host: req.headers.host ?? `${s.host}:${s.port}`,
  };
  if (req.headers.authorization) headers.authorization = req.headers.authorization;
  const answer = await send(s.queues.port, {
    method: "POST",
    path: "/",
    headers,
    body: JSON.stringify(input),
  });
  const parsed = answer.body.length ? JSON.parse(answer.body.toString("utf8")) : {};
  if (answer.status >= 300) {
    const header = answer.headers["x-amzn-query-error"];
    writeAwsError(res, "query", {
      status: answer.status,
      code: queryErrorCode(typeof header === "string" ? header : undefined, parsed.__type ?? ""),
      message: parsed.message ?? "",
    });
    return;
  }
  res.statusCode = 200;
  res.setHeader("content-type", "text/xml");
  res.end(jsonToQueryXml(action, parsed));
}

async function stopAll(server: Server, queues: QueueBackend, dynamo: DynamoBackend) {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  await Promise.all([queues.stop(), dynamo.stop()]);
}
