/**
 * The local cloud's single endpoint: one node:http server that speaks the AWS wire protocols of
 * the services the stack uses. SQS and SNS go to embedded fauxqs (its Fastify router), in process,
 * DynamoDB to dynalite in a thread of its own (local/backends/dynalite.ts) — both on this server's
 * own requests — EventBridge and Pipes to services mounted here.
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

export async function startGateway(options: GatewayOptions = {}): Promise<Gateway> {
  const host = options.host ?? "127.0.0.1";
  const region = options.region ?? "us-east-1";
  const dataDir = options.dataDir;
  const requests = new RequestCounter();
  const [queues, dynamo] = await Promise.all([
    startQueueBackend({ region, ...(dataDir ? { dataDir } : {}) }),
    startDynamoBackend({ ...(dataDir ? { dataDir } : {}), requests }),
  ]);
  let events: JsonTargetService | undefined;
  let pipes: RestJsonService | undefined;
  let api: LocalApi | undefined;

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy(error instanceof Error ? error : undefined);
        return;
      }
      const path = (req.url ?? "/").split("?")[0] ?? "/";
      const shape = errorShapeOf(error, req.method ?? "GET", path);
      writeAwsError(res, routeRequest(req.headers, path).protocol, shape);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const refused = guardRequest(req.headers, routeRequest(req.headers, path).service, { host });
    if (refused) return writeAwsError(res, routeRequest(req.headers, path).protocol, refused);
    if (req.method === "GET" && (path === "/health" || path === "/_buzzville/health")) {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ status: "ok", services: SUPPORTED_SERVICES, region }));
      return;
    }
    if (req.method === "GET" && path.startsWith("/_buzzville/queues/")) {
      // Non-destructive inspection of a queue (ready, in flight, delayed), for the summary.
      const name = path.slice("/_buzzville/queues/".length);
      const answer = await send(queues.port, {
        method: "GET",
        path: `/_fauxqs/queues/${name}`,
        headers: {},
        body: "",
      });
      res.statusCode = answer.status;
      res.setHeader("content-type", "application/json");
      res.end(answer.body);
      return;
    }
    if (req.method === "GET" && path === "/_buzzville/metrics") {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ requests: requests.snapshot() }));
      return;
    }
    if (path.startsWith("/api/")) return serveApi(api, req, res);
    const route = routeRequest(req.headers, path);
    // SQS's query protocol is counted once its Action is parsed (sqsQuery); SNS's is not parsed.
    if (route.service && !(route.service === "sqs" && route.protocol === "query")) {
      const action =
        route.action ??
        (route.service === "pipes" ? `${req.method} /v1/pipes` : `${route.protocol} request`);
      requests.count("client", route.service, action);
    }
    switch (route.service) {
      // In process: the backends' own request handlers get this very request (no second hop).
      case "sns":
      case "sts":
        return queues.handle(req, res);
      case "sqs":
        if (route.protocol === "query") return sqsQuery(req, res);
        return serveCheckedSqsJson(req, res, queues.inject, route.action ?? "");
      case "dynamodb":
        if (route.action && !DYNAMODB_ACTIONS.has(route.action)) return unsupported(res, route);
        return dynamo.handle(req, res);
      case "events":
        return serveJson(events, route, req, res);
      case "pipes":
        return servePipes(req, res);
      default:
        return unsupported(res, route);
    }
  }

  function unsupported(res: ServerResponse, route: Route): void {
    const what = route.action
      ? `action "${route.action}" of service "${route.requested}"`
      : `service "${route.requested}"`;
    const dynamo = route.service === "dynamodb" ? " (dynalite has no transactions)" : "";
    writeAwsError(res, route.protocol, {
      status: 400,
      code: route.protocol === "query" ? "InvalidAction" : "UnknownOperationException",
      message: `The Buzz Ville local cloud does not support ${what}${dynamo}. Supported services: ${SUPPORTED_SERVICES.join(", ")}.`,
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

  async function servePipes(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, bodyLimitOf("pipes"));
    const url = new URL(req.url ?? "/", "http://local");
    if (!pipes) {
      return unsupported(res, { service: undefined, requested: "pipes", protocol: "rest-json" });
    }
    const answer = await pipes.handle({
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

  async function sqsQuery(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { action, input } = queryToJson(await readBody(req, bodyLimitOf("sqs")));
    requests.count("client", "sqs", action);
    const headers: Record<string, string> = {
      "content-type": "application/x-amz-json-1.0",
      "x-amz-target": `AmazonSQS.${action}`,
      host: req.headers.host ?? `${host}:${port}`,
    };
    if (req.headers.authorization) headers.authorization = req.headers.authorization;
    const answer = await send(queues.port, {
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

  await new Promise<void>((resolve, reject) => {
    server.once("error", (cause) =>
      reject(
        new GatewayError(
          `The local cloud cannot listen on ${host}:${options.port ?? 4566} (is another local cloud or LocalStack running? pick another --port)`,
          { cause },
        ),
      ),
    );
    server.listen(options.port ?? 4566, host, () => resolve());
  }).catch(async (error: unknown) => {
    // Nothing outlives a failed start (the backends would keep the process alive).
    await Promise.allSettled([queues.stop(), dynamo.stop()]);
    throw error;
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(":") ? `[${host}]` : host === "0.0.0.0" ? "127.0.0.1" : host;
  const url = `http://${urlHost}:${port}`;
  queues.rebaseQueueUrls(url);

  return {
    url,
    host,
    port,
    region,
    mountEvents: (service) => {
      events = service;
    },
    mountPipes: (service) => {
      pipes = service;
    },
    mountApi: (mounted) => {
      api = mounted;
    },
    queueRequestHandler: (handlerOptions) =>
      inProcessRequestHandler(
        queues.inject,
        `${urlHost}:${port}`,
        handlerOptions?.counted === false ? undefined : requests,
      ),
    queues: directQueuePort(queues.sqs, requests),
    requests,
    dynamodbEndpoint: dynamo.endpoint,
    stop: () => {
      api?.close();
      return stopAll(server, queues, dynamo);
    },
  };
}

async function stopAll(server: Server, queues: QueueBackend, dynamo: DynamoBackend) {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  await Promise.all([queues.stop(), dynamo.stop()]);
}
